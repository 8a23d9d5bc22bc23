"""A crawl of a hostile site finishes, and every URL ends with exactly one recorded outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.site_server import SiteServer
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.crawl.hostile_site import GOOD_ARTICLE, hostile_site

#: A second loopback address (Linux routes all of 127.0.0.0/8 to lo): a stand-in for a private
#: host (a cloud metadata service, an intranet page) that a hostile redirect points the crawler at.
CANARY_HOST = "127.0.0.2"


@pytest.fixture(scope="module")
def site():
    with hostile_site() as server:
        yield server


def test_hostile_sources_are_each_recorded_and_the_crawl_goes_on(site, tmp_path: Path):
    osint = OsintCli(tmp_path / "data")  # the configured extraction pool: hostile content goes through the workers
    pages = [
        "/good.html",
        "/status/404",
        "/status/500",
        "/loop/a",
        "/to-private",
        "/oversized",
        "/gzip-bomb",
        "/arabic-cp1256.html",
        "/russian-koi8.html",
        "/binary.html",
        "/empty.html",
        "/private/report.html",
    ]
    watchlist = write_watchlist(
        tmp_path / "hostile.yaml",
        [
            {"id": "pages", "kind": "page", "urls": [site.url(p) for p in pages]},
            {
                "id": "bad-feeds",
                "kind": "feed",
                "urls": [site.url("/feeds/malformed.xml"), site.url("/feeds/bomb.xml")],
            },
            {"id": "letters", "kind": "document", "urls": [site.url("/broken.pdf")]},
        ],
    )
    crawl = osint.run("crawl", str(watchlist), "--json", check=False)
    report = json.loads(crawl.stdout)
    # "pages" indexed some of its URLs; every URL of the other two failed: a partial failure, exit 3
    assert crawl.returncode == 3 and report["verdict"] == "partial"
    assert [failure["source"] for failure in report["failed_sources"]] == ["bad-feeds", "letters"]
    run = osint.json("runs", "show", report["run_id"])
    outcomes = {row["url"].removeprefix(site.base_url): (row["outcome"], row["reason"]) for row in run["outcomes"]}

    assert outcomes["/good.html"] == ("indexed", "")
    assert outcomes["/arabic-cp1256.html"] == ("indexed", "")
    assert outcomes["/russian-koi8.html"] == ("indexed", "")
    assert outcomes["/status/404"] == ("failed", "http_404")
    assert outcomes["/status/500"] == ("failed", "http_500")
    assert outcomes["/loop/a"] == ("failed", "redirect_loop")
    assert outcomes["/to-private"] == ("skipped", "private_address")
    assert outcomes["/oversized"] == ("failed", "too_large")
    assert outcomes["/gzip-bomb"] == ("failed", "too_large")
    assert outcomes["/binary.html"] == ("skipped", "binary_content")
    assert outcomes["/empty.html"] == ("skipped", "empty")
    assert outcomes["/private/report.html"] == ("skipped", "robots_txt")
    assert outcomes["/feeds/malformed.xml"] == ("failed", "malformed_feed")
    assert outcomes["/feeds/bomb.xml"] == ("failed", "feed_entity_expansion")
    assert outcomes["/broken.pdf"] == ("failed", "broken_pdf")

    # every URL exactly once, and the counts add up
    assert len(run["outcomes"]) == len({row["url"] for row in run["outcomes"]}) == report["urls"]
    assert (
        report["indexed"] + report["unchanged"] + report["skipped"] + report["failed"] + report["followed"]
        == report["urls"]
    )
    assert sum(report["reasons"].values()) == report["skipped"] + report["failed"]

    arabic = osint.json("search", "lang:ar")
    assert arabic["total"] == 1 and "الحديدة" in arabic["hits"][0]["title"]
    russian = osint.json("search", "граница OR границе")
    assert russian["total"] == 1 and russian["hits"][0]["language"] == "ru"


@pytest.fixture
def canary(site):
    """A private host serving a page, and a route on the hostile site that redirects to it."""
    page = GOOD_ARTICLE.encode()
    with SiteServer(
        routes={"/latest/meta-data/": lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, page)},
        host=CANARY_HOST,
    ) as server:
        target = server.url("/latest/meta-data/")
        site.routes["/to-canary"] = lambda h: (302, {"Location": target, "Content-Type": "text/plain"}, b"")
        try:
            yield server
        finally:
            del site.routes["/to-canary"]


def _crawl_redirect_to_canary(site, osint: OsintCli, tmp_path: Path, allowed_networks: str) -> tuple[str, str]:
    osint.env["OSINT_ALLOW_PRIVATE_NETWORKS"] = allowed_networks
    watchlist = write_watchlist(
        tmp_path / "canary.yaml", [{"id": "pages", "kind": "page", "urls": [site.url("/to-canary")]}]
    )
    run = osint.json("runs", "show", osint.json("crawl", str(watchlist))["run_id"])
    (row,) = run["outcomes"]
    assert row["url"] == site.url("/to-canary")
    return row["outcome"], row["reason"]


def test_a_redirect_to_a_private_address_is_refused_before_any_request(
    site, canary: SiteServer, osint: OsintCli, tmp_path: Path
):
    """Only the hostile site's own address is allowed: the redirect hop to another private host is
    refused by the address guard, and the canary never sees a request (not even for robots.txt)."""
    assert _crawl_redirect_to_canary(site, osint, tmp_path, "127.0.0.1/32") == ("skipped", "private_address")
    assert canary.requests == []


def test_the_canary_is_reached_when_its_address_is_allowed(site, canary: SiteServer, osint: OsintCli, tmp_path: Path):
    """Control for the test above: with 127.0.0.2 allowed the same redirect is followed, so an
    empty canary log there means "refused", not "unreachable"."""
    assert _crawl_redirect_to_canary(site, osint, tmp_path, "127.0.0.0/8") == ("indexed", "")
    assert "/latest/meta-data/" in canary.requests


def test_a_malformed_watchlist_is_rejected_with_file_line_and_field(osint, tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(
        "name: broken\nsources:\n  - id: ok\n    kind: feed\n    urls: [http://example.org/feed]\n"
        "  - id: bad\n    kind: newspaper\n    urls: [gopher://example.org]\n"
    )
    result = osint.run("crawl", str(path), check=False)
    assert result.returncode == 2
    assert f"{path}:7: sources[1].kind:" in result.stderr
    assert f"{path}:8: sources[1].urls:" in result.stderr
    assert osint.run("watchlist", "validate", str(path), check=False).returncode == 2
