"""robots.txt, remembered between runs: Scrapy's RobotsTxtMiddleware fetches it once per crawler,
and every source is its own crawler, so a re-crawl of N unchanged feeds would cost 2N requests.

A robots.txt answered without a server error is kept in the crawl ledger's file (table
`robots_cache`) and reused for `OSINT_ROBOTS_MAX_AGE` seconds (default one day, the freshness
major search engines give it). Rules are still obeyed exactly: the cached body goes through
the same parser Scrapy would have used.

Requests that arrive while robots.txt is still downloading wait for it here. Scrapy 2.19's own
wait hands the parser to the first waiter only (the others get ``None``, "no rules", and were
fetched even where robots.txt forbids them), so every waiter gets its own relay of the result.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from state.ledger import now_iso

_SCHEMA = "CREATE TABLE IF NOT EXISTS robots_cache (origin TEXT PRIMARY KEY, body BLOB NOT NULL, fetched TEXT NOT NULL)"


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.max_age = timedelta(seconds=crawler.settings.getint("OSINT_ROBOTS_MAX_AGE", 86400))
        self._schema_ready = False

    @property
    def db(self) -> Any:
        db = self.crawler.osint_ledger.db
        if not self._schema_ready:
            db.execute(_SCHEMA)
            self._schema_ready = True
        return db

    async def robot_parser(self, request: Request) -> Any:
        url = urlparse_cached(request)
        if url.netloc not in self._parsers and self.max_age:
            row = self.db.execute(
                "SELECT body, fetched FROM robots_cache WHERE origin = ?", (f"{url.scheme}://{url.netloc}",)
            ).fetchone()
            if row and datetime.fromisoformat(row[1]) + self.max_age > datetime.now(UTC):
                self._parsers[url.netloc] = build_from_crawler(self._parserimpl, self.crawler, row[0])
                self._stats.inc_value("osint/robots/cached")
        pending = self._parsers.get(url.netloc)
        if isinstance(pending, Deferred):
            return await maybe_deferred_to_future(_relay(pending))
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status < 500:  # a server error says nothing about the rules: ask again next run
            self.db.execute(
                "INSERT OR REPLACE INTO robots_cache (origin, body, fetched) VALUES (?, ?, ?)",
                (f"{urlparse_cached(request).scheme}://{netloc}", response.body, now_iso()),
            )
        await super()._parse_robots(response, netloc, request)


def _relay(pending: Deferred) -> Deferred:
    """A Deferred of its own that fires with `pending`'s result, which passes on unchanged to
    the next waiter (awaiting `pending` itself would consume it)."""
    relay: Deferred = Deferred()

    def forward(result: Any) -> Any:
        relay.callback(result)
        return result

    pending.addCallback(forward)
    return relay
