"""Scrapy extension that writes every URL outcome to the crawl ledger and into the crawl stats.

The runner passes OSINT_RUN_ID so several crawlers (one per source) share one run; under a
plain `scrapy crawl` the extension opens and closes a run of its own. The ledger lives in the
configured data directory (OSINT_DATA_DIR, settings/config.py). Spiders, middlewares and pipelines
read validators and hashes from the same ledger: `crawl_ledger(crawler)`, i.e.
`crawler.get_extension(OutcomeLedger).ledger`.

A progress callback (outcome, url), such as the CLI's progress bar, reaches every crawler of a run
in the OSINT_PROGRESS setting as a `ProgressHook`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from crawlers import signals as osint_signals
from crawlers.items import FetchedResource
from crawlers.outcomes import Outcome
from settings.config import from_crawler_settings
from state.ledger import Ledger, requested_url

logger = logging.getLogger(__name__)

#: the Scrapy setting that carries a run's ProgressHook to its crawlers
PROGRESS_SETTING = "OSINT_PROGRESS"


class ProgressHook:
    """A callable(outcome, url) called for every recorded outcome, shared by a run's crawlers."""

    def __init__(self, callback: Callable[[str, str], None]) -> None:
        self.callback = callback

    def __call__(self, outcome: str, url: str) -> None:
        self.callback(outcome, url)

    def __deepcopy__(self, memo: dict[int, object]) -> ProgressHook:
        # Scrapy deep-copies settings for every crawler; the callback (often a bound method or a
        # closure over a progress bar) must stay the very same object
        return self


class OutcomeLedger:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.ledger = Ledger.in_data_dir(from_crawler_settings(crawler.settings).data_dir)
        self.run_id: str = crawler.settings.get("OSINT_RUN_ID") or ""
        self.owns_run = not self.run_id
        progress = crawler.settings.get(PROGRESS_SETTING)
        self.progress: ProgressHook | None = progress if isinstance(progress, ProgressHook) else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OutcomeLedger:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        crawler.signals.connect(extension.url_outcome, signal=osint_signals.url_outcome)
        crawler.signals.connect(extension.request_dropped, signal=signals.request_dropped)
        return extension

    def spider_opened(self, spider: Any) -> None:
        if self.owns_run:
            source = getattr(spider, "source", None)
            self.run_id = self.ledger.start_run(getattr(spider, "watchlist_name", ""), [source.id] if source else [])
        spider.run_id = self.run_id

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.ledger.add_stats(self.run_id, self.crawler.stats.get_stats())
        if self.owns_run:
            report = self.ledger.finish_run(self.run_id, status=reason)
            logger.info("Run %s: %s", self.run_id, report.model_dump_json(exclude={"by_source"}))

    def url_outcome(
        self,
        url: str,
        source_id: str,
        outcome: str,
        reason: str = "",
        detail: str = "",
        doc_id: str | None = None,
        fetched: bool = False,
        change: str = "",
        **_: Any,
    ) -> None:
        self.ledger.record(self.run_id, url, source_id, outcome, reason, detail, doc_id, fetched, change)
        self.crawler.stats.inc_value(f"osint/outcome/{outcome}")
        if reason:
            self.crawler.stats.inc_value(f"osint/reason/{reason}")
        if self.progress is not None:
            self.progress(outcome, url)

    def request_dropped(self, request: Any, spider: Any = None) -> None:
        """The scheduler's duplicate filter dropped a request. The spiders ask for each URL once, so
        this is a request for a page the crawl already asked for under another URL: mostly a redirect
        to it (/old → /new, /new also linked), or a link differing only in its #fragment. The URL
        the source asked for (before redirects) still gets its outcome."""
        source = getattr(spider or self.crawler.spider, "source", None)
        if source is None:
            return
        redirected = bool(request.meta.get("redirect_urls"))  # its 3xx was fetched
        self.crawler.signals.send_catch_log(
            osint_signals.url_outcome,
            url=requested_url(request),
            source_id=source.id,
            outcome="skipped",
            reason="duplicate",
            detail=f"{request.url} already requested in this run",
            fetched=redirected,
        )

    def item_dropped(self, item: FetchedResource, response: Any, exception: BaseException, spider: Any = None) -> None:
        if isinstance(exception, Outcome):
            self.url_outcome(
                item.requested_url,
                item.source_id,
                exception.outcome,
                exception.reason,
                exception.detail,
                fetched=True,
                change=getattr(item, "change", ""),
            )

    def item_error(self, item: FetchedResource, response: Any, failure: Any, spider: Any = None) -> None:
        logger.error("Pipeline error on %s: %s", item.requested_url, failure.getTraceback())
        self.url_outcome(
            item.requested_url, item.source_id, "failed", "pipeline_error", failure.getErrorMessage(), fetched=True
        )


def crawl_ledger(crawler: Crawler) -> Ledger:
    """The crawl ledger of `crawler`'s run: its OutcomeLedger extension's (which must be enabled)."""
    extension = crawler.get_extension(OutcomeLedger)
    if extension is None:
        raise RuntimeError("the OutcomeLedger extension is not enabled (EXTENSIONS in settings/crawl.py)")
    return extension.ledger
