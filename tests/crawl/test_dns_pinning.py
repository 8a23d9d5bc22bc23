"""A crawl connects only to addresses the guard checked: a hostname that resolves (or rebinds) to a
private address never gets a request through, on the real CLI with real servers on loopback.

The names resolve through tests/crawl/fake_dns.py (no DNS server, no /etc/hosts). The canary is
a private host on 127.0.0.2; the allowed site listens on 127.0.0.1 on the same port, so one URL
reaches either, depending only on the address the connection is made to.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.site_server import SiteServer
from tests.crawl import fake_dns
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.crawl.hostile_site import GOOD_ARTICLE
from tests.crawl.same_port import servers_on_one_port

CANARY_HOST = "127.0.0.2"
CANARY_ARTICLE = GOOD_ARTICLE.replace("Seized rifles", "Canary rifles")


def _page(html: str):
    return lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())


@contextlib.contextmanager
def _servers_on_one_port() -> Iterator[tuple[SiteServer, SiteServer]]:
    """(allowed site on 127.0.0.1, canary on 127.0.0.2), both on one port."""
    with servers_on_one_port(
        lambda port: SiteServer(routes={"/report.html": _page(CANARY_ARTICLE)}, host=CANARY_HOST, port=port),
        lambda port: SiteServer(routes={"/report.html": _page(GOOD_ARTICLE)}, port=port),
    ) as (canary, site):
        yield site, canary


@pytest.fixture
def servers() -> Iterator[tuple[SiteServer, SiteServer]]:
    with _servers_on_one_port() as pair:
        yield pair


def _crawl(
    osint: OsintCli, tmp_path: Path, zone: dict[str, list[str]], url: str, allowed: str
) -> tuple[str, str, list]:
    """(outcome, reason) of `url` and the titles indexed, crawled with OSINT_ALLOW_PRIVATE_NETWORKS=`allowed`."""
    osint.env["OSINT_ALLOW_PRIVATE_NETWORKS"] = allowed
    watchlist = write_watchlist(tmp_path / "dns.yaml", [{"id": "pages", "kind": "page", "urls": [url]}])
    report = json.loads(fake_dns.run(osint, zone, "crawl", str(watchlist), "--json").stdout)
    run = osint.json("runs", "show", report["run_id"])
    (row,) = run["outcomes"]
    titles = [hit["title"] for hit in osint.json("search", "")["hits"]]
    return row["outcome"], row["reason"], titles


def test_a_name_resolving_to_a_private_address_gets_no_request(servers, osint: OsintCli, tmp_path: Path):
    site, canary = servers
    url = f"http://canary.test:{canary.server_address[1]}/report.html"
    assert _crawl(osint, tmp_path, {"canary.test": [CANARY_HOST]}, url, "127.0.0.1/32") == (
        "skipped",
        "private_address",
        [],
    )
    assert canary.requests == [] and site.requests == []


def test_the_canary_name_is_reached_when_its_address_is_allowed(servers, osint: OsintCli, tmp_path: Path):
    """Control for the tests here: with 127.0.0.2 allowed the name leads to the canary, so an empty
    canary log elsewhere means "refused", not "unreachable"."""
    _, canary = servers
    url = f"http://canary.test:{canary.server_address[1]}/report.html"
    outcome, reason, titles = _crawl(osint, tmp_path, {"canary.test": [CANARY_HOST]}, url, "127.0.0.0/8")
    assert (outcome, reason) == ("indexed", "") and titles == ["Canary rifles traced to a 1990s contract"]
    assert "/report.html" in canary.requests


def test_a_name_that_rebinds_between_check_and_connection_never_reaches_the_canary(
    servers, osint: OsintCli, tmp_path: Path
):
    """The DNS answers the allowed address once, then the canary's (zero TTL): the page's check
    sees 127.0.0.1, and a second lookup for the connection gets 127.0.0.2. The connection uses
    the guard's own lookup, so the rebound answer is refused and the canary gets nothing."""
    _, canary = servers
    url = f"http://rebind.test:{canary.server_address[1]}/report.html"
    outcome, reason, titles = _crawl(osint, tmp_path, {"rebind.test": ["127.0.0.1", CANARY_HOST]}, url, "127.0.0.1/32")
    assert canary.requests == []
    assert (outcome, reason) == ("skipped", "private_address") and titles == []
