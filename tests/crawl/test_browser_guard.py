"""Rendered pages stay behind the address guard: redirect hops, fetch(), frames, WebSockets, WebRTC,
WebTransport and script navigations of a `render_js` source never reach a private host, and what the browser
shows instead is never indexed.

Real Chromium through scrapy-playwright and the real CLI; a hostile site on 127.0.0.1 and a canary
on 127.0.0.2, the only address the guarded crawl refuses (OSINT_ALLOW_PRIVATE_NETWORKS=127.0.0.1/32).
A control crawl allows 127.0.0.0/8 and shows the canary is reached by the same pages, so an empty
canary log in the guarded crawl means "refused", not "unreachable".
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.site_server import SiteHandler, SiteServer
from tests.crawl import fake_dns
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.crawl.same_port import servers_on_one_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CANARY_HOST = "127.0.0.2"  # all of 127.0.0.0/8 is loopback on Linux: a stand-in for an intranet host
CANARY_TOKEN = "CANARYQUOKKA"  # a word only the canary's pages contain
GUARDED = "127.0.0.1/32"
CONTROL = "127.0.0.0/8"
GATE_SECONDS = 20  # bound on waiting for the browser to report; never reached when things work
PAGES = [
    "/redirect",
    "/fetch.html",
    "/iframe.html",
    "/websocket.html",
    "/udp.html",
    "/script-navigation.html",
    "/error-navigation.html",
]
#: a port Chromium refuses to connect to (X11): navigating there ends on its error page, without any connection
UNSAFE_PORT_URL = "http://127.0.0.1:6000/"


def _html(body: str):
    return lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())


def _article(heading: str, script: str = "", extra: str = "") -> str:
    return (
        f"<html lang='en'><head><title>{heading}</title></head><body><article><h1>{heading}</h1>"
        "<p>Investigators examining rifles recovered after the clashes said the serial numbers matched a "
        "batch delivered to a national army decades ago. The weapons, Type 56 assault rifles and RPG-7 "
        f"launchers, were found in an abandoned depot.</p><div id='out'></div></article>{extra}"
        f"<script>{script}</script></body></html>"
    )


class _Gate:
    """Holds the page's load event (through a frame the site answers late) until the page reports
    that its script's connection attempt is over: the crawl then renders the page only after the
    browser has tried to reach the canary, with no sleeping."""

    def __init__(self, name: str):
        self.name = name
        self.opened = threading.Event()

    def routes(self) -> dict:
        def wait(handler: SiteHandler):
            self.opened.wait(GATE_SECONDS)
            return 200, {"Content-Type": "text/html"}, b"<p>gate</p>"

        def open_(handler: SiteHandler):
            self.opened.set()
            return 204, {}, b""

        return {f"/gate/{self.name}": wait, f"/settled/{self.name}": open_}

    @property
    def frame(self) -> str:
        return f"<iframe src='/gate/{self.name}'></iframe>"

    @property
    def report(self) -> str:
        return f"fetch('/settled/{self.name}')"


@dataclass
class Crawl:
    osint: OsintCli
    site: SiteServer
    canary: SiteServer
    udp_canary: socket.socket
    outcomes: dict[str, tuple[str, str]]

    def udp_datagrams(self) -> int:
        count = 0
        while True:
            try:
                self.udp_canary.recv(4096)
            except BlockingIOError:
                return count
            count += 1

    def search(self, query: str) -> dict:
        return self.osint.json("search", query)


def _canary_page(handler: SiteHandler):
    # CORS allowed, so a fetch() that reaches the canary can put its text into the rendered page
    return (
        200,
        {"Content-Type": "text/html; charset=utf-8", "Access-Control-Allow-Origin": "*"},
        _article(f"Intranet report {CANARY_TOKEN}").encode(),
    )


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Iterator:
    """`crawl(allowance)`: one crawl of every hostile page, with servers of its own."""
    with ExitStack() as stack:

        def run(allowed_networks: str) -> Crawl:
            tmp = tmp_path_factory.mktemp("browser-guard")
            canary = stack.enter_context(
                SiteServer(
                    host=CANARY_HOST,
                    routes={path: _canary_page for path in ("/redirected", "/fetched", "/framed", "/navigated")},
                )
            )
            udp_canary = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
            udp_canary.bind((CANARY_HOST, 0))
            udp_canary.setblocking(False)
            canary_ws = canary.base_url.replace("http://", "ws://")
            udp_canary_at = f"{CANARY_HOST}:{udp_canary.getsockname()[1]}"
            fetch_gate, socket_gate, udp_gate = _Gate("fetch"), _Gate("socket"), _Gate("udp")
            routes = {
                "/redirect": lambda h: (302, {"Location": canary.url("/redirected")}, b""),
                "/to-fetched": lambda h: (302, {"Location": canary.url("/fetched")}, b""),
                "/to-framed": lambda h: (302, {"Location": canary.url("/framed")}, b""),
                "/fetch.html": _html(
                    _article(
                        "A page that fetches",
                        extra=fetch_gate.frame,
                        script="fetch('/to-fetched').then(r => r.text()).then(t => out.append(t))"
                        f".catch(() => {{}}).finally(() => {fetch_gate.report})",
                    )
                ),
                "/iframe.html": _html(_article("A page with a frame", extra="<iframe src='/to-framed'></iframe>")),
                "/websocket.html": _html(
                    _article(
                        "A page with a socket",
                        extra=socket_gate.frame,
                        script=f"const ws = new WebSocket('{canary_ws}/socket'); ws.onclose = () => {socket_gate.report}",
                    )
                ),
                "/udp.html": _html(
                    _article(
                        "A page with a peer connection and a WebTransport session",
                        extra=udp_gate.frame,
                        script="const gathered = new Promise(done => {"
                        f"  const pc = new RTCPeerConnection({{iceServers: [{{urls: 'stun:{udp_canary_at}'}}]}});"
                        "  pc.createDataChannel('x');"
                        "  pc.onicegatheringstatechange = () => pc.iceGatheringState == 'complete' && done();"
                        "  pc.createOffer().then(offer => pc.setLocalDescription(offer)); });"
                        f"const session = new WebTransport('https://{udp_canary_at}/').ready.catch(() => {{}});"
                        f"Promise.all([gathered, session]).then(() => {udp_gate.report})",
                    )
                ),
                "/script-navigation.html": _html(
                    _article("A page that navigates away", script=f"location.href = '{canary.url('/navigated')}'")
                ),
                "/error-navigation.html": _html(
                    _article("A page that navigates to an error", script=f"location.href = '{UNSAFE_PORT_URL}'")
                ),
                **fetch_gate.routes(),
                **socket_gate.routes(),
                **udp_gate.routes(),
            }
            site = stack.enter_context(SiteServer(routes=routes))
            osint = OsintCli(tmp / "data", extract_workers=0)
            osint.env["OSINT_ALLOW_PRIVATE_NETWORKS"] = allowed_networks
            watchlist = write_watchlist(
                tmp / "browser.yaml",
                [{"id": "rendered", "kind": "page", "render_js": True, "urls": [site.url(p) for p in PAGES]}],
            )
            report = osint.json("crawl", str(watchlist))
            run = osint.json("runs", "show", report["run_id"])
            outcomes = {
                row["url"].removeprefix(site.base_url): (row["outcome"], row["reason"]) for row in run["outcomes"]
            }
            return Crawl(osint, site, canary, udp_canary, outcomes)

        yield run


@pytest.fixture(scope="module")
def guarded(crawl) -> Crawl:
    return crawl(GUARDED)


@pytest.fixture(scope="module")
def control(crawl) -> Crawl:
    return crawl(CONTROL)


def test_the_canary_receives_nothing_from_a_guarded_rendering(guarded: Crawl):
    assert guarded.canary.requests == []
    assert guarded.search(CANARY_TOKEN)["total"] == 0


def test_a_redirect_to_a_private_address_is_skipped_and_not_indexed(guarded: Crawl):
    assert guarded.outcomes["/redirect"] == ("skipped", "private_address")
    assert "/redirected" not in guarded.canary.requests
    assert not [hit for hit in guarded.search("")["hits"] if not hit["url"].startswith(guarded.site.base_url)]


@pytest.mark.parametrize(
    "page, canary_path", [("/fetch.html", "/fetched"), ("/iframe.html", "/framed"), ("/websocket.html", "/socket")]
)
def test_a_sub_request_through_a_redirector_or_a_websocket_is_refused(guarded: Crawl, page: str, canary_path: str):
    """fetch() and a frame through a redirector, and a WebSocket, never reach the canary; the
    page itself is fine and indexed."""
    assert canary_path not in guarded.canary.requests
    assert guarded.outcomes[page] == ("indexed", "")


def test_webrtc_and_webtransport_send_no_udp(guarded: Crawl):
    """UDP cannot go through the proxy: WebRTC is held to proxied connections
    (settings/crawl.py) and Chromium opens no WebTransport session behind a proxy."""
    assert guarded.udp_datagrams() == 0
    assert guarded.outcomes["/udp.html"] == ("indexed", "")


def test_a_script_navigation_to_a_private_address_is_not_indexed_as_an_error_page(guarded: Crawl):
    assert guarded.outcomes["/script-navigation.html"] == ("skipped", "private_address")
    urls = [hit["url"] for hit in guarded.search("")["hits"]]
    assert not [url for url in urls if url.startswith("chrome-error:")]


def test_a_navigation_that_ends_on_the_browser_error_page_is_a_failure(guarded: Crawl):
    """chrome-error://chromewebdata/ is one URL for every error page: never a document."""
    assert guarded.outcomes["/error-navigation.html"] == ("failed", "browser_error_page")


