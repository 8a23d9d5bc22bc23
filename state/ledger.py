"""The crawl ledger: one SQLite file in the data directory recording runs, the outcome of every
URL each run touched, and what is known about every URL ever fetched (validators, hashes).

It is what makes a run report add up, and what makes re-crawls incremental.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

OUTCOMES = ("indexed", "unchanged", "skipped", "failed", "followed")

#: PRAGMA user_version of the ledgers this code writes; older files are migrated in place on open.
#: 1: outcomes are keyed by (run, source, URL), so a URL two sources list keeps each one's outcome.
SCHEMA_VERSION = 1

_OUTCOMES_COLUMNS = "run_id, url, source_id, outcome, reason, detail, doc_id, fetched, change, at"
_OUTCOMES_TABLE = """
CREATE TABLE IF NOT EXISTS outcomes (
    run_id TEXT NOT NULL, url TEXT NOT NULL, source_id TEXT NOT NULL, outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', doc_id TEXT,
    fetched INTEGER NOT NULL DEFAULT 0, change TEXT NOT NULL DEFAULT '', at TEXT NOT NULL,
    PRIMARY KEY (run_id, source_id, url)
)"""
_OUTCOMES_INDEX = "CREATE INDEX IF NOT EXISTS outcomes_source ON outcomes (source_id, at)"
_SCHEMA = f"""{_OUTCOMES_TABLE};
{_OUTCOMES_INDEX};
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, watchlist TEXT NOT NULL, sources TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL DEFAULT 'running'
);
-- the first source of a run to ask for a page (extractors.links.page_identity) fetches it
CREATE TABLE IF NOT EXISTS claims (
    run_id TEXT NOT NULL, url TEXT NOT NULL, source_id TEXT NOT NULL, PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS run_stats (
    run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY, source_id TEXT NOT NULL, doc_id TEXT, first_seen TEXT NOT NULL,
    last_fetched TEXT, etag TEXT, last_modified TEXT, body_hash TEXT, content_hash TEXT,
    lastmod TEXT
);
"""


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a ledger written by an older version up to SCHEMA_VERSION. One IMMEDIATE transaction:
    crawls the scheduler starts in parallel wait for the first opener's migration, then skip it."""
    if _user_version(db) >= SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if _user_version(db) < 1 and "source_id" not in _primary_key_columns(db, "outcomes"):
            _key_outcomes_by_source(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _user_version(db: sqlite3.Connection) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def _primary_key_columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[5]}


def _key_outcomes_by_source(db: sqlite3.Connection) -> None:
    """Version 0 keyed outcomes by (run, URL): rebuild the table keyed by (run, source, URL).
    Every old row fits the new key (it was unique on fewer columns); SQLite cannot change a
    primary key in place, hence copy and swap. The index goes with the old table and is rebuilt."""
    db.execute("ALTER TABLE outcomes RENAME TO outcomes_by_url")
    db.execute(_OUTCOMES_TABLE)
    db.execute(f"INSERT INTO outcomes ({_OUTCOMES_COLUMNS}) SELECT {_OUTCOMES_COLUMNS} FROM outcomes_by_url")
    db.execute("DROP TABLE outcomes_by_url")
    db.execute(_OUTCOMES_INDEX)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def requested_url(request: Any) -> str:
    """The URL a source asked for, before redirects: outcomes and URL records are keyed by it."""
    return request.meta.get("redirect_urls", [request.url])[0]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunReport(BaseModel):
    """What one run did. Every URL a source touched has exactly one outcome for that source, so the
    counts add up to `urls` (a URL two sources list counts once for each: one fetched it, the
    other records skipped/claimed_by_another_source)."""

    run_id: str
    watchlist: str = ""
    sources: list[str] = Field(default_factory=list)
    started: str = ""
    finished: str | None = None
    status: str = "running"
    duration_seconds: float | None = None
    urls: int = 0
    fetched: int = 0
    indexed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    followed: int = 0
    reasons: dict[str, int] = Field(default_factory=dict)
    reasons_by_outcome: dict[str, dict[str, int]] = Field(default_factory=dict)  # "failed" -> {"http_404": 2}
    by_source: dict[str, dict[str, int]] = Field(default_factory=dict)
    new_documents: int = 0
    changed_documents: int = 0
    cpu_seconds: dict[str, float] = Field(default_factory=dict)  # per stage, summed over sources


@dataclass(frozen=True)
class UrlRecord:
    url: str
    source_id: str
    doc_id: str | None
    last_fetched: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    content_hash: str | None
    lastmod: str | None


_NEW_OR_CHANGED = "run_id = ? AND outcome = 'indexed' AND change IN ('new', 'changed')"


class Ledger:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self._add_column("runs", "pid", "INTEGER")
        _migrate(self.db)

    def _add_column(self, table: str, column: str, declaration: str) -> None:
        """Additive migration of a ledger written by an older version (safe under concurrent openers)."""
        if column not in {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}:
            try:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):
                    raise

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> Ledger:
        return cls(Path(data_dir) / "crawl.sqlite3")

    def close(self) -> None:
        self.db.close()

    # runs -----------------------------------------------------------------
    def start_run(self, watchlist: str, sources: list[str], run_id: str | None = None) -> str:
        run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        self.db.execute(
            "INSERT OR IGNORE INTO runs (id, watchlist, sources, started, pid) VALUES (?, ?, ?, ?, ?)",
            (run_id, watchlist, json.dumps(sources), now_iso(), os.getpid()),
        )
        return run_id

    def close_abandoned_runs(self) -> list[str]:
        """Runs still 'running' whose process is gone (SIGKILL, power loss) end as 'killed', so their
        reports add up and what they indexed counts for alerts. Their unfinished work is simply
        redone by the next run: the URL records only hold what was completed."""
        closed = []
        for run_id, pid in self.db.execute(
            "SELECT id, pid FROM runs WHERE status = 'running' AND pid IS NOT NULL"
        ).fetchall():
            if pid != os.getpid() and not _alive(pid):
                self.finish_run(run_id, status="killed")
                closed.append(run_id)
        return closed

    def finish_run(self, run_id: str, status: str = "finished") -> RunReport:
        self.db.execute("UPDATE runs SET finished = ?, status = ? WHERE id = ?", (now_iso(), status, run_id))
        return self.report(run_id)

    def report(self, run_id: str) -> RunReport:
        row = self.db.execute(
            "SELECT watchlist, sources, started, finished, status FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id!r}")
        report = RunReport(
            run_id=run_id, watchlist=row[0], sources=json.loads(row[1]), started=row[2], finished=row[3], status=row[4]
        )
        if row[3]:
            report.duration_seconds = round(
                (datetime.fromisoformat(row[3]) - datetime.fromisoformat(row[2])).total_seconds(), 1
            )
        reasons: Counter[str] = Counter()
        for source_id, outcome, reason, fetched, change, count in self.db.execute(
            "SELECT source_id, outcome, reason, fetched, change, COUNT(*) FROM outcomes WHERE run_id = ? "
            "GROUP BY source_id, outcome, reason, fetched, change",
            (run_id,),
        ):
            setattr(report, outcome, getattr(report, outcome) + count)
            report.urls += count
            report.fetched += count if fetched else 0
            per_source = report.by_source.setdefault(source_id, dict.fromkeys(OUTCOMES, 0))
            per_source[outcome] += count
            if reason:
                reasons[reason] += count
                by_outcome = report.reasons_by_outcome.setdefault(outcome, {})
                by_outcome[reason] = by_outcome.get(reason, 0) + count
            if outcome == "indexed" and change == "new":  # a skipped or failed fetch added nothing
                report.new_documents += count
            elif outcome == "indexed" and change == "changed":
                report.changed_documents += count
        report.reasons = dict(reasons.most_common())
        report.cpu_seconds = {
            name.removeprefix("osint/cpu/"): round(value, 3)
            for name, value in self.db.execute(
                "SELECT name, value FROM run_stats WHERE run_id = ? AND name LIKE 'osint/cpu/%' ORDER BY name",
                (run_id,),
            )
        }
        return report

    def add_stats(self, run_id: str, stats: dict[str, Any]) -> None:
        """Add a crawler's numeric stats to the run's (several crawlers, one per source, share a run)."""
        rows = [
            (run_id, name, float(value))
            for name, value in stats.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        ]
        self.db.executemany(
            "INSERT INTO run_stats (run_id, name, value) VALUES (?, ?, ?) "
            "ON CONFLICT(run_id, name) DO UPDATE SET value = value + excluded.value",
            rows,
        )

    def changed_documents(self, run_id: str) -> dict[str, list[str]]:
        """URLs of the documents a run indexed for the first time ("new") or again with new text ("changed")."""
        found: dict[str, list[str]] = {"new": [], "changed": []}
        for url, change in self.db.execute(
            f"SELECT url, change FROM outcomes WHERE {_NEW_OR_CHANGED} ORDER BY url", (run_id,)
        ):
            found[change].append(url)
        return found

    def changed_doc_ids(self, run_id: str) -> list[str]:
        """Index ids of the documents changed_documents() lists."""
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT doc_id FROM outcomes WHERE {_NEW_OR_CHANGED} AND doc_id IS NOT NULL ORDER BY url", (run_id,)
            )
        ]

    def ended_runs(self, since: str) -> list[str]:
        """Runs that are over (finished or killed) and started at `since` or later, oldest first."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT id FROM runs WHERE status != 'running' AND started >= ? ORDER BY started, id", (since,)
            )
        ]

    def runs(self, limit: int = 20) -> list[RunReport]:
        ids = [
            row[0] for row in self.db.execute("SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT ?", (limit,))
        ]
        return [self.report(run_id) for run_id in ids]

    # outcomes ---------------------------------------------------------------
    def record(
        self,
        run_id: str,
        url: str,
        source_id: str,
        outcome: str,
        reason: str = "",
        detail: str = "",
        doc_id: str | None = None,
        fetched: bool = False,
        change: str = "",
    ) -> None:
        """What became of `url` for `source_id` in this run: a later outcome for the same source and
        URL replaces the earlier one, another source's outcome for the URL is kept beside it."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.db.execute(
            "INSERT OR REPLACE INTO outcomes (run_id, url, source_id, outcome, reason, detail, doc_id, fetched, change, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, url, source_id, outcome, reason, detail[:500], doc_id, int(fetched), change, now_iso()),
        )

    def claim(self, run_id: str, page: str, source_id: str) -> str:
        """The source that fetches `page` in this run: the first to claim it. A page listed by
        several sources (a feed and a sitemap of one site) is fetched once per run."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO claims (run_id, url, source_id) VALUES (?, ?, ?)", (run_id, page, source_id)
        )
        if cursor.rowcount == 1:
            return source_id
        return self.db.execute("SELECT source_id FROM claims WHERE run_id = ? AND url = ?", (run_id, page)).fetchone()[
            0
        ]

    def sources_with_outcomes(self, run_id: str) -> set[str]:
        return {
            row[0] for row in self.db.execute("SELECT DISTINCT source_id FROM outcomes WHERE run_id = ?", (run_id,))
        }

    def outcomes(self, run_id: str) -> Iterator[dict[str, Any]]:
        cursor = self.db.execute(
            "SELECT url, source_id, outcome, reason, detail, doc_id, fetched, change FROM outcomes WHERE run_id = ? "
            "ORDER BY at, url, source_id",
            (run_id,),
        )
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    # what we know about URLs --------------------------------------------------
    def url(self, url: str) -> UrlRecord | None:
        row = self.db.execute(
            "SELECT url, source_id, doc_id, last_fetched, etag, last_modified, body_hash, content_hash, lastmod FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        return UrlRecord(*row) if row else None

    def remember(self, url: str, source_id: str, **fields: Any) -> None:
        """Upsert what is known about `url` (only the given fields change)."""
        allowed = {"doc_id", "last_fetched", "etag", "last_modified", "body_hash", "content_hash", "lastmod"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown URL fields {sorted(unknown)}")
        self.db.execute(
            "INSERT INTO urls (url, source_id, first_seen) VALUES (?, ?, ?) ON CONFLICT(url) DO NOTHING",
            (url, source_id, now_iso()),
        )
        if fields:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            self.db.execute(f"UPDATE urls SET {assignments} WHERE url = ?", (*fields.values(), url))
