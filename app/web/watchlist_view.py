"""Watchlists as the workbench shows them: the files of the watchlists directory (OSINT_WATCHLISTS_DIR)
with their sources, and each source's last run, next run and health (what `osint watchlist list`
and `osint watchlist show` print), as page rows and as the JSON API's models.

The files are the source of truth: every request reads them again. A watchlist is named in URLs by
its file's name without `.yaml`, and only names of files that exist in the directory are ever
looked up, so no URL reaches a file anywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from app.web.links import external_url
from scheduling.status import SourceStatus, source_statuses
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


class WatchlistDetail(WatchlistSummary):
    sources_status: list[SourceStatus] = []


@dataclass
class SourceRow:
    """A source as its row on the watchlist page shows it."""

    source: Source
    status: SourceStatus
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (URL as text, link or None)


def without_server_path(text: str, path: Path) -> str:
    """`text` with the file `path` named as in the watchlists directory (its name, no server path)."""
    return text.replace(str(path), path.name)


def problems_shown(exc: WatchlistError, path: Path) -> list[str]:
    """The CLI's `file:line: field: message` lines, the file named as in the directory (no server path)."""
    return [without_server_path(problem, path) for problem in exc.problems]


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


def source_rows(
    watchlist: Watchlist, ledger: Ledger, schedule: SchedulerState, crawling: dict[str, str]
) -> list[SourceRow]:
    """Each source's status (scheduling/status.py) with links to its URLs; `crawling`: source id ->
    why it is being crawled now."""
    return [
        SourceRow(source, status, [(address, external_url(address)) for address in source.urls])
        for source, status in zip(
            watchlist.sources, source_statuses(watchlist, ledger, schedule, crawling), strict=True
        )
    ]
