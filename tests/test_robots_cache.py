"""robots.txt rules reach every request that waited for the file, not only the first; the file is
kept in the crawl ledger and reused by the next crawler of the site while it is fresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawlers.extensions.outcome_ledger import OutcomeLedger, crawl_ledger
from crawlers.middlewares.robots_cache import CachedRobotsTxtMiddleware

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
URLS = [
    "https://ministry.example/a",
    "https://ministry.example/private/1",
    "https://ministry.example/b",
    "https://ministry.example/private/2",
    "https://ministry.example/private/3",
]


class HeldRobotsEngine:
    """An engine whose robots.txt download finishes only when the test says so."""

    def __init__(self) -> None:
        self.robots: asyncio.Future = asyncio.get_running_loop().create_future()
        self.downloads = 0

    async def download_async(self, request: Request) -> TextResponse:
        self.downloads += 1
        return await self.robots


def robots_crawler(data_dir: Path, **settings: object) -> Crawler:
    """A crawler with the crawl ledger (its OutcomeLedger extension) in `data_dir`."""
    return get_crawler(
        settings_dict={
            "ROBOTSTXT_OBEY": True,
            "OSINT_DATA_DIR": str(data_dir),
            "EXTENSIONS": {OutcomeLedger: 100},
            **settings,
        }
    )


async def verdicts(tmp_path) -> tuple[list[str], int]:
    crawler = robots_crawler(tmp_path)
    crawler.engine = HeldRobotsEngine()
    robots = CachedRobotsTxtMiddleware(crawler)
    checks = [asyncio.ensure_future(robots.process_request(Request(url))) for url in URLS]
    # No I/O happens here, so the loop runs each check up to its first wait in order: the first
    # starts the robots.txt download, the others find it pending and wait for it.
    for _ in URLS:
        await asyncio.sleep(0)
    assert crawler.engine.downloads == 1 and not crawler.engine.robots.done()
    crawler.engine.robots.set_result(TextResponse("https://ministry.example/robots.txt", body=ROBOTS))
    results = await asyncio.gather(*checks, return_exceptions=True)
    return ["forbidden" if isinstance(r, IgnoreRequest) else "allowed" for r in results], crawler.engine.downloads


def test_requests_waiting_for_robots_txt_all_obey_it(tmp_path):
    outcome, downloads = asyncio.run(verdicts(tmp_path))
    assert outcome == ["allowed", "forbidden", "allowed", "forbidden", "forbidden"]
    assert downloads == 1


class ServedRobotsEngine:
    """An engine that answers robots.txt at once, with `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.downloads = 0

    async def download_async(self, request: Request) -> TextResponse:
        self.downloads += 1
        return TextResponse(request.url, status=self.status, body=ROBOTS)


async def crawl_once(data_dir: Path, status: int = 200, **settings: object) -> tuple[list[str], int]:
    """A new crawler (as each source of a run is) checking URLS: verdicts, robots.txt downloads."""
    crawler = robots_crawler(data_dir, **settings)
    crawler.engine = ServedRobotsEngine(status)
    robots = CachedRobotsTxtMiddleware(crawler)
    results = [await _verdict(robots, url) for url in URLS]
    return results, crawler.engine.downloads


async def _verdict(robots: CachedRobotsTxtMiddleware, url: str) -> str:
    try:
        await robots.process_request(Request(url))
    except IgnoreRequest:
        return "forbidden"
    return "allowed"


EXPECTED = ["allowed", "forbidden", "allowed", "forbidden", "forbidden"]


def test_the_next_crawler_reuses_the_remembered_robots_txt(tmp_path):
    assert asyncio.run(crawl_once(tmp_path)) == (EXPECTED, 1)
    assert asyncio.run(crawl_once(tmp_path)) == (EXPECTED, 0)  # same rules, no request
    assert asyncio.run(crawl_once(tmp_path, OSINT_ROBOTS_MAX_AGE=0)) == (EXPECTED, 1)  # caching off


def test_a_server_error_is_not_remembered(tmp_path):
    assert asyncio.run(crawl_once(tmp_path, status=503))[1] == 1
    assert asyncio.run(crawl_once(tmp_path))[1] == 1  # asked again
    crawler = robots_crawler(tmp_path)
    assert crawl_ledger(crawler).cached_robots("https://ministry.example", timedelta(days=1)) == ROBOTS
