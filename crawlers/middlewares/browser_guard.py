"""A rendered page is indexed only when the browser really showed the page asked for.

The guarded proxy (crawlers/browser_proxy.py) keeps Chromium away from refused addresses, but what
the browser shows instead is still a page: the proxy's 403 at the refused URL, or
`chrome-error://chromewebdata/` (one URL for every such page) when a navigation was aborted.
For browser requests this middleware turns those into outcomes instead of documents:

- skipped/<guard reason> (e.g. `private_address`) when the proxy refused the page, or when any URL
  the top frame was sent to (a redirect hop, a script navigation: crawlers/rendering.py notes them)
  or the page's final URL fails the guard;
- failed/browser_error_page when the browser ended on anything but an http(s) page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawlers.browser_proxy import REFUSAL_HEADER
from crawlers.middlewares.address_guard import RefusedDestination
from crawlers.rendering import NAVIGATIONS, prepare_page
from network.addresses import ALLOWED_SCHEMES, UnsafeDestination, check_url, crawl_allowance

logger = logging.getLogger(__name__)


class BrowserErrorPage(IgnoreRequest):
    """The browser ended on an error page (chrome-error://, about:blank…), not on a web page."""

    outcome = "failed"
    reason = "browser_error_page"


class BrowserGuardMiddleware:
    def __init__(self, crawler: Crawler):
        self.allowance = crawl_allowance(crawler.settings)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("playwright"):
            request.meta.setdefault("playwright_page_init_callback", prepare_page)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if not request.meta.get("playwright"):
            return response
        # Only a plain-HTTP answer can carry the proxy's marker: the proxy removes an upstream's own
        # copy there, and an HTTPS answer comes through a tunnel the proxy cannot read.
        refused = response.headers.get(REFUSAL_HEADER) if urlsplit(response.url).scheme == "http" else None
        if refused:
            self._refuse(response.url, UnsafeDestination(refused.decode("latin-1"), "refused by the browser proxy"))
        self._check_navigations(request, response.url)
        if urlsplit(response.url).scheme not in ALLOWED_SCHEMES:
            self.stats.inc_value("browser_guard/error_page")
            logger.info("Browser error page for %s: %s", request.url, response.url)
            raise BrowserErrorPage(f"the browser ended on {response.url}")
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        """A navigation that failed after passing through a refused URL (an HTTPS hop the proxy
        refused to tunnel) was refused, not merely broken."""
        if request.meta.get("playwright"):
            self._check_navigations(request)

    def _check_navigations(self, request: Request, final_url: str | None = None) -> None:
        urls = [*request.meta.get(NAVIGATIONS, ()), *([final_url] if final_url else [])]
        for url in urls:
            if urlsplit(url).scheme not in ALLOWED_SCHEMES:
                continue  # error pages and about:blank are no destination; process_response judges the final one
            try:
                check_url(url, self.allowance)
            except UnsafeDestination as exc:
                self._refuse(url, exc)

    def _refuse(self, url: str, exc: UnsafeDestination) -> None:
        self.stats.inc_value(f"address_guard/refused/{exc.reason}")
        logger.warning("Refused rendered page at %s: %s", url, exc)
        raise RefusedDestination(exc.reason, exc.detail)
