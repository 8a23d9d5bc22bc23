"""Refuse requests to non-http(s) URLs and to loopback/private/link-local/reserved addresses.

Runs on every request, so every redirect hop (RedirectMiddleware re-schedules the new
request through the whole downloader chain) is checked as well.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from crawlers.addresses import UnsafeDestination, check_url, parse_allowance

logger = logging.getLogger(__name__)


class RefusedDestination(IgnoreRequest):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler):
        self.allowance = parse_allowance(str(crawler.settings.get("OSINT_ALLOW_PRIVATE_NETWORKS") or ""))
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "AddressGuardMiddleware":
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            check_url(request.url, self.allowance)
        except UnsafeDestination as exc:
            self.stats.inc_value(f"address_guard/refused/{exc.reason}")
            logger.warning("Refused %s: %s", request.url, exc)
            raise RefusedDestination(exc.reason, exc.detail) from None
