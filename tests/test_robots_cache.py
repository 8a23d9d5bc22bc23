"""robots.txt rules reach every request that waited for the file, not only the first."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawlers.middlewares.robots_cache import CachedRobotsTxtMiddleware
from state.ledger import Ledger

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


async def verdicts(tmp_path) -> tuple[list[str], int]:
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    crawler.osint_ledger = Ledger(tmp_path / "crawl.sqlite3")
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
