"""Preserve every response as WARC records (captures/), before anything else reads it.

Placed next to the downloader, so it sees each response as it came over the wire: the body before
HttpCompressionMiddleware decodes it (a gzip page is stored gzipped, as WARC requires), every
redirect hop, and a 304 before ConditionalGetMiddleware turns it into an outcome. The capture is
left in `request.meta[CAPTURE]` for the spider to hand on with the document. A response from an
address the guard refuses is not preserved (AddressGuardMiddleware refuses it right after), nor is
robots.txt, which is not a source's content. A rendered page is preserved as the network response
the browser received, its DOM and a screenshot (crawlers/browser_capture.py).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from sqlalchemy.exc import SQLAlchemyError

from captures.store import CaptureStore, Exchange
from crawlers.browser_capture import header_pairs, rendered_exchange, screenshot_of
from crawlers.extensions.capture_archive import crawl_captures
from network.addresses import crawl_allowance, is_allowed_address

logger = logging.getLogger(__name__)

#: request.meta key: the schema.document.Capture of the response
CAPTURE = "osint_capture"
#: a body de-chunked by the downloader must not say it is chunked: WARC readers would de-chunk again
_TRANSFER_HEADERS = frozenset({"transfer-encoding"})


def exchange_of(request: Request, response: Response) -> Exchange:
    request_headers = header_pairs(request.headers, _TRANSFER_HEADERS)
    parts = urlsplit(request.url)
    if not any(name.lower() == "host" for name, _ in request_headers) and parts.hostname:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        request_headers.insert(0, ("Host", f"{host}:{parts.port}" if parts.port else host))
    return Exchange(
        url=response.url,
        status=response.status,
        body=response.body,
        response_headers=header_pairs(response.headers, _TRANSFER_HEADERS),
        fetched_at=datetime.now(UTC),
        ip=str(response.ip_address or ""),
        method=request.method,
        request_headers=request_headers,
        protocol=response.protocol or "HTTP/1.1",
        reason=_reason(response.status),
    )


def _reason(status: int) -> str:
    """The standard reason phrase (Scrapy keeps the status code, not the phrase the server sent)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class CaptureMiddleware:
    def __init__(self, crawler: Crawler, store: CaptureStore):
        self.store = store
        self.stats = crawler.stats
        self.allowance = crawl_allowance(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        store = crawl_captures(crawler)
        if store is None:
            raise NotConfigured("captures are off")
        return cls(crawler, store)

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if "osint_role" not in request.meta:
            return response
        # meta travels with redirects and retries: a hop's capture must not stand for this response
        request.meta.pop(CAPTURE, None)
        started = time.process_time()
        try:
            if request.meta.get("playwright"):
                await self._preserve_rendered(request, response)
            else:
                self._preserve(request, response)
        except (OSError, SQLAlchemyError) as exc:  # a full disk or a locked catalog must not stop the crawl:
            # the document is indexed, saying it has no capture
            self.stats.inc_value("osint/captures/failed")
            logger.error("Could not preserve %s: %s", response.url, exc)
        # CPU seconds are a float sum: Scrapy annotates `count` as int, but inc_value adds any number
        self.stats.inc_value("osint/cpu/captures", time.process_time() - started)  # type: ignore[arg-type]
        return response

    def _preserve(self, request: Request, response: Response) -> None:
        address = response.ip_address
        if address is not None and not is_allowed_address(str(address), self.allowance):
            return
        request.meta[CAPTURE] = self.store.record_exchange(exchange_of(request, response))
        self.stats.inc_value("osint/captures/responses")

    async def _preserve_rendered(self, request: Request, response: Response) -> None:
        from crawlers.browser_proxy import guarded_proxy  # the browser's proxy: only rendered sources start it

        addresses = guarded_proxy(self.allowance).connected
        capture = self.store.record_exchange(await rendered_exchange(request, response, addresses))
        self.store.record_rendering(capture, response.body, screenshot_of(response))
        request.meta[CAPTURE] = capture
        self.stats.inc_value("osint/captures/rendered")
