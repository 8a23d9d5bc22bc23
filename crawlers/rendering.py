"""JavaScript rendering through scrapy-playwright, for `render_js` sources only.

The browser fetches sub-resources on its own (scripts, XHR, frames); each one passes the same
address guard as the crawler's own requests, and heavy media is not loaded at all.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from crawlers.addresses import UnsafeDestination, check_url, parse_allowance

logger = logging.getLogger(__name__)

_SKIPPED_RESOURCES = {"image", "media", "font"}
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


def abort_predicate(allowance_setting: str) -> Callable[[Any], Awaitable[bool]]:
    allowance = parse_allowance(allowance_setting)

    async def should_abort(request: Any) -> bool:
        if request.resource_type in _SKIPPED_RESOURCES:
            return True
        if request.url.startswith(("data:", "blob:", "about:")):
            return False
        try:
            check_url(request.url, allowance)
        except UnsafeDestination as exc:
            logger.warning("Browser request refused: %s (%s)", request.url, exc.reason)
            return True
        return False

    return should_abort


def rendering_settings(allowance_setting: str) -> dict[str, Any]:
    return {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_ABORT_REQUEST": abort_predicate(allowance_setting),
    }
