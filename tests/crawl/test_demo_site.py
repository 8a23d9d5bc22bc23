"""The whole path on the bundled demo site: every source kind, through the real CLI, Scrapy,
the extractors, Chromium and the embedded index."""

from __future__ import annotations

import json

import pytest

from app.site_server import SiteServer
from tests.crawl.helpers import REPO, OsintCli, demo_watchlist

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    with SiteServer(REPO / "demo" / "site") as site:
        watchlist = demo_watchlist(tmp / "demo.yaml", site)
        osint = OsintCli(tmp / "data")
        report = osint.json("crawl", str(watchlist))
        second = osint.json("crawl", str(watchlist))
        yield osint, site, report, second


def test_every_source_kind_is_collected(crawled):
    _, _, report, _ = crawled
    assert report["failed"] == 0, report
    indexed = {source: counts["indexed"] for source, counts in report["by_source"].items()}
    assert (
        indexed["amw-news"] + indexed["valdoria-statements"] >= 11
    )  # 8 articles + 3 statements, shared by feed and sitemap
    assert indexed["amw-forum"] >= 2
    assert indexed["amw-channel"] == 1
    assert indexed["panel-letters"] == 1
    assert (
        report["indexed"] + report["unchanged"] + report["skipped"] + report["failed"] + report["followed"]
        == report["urls"]
    )


def test_robots_txt_keeps_the_crawler_out_of_private_pages(crawled):
    osint, site, _, _ = crawled
    assert not any(path.startswith("/private/") for path in site.requests)
    assert osint.json("search", "PRIVATE-CANARY-7f3a")["total"] == 0


def test_javascript_pages_are_rendered(crawled):
    osint, _, _, _ = crawled
    result = osint.json("search", "source:amw-channel")
    assert result["total"] == 1
    assert "Loading posts" not in result["hits"][0]["snippet"]
    facets = dict(map(tuple, result["facets"]["weapons"]))
    assert "Shahed-136" in facets


def test_pdf_letters_keep_metadata_and_pages(crawled):
    osint, _, _, _ = crawled
    result = osint.json("search", "kind:document")
    hit = result["hits"][0]
    assert hit["title"].startswith("Letter dated 12 June 2025")
    assert hit["published"].startswith("2025-06-12")
    # a hit in a PDF can be cited by page
    assert osint.json("search", '"Lower Juba" kind:document')["hits"][0]["page"] == 2
    assert osint.json("search", '"tracing request" kind:document')["hits"][0]["page"] in (1, 2)


def test_search_json_has_the_documented_keys_and_facets(crawled):
    osint, _, _, _ = crawled
    result = osint.json("search", "rifles")
    assert {"total", "hits", "facets"} <= result.keys()
    assert result["total"] >= 5
    for hit in result["hits"]:
        assert {"id", "url", "title", "snippet", "score", "published", "language"} <= hit.keys()
        assert "<mark>" in hit["snippet"]
    assert all(isinstance(count, int) for _, count in result["facets"]["weapons"])
    languages = dict(map(tuple, osint.json("search", "")["facets"]["language"]))
    assert {"en", "fr", "es", "ar"} <= languages.keys()


def test_entity_filters_accept_aliases(crawled):
    osint, _, _, _ = crawled
    by_alias = osint.json("search", "group:ISIS")
    by_name = osint.json("search", 'group:"Islamic State"')
    assert by_alias["total"] == by_name["total"] > 0
    assert osint.json("search", "country:Iran")["total"] == osint.json("search", "country:IR")["total"] > 0


def test_hostile_titles_stay_inert(crawled):
    osint, _, _, _ = crawled
    result = osint.json("search", "seller page")
    hit = next(h for h in result["hits"] if "script" in h["title"])
    assert '<script>alert("x")</script>' in hit["title"]  # plain text, escaped where it is shown
    assert "<script" not in hit["snippet"]
    human = osint.run("search", "seller page").stdout
    assert "\x1b]" not in human


def test_a_second_crawl_of_an_unchanged_site_reprocesses_nothing(crawled):
    _, _, report, second = crawled
    assert second["indexed"] == 0 and second["failed"] == 0
    assert second["unchanged"] >= report["indexed"] - 1  # everything known is unchanged


def test_extract_cli_matches_what_the_crawler_indexed(crawled):
    osint, _, _, _ = crawled
    page = REPO / "demo" / "site" / "news" / "2025-01-30-iswap-lake-chad-rifles-trace.html"
    extraction = json.loads(osint.run("extract", str(page), "--html", "--json").stdout)
    assert {
        "text",
        "title",
        "published",
        "language",
        "entities",
        "weapons",
        "weapon_categories",
        "weapon_origins",
        "countries",
        "historical_states",
        "armed_groups",
    } <= extraction.keys()
    indexed = osint.json("search", f'"{extraction["title"]}"', "--facet-size", "50")
    assert indexed["total"] == 1 and indexed["hits"][0]["title"] == extraction["title"]
    for facet, field in (("weapons", "weapons"), ("countries", "countries"), ("armed_groups", "armed_groups")):
        assert sorted(value for value, _ in indexed["facets"][facet]) == sorted(extraction[field]), facet
    assert "Islamic State West Africa Province" in extraction["armed_groups"] and "AK-47" in extraction["weapons"]
