"""robots.txt, remembered between runs: Scrapy's RobotsTxtMiddleware fetches it once per crawler,
and every source is its own crawler, so a re-crawl of N unchanged feeds would cost 2N requests.

A robots.txt answered without a server error is kept in the crawl ledger (`Ledger.remember_robots`,
table `robots_cache`) and reused for `OSINT_ROBOTS_MAX_AGE` seconds (default one day, the freshness
major search engines give it). Rules are still obeyed exactly: the cached body goes through
the same parser Scrapy would have used.

Requests that arrive while robots.txt is still downloading wait for it here. Scrapy 2.19's own
wait hands the parser to the first waiter only (the others get ``None``, "no rules", and were
fetched even where robots.txt forbids them), so every waiter gets its own relay of the result.

This class therefore owns `robot_parser()`, the step that finds a host's parser: the cache, the
download (as Scrapy's: same request, stats, log and `robots_parsed` signal) and the waiting. It
keeps its own table of parsers and touches none of RobotsTxtMiddleware's private members; the
rest (settings, NotConfigured, the user-agent check in `process_request_2`) is Scrapy's.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, TypeAlias

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred

from crawlers.extensions.outcome_ledger import crawl_ledger
from settings.config import from_crawler_settings
from state.ledger import Ledger

logger = logging.getLogger(__name__)
#: what Scrapy's middleware logs goes out under its logger, so log settings treat it as before
scrapy_logger = logging.getLogger(RobotsTxtMiddleware.__module__)

Parser: TypeAlias = RobotParser | None  # None: no rules (robots.txt could not be fetched)


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)  # NotConfigured without ROBOTSTXT_OBEY; checks the parser's dependencies
        self.max_age = timedelta(seconds=from_crawler_settings(crawler.settings).robots_max_age)
        self.parser_class: type[RobotParser] = load_object(crawler.settings.get("ROBOTSTXT_PARSER"))
        #: netloc -> its parser, or the Deferred of the download in progress
        self.parsers: dict[str, Parser | Deferred[Parser]] = {}

    @property
    def ledger(self) -> Ledger:
        return crawl_ledger(self.crawler)

    async def robot_parser(self, request: Request) -> Parser:
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self.parsers:
            origin = f"{url.scheme}://{netloc}"
            body = self.ledger.cached_robots(origin, self.max_age) if self.max_age else None
            if body is not None:
                self.parsers[netloc] = build_from_crawler(self.parser_class, self.crawler, body)
                self.crawler.stats.inc_value("osint/robots/cached")
            else:
                pending: Deferred[Parser] = Deferred()
                self.parsers[netloc] = pending
                parser: Parser = None
                try:
                    parser = await self._fetch(origin, request)
                finally:  # even when cancelled: the requests waiting for it go on
                    self.parsers[netloc] = parser
                    pending.callback(parser)
                return parser
        known = self.parsers[netloc]
        if isinstance(known, Deferred):
            return await maybe_deferred_to_future(_relay(known))
        return known

    async def _fetch(self, origin: str, request: Request) -> Parser:
        """Download and parse `origin`'s robots.txt as Scrapy's RobotsTxtMiddleware does, and
        remember it unless the server failed (a 5xx says nothing about the rules: ask again next run)."""
        stats = self.crawler.stats
        robots_request = Request(
            f"{origin}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        parser: Parser = None
        try:
            assert self.crawler.engine is not None  # a crawl is running: a request is being processed
            response = await self.crawler.engine.download_async(robots_request)
            stats.inc_value("robotstxt/response_count")
            stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            parser = build_from_crawler(self.parser_class, self.crawler, response.body)
            if response.status < 500:
                self._remember(origin, response.body)
            await self.crawler.signals.send_catch_log_async(
                signal=signals.robots_parsed, robotparser=parser, request=request
            )
        except Exception as error:
            parser = None
            if not isinstance(error, IgnoreRequest):
                scrapy_logger.error(
                    "Error downloading %(request)s: %(f_exception)s",
                    {"request": request, "f_exception": error},
                    exc_info=True,
                    extra={"spider": self.crawler.spider},
                )
                stats.inc_value(f"robotstxt/exception_count/{type(error)}")
        stats.inc_value("robotstxt/request_count")
        return parser

    def _remember(self, origin: str, body: bytes) -> None:
        try:
            self.ledger.remember_robots(origin, body)
        except Exception as error:  # the cache saves a request next run; the rules hold in this one
            logger.warning("robots.txt of %s not cached: %s", origin, error)


def _relay(pending: Deferred[Parser]) -> Deferred[Parser]:
    """A Deferred of its own that fires with `pending`'s result, which passes on unchanged to
    the next waiter (awaiting `pending` itself would consume it)."""
    relay: Deferred[Parser] = Deferred()

    def forward(result: Any) -> Any:
        relay.callback(result)
        return result

    pending.addCallback(forward)
    return relay
