"""The crawl benchmark's anchor: a plain Scrapy sitemap spider that runs trafilatura on each page.

No entities, no language, no ledger, no index, no captures: what a minimal Scrapy + trafilatura
crawler costs on the same pages, started as a process of its own like `osint crawl`, so both pay
interpreter and Scrapy start-up. `benchmarks/crawl_bench.py --pages` runs it next to the project's
crawl and reports the ratio of their times.

    .venv/bin/python -m benchmarks.anchor_spider http://127.0.0.1:PORT/sitemap.xml

Prints one JSON line: pages parsed, pages trafilatura extracted text from (the rest gave none).

It crawls one host with the knobs the project's crawl has in force for a sitemap source, read from
settings/crawl.py (the project's spiders set no custom_settings of their own, and the run adds only
OSINT_* settings): robots.txt obeyed; CONCURRENT_REQUESTS 32, CONCURRENT_REQUESTS_PER_DOMAIN 8,
CONCURRENT_ITEMS 16,
DOWNLOAD_DELAY 0 with AutoThrottle (start delay 0.25 s, target concurrency 4, max delay 30 s);
the same timeout, size limits, retries, redirects, cookies off, telnet console and remote control
off, and the asyncio reactor. Logging is at WARNING, the level `osint crawl` runs Scrapy at without -v.
The extraction options are the project's own call of trafilatura (extractors/content.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import trafilatura
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.content import TRAFILATURA_OPTIONS  # the project's trafilatura options: same work
from settings import crawl as project_settings  # constants only: no project code runs

#: The project's politeness, concurrency and limits, mirrored by name so the anchor follows any change.
MIRRORED_SETTINGS = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "CONCURRENT_ITEMS",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_WARNSIZE",
    "DEPTH_LIMIT",
    "REDIRECT_MAX_TIMES",
    "RETRY_TIMES",
    "METAREFRESH_ENABLED",
    "COOKIES_ENABLED",
    "TELNETCONSOLE_ENABLED",
    "REMOTE_CONTROL_ENABLED",
    "TWISTED_REACTOR",
)


def anchor_settings() -> dict[str, Any]:
    return {name: getattr(project_settings, name) for name in MIRRORED_SETTINGS} | {"LOG_LEVEL": "WARNING"}


class AnchorSpider(SitemapSpider):
    name = "anchor"

    def __init__(self, sitemap_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = [sitemap_url]
        self.parsed = 0
        self.extracted = 0

    def parse(self, response: Response, **kwargs: Any) -> None:
        text = trafilatura.extract(response.text, url=response.url, **TRAFILATURA_OPTIONS)
        self.parsed += 1
        self.extracted += bool(text)  # the text is the work measured: nothing goes on from here


def main() -> None:
    process = AsyncCrawlerProcess(anchor_settings())
    process.crawl(AnchorSpider, sitemap_url=sys.argv[1])
    crawler = next(iter(process.crawlers))
    process.start()
    spider = crawler.spider
    assert isinstance(spider, AnchorSpider)
    print(json.dumps({"parsed": spider.parsed, "extracted": spider.extracted}))


if __name__ == "__main__":
    main()
