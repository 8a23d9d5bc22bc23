"""Scrapy settings for the OSINT crawler (`scrapy.cfg` points here).

Scrapy's defaults are permissive; everything that bounds a crawl is set explicitly.
Nothing here reads the application configuration: the `OSINT_*` values (data directory, index,
allow-list, workers, ...) are settings.config's, which components read through
`settings.config.from_crawler_settings(crawler.settings)`: the environment, then any `OSINT_*`
Scrapy setting on top (set per run by crawlers/runner.py, or `scrapy crawl -s OSINT_DATA_DIR=/x`).
"""

BOT_NAME = "osint"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
USER_AGENT = "osint-crawler/0.1 (+https://github.com/osint-crawler; research crawler)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Items in flight per response. Under the asyncio reactor Scrapy starts this many tasks for every
# response's output whatever it yields (the default 100 cost ~1 ms of crawler CPU a page); an
# article yields one item and a feed or sitemap yields requests, which are scheduled at once.
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024  # also bounds decompressed size (gzip bombs)
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# Hard ceiling, equal to the largest Scope.max_depth a watchlist may set (watchlists/model.py,
# `le=20`; not imported here to keep settings light): a lower value makes Scrapy's DepthMiddleware
# silently drop the deeper pages a source asked for, leaving them without an outcome.
DEPTH_LIMIT = 20
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 1
METAREFRESH_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # on by default in current Scrapy; a crawler needs no remote shell
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformatter.ConciseLogFormatter"

# Reset every run's in-memory dupefilter; incremental state lives in the crawl ledger instead.
# A request it drops (a redirect to a page already requested) is recorded as skipped/duplicate
# by crawlers/extensions/outcome_ledger.py.
DUPEFILTER_CLASS = "scrapy.dupefilters.RFPDupeFilter"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Connections resolve through the address guard: the address connected to is the one checked (DNS rebinding).
TWISTED_DNS_RESOLVER = "crawlers.resolver.GuardedResolver"

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.address_guard.AddressGuardMiddleware": 50,
    "crawlers.middlewares.conditional.ConditionalGetMiddleware": 80,
    # robots.txt kept for a day across runs: an unchanged source then costs one request, not two
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.robots_cache.CachedRobotsTxtMiddleware": 100,
    # rendered pages: a refused navigation or a browser error page is an outcome, never a document;
    # closest to the downloader, so nothing else handles such a response first
    "crawlers.middlewares.browser_guard.BrowserGuardMiddleware": 950,
    # every response preserved as WARC records as it came (compressed, each redirect hop, a 304):
    # next to the downloader, after only the browser guard's refusals
    "crawlers.middlewares.capture.CaptureMiddleware": 940,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.unchanged.SkipUnchangedPipeline": 100,
    "crawlers.pipelines.extract.ExtractPipeline": 200,
    "crawlers.pipelines.unchanged.SkipUnchangedTextPipeline": 300,
    "crawlers.pipelines.stories.StoryPipeline": 500,
    "crawlers.pipelines.store.IndexPipeline": 900,
}
EXTENSIONS = {
    "crawlers.extensions.outcome_ledger.OutcomeLedger": 100,
    "crawlers.extensions.capture_archive.CaptureArchive": 110,
}
# Validates the configuration when a crawl starts and copies what the environment sets into the
# crawl's settings (for components reading an OSINT_* Scrapy setting directly).
ADDONS = {
    "settings.config.ConfigAddon": 0,
}

# JavaScript rendering: only `render_js` sources load the browser handler (crawlers/rendering.py),
# which launches Chromium behind the guarded proxy (crawlers/browser_proxy.py). The browser is
# OSINT_CHROMIUM, added to these options by that handler (an executable_path here wins).
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
        # WebRTC may only use connections through the proxy (which guards them), never direct UDP.
        # (The similar --force-webrtc-ip-handling-policy switch was tried: it does not stop STUN.)
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
