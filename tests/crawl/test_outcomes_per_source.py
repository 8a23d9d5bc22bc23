"""A URL two sources list keeps its real outcome: one source fetches it and records what happened,
the other records that the page was left to that source, and the run's counts still add up."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.site_server import SiteServer
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.crawl.hostile_site import GOOD_ARTICLE

#: a second loopback address standing in for a private host (see tests/crawl/test_hostile_site.py)
CANARY_HOST = "127.0.0.2"


@pytest.fixture
def site():
    """/to-private redirects to a page on the canary host, which only 127.0.0.1 may reach."""
    page = GOOD_ARTICLE.encode()
    with SiteServer(
        routes={"/secret.html": lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, page)}, host=CANARY_HOST
    ) as canary:
        target = canary.url("/secret.html")
        routes = {
            "/to-private": lambda h: (302, {"Location": target, "Content-Type": "text/plain"}, b""),
            "/good.html": lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, page),
        }
        with SiteServer(routes=routes) as server:
            yield server
        assert canary.requests == []  # refused before any request, not even robots.txt


def test_a_refused_url_listed_by_two_sources_keeps_its_outcome(site: SiteServer, osint: OsintCli, tmp_path: Path):
    osint.env["OSINT_ALLOW_PRIVATE_NETWORKS"] = "127.0.0.1/32"
    shared = site.url("/to-private")
    watchlist = write_watchlist(
        tmp_path / "two.yaml",
        [
            {"id": "pages", "kind": "page", "urls": [site.url("/good.html"), shared]},
            {"id": "statements", "kind": "page", "urls": [shared]},  # nothing but the shared URL
        ],
    )
    report = osint.json("crawl", str(watchlist))
    run = osint.json("runs", "show", report["run_id"])
    rows = {(row["source_id"], row["url"]): row for row in run["outcomes"]}

    # every source has exactly one outcome for each URL it lists
    assert sorted(rows) == sorted([("pages", site.url("/good.html")), ("pages", shared), ("statements", shared)])
    assert len(run["outcomes"]) == len(rows) == report["urls"] == 3
    assert rows[("pages", site.url("/good.html"))]["outcome"] == "indexed"

    shared_rows = [rows[("pages", shared)], rows[("statements", shared)]]
    fetcher = next(row for row in shared_rows if row["reason"] != "claimed_by_another_source")
    other = next(row for row in shared_rows if row is not fetcher)
    assert (fetcher["outcome"], fetcher["reason"]) == ("skipped", "private_address")  # the real outcome survives
    assert (other["outcome"], other["reason"]) == ("skipped", "claimed_by_another_source")
    assert repr(fetcher["source_id"]) in other["detail"]
    assert not other["fetched"]

    assert (
        report["indexed"] + report["unchanged"] + report["skipped"] + report["failed"] + report["followed"]
        == report["urls"]
    )
    assert (report["indexed"], report["skipped"], report["failed"]) == (1, 2, 0)
    assert report["reasons"] == {"private_address": 1, "claimed_by_another_source": 1}
    assert report["by_source"]["statements"]["skipped"] == 1 and report["by_source"]["pages"]["skipped"] == 1
