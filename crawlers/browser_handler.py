"""scrapy-playwright's download handler with Chromium behind the guarded proxy
(crawlers/browser_proxy.py): every connection a page makes, redirect hops, sub-resources, frames,
fetches and WebSockets included, goes through the address guard.

Two proxies: each browser context (where pages live) gets the guarded one; the browser itself is
launched with the one that refuses everything, so Chromium's own traffic (Debian's build checks for
updates and looks up Google accounts at start-up) goes nowhere, and a context created by any other
path than this handler's fails closed.

A module of its own so that crawls without `render_js` sources never import Playwright
(crawlers/rendering.py names this class by its path).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotSupported
from scrapy_playwright.handler import BrowserContextWrapper, ScrapyPlaywrightDownloadHandler

from crawlers.browser_proxy import guarded_proxy
from network.addresses import crawl_allowance
from settings.config import from_crawler_settings

# Chromium never proxies loopback unless the bypass list subtracts that rule. Playwright subtracts it
# itself unless PLAYWRIGHT_DISABLE_FORCED_CHROMIUM_PROXIED_LOOPBACK is set; naming the rule here keeps
# loopback proxied whatever that variable says.
_PROXY_LOOPBACK_TOO = "<-loopback>"
# Chromium switches that would send connections around the proxies, or resolve names differently
_ROUTING_SWITCHES = (
    "--proxy-server",
    "--proxy-bypass-list",
    "--proxy-pac-url",
    "--no-proxy-server",
    "--proxy-auto-detect",
    "--host-resolver-rules",
)


def proxy_option(proxy_url: str) -> dict[str, str]:
    """A Playwright `proxy` option that sends every connection to `proxy_url`, loopback included."""
    return {"server": proxy_url, "bypass": _PROXY_LOOPBACK_TOO}


def guarded_launch_options(options: dict[str, Any], browser_proxy_url: str) -> dict[str, Any]:
    """Launch options for a browser whose own connections go to `browser_proxy_url` and which
    resolves no name itself: the proxies resolve and check (and are reached by address), so a
    connection that slipped past them could not even look a host up."""
    args = [arg for arg in options.get("args", ()) if not arg.startswith(_ROUTING_SWITCHES)]
    proxy_host = urlsplit(browser_proxy_url).hostname
    return {
        **options,
        "args": [*args, f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {proxy_host}"],
        "proxy": proxy_option(browser_proxy_url),
    }


class GuardedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):  # type: ignore[misc]  # scrapy-playwright ships no types
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        if self.config.cdp_url or self.config.connect_url:
            # a remote browser ignores the launch options, and with them the proxy
            raise NotSupported("render_js needs the locally launched browser: it is the one behind the address guard")
        allowance = crawl_allowance(crawler.settings)
        self.page_proxy = proxy_option(guarded_proxy(allowance).url)
        # the browser is OSINT_CHROMIUM unless PLAYWRIGHT_LAUNCH_OPTIONS names one itself
        browser = {"executable_path": from_crawler_settings(crawler.settings).chromium}
        options = {**browser, **self.config.launch_options}
        self.config.launch_options = guarded_launch_options(options, guarded_proxy(None).url)

    async def _create_browser_context(
        self, name: str, context_kwargs: dict[str, Any] | None, spider: Spider | None = None
    ) -> BrowserContextWrapper:
        # scrapy-playwright creates every context here: at startup, per request, after a browser restart.
        # An internal method (scrapy-playwright is pinned in requirements.lock); were it renamed, new
        # contexts would get the launch proxy, which refuses everything: rendering fails closed.
        return await super()._create_browser_context(name, {**(context_kwargs or {}), "proxy": self.page_proxy}, spider)
