"""A crawl of a hostile site finishes, and every URL ends with exactly one recorded outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl.helpers import write_watchlist
from tests.crawl.hostile_site import hostile_site


@pytest.fixture(scope="module")
def site():
    with hostile_site() as server:
        yield server


def test_hostile_sources_are_each_recorded_and_the_crawl_goes_on(site, osint, tmp_path: Path):
    pages = ["/good.html", "/status/404", "/status/500", "/loop/a", "/to-private", "/oversized", "/gzip-bomb",
             "/arabic-cp1256.html", "/russian-koi8.html", "/binary.html", "/empty.html", "/private/report.html"]
    watchlist = write_watchlist(tmp_path / "hostile.yaml", [
        {"id": "pages", "kind": "page", "urls": [site.url(p) for p in pages]},
        {"id": "bad-feeds", "kind": "feed", "urls": [site.url("/feeds/malformed.xml"), site.url("/feeds/bomb.xml")]},
        {"id": "letters", "kind": "document", "urls": [site.url("/broken.pdf")]},
    ])
    report = osint.json("crawl", str(watchlist))
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
    assert report["indexed"] + report["unchanged"] + report["skipped"] + report["failed"] + report["followed"] == report["urls"]
    assert sum(report["reasons"].values()) == report["skipped"] + report["failed"]
    assert "/latest/meta-data/" not in " ".join(site.requests)

    arabic = osint.json("search", "lang:ar")
    assert arabic["total"] == 1 and "الحديدة" in arabic["hits"][0]["title"]
    russian = osint.json("search", "граница OR границе")
    assert russian["total"] == 1 and russian["hits"][0]["language"] == "ru"


def test_a_malformed_watchlist_is_rejected_with_file_line_and_field(osint, tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nsources:\n  - id: ok\n    kind: feed\n    urls: [http://example.org/feed]\n"
                    "  - id: bad\n    kind: newspaper\n    urls: [gopher://example.org]\n")
    result = osint.run("crawl", str(path), check=False)
    assert result.returncode == 2
    assert f"{path}:7: sources[1].kind:" in result.stderr
    assert f"{path}:8: sources[1].urls:" in result.stderr
    assert osint.run("watchlist", "validate", str(path), check=False).returncode == 2
