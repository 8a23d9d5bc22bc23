"""What the scheduler remembers between restarts, and the per-source locks that keep two crawls of
one source from ever running at once (whoever started them: the service, cron, a person).

Next-run times live in the crawl ledger's SQLite file (table `source_schedule`), so a restarted
service picks up where it stopped. Locks are `flock`s on files under ``data_dir/locks``: the
crawling process holds them, and the kernel releases them when it exits, even on SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from scheduling.schedule import parse_schedule
from watchlists.model import Source, Watchlist

_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_schedule (
    watchlist TEXT NOT NULL, source_id TEXT NOT NULL, schedule TEXT NOT NULL DEFAULT '',
    next_run TEXT, last_started TEXT, last_finished TEXT, last_status TEXT NOT NULL DEFAULT '',
    last_run_id TEXT, PRIMARY KEY (watchlist, source_id)
);
"""


@dataclass(frozen=True)
class SourceSchedule:
    watchlist: str
    source_id: str
    schedule: str
    next_run: datetime | None
    last_started: datetime | None
    last_finished: datetime | None
    last_status: str
    last_run_id: str | None


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class SchedulerState:
    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(
            self.data_dir / "crawl.sqlite3", timeout=30, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def get(self, watchlist: str, source_id: str) -> SourceSchedule | None:
        row = self.db.execute(
            "SELECT watchlist, source_id, schedule, next_run, last_started, last_finished, last_status, last_run_id "
            "FROM source_schedule WHERE watchlist = ? AND source_id = ?",
            (watchlist, source_id),
        ).fetchone()
        if row is None:
            return None
        return SourceSchedule(row[0], row[1], row[2], _when(row[3]), _when(row[4]), _when(row[5]), row[6], row[7])

    def next_run(self, watchlist: Watchlist, source: Source) -> datetime | None:
        """When `source` is next due: None if it has no schedule; a past time (or its first check)
        means now. A schedule edited in the YAML applies from the last start, not from the old plan."""
        text = watchlist.schedule_of(source)
        if text is None or not source.enabled:
            return None
        known = self.get(watchlist.name, source.id)
        if known is None or known.last_started is None:
            return datetime.min.replace(tzinfo=UTC)
        if known.schedule != text or known.next_run is None:
            return parse_schedule(text).next_after(known.last_started)
        return known.next_run

    def due(self, watchlist: Watchlist, now: datetime) -> list[Source]:
        due = []
        for source in watchlist.sources:
            when = self.next_run(watchlist, source)
            if when is not None and when <= now:
                due.append(source)
        return due

    def started(self, watchlist: Watchlist, source: Source, now: datetime) -> None:
        text = watchlist.schedule_of(source) or ""
        next_run = _iso(parse_schedule(text).next_after(now)) if text else None
        self.db.execute(
            "INSERT INTO source_schedule (watchlist, source_id, schedule, next_run, last_started, last_status) "
            "VALUES (?, ?, ?, ?, ?, 'running') ON CONFLICT(watchlist, source_id) DO UPDATE SET "
            "schedule = excluded.schedule, next_run = excluded.next_run, last_started = excluded.last_started, "
            "last_status = 'running'",
            (watchlist.name, source.id, text, next_run, _iso(now)),
        )

    def finished(self, watchlist: str, source_id: str, now: datetime, status: str, run_id: str | None) -> None:
        """Record how a crawl ended. One stopped by SIGTERM ("shutdown") is due again at once, so a
        restarted service finishes its work instead of waiting for the next scheduled time."""
        self.db.execute(
            "UPDATE source_schedule SET last_finished = ?, last_status = ?, last_run_id = COALESCE(?, last_run_id), "
            "next_run = CASE WHEN ? = 'shutdown' THEN ? ELSE next_run END WHERE watchlist = ? AND source_id = ?",
            (_iso(now), status, run_id, status, _iso(now), watchlist, source_id),
        )

    def run_status(self, run_id: str) -> str | None:
        """The status the crawl ledger gives a run ("finished", "shutdown", "error"), if it knows it."""
        try:
            row = self.db.execute("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()
        except sqlite3.OperationalError:  # no crawl has created the ledger's tables yet
            return None
        return row[0] if row else None


class SourceBusy(RuntimeError):
    pass


class SourceLock:
    """An exclusive, non-blocking lock on one source of one watchlist."""

    def __init__(self, data_dir: Path | str, watchlist: str, source_id: str):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", watchlist)[:80]
        self.path = Path(data_dir) / "locks" / f"{name}--{source_id}.lock"
        self.file: IO[str] | None = None

    def acquire(self) -> SourceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise SourceBusy(f"{self.path.stem} is being crawled by another process") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.file = handle
        return self

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def is_held_elsewhere(self) -> bool:
        try:
            self.acquire()
        except SourceBusy:
            return True
        self.release()
        return False
