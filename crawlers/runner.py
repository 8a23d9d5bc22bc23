"""Run a watchlist (or some of its sources) as one crawl: one Scrapy crawler per source, one run
in the ledger, one report at the end.

The run's configuration reaches every crawler as `OSINT_*` Scrapy settings (read back with
settings.config.from_crawler_settings), and so do the objects the run owns: its extraction pool
(OSINT_EXTRACTION_POOL) and progress callback (OSINT_PROGRESS)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings
from sqlalchemy.exc import SQLAlchemyError

from captures.store import CaptureStore
from crawlers.extensions.capture_archive import STORE_SETTING, open_capture_store
from crawlers.extensions.outcome_ledger import PROGRESS_SETTING, ProgressHook
from crawlers.extraction_pool import POOL_SETTING, ExtractionPool
from crawlers.rendering import rendering_settings
from crawlers.spiders import SPIDERS, SourceSpider
from settings.config import Config
from state.ledger import Ledger, RunReport
from state.scheduler import SchedulerState, SourceBusy, SourceLock
from watchlists.model import Source, Watchlist

log = logging.getLogger(__name__)


def crawl_settings(config: Config, run_id: str, overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings with this run's configuration and run id on top."""
    settings = Settings()
    settings.setmodule("settings.crawl", priority="project")
    settings.setdict({**config.scrapy_settings(), "OSINT_RUN_ID": run_id, **(overrides or {})}, priority="cmdline")
    return settings


def spider_class(source: Source, config: Config) -> type[SourceSpider]:
    spider = SPIDERS[source.kind]
    if not source.render_js:
        return spider
    # Only rendered sources load the browser handler; everything else stays plain HTTP.
    settings = rendering_settings(config.allow_private_networks)
    return type(f"Rendered{spider.__name__}", (spider,), {"custom_settings": settings})


def run_crawl(
    watchlist: Watchlist,
    config: Config,
    source_ids: list[str] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> RunReport:
    """Crawl the chosen sources (default: every enabled source) to completion; return the run report."""
    sources = [watchlist.source(i) for i in source_ids] if source_ids else [s for s in watchlist.sources if s.enabled]
    ledger = Ledger.in_data_dir(config.data_dir)
    ledger.close_abandoned_runs()
    run_id = ledger.start_run(watchlist.name, [s.id for s in sources])
    # one capture store for the run: its sources append to one WARC file, not one each
    # (opened before locking, so a store that cannot open leaves no source locked)
    captures = open_capture_store(config)
    locks, sources = _lock_sources(ledger, run_id, watchlist, sources, config)
    # one pool for all the run's sources: workers start and warm up once per run, not per source
    pool = ExtractionPool(config.extract_workers, config.spacy_model, cache_dir=config.cache_dir)
    if sources:
        pool.start()  # the workers warm up while Scrapy starts and fetches the first pages
    run_objects: dict[str, Any] = {"LOG_INSTALL_ROOT_HANDLER": False, POOL_SETTING: pool}
    if captures is not None:
        run_objects[STORE_SETTING] = captures
    if progress is not None:
        run_objects[PROGRESS_SETTING] = ProgressHook(progress)
    level = logging.root.level
    process = AsyncCrawlerProcess(crawl_settings(config, run_id, run_objects))
    logging.root.setLevel(level)  # Scrapy lowers it to NOTSET; records below it would only be built and dropped
    crawls = [process.crawl(spider_class(source, config), watchlist=watchlist, source=source) for source in sources]
    crawlers = list(process.crawlers)  # the process forgets each crawler once it is done
    cpu_started = time.process_time()
    try:
        if crawls:
            process.start()
    finally:
        pool.shutdown()
        for lock in locks:
            lock.release()
        if captures is not None:
            _prune_and_close(captures, config.capture_retention_days)
    # the crawler process itself: fetching, parsing, ledger and index writes (extraction runs in the pool)
    ledger.add_stats(run_id, {"osint/cpu/crawler_process": time.process_time() - cpu_started})
    errors = [task.exception() for task in crawls if task.done() and not task.cancelled() and task.exception()]
    _record_silent_sources(ledger, run_id, sources)
    # SIGTERM/SIGINT close spiders with "shutdown": fetched documents are flushed, the rest waits for the next run
    stopped = any(crawler.stats.get_value("finish_reason") == "shutdown" for crawler in crawlers)
    report = ledger.finish_run(run_id, status="error" if errors else "shutdown" if stopped else "finished")
    ledger.close()
    if errors:
        raise CrawlError(f"{len(errors)} of {len(sources)} crawlers failed to run: {errors[0]!r}") from errors[0]
    return report


class CrawlError(RuntimeError):
    """A crawler could not run at all (as opposed to sources that failed, which the report counts)."""


def run_due(
    watchlist: Watchlist,
    config: Config,
    now: datetime | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> tuple[list[str], RunReport | None]:
    """One pass of `osint crawl --due`: crawl the sources whose schedule says they are due (and not
    being crawled elsewhere), moving their next-run times on. Returns (due source ids, report)."""
    now = now or datetime.now(UTC)
    state = SchedulerState(config.data_dir)
    try:
        due = state.due(watchlist, now)
        if not due:
            return [], None
        for source in due:
            state.started(watchlist, source, now)
        try:
            report = run_crawl(watchlist, config, [s.id for s in due], progress=progress)
        except CrawlError:
            for source in due:
                state.finished(watchlist.name, source.id, datetime.now(UTC), "error", None)
            raise
        for source in due:
            state.finished(watchlist.name, source.id, datetime.now(UTC), report.status, report.run_id)
        return [s.id for s in due], report
    finally:
        state.close()


def _lock_sources(
    ledger: Ledger, run_id: str, watchlist: Watchlist, sources: list[Source], config: Config
) -> tuple[list[SourceLock], list[Source]]:
    """Never two crawls of one source at once: a source another process is crawling is skipped."""
    locks, free = [], []
    for source in sources:
        try:
            locks.append(SourceLock(config.data_dir, watchlist.name, source.id).acquire())
            free.append(source)
        except SourceBusy as exc:
            for url in source.urls:
                ledger.record(run_id, url, source.id, "skipped", "already_running", str(exc))
    return locks, free


def _prune_and_close(captures: CaptureStore, retention_days: int) -> None:
    """Retention applies after each run (`osint capture prune` on demand); a prune that fails (a file
    held open elsewhere, a locked catalog) is logged and the run still finishes."""
    try:
        if retention_days:
            captures.prune(retention_days)
    except (OSError, SQLAlchemyError):
        log.exception("pruning the capture store failed; the captures stay until the next run")
    finally:
        captures.close()


def _record_silent_sources(ledger: Ledger, run_id: str, sources: list[Source]) -> None:
    """A source whose crawl recorded nothing did not run: say so instead of reporting success."""
    seen = ledger.sources_with_outcomes(run_id)
    for source in sources:
        if source.id not in seen:
            for url in source.urls:
                ledger.record(
                    run_id, url, source.id, "failed", "not_crawled", "the spider issued no request for this URL"
                )
