"""Re-crawls fetch only what changed: conditional requests, the URL ledger, and no re-processing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl.helpers import OsintCli, write_watchlist
from tests.incremental.changing_site import ChangingSite, later


@pytest.fixture
def site():
    with ChangingSite() as changing:
        for n in range(3):
            changing.publish(f"/wire/{n}.html", f"Wire report {n} on seized rifles")
        for n in range(2):
            changing.publish(f"/blog/{n}.html", f"Blog post {n} on a mortar shipment")
        for n in range(2):
            changing.publish(f"/maps/{n}.html", f"Mapped story {n} on ammunition crates")
        changing.publish("/statements/a.html", "Ministry statement on border seizures")
        changing.publish("/statements/b.html", "Ministry statement on export licences")
        changing.publish("/private/memo.html", "Internal memo the site asks robots to leave alone")
        changing.add_feed("/wire/feed.xml", "/wire/", validators=True)
        changing.add_feed("/blog/feed.xml", "/blog/", validators=False)
        changing.add_sitemap("/maps/sitemap.xml", "/maps/")
        yield changing


def _watchlist(site: ChangingSite, tmp_path: Path) -> Path:
    return write_watchlist(
        tmp_path / "changing.yaml",
        [
            {"id": "wire", "kind": "feed", "urls": [site.server.url("/wire/feed.xml")]},
            {"id": "blog", "kind": "feed", "urls": [site.server.url("/blog/feed.xml")]},
            {"id": "maps", "kind": "sitemap", "urls": [site.server.url("/maps/sitemap.xml")]},
            {
                "id": "statements",
                "kind": "page",
                "urls": [site.server.url("/statements/a.html"), site.server.url("/statements/b.html")],
            },
            {"id": "private", "kind": "page", "urls": [site.server.url("/private/memo.html")]},
        ],
    )


def _outcomes(osint: OsintCli, run_id: str, site: ChangingSite) -> dict[str, tuple[str, str]]:
    run = osint.json("runs", "show", run_id)
    return {row["url"].removeprefix(site.server.base_url): (row["outcome"], row["reason"]) for row in run["outcomes"]}


def test_recrawls_fetch_and_process_only_what_changed(site: ChangingSite, osint: OsintCli, tmp_path: Path):
    watchlist = _watchlist(site, tmp_path)
    first = osint.json("crawl", str(watchlist))
    assert first["indexed"] == 9 and first["new_documents"] == 9 and first["failed"] == 0

    # nothing changed: one request per source URL, no article downloaded, nothing re-processed
    site.hits.clear()
    second = osint.json("crawl", str(watchlist))
    outcomes = _outcomes(osint, second["run_id"], site)
    assert second["indexed"] == 0 and second["new_documents"] == second["changed_documents"] == 0
    assert outcomes["/wire/feed.xml"] == ("unchanged", "not_modified")
    assert outcomes["/maps/sitemap.xml"] == ("unchanged", "not_modified")
    assert outcomes["/blog/feed.xml"] == ("followed", "")  # no validators: read again, but its articles are known
    assert outcomes["/blog/0.html"] == ("unchanged", "not_modified_since_last_fetch")
    assert outcomes["/statements/a.html"] == ("unchanged", "not_modified")
    assert site.total_requests() == 5  # 3 listings + 2 pages
    assert site.requests_for("/robots.txt") == 0  # kept from the first run, and still obeyed:
    assert outcomes["/private/memo.html"] == ("skipped", "robots_txt")
    assert all(status in (200, 304) for (path, status) in site.hits if path.endswith(".xml"))
    assert site.requests_for("/wire/0.html") == site.requests_for("/blog/0.html") == 0

    # new, changed, unchanged and deleted pages; a feed that changes, one that never says so
    site.publish("/wire/3.html", "Wire report 3 on drones", later(2))
    site.edit("/wire/1.html", edition=2, when=later(3))
    site.edit("/maps/0.html", edition=2, when=later(3))
    site.publish("/blog/2.html", "Blog post 2 on grenades", later(2))
    site.delete("/statements/b.html")
    site.hits.clear()
    third = osint.json("crawl", str(watchlist))
    outcomes = _outcomes(osint, third["run_id"], site)
    assert outcomes["/wire/3.html"] == ("indexed", "") and outcomes["/blog/2.html"] == ("indexed", "")
    assert outcomes["/wire/1.html"] == ("indexed", "") and outcomes["/maps/0.html"] == ("indexed", "")
    assert outcomes["/wire/0.html"] == ("unchanged", "not_modified_since_last_fetch")
    assert outcomes["/statements/a.html"] == ("unchanged", "not_modified")
    assert outcomes["/statements/b.html"] == ("failed", "http_404")
    assert third["new_documents"] == 2 and third["changed_documents"] == 2
    assert (
        site.requests_for("/wire/0.html") == site.requests_for("/wire/2.html") == site.requests_for("/maps/1.html") == 0
    )
    run = osint.json("runs", "show", third["run_id"])
    assert sorted(url.removeprefix(site.server.base_url) for url in run["documents"]["changed"]) == [
        "/maps/0.html",
        "/wire/1.html",
    ]

    # the edit reached the index; the deleted page's last copy is kept as evidence
    assert osint.json("search", '"Edition 2"')["total"] == 2
    assert osint.json("search", '"export licences"')["total"] == 1


def test_a_feed_whose_articles_failed_is_read_in_full_again(site: ChangingSite, osint: OsintCli, tmp_path: Path):
    watchlist = _watchlist(site, tmp_path)
    site.failing.add("/wire/2.html")
    first = osint.json("crawl", str(watchlist), "--source", "wire")
    assert first["indexed"] == 2 and first["failed"] == 1

    # had the feed's validators been stored, a 304 would hide the article that failed forever
    site.failing.clear()
    site.hits.clear()
    second = osint.json("crawl", str(watchlist), "--source", "wire")
    outcomes = _outcomes(osint, second["run_id"], site)
    assert outcomes["/wire/feed.xml"] == ("followed", "")
    assert outcomes["/wire/2.html"] == ("indexed", "")
    assert site.requests_for("/wire/0.html") == 0

    site.hits.clear()
    third = osint.json("crawl", str(watchlist), "--source", "wire")
    assert _outcomes(osint, third["run_id"], site)["/wire/feed.xml"] == ("unchanged", "not_modified")
    assert site.total_requests() == 1


def test_a_feed_cut_short_by_the_page_budget_is_read_again(site: ChangingSite, osint: OsintCli, tmp_path: Path):
    watchlist = write_watchlist(
        tmp_path / "budget.yaml",
        [{"id": "wire", "kind": "feed", "urls": [site.server.url("/wire/feed.xml")], "scope": {"max_pages": 2}}],
    )
    assert osint.json("crawl", str(watchlist))["indexed"] == 2
    second = osint.json("crawl", str(watchlist))
    assert second["indexed"] == 1 and _outcomes(osint, second["run_id"], site)["/wire/feed.xml"] == ("followed", "")
    third = osint.json("crawl", str(watchlist))
    assert _outcomes(osint, third["run_id"], site)["/wire/feed.xml"] == ("unchanged", "not_modified")