def test_without_the_guard_the_same_pages_reach_the_canary(control: Crawl):
    """Control: with 127.0.0.2 allowed, every hostile page gets through to it. (UDP stays off
    whatever the allow-list, so it has no control here.)"""
    assert {"/redirected", "/fetched", "/framed", "/socket", "/navigated"} <= set(control.canary.requests)
    assert control.outcomes["/redirect"] == ("indexed", "")
    assert control.outcomes["/script-navigation.html"] == ("indexed", "")
    assert control.search(CANARY_TOKEN)["total"] >= 2


@pytest.mark.parametrize("allowed_networks, reaches_canary", [(GUARDED, False), (CONTROL, True)])
def test_a_name_that_rebinds_between_the_browsers_check_and_its_connection_is_refused(
    tmp_path: Path, allowed_networks: str, reaches_canary: bool
):
    """DNS rebinding in the browser: the page fetches http://rebind.test:PORT/, a name that answers
    127.0.0.1 to the first lookup (the route check) and 127.0.0.2 to the next (zero TTL,
    tests/crawl/fake_dns.py). Chromium resolves no name itself; the proxy connects to the address
    its own guard lookup checked, so the rebound answer is refused. (Control: allowed, it is followed.)"""
    gate = _Gate("rebinding")
    routes = {
        "/rebinding.html": _html(
            _article(
                "A page on a rebinding name",
                extra=gate.frame,
                script="fetch(`http://rebind.test:${location.port}/secret`).then(r => r.text()).then(t => out.append(t))"
                f".catch(() => {{}}).finally(() => {gate.report})",
            )
        ),
        **gate.routes(),
    }
    # the site is the name's first answer, the canary its second, on the same port
    with servers_on_one_port(
        lambda port: SiteServer(host=CANARY_HOST, port=port, routes={"/secret": _canary_page}),
        lambda port: SiteServer(port=port, routes=routes),
    ) as (canary, site):
        osint = OsintCli(tmp_path / "data", extract_workers=0)
        osint.env["OSINT_ALLOW_PRIVATE_NETWORKS"] = allowed_networks
        watchlist = write_watchlist(
            tmp_path / "rebinding.yaml",
            [{"id": "rendered", "kind": "page", "render_js": True, "urls": [site.url("/rebinding.html")]}],
        )
        fake_dns.run(osint, {"rebind.test": ["127.0.0.1", CANARY_HOST]}, "crawl", str(watchlist))
        assert ("/secret" in canary.requests) == reaches_canary
        assert "/secret" not in site.requests  # the first answer is the check's, never the connection's
        assert (osint.json("search", CANARY_TOKEN)["total"] == 1) == reaches_canary
