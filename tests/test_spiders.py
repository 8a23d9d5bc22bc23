"""Spiders start through `async def start()` (Scrapy 2.13+): a spider that only defined
start_requests() would run with zero requests and report success."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler

from crawlers.extensions.outcome_ledger import OutcomeLedger
from crawlers.spiders import SPIDERS
from watchlists.model import parse_watchlist

WATCHLIST = """
name: kinds
sources:
  - {id: f, kind: feed, urls: ['https://example.org/feed.xml']}
  - {id: s, kind: sitemap, urls: ['https://example.org/sitemap.xml']}
  - {id: w, kind: site, urls: ['https://example.org/'], scope: {allowed_domains: [example.org]}}
  - {id: p, kind: page, urls: ['https://example.org/statement.html', 'https://example.org/other.html']}
  - {id: d, kind: document, urls: ['https://example.org/letter.pdf'], render_js: false}
"""


@pytest.fixture(scope="module", autouse=True)
def reactor():
    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def start_requests(kind: str, tmp_path: Path) -> list:
    watchlist = parse_watchlist(WATCHLIST)
    source = next(s for s in watchlist.sources if s.kind == kind)
    settings = Settings()
    settings.setmodule("settings.crawl")
    # the project's extensions, the ledger among them, with its data directory in the test's own
    crawler = get_crawler(SPIDERS[kind], {**settings.copy_to_dict(), "OSINT_DATA_DIR": str(tmp_path)})
    extension = crawler.get_extension(OutcomeLedger)
    assert extension is not None and (tmp_path / "crawl.sqlite3").exists()
    spider = SPIDERS[kind].from_crawler(crawler, watchlist=watchlist, source=source)
    spider.run_id = "test-run"

    async def collect() -> list:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("feed", ["https://example.org/feed.xml"]),
        ("sitemap", ["https://example.org/sitemap.xml"]),
        ("site", ["https://example.org/"]),
        ("page", ["https://example.org/statement.html", "https://example.org/other.html"]),
        ("document", ["https://example.org/letter.pdf"]),
    ],
)
def test_every_kind_yields_its_start_requests_from_async_start(kind, expected, tmp_path):
    requests = start_requests(kind, tmp_path)
    assert [r.url for r in requests] == expected
    assert all(r.errback is not None for r in requests)  # every failure gets an outcome


def test_spiders_are_named_after_kinds_and_the_base_is_not_a_spider():
    assert {spider.name for spider in SPIDERS.values()} == {"feed", "sitemap", "site", "page", "document"}


def test_crawl_settings_are_explicit_and_safe():
    settings = Settings()
    settings.setmodule("settings.crawl")
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert not settings.getbool("REMOTE_CONTROL_ENABLED")
    assert not settings.getbool("TELNETCONSOLE_ENABLED")
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 16
    assert "crawlers.middlewares.address_guard.AddressGuardMiddleware" in settings.getdict("DOWNLOADER_MIDDLEWARES")
