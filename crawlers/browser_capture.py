"""What a rendered page is preserved as: the network response its DOM came from, the DOM itself and
a full-page screenshot.

Scrapy sees only the DOM Chromium built (scrapy-playwright's response body); the bytes the server
sent are the browser's. `keep_main_response` (part of the page init callback) snapshots the top
frame's last navigation response as soon as Chromium has it; `rendered_exchange` turns that
snapshot into the Exchange the capture store writes as a response record, to which the DOM and
the screenshot (`SCREENSHOT`, a scrapy-playwright page method) are attached as resource records.
Chromium hands over a body with its content encoding already undone, so a rendered page's
response record holds the decoded bytes and no Content-Encoding header. The browser connects
through the guarded proxy, so the address connected to is the one the proxy noted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy_playwright.page import PageMethod

from captures.store import Exchange

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Response as BrowserResponse
    from scrapy import Request
    from scrapy.http import Headers, Response

logger = logging.getLogger(__name__)

#: request.meta key: a future of the top frame's navigation response, as an Exchange (or None)
MAIN_RESPONSE = "osint_browser_response"
#: seconds to wait for that snapshot once the page is rendered (its body is already in the browser)
SNAPSHOT_TIMEOUT = 10.0
#: headers that describe how the bytes travelled, not the bytes the browser hands over
_TRANSPORT_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def header_pairs(headers: Headers, skip: frozenset[str]) -> list[tuple[str, str]]:
    """Scrapy Headers (repeated values kept) as (name, value) text pairs, but for the names in `skip`
    (lower case)."""
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1")
        if key.lower() not in skip:
            pairs.extend((key, value.decode("latin-1")) for value in values)
    return pairs


def screenshot_method() -> PageMethod:
    return PageMethod("screenshot", full_page=True, type="png")


async def keep_main_response(page: Page, request: Request) -> None:
    """Page init callback part: snapshot each top-frame navigation response that is not a redirect."""

    def on_response(response: BrowserResponse) -> None:
        if response.frame != page.main_frame or not response.request.is_navigation_request():
            return
        if 300 <= response.status < 400:
            return
        request.meta[MAIN_RESPONSE] = asyncio.ensure_future(_snapshot(response))

    page.on("response", on_response)


async def _snapshot(response: BrowserResponse) -> Exchange | None:
    from playwright.async_api import Error as PlaywrightError

    fetched = datetime.now(UTC)
    try:
        body = await response.body()
        headers = await response.headers_array()
        request_headers = await response.request.headers_array()
    except PlaywrightError as exc:  # the page went away before its body was read
        logger.info("No network copy of %s: %s", response.url, exc)
        return None
    return Exchange(
        url=response.url,
        status=response.status,
        body=body,
        response_headers=[(h["name"], h["value"]) for h in headers if h["name"].lower() not in _TRANSPORT_HEADERS],
        fetched_at=fetched,
        method=response.request.method,
        request_headers=[(h["name"], h["value"]) for h in request_headers],
        reason=response.status_text,
    )


async def rendered_exchange(
    request: Request, response: Response, proxy_addresses: dict[tuple[str, int], str]
) -> Exchange:
    """The network exchange behind a rendered page; the DOM itself when the browser kept no copy."""
    snapshot: Awaitable[Exchange | None] | None = request.meta.get(MAIN_RESPONSE)
    exchange = None
    if snapshot is not None:
        with contextlib.suppress(TimeoutError):
            exchange = await asyncio.wait_for(snapshot, SNAPSHOT_TIMEOUT)
    if exchange is None:
        exchange = Exchange(
            url=response.url,
            status=response.status,
            body=response.body,
            response_headers=header_pairs(response.headers, _TRANSPORT_HEADERS),
            fetched_at=datetime.now(UTC),
        )
    parts = urlsplit(exchange.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    exchange.ip = proxy_addresses.get(((parts.hostname or "").lower(), port), "")
    return exchange


def screenshot_of(response: Response) -> bytes | None:
    methods: list[Any] = response.meta.get("playwright_page_methods") or []
    for method in methods:
        if isinstance(method, PageMethod) and method.method == "screenshot" and isinstance(method.result, bytes):
            return method.result
    return None
