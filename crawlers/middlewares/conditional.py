"""Conditional GET: ask for a resource only if it changed since we last fetched it.

Requests carry ``If-None-Match`` / ``If-Modified-Since`` from the validators the crawl ledger
holds for their URL; a ``304 Not Modified`` ends the request with a `NotModified` the spider's
errback records as ``unchanged / not_modified``. An unchanged feed or sitemap thus costs one
small request, and an unchanged page is neither downloaded nor re-extracted.

Feeds and sitemaps store their validators only when the spider closes cleanly with no failed
document and its page budget not spent: a 304 on a feed means "everything it lists was handled",
so a feed whose articles were not all fetched (a crash, SIGTERM, a server error, `max_pages`)
is read in full again next run.

Per request, ``meta["osint_unconditional"]`` opts out: `site` pages whose links are still followed
are fetched in full that way (a 304 carries no links), so only pages at the last depth are asked
conditionally (crawlers/spiders/sites.py).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawlers import signals as osint_signals
from crawlers.extensions.outcome_ledger import crawl_ledger
from settings.config import from_crawler_settings
from state.ledger import Ledger, now_iso, requested_url

logger = logging.getLogger(__name__)


class NotModified(IgnoreRequest):
    """The server answered 304: what we hold is current."""

    outcome = "unchanged"
    reason = "not_modified"

    def __init__(self, response: Response):
        super().__init__(f"not modified: {response.url}")
        self.response = response


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class ConditionalGetMiddleware:
    def __init__(self, crawler: Crawler):
        if not from_crawler_settings(crawler.settings).conditional_get:
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        #: navigation URL -> (source_id, etag, last_modified), committed at a clean close
        self.navigation: dict[str, tuple[str, str | None, str | None]] = {}
        self.failed_documents = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.url_outcome, signal=osint_signals.url_outcome)
        return middleware

    @property
    def ledger(self) -> Ledger:
        return crawl_ledger(self.crawler)

    @staticmethod
    def _wants_validators(request: Request) -> bool:
        role = request.meta.get("osint_role")
        return role in ("navigation", "document") and not request.meta.get("osint_unconditional")

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self._wants_validators(request) or b"If-None-Match" in request.headers:
            return
        record = (
            request.meta["osint_known"] if "osint_known" in request.meta else self.ledger.url(requested_url(request))
        )
        if record is None or record.last_fetched is None:
            return
        if request.meta.get("osint_role") == "document" and record.doc_id is None:
            return  # fetched but never indexed (skipped, failed): ask again in full
        if record.etag:
            request.headers[b"If-None-Match"] = record.etag.encode("latin-1")
        if record.last_modified:
            request.headers[b"If-Modified-Since"] = record.last_modified.encode("latin-1")
        if record.etag or record.last_modified:
            self.stats.inc_value("osint/conditional/sent")

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        role = request.meta.get("osint_role")
        url = requested_url(request)
        source = getattr(spider or self.crawler.spider, "source", None)
        if response.status == 304 and (b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers):
            self.stats.inc_value("osint/conditional/not_modified")
            if source is not None:  # the revisit clock restarts: we did look
                self.ledger.remember(url, source.id, last_fetched=now_iso())
            raise NotModified(response)
        if role == "navigation" and response.status == 200 and source is not None:
            self.navigation[url] = (source.id, _header(response, b"ETag"), _header(response, b"Last-Modified"))
        return response

    def url_outcome(self, outcome: str, url: str, **_: Any) -> None:
        if outcome == "failed" and url not in self.navigation:
            self.failed_documents += 1
        elif outcome == "failed":
            self.navigation.pop(url, None)  # a feed that did not parse is never "not modified"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        # a page budget that ran out left listed articles unrequested: the listing must be read again
        budget_spent = bool(self.stats.get_value("osint/scope/max_pages"))
        complete = reason == "finished" and self.failed_documents == 0 and not budget_spent
        for url, (source_id, etag, last_modified) in self.navigation.items():
            if complete:
                self.ledger.remember(url, source_id, last_fetched=now_iso(), etag=etag, last_modified=last_modified)
            else:  # next run reads the feed in full, so no listed article is left behind
                self.ledger.remember(url, source_id, etag=None, last_modified=None)
        if not complete and self.navigation:
            logger.info(
                "Not storing validators of %d feeds/sitemaps: run %s with %d failed documents",
                len(self.navigation),
                reason,
                self.failed_documents,
                extra={"spider": spider},
            )
