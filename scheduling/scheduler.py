"""The scheduler service behind `osint schedule`: starts due crawls, one at a time per source,
at most `max_concurrent` at once, remembers next-run times across restarts, and on SIGTERM asks
its crawls to stop gracefully and waits for them.

Time and crawling are injected (`clock`, `launch`), so the decisions are tested step by step
with `tick()` and a clock the test moves; `serve()` is the loop around `tick()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scheduling.launch import CrawlJob
from schema.document import utcnow
from state.scheduler import SchedulerState, SourceLock
from watchlists.model import Watchlist, WatchlistError, load_watchlist

logger = logging.getLogger(__name__)

#: how often an idle service re-reads its watchlists for new sources and schedules
IDLE_RECHECK_SECONDS = 60.0

Launcher = Callable[[Path, list[str]], CrawlJob]
Clock = Callable[[], datetime]


@dataclass
class RunningCrawl:
    watchlist: Watchlist
    source_ids: list[str]
    job: CrawlJob


class Scheduler:
    def __init__(
        self,
        watchlist_paths: list[Path],
        data_dir: Path,
        launch: Launcher,
        clock: Clock = utcnow,
        max_concurrent: int = 2,
        batch_size: int = 10,
    ):
        if max_concurrent < 1 or batch_size < 1:
            raise ValueError("max_concurrent and batch_size must be at least 1")
        self.paths = [Path(path) for path in watchlist_paths]
        self.data_dir = Path(data_dir)
        self.launch = launch
        self.clock = clock
        self.max_concurrent = max_concurrent
        self.batch_size = batch_size
        self.state = SchedulerState(data_dir)
        self.running: list[RunningCrawl] = []
        self._loaded: dict[Path, tuple[float, Watchlist]] = {}

    # watchlists are re-read when their file changes, so `osint watchlist add-source` takes effect
    def watchlists(self) -> list[tuple[Path, Watchlist]]:
        current = []
        for path in self.paths:
            try:
                mtime = path.stat().st_mtime
                if path not in self._loaded or self._loaded[path][0] != mtime:
                    self._loaded[path] = (mtime, load_watchlist(path))
            except (OSError, WatchlistError) as exc:
                logger.error("Cannot read watchlist %s (keeping the last good version): %s", path, exc)
                if path not in self._loaded:
                    continue
            current.append((path, self._loaded[path][1]))
        return current

    def _busy(self) -> set[tuple[str, str]]:
        return {(crawl.watchlist.name, source_id) for crawl in self.running for source_id in crawl.source_ids}

    def reap(self) -> list[RunningCrawl]:
        """Record the crawls that ended since the last look."""
        done = [crawl for crawl in self.running if crawl.job.poll() is not None]
        for crawl in done:
            self.running.remove(crawl)
            code = crawl.job.poll()
            run_id = crawl.job.run_id()
            status = (self.state.run_status(run_id) if run_id else None) or (
                "finished" if code == 0 else f"exit_{code}"
            )
            for source_id in crawl.source_ids:
                self.state.finished(crawl.watchlist.name, source_id, self.clock(), status, run_id)
            logger.info(
                "Crawl of %s %s ended: %s (run %s)", crawl.watchlist.name, ",".join(crawl.source_ids), status, run_id
            )
        return done

    def start_due(self) -> list[RunningCrawl]:
        now = self.clock()
        started: list[RunningCrawl] = []
        busy = self._busy()
        for path, watchlist in self.watchlists():
            waiting = [
                source
                for source in self.state.due(watchlist, now)
                if (watchlist.name, source.id) not in busy
                and not SourceLock(self.data_dir, watchlist.name, source.id).is_held_elsewhere()
            ]
            while waiting and len(self.running) < self.max_concurrent:
                batch, waiting = waiting[: self.batch_size], waiting[self.batch_size :]
                for source in batch:
                    self.state.started(watchlist, source, now)
                source_ids = [s.id for s in batch]
                crawl = RunningCrawl(watchlist, source_ids, self.launch(path, source_ids))
                self.running.append(crawl)
                started.append(crawl)
                logger.info("Started crawl of %s: %s", watchlist.name, ", ".join(crawl.source_ids))
        return started

    def tick(self) -> tuple[list[RunningCrawl], list[RunningCrawl]]:
        """One scheduling step: (crawls started, crawls that ended)."""
        ended = self.reap()
        return self.start_due(), ended

    def next_due(self) -> datetime | None:
        busy = self._busy()
        times = [
            when
            for _, watchlist in self.watchlists()
            for source in watchlist.sources
            if (watchlist.name, source.id) not in busy and (when := self.state.next_run(watchlist, source)) is not None
        ]
        return min(times, default=None)

    def serve(self, stop: threading.Event, poll_seconds: float = 1.0, grace_seconds: float | None = None) -> None:
        """Run until `stop` is set (the CLI sets it on SIGTERM/SIGINT), then stop the crawls and wait."""
        while not stop.is_set():
            self.tick()
            next_due = None if self.running else self.next_due()
            if self.running:
                wait = poll_seconds  # child exits are noticed by polling
            elif next_due is None:
                wait = IDLE_RECHECK_SECONDS
            else:  # sleep until the next source is due, re-reading edited watchlists now and then
                wait = min(IDLE_RECHECK_SECONDS, max(0.05, (next_due - self.clock()).total_seconds()))
            stop.wait(wait)
        self.shutdown(grace_seconds)

    def shutdown(self, grace_seconds: float | None = None) -> None:
        """Ask every crawl to stop (SIGTERM: Scrapy flushes what it fetched) and wait for it."""
        for crawl in self.running:
            crawl.job.terminate()
        deadline = None if grace_seconds is None else self.clock() + timedelta(seconds=grace_seconds)
        for crawl in list(self.running):
            remaining = None if deadline is None else max(0.0, (deadline - self.clock()).total_seconds())
            if crawl.job.wait(remaining) is None:
                crawl.job.terminate()  # a second signal makes Scrapy stop without waiting for downloads
                crawl.job.wait(None)
        self.reap()
        self.state.close()
