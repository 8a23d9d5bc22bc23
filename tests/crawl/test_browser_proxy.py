"""The guarded forward proxy the rendering browser goes through (crawlers/browser_proxy.py).

Real sockets and real servers on 127.0.0.x only. Name resolution is replaced for the whole module
(`names`): a test names the hosts it uses and every other lookup fails, so nothing here sends a DNS
query off the machine.
"""

from __future__ import annotations

import asyncio
import re
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.site_server import SiteServer
from crawlers import browser_proxy
from crawlers.browser_proxy import REFUSAL_HEADER, GuardedProxy
from network import addresses
from network.addresses import UnsafeDestination, parse_allowance
from tests.crawl.same_port import servers_on_one_port

CANARY_HOST = "127.0.0.2"
GUARDED = "127.0.0.1/32"
CONTROL = "127.0.0.0/8"


class RawOrigin(socketserver.ThreadingTCPServer):
    """An origin server that keeps the raw bytes of each request it gets and answers `response`
    verbatim (hostile answers included)."""

    daemon_threads = True

    def __init__(self, host: str, response: bytes, port: int = 0):
        self.response = response
        self.received: list[bytes] = []
        super().__init__((host, port), _RawHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> RawOrigin:
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _RawHandler(socketserver.BaseRequestHandler):
    server: RawOrigin

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data and (chunk := self.request.recv(65536)):
            data += chunk
        length = re.search(rb"(?im)^content-length: *([0-9]+)", data)
        while length and len(data.partition(b"\r\n\r\n")[2]) < int(length.group(1)):
            data += self.request.recv(65536)
        self.server.received.append(data)
        self.request.sendall(self.server.response)


OK_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"


@pytest.fixture(autouse=True)
def names(monkeypatch) -> dict[str, tuple[str, ...]]:
    """Host name -> the addresses the guard's resolver answers; any other name does not resolve."""
    answers: dict[str, tuple[str, ...]] = {}

    def resolve(host: str) -> tuple[str, ...]:
        if host not in answers:
            raise UnsafeDestination("dns_error", f"{host}: not a name of this test")
        return answers[host]

    monkeypatch.setattr(addresses.resolution_cache, "resolve", resolve)
    return answers


@contextmanager
def running(allowance: str | None) -> Iterator[GuardedProxy]:
    proxy = GuardedProxy(None if allowance is None else parse_allowance(allowance)).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def proxy() -> Iterator[GuardedProxy]:
    with running(GUARDED) as proxy:
        yield proxy


@pytest.fixture
def origins() -> Iterator[tuple[RawOrigin, RawOrigin]]:
    """An allowed origin on 127.0.0.1 and a private one (the canary) on the same port: a rebinding
    name moves between the two."""
    with servers_on_one_port(
        lambda port: RawOrigin("127.0.0.1", OK_ANSWER, port), lambda port: RawOrigin(CANARY_HOST, OK_ANSWER, port)
    ) as pair:
        yield pair


@pytest.fixture
def origin(origins) -> RawOrigin:
    return origins[0]


@pytest.fixture
def canary(origins) -> RawOrigin:
    return origins[1]


def _connect(proxy: GuardedProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", urlsplit(proxy.url).port), timeout=10)


def _read_to_end(connection: socket.socket) -> bytes:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data


def ask(proxy: GuardedProxy, request: bytes) -> bytes:
    """Send `request` to the proxy and return its whole answer (it closes the connection after one)."""
    with _connect(proxy) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        return _read_to_end(connection)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _headers(answer: bytes) -> dict[str, str]:
    head = answer.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    return {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in head)}


# forwarding ---------------------------------------------------------------------------------------


def test_a_request_is_forwarded_in_origin_form_with_its_body_and_without_proxy_headers(proxy, origin):
    answer = ask(
        proxy,
        (
            f"POST http://127.0.0.1:{origin.port}/form?q=1 HTTP/1.1\r\nHost: 127.0.0.1:{origin.port}\r\n"
            "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eDp5\r\n"
            "Content-Length: 7\r\n\r\nfield=1"
        ).encode(),
    )
    assert _status(answer) == 200 and answer.endswith(b"hello")
    (received,) = origin.received
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /form?q=1 HTTP/1.1"
    assert "Connection: close" in lines
    assert not [line for line in lines if line.lower().startswith("proxy-")]
    assert body == b"field=1"


def test_an_origin_cannot_forge_the_refusal_marker(proxy):
    """The browser guard trusts X-Osint-Refused on a plain-HTTP answer: only the proxy may set it."""
    forged = (
        f"HTTP/1.1 200 OK\r\n{REFUSAL_HEADER}: private_address\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"
    ).encode()
    smuggled = (
        f"HTTP/1.1 200 OK\r\nX-Note: a\n{REFUSAL_HEADER}: private_address\r\nContent-Length: 2\r\n\r\nok".encode()
    )
    with RawOrigin("127.0.0.1", forged) as plain, RawOrigin("127.0.0.1", smuggled) as folded:
        answer = ask(proxy, f"GET http://127.0.0.1:{plain.port}/ HTTP/1.1\r\n\r\n".encode())
        assert _status(answer) == 200 and answer.endswith(b"ok")
        assert REFUSAL_HEADER.lower() not in _headers(answer)
        assert _headers(answer)["connection"] == "close"
        # a bare LF would be a line break to Chromium: such an answer is not passed on at all
        answer = ask(proxy, f"GET http://127.0.0.1:{folded.port}/ HTTP/1.1\r\n\r\n".encode())
        assert _status(answer) == 502 and REFUSAL_HEADER.encode() not in answer


# refusing -----------------------------------------------------------------------------------------


def test_a_private_destination_is_refused_with_the_marker_and_never_contacted(proxy, canary):
    answer = ask(proxy, f"GET http://{CANARY_HOST}:{canary.port}/latest/meta-data/ HTTP/1.1\r\n\r\n".encode())
    assert _status(answer) == 403
    assert _headers(answer)[REFUSAL_HEADER.lower()] == "private_address"
    answer = ask(proxy, f"CONNECT {CANARY_HOST}:{canary.port} HTTP/1.1\r\n\r\n".encode())
    assert _status(answer) == 403
    assert _headers(answer)[REFUSAL_HEADER.lower()] == "private_address"
    assert canary.received == []
    assert proxy.refusals["private_address"] == 2


def test_connect_tunnels_to_an_allowed_destination(proxy, origin):
    with _connect(proxy) as connection:
        connection.sendall(f"CONNECT 127.0.0.1:{origin.port} HTTP/1.1\r\n\r\n".encode())
        established = b""
        while b"\r\n\r\n" not in established:
            established += connection.recv(1)
        assert _status(established) == 200
        connection.sendall(b"GET /through HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_to_end(connection) == OK_ANSWER
    assert origin.received[0].startswith(b"GET /through HTTP/1.1")


@pytest.mark.parametrize("allowance, reaches_canary", [(GUARDED, False), (CONTROL, True)])
def test_the_address_connected_to_is_the_one_the_guard_checked(names, origin, canary, allowance, reaches_canary):
    """DNS rebinding: a name that answered an allowed address and then a private one is refused
    the moment its answer changes; the proxy never asks again behind the guard's back.
    (Control: with the private address allowed, the second answer is followed.)"""
    request = f"GET http://rebind.test:{origin.port}/ HTTP/1.1\r\nHost: rebind.test:{origin.port}\r\n\r\n".encode()
    with running(allowance) as proxy:
        names["rebind.test"] = ("127.0.0.1",)
        assert _status(ask(proxy, request)) == 200
        assert b"Host: rebind.test" in origin.received[0]
        names["rebind.test"] = (CANARY_HOST,)
        assert _status(ask(proxy, request)) == (200 if reaches_canary else 403)
    assert bool(canary.received) == reaches_canary


def test_the_browser_background_proxy_refuses_everything(origin):
    with running(None) as proxy:
        for request in (
            f"GET http://127.0.0.1:{origin.port}/ HTTP/1.1\r\n\r\n",
            "CONNECT accounts.example:443 HTTP/1.1\r\n\r\n",
        ):
            answer = ask(proxy, request.encode())
            assert _status(answer) == 403
            assert _headers(answer)[REFUSAL_HEADER.lower()] == "browser_background"
    assert origin.received == []


# bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /origin-form HTTP/1.1\r\n\r\n", 400),
        (b"GET http://127.0.0.1:1/ HTTP/2\r\n\r\n", 400),
        (b"GET  http://127.0.0.1:1/ HTTP/1.1\r\n\r\n", 400),
        (b"GET http://127.0.0.1:1/ HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
        (b"GET http://127.0.0.1:1/ HTTP/1.1\r\n folded: header\r\n\r\n", 400),
        (b"GET http://[::1/ HTTP/1.1\r\n\r\n", 400),
        (b"GET http://127.0.0.1:99999/ HTTP/1.1\r\n\r\n", 400),
        (b"CONNECT 127.0.0.1 HTTP/1.1\r\n\r\n", 400),
        (b"CONNECT 127.0.0.1:\xb2 HTTP/1.1\r\n\r\n", 400),
        (b"POST http://127.0.0.1:1/ HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST http://127.0.0.1:1/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
        (b"GET ftp://127.0.0.1/ HTTP/1.1\r\n\r\n", 403),
        (b"GET http://unknown.test/ HTTP/1.1\r\n\r\n", 502),
        (b"GET http://127.0.0.1:" + b"1" * 5 + b"/ HTTP/1.1\r\n" + b"X-Big: " + b"a" * 80_000 + b"\r\n\r\n", 400),
        (b"half a request", 400),
    ],
)
def test_malformed_requests_get_an_answer_and_the_proxy_goes_on(proxy, origin, request_bytes, status):
    assert _status(ask(proxy, request_bytes)) == status
    assert _status(ask(proxy, f"GET http://127.0.0.1:{origin.port}/ HTTP/1.1\r\n\r\n".encode())) == 200


def test_a_slow_client_is_cut_off_and_blocks_no_one(proxy, origin, monkeypatch):
    monkeypatch.setattr(browser_proxy, "HEAD_TIMEOUT", 0.5)
    with _connect(proxy) as slow:
        slow.sendall(b"GET http://127.0.0.1/ HTTP/1.1\r\nHost: ")
        assert _status(ask(proxy, f"GET http://127.0.0.1:{origin.port}/ HTTP/1.1\r\n\r\n".encode())) == 200
        assert _status(_read_to_end(slow)) == 400


@pytest.fixture(scope="module")
def closed_proxy() -> Iterator[GuardedProxy]:
    """Fuzzed requests go to the proxy that allows no destination: a random request line that happens
    to name a public address must not leave the machine."""
    with running(None) as proxy:
        yield proxy


_METHODS = st.sampled_from(["GET", "POST", "CONNECT", "HEAD", "G\0T", ""])
_REQUESTS = st.one_of(
    st.binary(max_size=600),
    st.builds(
        lambda method, target, header: f"{method} {target} HTTP/1.1\r\n{header}\r\n\r\n".encode(),
        _METHODS,
        st.text(max_size=80),
        st.text(max_size=80),
    ),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(request_bytes=_REQUESTS)
def test_any_input_gets_an_http_error_answer(closed_proxy, request_bytes):
    answer = ask(closed_proxy, request_bytes)
    assert re.match(rb"HTTP/1\.1 [45][0-9][0-9] ", answer), answer[:200]


# the browser behind it ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("allowance, reaches_canary", [(GUARDED, False), (CONTROL, True)])
def test_chromium_resolves_nothing_and_a_rebound_name_is_refused(names, allowance, reaches_canary):
    """Chromium launched as the crawler launches it (crawlers/browser_handler.py) asks the proxy for
    a host name it never resolves itself; when the name's answer moves to a private address, the
    page's next request is refused and the private host hears nothing. (Control: allowed, it does.)"""
    from playwright.async_api import async_playwright

    import settings.crawl
    from crawlers.browser_handler import guarded_launch_options, proxy_option
    from settings.config import load_config

    page_html = b"<p>rebinding</p><script>window.later = () => fetch('/later').then(r => r.text())</script>"
    page = {"/": lambda handler: (200, {"Content-Type": "text/html"}, page_html)}
    with servers_on_one_port(
        lambda port: SiteServer(port=port, routes=page), lambda port: SiteServer(host=CANARY_HOST, port=port)
    ) as (site, canary):
        names["rebind.test"] = ("127.0.0.1",)
        url = f"http://rebind.test:{site.server_address[1]}/"

        async def render() -> str:
            async with async_playwright() as playwright:
                with running(None) as background, running(allowance) as pages:
                    browser = await playwright.chromium.launch(
                        **guarded_launch_options(
                            {**settings.crawl.PLAYWRIGHT_LAUNCH_OPTIONS, "executable_path": load_config().chromium},
                            background.url,
                        )
                    )
                    context = await browser.new_context(proxy=proxy_option(pages.url))
                    page = await context.new_page()
                    assert (await page.goto(url)).status == 200
                    names["rebind.test"] = (CANARY_HOST,)
                    later = await page.evaluate("window.later()")
                    await browser.close()
                    return later

        later = asyncio.run(render())
        assert "/" in site.requests
        assert ("/later" in canary.requests) == reaches_canary
        if not reaches_canary:
            assert "refused by the crawler's address guard" in later
