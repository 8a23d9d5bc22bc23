"""JavaScript rendering through scrapy-playwright, for `render_js` sources only.

Chromium runs behind the guarded proxy (crawlers/browser_handler.py, crawlers/browser_proxy.py),
which applies the address guard to every connection the browser makes. The route predicate here
comes first: heavy media is not loaded at all, non-network schemes are let be, and a sub-request
to a refused URL is aborted before it reaches the proxy. Every URL the top frame is sent to is
noted (`record_navigations`) so that crawlers/middlewares/browser_guard.py can refuse a page whose
navigation passed through a refused URL.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from network.addresses import UnsafeDestination, check_url, parse_allowance

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Request as BrowserRequest
    from scrapy import Request

logger = logging.getLogger(__name__)

_SKIPPED_RESOURCES = {"image", "media", "font"}
_LOCAL_SCHEMES = ("data:", "blob:", "about:")  # the browser makes these without a connection
PLAYWRIGHT_HANDLER = "crawlers.browser_handler.GuardedPlaywrightHandler"
#: request.meta key: the URLs the page's top frame was sent to, in order (redirect hops included)
NAVIGATIONS = "osint_browser_navigations"


def abort_predicate(allowance_setting: str) -> Callable[[Any], Awaitable[bool]]:
    allowance = parse_allowance(allowance_setting)

    async def should_abort(request: Any) -> bool:
        if request.resource_type in _SKIPPED_RESOURCES:
            return True
        if request.url.startswith(_LOCAL_SCHEMES):
            return False
        try:
            check_url(request.url, allowance)
        except UnsafeDestination as exc:
            logger.warning("Browser request refused: %s (%s)", request.url, exc.reason)
            return True
        return False

    return should_abort


async def record_navigations(page: Page, request: Request) -> None:
    """scrapy-playwright page init callback: note in `request.meta[NAVIGATIONS]` each URL the top
    frame is asked to load, every redirect hop and script navigation included (the route handler
    sees only the first URL of a redirect chain)."""
    navigations: list[str] = request.meta.setdefault(NAVIGATIONS, [])

    def note(browser_request: BrowserRequest) -> None:
        if browser_request.is_navigation_request() and browser_request.frame == page.main_frame:
            navigations.append(browser_request.url)

    page.on("request", note)


async def prepare_page(page: Page, request: Request) -> None:
    """The page init callback of every rendered request: note navigations (the guard's) and keep
    the top frame's network response (the capture's)."""
    from crawlers.browser_capture import keep_main_response  # imports scrapy-playwright: rendered crawls only

    await record_navigations(page, request)
    await keep_main_response(page, request)


def rendering_settings(allowance_setting: str) -> dict[str, Any]:
    return {
        "DOWNLOAD_HANDLERS": {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER},
        "PLAYWRIGHT_ABORT_REQUEST": abort_predicate(allowance_setting),
    }
