"""Refuse requests to non-http(s) URLs and to loopback/private/link-local/reserved addresses.

Runs on every request, so every redirect hop (RedirectMiddleware re-schedules the new
request through the whole downloader chain) is checked as well. The connection itself resolves
through the same guard (crawlers/resolver.py), so the address connected to is one that was
checked; `process_response` verifies that address once more, and `process_exception` names the
resolver's refusal.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from twisted.internet.error import DNSLookupError

from crawlers.resolver import refusal_for
from network.addresses import UnsafeDestination, check_url, crawl_allowance, is_allowed_address

logger = logging.getLogger(__name__)


class RefusedDestination(IgnoreRequest):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler):
        self.allowance = crawl_allowance(crawler.settings)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        self._check(request.url)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        """The address the response came from must be allowed too (HTTP/1.1 downloads record it).
        Browser responses are exempt: the browser connects through the guarded proxy, so their
        address is the proxy's."""
        address = response.ip_address
        if address is None or request.meta.get("playwright") or is_allowed_address(str(address), self.allowance):
            return response
        raise self._refused(request.url, UnsafeDestination("private_address", f"answered from {address}"))

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        """The guarded resolver answers no address for a refused host, which Twisted reports as a
        failed lookup: the refusal is the outcome to record (a name that does not resolve at all
        stays a DNS failure)."""
        if isinstance(exception, (CannotResolveHostError, DNSLookupError)):  # Scrapy wraps Twisted's error
            refusal = refusal_for(urlsplit(request.url).hostname or "")
            if refusal is not None:
                raise self._refused(request.url, refusal)

    def _check(self, url: str) -> None:
        try:
            check_url(url, self.allowance)
        except UnsafeDestination as exc:
            raise self._refused(url, exc) from None

    def _refused(self, url: str, exc: UnsafeDestination) -> RefusedDestination:
        self.stats.inc_value(f"address_guard/refused/{exc.reason}")
        logger.warning("Refused %s: %s", url, exc)
        return RefusedDestination(exc.reason, exc.detail)
