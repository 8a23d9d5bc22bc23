"""Watchlists as the workbench shows them: the files of the watchlists directory (OSINT_WATCHLISTS_DIR)
with their sources, and each source's last run, next run and health (what `osint watchlist list`
and `osint watchlist show` print), as page rows and as the JSON API's models.

The files are the source of truth: every request reads them again. A watchlist is named in URLs by
its file's name without `.yaml`, and only names of files that exist in the directory are ever
looked up, so no URL reaches a file anywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from pydantic import BaseModel

from app.web.links import external_url
from scheduling.health import source_health
from state.ledger import Ledger
from state.scheduler import SchedulerState
from watchlists.model import Source, Watchlist, WatchlistError, load_watchlist

SUFFIXES = (".yaml", ".yml")


def watchlist_files(directory: Path) -> dict[str, Path]:
    """Key (the file name without its suffix; the whole name when two files share a stem) -> file,
    sorted by key. A missing directory has none."""
    if not directory.is_dir():
        return {}
    files = sorted(path for path in directory.iterdir() if path.suffix in SUFFIXES and path.is_file())
    found: dict[str, Path] = {}
    for path in files:
        found[path.name if path.stem in found else path.stem] = path
    return dict(sorted(found.items()))


def watchlist_href(key: str) -> str:
    return f"/watchlists/{quote(key, safe='')}"


class WatchlistSummary(BaseModel):
    """One watchlist file (`osint watchlist list --json`)."""

    key: str
    file: str
    name: str | None
    owner: str = ""
    description: str = ""
    schedule: str | None = None
    sources: int = 0
    enabled: int = 0
    problems: list[str] = []


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


class WatchlistDetail(WatchlistSummary):
    sources_status: list[SourceStatus] = []


@dataclass
class SourceRow:
    """A source as its row on the watchlist page shows it."""

    source: Source
    status: SourceStatus
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (URL as text, link or None)


def problems_shown(exc: WatchlistError, path: Path) -> list[str]:
    """The CLI's `file:line: field: message` lines, the file named as in the directory (no server path)."""
    return [problem.replace(str(path), path.name) for problem in exc.problems]


def summary(key: str, path: Path) -> tuple[WatchlistSummary, Watchlist | None]:
    try:
        watchlist = load_watchlist(path)
    except WatchlistError as exc:
        return WatchlistSummary(key=key, file=path.name, name=None, problems=problems_shown(exc, path)), None
    return (
        WatchlistSummary(
            key=key,
            file=path.name,
            name=watchlist.name,
            owner=watchlist.owner,
            description=watchlist.description,
            schedule=watchlist.schedule,
            sources=len(watchlist.sources),
            enabled=sum(source.enabled for source in watchlist.sources),
        ),
        watchlist,
    )


def summaries(directory: Path) -> list[tuple[WatchlistSummary, Watchlist | None]]:
    return [summary(key, path) for key, path in watchlist_files(directory).items()]


def _next_run(when: datetime | None) -> str | None:
    if when is None:
        return None
    return "now" if when.year == 1 else when.isoformat()


def source_rows(
    watchlist: Watchlist, ledger: Ledger, schedule: SchedulerState, crawling: dict[str, str]
) -> list[SourceRow]:
    """Each source with its last run (from the crawl ledger, whoever ran it), next run (the
    scheduler's state) and health (scheduling/health.py); `crawling`: source id -> why busy now."""
    rows = []
    for source in watchlist.sources:
        health = source_health(ledger, watchlist.name, source.id)
        status = None
        if health.last_run_id is not None:
            try:
                status = ledger.report(health.last_run_id).status
            except KeyError:
                status = None
        row = SourceStatus(
            id=source.id,
            name=source.name,
            kind=source.kind,
            urls=source.urls,
            enabled=source.enabled,
            schedule=watchlist.schedule_of(source),
            last_run=health.last_run_id,
            last_run_started=health.last_run_started,
            last_run_status=status,
            last_run_counts=health.last_run_counts,
            last_error=health.last_error,
            next_run=_next_run(schedule.next_run(watchlist, source)),
            health=health.health,
            consecutive_failures=health.consecutive_failures,
            crawling=crawling.get(source.id, ""),
        )
        rows.append(SourceRow(source, row, [(address, external_url(address)) for address in source.urls]))
    return rows
