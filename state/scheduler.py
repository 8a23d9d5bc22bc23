"""What the scheduler remembers between restarts, and the per-source locks that keep two crawls of
one source from ever running at once (whoever started them: the service, cron, a person).

Next-run times live in the crawl ledger's database (table `source_schedule`, state/tables.py), so
a restarted service picks up where it stopped. Locks are `flock`s on files under ``data_dir/locks``: the
crawling process holds them, and the kernel releases them when it exits, even on SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from state import tables
from state.database import Database, Migrations, query
from watchlists.model import Source, Watchlist
from watchlists.schedule import parse_schedule


def _create_source_schedule(connection: Connection) -> None:
    tables.SOURCE_SCHEDULE.create(connection, checkfirst=True)


#: the scheduler's schema history (its table shares the crawl ledger's database)
MIGRATIONS = Migrations("scheduler", [_create_source_schedule])

_FIELDS = (
    "watchlist",
    "source_id",
    "schedule",
    "next_run",
    "last_started",
    "last_finished",
    "last_status",
    "last_run_id",
)
_GET = query(
    f"SELECT {', '.join(_FIELDS)} FROM source_schedule WHERE watchlist = :watchlist AND source_id = :source_id",
    *_FIELDS,
)
_STARTED = text(
    "INSERT INTO source_schedule (watchlist, source_id, schedule, next_run, last_started, last_status) "
    "VALUES (:watchlist, :source_id, :schedule, :next_run, :last_started, 'running') "
    "ON CONFLICT (watchlist, source_id) DO UPDATE SET schedule = excluded.schedule, next_run = excluded.next_run, "
    "last_started = excluded.last_started, last_status = 'running'"
)
_FINISHED = text(
    "UPDATE source_schedule SET last_finished = :now, last_status = :status, "
    "last_run_id = COALESCE(:run_id, last_run_id), next_run = COALESCE(:due, next_run) "
    "WHERE watchlist = :watchlist AND source_id = :source_id"
)
_RUN_STATUS = query("SELECT status FROM runs WHERE id = :id", "status")


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
        self.database = Database(self.data_dir / "crawl.sqlite3", migrations=MIGRATIONS)

    def close(self) -> None:
        self.database.close()

    def get(self, watchlist: str, source_id: str) -> SourceSchedule | None:
        with self.database.read() as connection:
            row = connection.execute(_GET, {"watchlist": watchlist, "source_id": source_id}).first()
        if row is None:
            return None
        return SourceSchedule(row[0], row[1], row[2], _when(row[3]), _when(row[4]), _when(row[5]), row[6], row[7])

    def next_run(self, watchlist: Watchlist, source: Source) -> datetime | None:
        """When `source` is next due: None if it has no schedule; a past time (or its first check)
        means now. A schedule edited in the YAML applies from the last start, not from the old plan."""
        schedule = watchlist.schedule_of(source)
        if schedule is None or not source.enabled:
            return None
        known = self.get(watchlist.name, source.id)
        if known is None or known.last_started is None:
            return datetime.min.replace(tzinfo=UTC)
        if known.schedule != schedule or known.next_run is None:
            return parse_schedule(schedule).next_after(known.last_started)
        return known.next_run

    def due(self, watchlist: Watchlist, now: datetime) -> list[Source]:
        due = []
        for source in watchlist.sources:
            when = self.next_run(watchlist, source)
            if when is not None and when <= now:
                due.append(source)
        return due

    def started(self, watchlist: Watchlist, source: Source, now: datetime) -> None:
        schedule = watchlist.schedule_of(source) or ""
        next_run = _iso(parse_schedule(schedule).next_after(now)) if schedule else None
        with self.database.write() as connection:
            connection.execute(
                _STARTED,
                {
                    "watchlist": watchlist.name,
                    "source_id": source.id,
                    "schedule": schedule,
                    "next_run": next_run,
                    "last_started": _iso(now),
                },
            )

    def finished(self, watchlist: str, source_id: str, now: datetime, status: str, run_id: str | None) -> None:
        """Record how a crawl ended. One stopped by SIGTERM ("shutdown") is due again at once, so a
        restarted service finishes its work instead of waiting for the next scheduled time."""
        with self.database.write() as connection:
            connection.execute(
                _FINISHED,
                {
                    "now": _iso(now),
                    "status": status,
                    "run_id": run_id,
                    "due": _iso(now) if status == "shutdown" else None,
                    "watchlist": watchlist,
                    "source_id": source_id,
                },
            )

    def run_status(self, run_id: str) -> str | None:
        """The status the crawl ledger gives a run ("finished", "shutdown", "error"), if it knows it."""
        try:
            with self.database.read() as connection:
                status: str | None = connection.execute(_RUN_STATUS, {"id": run_id}).scalar_one_or_none()
        except (OperationalError, ProgrammingError):  # no crawl has created the ledger's tables yet
            return None
        return status


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
        handle = open(self.path, "a+")  # noqa: SIM115  # held open while the lock is: closed by release()
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
        """Whether another holder has the lock now. Only looks (pages ask on every view): no lock
        file is created (none means nobody has crawled the source here), nothing is written, and
        the shared lock it tries is let go at once."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115  # closed below
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
        return False
