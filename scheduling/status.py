"""Each source of a watchlist with its last run (from the crawl ledger, whoever ran it), next run
(the scheduler's state) and health (scheduling/health.py): what `osint watchlist show` prints and
the workbench's watchlist page and API show."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel

from scheduling.health import source_health
from state.ledger import Ledger
from state.scheduler import SchedulerState
from watchlists.model import Watchlist


class SourceStatus(BaseModel):
    """One source with its schedule and health (`osint watchlist show --json`)."""

    id: str
    name: str
    kind: str
    urls: list[str]
    enabled: bool
    schedule: str | None
    last_run: str | None
    last_run_started: str | None
    last_run_status: str | None
    last_run_counts: dict[str, int]
    last_error: str
    next_run: str | None  # "now" when due, ISO time, None without a schedule (or switched off)
    health: str
    consecutive_failures: int
    crawling: str = ""  # why the source counts as being crawled now, if it does


def next_run_shown(when: datetime | None) -> str | None:
    """`SchedulerState.next_run` as shown: "now" for due (its first check is the earliest time)."""
    if when is None:
        return None
    return "now" if when.year == 1 else when.isoformat()


def source_statuses(
    watchlist: Watchlist, ledger: Ledger, schedule: SchedulerState, crawling: Mapping[str, str] | None = None
) -> list[SourceStatus]:
    """Each source's status, in the watchlist's order; `crawling`: source id -> why it is being crawled now."""
    statuses = []
    for source in watchlist.sources:
        health = source_health(ledger, watchlist.name, source.id)
        statuses.append(
            SourceStatus(
                id=source.id,
                name=source.name,
                kind=source.kind,
                urls=source.urls,
                enabled=source.enabled,
                schedule=watchlist.schedule_of(source),
                last_run=health.last_run_id,
                last_run_started=health.last_run_started,
                last_run_status=None if health.last_run_id is None else schedule.run_status(health.last_run_id),
                last_run_counts=health.last_run_counts,
                last_error=health.last_error,
                next_run=next_run_shown(schedule.next_run(watchlist, source)),
                health=health.health,
                consecutive_failures=health.consecutive_failures,
                crawling=(crawling or {}).get(source.id, ""),
            )
        )
    return statuses
