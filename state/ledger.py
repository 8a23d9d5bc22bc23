"""The crawl ledger: one SQLite file in the data directory (``crawl.sqlite3``) recording runs, the
outcome of every URL each run touched, what is known about every URL ever fetched (validators,
hashes), and the robots.txt files of the sites crawled.

It is what makes a run report add up, and what makes re-crawls incremental. Storage goes through
state/database.py (tables in state/tables.py), in SQL that PostgreSQL runs as well.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, TextClause, TextualSelect, inspect, text

from state import tables
from state.database import Database, Migrations, query, run

OUTCOMES = ("indexed", "unchanged", "skipped", "failed", "followed")


def _key_outcomes_by_source_and_add_pid(connection: Connection) -> None:
    """Version 1: outcomes are keyed by (run, source, URL), so a URL two sources list keeps each
    one's outcome; runs record the pid of the process running them.

    A new database gets every table here. A file written by version 0 keyed outcomes by (run,
    URL): the table is rebuilt (every old row fits the new key, which is unique on more columns;
    SQLite cannot change a primary key in place, hence copy and swap, its index with it)."""
    inspector = inspect(connection)
    if (
        inspector.has_table("outcomes")
        and "source_id" not in inspector.get_pk_constraint("outcomes")["constrained_columns"]
    ):
        columns = ", ".join(column.name for column in tables.OUTCOMES.columns)
        connection.execute(text("ALTER TABLE outcomes RENAME TO outcomes_by_url"))
        connection.execute(text("DROP INDEX IF EXISTS outcomes_source"))
        tables.OUTCOMES.create(connection)
        connection.execute(text(f"INSERT INTO outcomes ({columns}) SELECT {columns} FROM outcomes_by_url"))
        connection.execute(text("DROP TABLE outcomes_by_url"))
    if inspector.has_table("runs") and "pid" not in {column["name"] for column in inspector.get_columns("runs")}:
        connection.execute(text("ALTER TABLE runs ADD COLUMN pid INTEGER"))
    tables.METADATA.create_all(
        connection, [tables.RUNS, tables.OUTCOMES, tables.CLAIMS, tables.RUN_STATS, tables.URLS], checkfirst=True
    )


def _add_robots_cache(connection: Connection) -> None:
    """Version 2: robots.txt bodies kept between runs (the middleware created the table itself before)."""
    tables.ROBOTS_CACHE.create(connection, checkfirst=True)


#: the ledger's schema history; files older than schema_versions kept theirs in PRAGMA user_version
MIGRATIONS = Migrations("ledger", [_key_outcomes_by_source_and_add_pid, _add_robots_cache], user_version=True)
SCHEMA_VERSION = MIGRATIONS.version


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs. A zombie (dead, not yet reaped by its parent) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: the signal said it exists
    return state not in ("Z", "X")


def requested_url(request: Any) -> str:
    """The URL a source asked for, before redirects: outcomes and URL records are keyed by it."""
    url: str = request.meta.get("redirect_urls", [request.url])[0]
    return url


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


_NEW_OR_CHANGED = "run_id = :run_id AND outcome = 'indexed' AND change IN ('new', 'changed')"

# Statements are built once: SQLAlchemy then reuses their compiled form. Portable SQL only
# (named parameters, INSERT ... ON CONFLICT), so the same statements run on PostgreSQL. The
# per-URL ones (record, claim, url, remember: several per document crawled) go through
# state.database.run, the others through SQLAlchemy's execution.
_START_RUN = text(
    "INSERT INTO runs (id, watchlist, sources, started, pid) VALUES (:id, :watchlist, :sources, :started, :pid) "
    "ON CONFLICT (id) DO NOTHING"
)
_RUNNING = query("SELECT id, pid FROM runs WHERE status = 'running' AND pid IS NOT NULL", "id", "pid")
_FINISH_RUN = text("UPDATE runs SET finished = :finished, status = :status WHERE id = :id")
_RUN = query(
    "SELECT watchlist, sources, started, finished, status FROM runs WHERE id = :id",
    *("watchlist", "sources", "started", "finished", "status"),
)
_OUTCOME_COUNTS = query(
    "SELECT source_id, outcome, reason, fetched, change, COUNT(*) AS count FROM outcomes WHERE run_id = :run_id "
    "GROUP BY source_id, outcome, reason, fetched, change",
    *("source_id", "outcome", "reason", "fetched", "change", "count"),
)
_CPU_STATS = query(
    "SELECT name, value FROM run_stats WHERE run_id = :run_id AND name LIKE 'osint/cpu/%' ORDER BY name",
    *("name", "value"),
)
_ADD_STAT = text(
    "INSERT INTO run_stats (run_id, name, value) VALUES (:run_id, :name, :value) "
    "ON CONFLICT (run_id, name) DO UPDATE SET value = run_stats.value + excluded.value"
)
_CHANGED_URLS = query(f"SELECT url, change FROM outcomes WHERE {_NEW_OR_CHANGED} ORDER BY url", "url", "change")
_CHANGED_DOC_IDS = query(
    f"SELECT doc_id FROM outcomes WHERE {_NEW_OR_CHANGED} AND doc_id IS NOT NULL ORDER BY url", "doc_id"
)
_RUN_OF_PROCESS = query(
    "SELECT id FROM runs WHERE pid = :pid AND started >= :since ORDER BY started DESC, id DESC LIMIT 1", "id"
)
_LATEST_OUTCOMES = query(
    "SELECT url, source_id, outcome, reason FROM outcomes WHERE run_id = :run_id "
    "ORDER BY at DESC, url DESC, source_id DESC LIMIT :limit",
    *("url", "source_id", "outcome", "reason"),
)
_ENDED_RUNS = query("SELECT id FROM runs WHERE status != 'running' AND started >= :since ORDER BY started, id", "id")
_LATEST_RUNS = query("SELECT id FROM runs ORDER BY started DESC, id DESC LIMIT :limit OFFSET :offset", "id")
_RECORD = text(
    "INSERT INTO outcomes (run_id, url, source_id, outcome, reason, detail, doc_id, fetched, change, at) "
    "VALUES (:run_id, :url, :source_id, :outcome, :reason, :detail, :doc_id, :fetched, :change, :at) "
    "ON CONFLICT (run_id, source_id, url) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, "
    "detail = excluded.detail, doc_id = excluded.doc_id, fetched = excluded.fetched, change = excluded.change, "
    "at = excluded.at"
)
_CLAIM = text(
    "INSERT INTO claims (run_id, url, source_id) VALUES (:run_id, :url, :source_id) "
    "ON CONFLICT (run_id, url) DO NOTHING"
)
_CLAIMANT = query("SELECT source_id FROM claims WHERE run_id = :run_id AND url = :url", "source_id")
_SOURCES_WITH_OUTCOMES = query("SELECT DISTINCT source_id FROM outcomes WHERE run_id = :run_id", "source_id")
_OUTCOME_FIELDS = ("url", "source_id", "outcome", "reason", "detail", "doc_id", "fetched", "change")
#: the filters Ledger.outcomes takes (a keyword each), as SQL conditions on its parameter of the same name
_OUTCOME_FILTERS = {
    "source": "source_id = :source",
    "outcome": "outcome = :outcome",
    "reason": "reason = :reason",
    "change": "change = :change",
}
_REASON_COUNTS = query(
    "SELECT source_id, outcome, reason, COUNT(*) AS count FROM outcomes WHERE run_id = :run_id AND reason != '' "
    "GROUP BY source_id, outcome, reason ORDER BY source_id, outcome, reason",
    *("source_id", "outcome", "reason", "count"),
)
_URL_FIELDS = ("doc_id", "last_fetched", "etag", "last_modified", "body_hash", "content_hash", "lastmod")
_URL = query(
    f"SELECT url, source_id, {', '.join(_URL_FIELDS)} FROM urls WHERE url = :url", "url", "source_id", *_URL_FIELDS
)
_SOURCE_HISTORY = query(
    "SELECT r.id, r.started, o.outcome, o.reason, COUNT(*) AS count FROM runs r JOIN outcomes o ON o.run_id = r.id "
    "WHERE r.watchlist = :watchlist AND o.source_id = :source_id AND r.id IN ("
    "SELECT r2.id FROM runs r2 JOIN outcomes o2 ON o2.run_id = r2.id "
    "WHERE r2.watchlist = :watchlist AND o2.source_id = :source_id "
    "GROUP BY r2.id, r2.started ORDER BY r2.started DESC, r2.id DESC LIMIT :window) "
    "GROUP BY r.id, r.started, o.outcome, o.reason ORDER BY r.started DESC, r.id DESC",
    *("id", "started", "outcome", "reason", "count"),
)
_CACHED_ROBOTS = query("SELECT body, fetched FROM robots_cache WHERE origin = :origin", "body", "fetched")
_REMEMBER_ROBOTS = text(
    "INSERT INTO robots_cache (origin, body, fetched) VALUES (:origin, :body, :fetched) "
    "ON CONFLICT (origin) DO UPDATE SET body = excluded.body, fetched = excluded.fetched"
)


def _outcomes_where(filters: tuple[str, ...]) -> str:
    return " AND ".join(["run_id = :run_id", *(_OUTCOME_FILTERS[name] for name in filters)])


@functools.cache  # one statement per combination of filters, built once for the process
def _outcomes_statement(filters: tuple[str, ...], paged: bool) -> TextualSelect:
    """The outcomes of a run that match `filters` (names of _OUTCOME_FILTERS), in the order they
    were recorded; `paged`: a page of them (:limit, :offset)."""
    page = " LIMIT :limit OFFSET :offset" if paged else ""
    return query(
        f"SELECT {', '.join(_OUTCOME_FIELDS)} FROM outcomes WHERE {_outcomes_where(filters)} "
        f"ORDER BY at, url, source_id{page}",
        *_OUTCOME_FIELDS,
    )


@functools.cache
def _outcome_count_statement(filters: tuple[str, ...]) -> TextualSelect:
    return query(f"SELECT COUNT(*) AS count FROM outcomes WHERE {_outcomes_where(filters)}", "count")


@functools.cache  # one statement per set of fields for the process: `run` compiles each once
def _remember_statement(fields: tuple[str, ...]) -> TextClause:
    """Upsert of a URL record changing only `fields` (the row is created with them if new)."""
    if not fields:
        return text(
            "INSERT INTO urls (url, source_id, first_seen) VALUES (:url, :source_id, :first_seen) "
            "ON CONFLICT (url) DO NOTHING"
        )
    names = ", ".join(fields)
    values = ", ".join(f":{name}" for name in fields)
    updates = ", ".join(f"{name} = excluded.{name}" for name in fields)
    return text(
        f"INSERT INTO urls (url, source_id, first_seen, {names}) VALUES (:url, :source_id, :first_seen, {values}) "
        f"ON CONFLICT (url) DO UPDATE SET {updates}"
    )


class Ledger:
    """The crawl ledger of one data directory (`database`: a path, or a database URL).

    Every method is one transaction of its own; several crawl processes share the file (SQLite
    serialises their writes, each waiting up to 30 s for another's)."""

    def __init__(self, database: Path | str):
        # WAL: durable at checkpoints
        self.database = Database(database, synchronous="NORMAL", migrations=MIGRATIONS)

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> Ledger:
        return cls(Path(data_dir) / "crawl.sqlite3")

    def close(self) -> None:
        self.database.close()

    # runs -----------------------------------------------------------------
    def start_run(self, watchlist: str, sources: list[str], run_id: str | None = None) -> str:
        run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
        with self.database.write() as connection:
            connection.execute(
                _START_RUN,
                {
                    "id": run_id,
                    "watchlist": watchlist,
                    "sources": json.dumps(sources),
                    "started": now_iso(),
                    "pid": os.getpid(),
                },
            )
        return run_id

    def close_abandoned_runs(self) -> list[str]:
        """Runs still 'running' whose process is gone (SIGKILL, power loss) end as 'killed', so their
        reports add up and what they indexed counts for alerts. Their unfinished work is simply
        redone by the next run: the URL records only hold what was completed."""
        with self.database.read() as connection:
            running = connection.execute(_RUNNING).all()
        closed = []
        for run_id, pid in running:
            if pid != os.getpid() and not process_alive(pid):
                self.finish_run(run_id, status="killed")
                closed.append(run_id)
        return closed

    def finish_run(self, run_id: str, status: str = "finished") -> RunReport:
        with self.database.write() as connection:
            connection.execute(_FINISH_RUN, {"finished": now_iso(), "status": status, "id": run_id})
        return self.report(run_id)

    def report(self, run_id: str) -> RunReport:
        with self.database.read() as connection:  # one snapshot: the counts add up
            row = connection.execute(_RUN, {"id": run_id}).first()
            if row is None:
                raise KeyError(f"no run {run_id!r}")
            counts = connection.execute(_OUTCOME_COUNTS, {"run_id": run_id}).all()
            cpu = connection.execute(_CPU_STATS, {"run_id": run_id}).all()
        watchlist, sources, started, finished, status = row
        report = RunReport(
            run_id=run_id,
            watchlist=watchlist,
            sources=json.loads(sources),
            started=started,
            finished=finished,
            status=status,
        )
        if finished:
            report.duration_seconds = round(
                (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds(), 1
            )
        reasons: Counter[str] = Counter()
        for source_id, outcome, reason, fetched, change, count in counts:
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
        report.cpu_seconds = {name.removeprefix("osint/cpu/"): round(value, 3) for name, value in cpu}
        return report

    def add_stats(self, run_id: str, stats: dict[str, Any]) -> None:
        """Add a crawler's numeric stats to the run's (several crawlers, one per source, share a run)."""
        rows = [
            {"run_id": run_id, "name": name, "value": float(value)}
            for name, value in stats.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        ]
        if rows:
            with self.database.write() as connection:
                connection.execute(_ADD_STAT, rows)

    def changed_documents(self, run_id: str) -> dict[str, list[str]]:
        """URLs of the documents a run indexed for the first time ("new") or again with new text ("changed")."""
        found: dict[str, list[str]] = {"new": [], "changed": []}
        with self.database.read() as connection:
            for url, change in connection.execute(_CHANGED_URLS, {"run_id": run_id}):
                found[change].append(url)
        return found

    def changed_doc_ids(self, run_id: str) -> list[str]:
        """Index ids of the documents changed_documents() lists."""
        with self.database.read() as connection:
            return list(connection.execute(_CHANGED_DOC_IDS, {"run_id": run_id}).scalars())

    def run_of_pid(self, pid: int, since: str) -> str | None:
        """The latest run process `pid` began at `since` (an ISO time) or later, if any (pids are
        reused: `since` keeps an older process's runs out)."""
        with self.database.read() as connection:
            found: str | None = connection.execute(_RUN_OF_PROCESS, {"pid": pid, "since": since}).scalar()
        return found

    def ended_runs(self, since: str) -> list[str]:
        """Runs that are over (finished or killed) and started at `since` or later, oldest first."""
        with self.database.read() as connection:
            return list(connection.execute(_ENDED_RUNS, {"since": since}).scalars())

    def runs(self, limit: int = 20, offset: int = 0) -> list[RunReport]:
        """The latest runs, newest first, skipping the `offset` newest (a page of the history)."""
        with self.database.read() as connection:
            ids = list(connection.execute(_LATEST_RUNS, {"limit": limit, "offset": offset}).scalars())
        return [self.report(run_id) for run_id in ids]

    def source_history(self, watchlist: str, source_id: str, window: int = 10) -> list[tuple[str, str, str, str, int]]:
        """(run id, started, outcome, reason, count) of `source_id`'s outcomes in its last `window`
        runs of `watchlist` that touched it, newest run first (scheduling/health.py)."""
        params = {"watchlist": watchlist, "source_id": source_id, "window": window}
        with self.database.read() as connection:
            return [(row[0], row[1], row[2], row[3], row[4]) for row in connection.execute(_SOURCE_HISTORY, params)]

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
        with self.database.write() as connection:
            run(
                connection,
                _RECORD,
                {
                    "run_id": run_id,
                    "url": url,
                    "source_id": source_id,
                    "outcome": outcome,
                    "reason": reason,
                    "detail": detail[:500],
                    "doc_id": doc_id,
                    "fetched": int(fetched),
                    "change": change,
                    "at": now_iso(),
                },
            )

    def claim(self, run_id: str, page: str, source_id: str) -> str:
        """The source that fetches `page` in this run: the first to claim it. A page listed by
        several sources (a feed and a sitemap of one site) is fetched once per run."""
        params = {"run_id": run_id, "url": page, "source_id": source_id}
        with self.database.write() as connection:
            if run(connection, _CLAIM, params).rowcount == 1:
                return source_id
            row = run(connection, _CLAIMANT, params).fetchone()
            assert row is not None  # the claim that won: it exists
            return str(row[0])

    def latest_outcomes(self, run_id: str, limit: int) -> list[tuple[str, str, str, str]]:
        """(url, source_id, outcome, reason) of the run's last `limit` outcomes, the latest first."""
        with self.database.read() as connection:
            rows = connection.execute(_LATEST_OUTCOMES, {"run_id": run_id, "limit": limit}).all()
        return [(url, source_id, outcome, reason or "") for url, source_id, outcome, reason in rows]

    def sources_with_outcomes(self, run_id: str) -> set[str]:
        with self.database.read() as connection:
            return set(connection.execute(_SOURCES_WITH_OUTCOMES, {"run_id": run_id}).scalars())

    def outcomes(
        self,
        run_id: str,
        source: str | None = None,
        outcome: str | None = None,
        reason: str | None = None,
        change: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[dict[str, Any]]:
        """The outcomes of run `run_id` in the order they were recorded, those of one `source`,
        `outcome`, `reason` and `change` when given ("" for a reason or change: none); with `limit`,
        at most that many after skipping the first `offset` (a page of them, filtered in SQL)."""
        if offset and limit is None:
            raise ValueError("an offset needs a limit")
        filters = {"source": source, "outcome": outcome, "reason": reason, "change": change}
        chosen = {name: value for name, value in filters.items() if value is not None}
        statement = _outcomes_statement(tuple(chosen), limit is not None)
        with self.database.read() as connection:
            params = {"run_id": run_id, **chosen, "limit": limit, "offset": offset}
            rows = connection.execute(statement, params).mappings().all()
        for row in rows:
            yield dict(row)

    def count_outcomes(
        self,
        run_id: str,
        source: str | None = None,
        outcome: str | None = None,
        reason: str | None = None,
        change: str | None = None,
    ) -> int:
        """How many outcomes `outcomes()` lists with the same filters, without a limit."""
        filters = {"source": source, "outcome": outcome, "reason": reason, "change": change}
        chosen = {name: value for name, value in filters.items() if value is not None}
        with self.database.read() as connection:
            count = connection.execute(_outcome_count_statement(tuple(chosen)), {"run_id": run_id, **chosen}).scalar()
        return int(count or 0)

    def reason_counts(self, run_id: str) -> list[tuple[str, str, str, int]]:
        """(source, outcome, reason, count) of every outcome of run `run_id` that gave a reason: the
        per-source split of RunReport.reasons_by_outcome."""
        with self.database.read() as connection:
            rows = connection.execute(_REASON_COUNTS, {"run_id": run_id}).all()
        return [(source, outcome, reason, int(count)) for source, outcome, reason, count in rows]

    # what we know about URLs --------------------------------------------------
    def url(self, url: str) -> UrlRecord | None:
        with self.database.read() as connection:
            row = run(connection, _URL, {"url": url}).fetchone()
        return UrlRecord(*row) if row else None

    def remember(self, url: str, source_id: str, **fields: Any) -> None:
        """Upsert what is known about `url` (only the given fields change)."""
        unknown = set(fields) - set(_URL_FIELDS)
        if unknown:
            raise ValueError(f"unknown URL fields {sorted(unknown)}")
        names = tuple(fields)
        with self.database.write() as connection:
            run(
                connection,
                _remember_statement(names),
                {"url": url, "source_id": source_id, "first_seen": now_iso(), **fields},
            )

    # robots.txt ---------------------------------------------------------------
    def cached_robots(self, origin: str, max_age: timedelta) -> bytes | None:
        """The robots.txt body of `origin` (scheme://netloc) remembered less than `max_age` ago."""
        with self.database.read() as connection:
            row = connection.execute(_CACHED_ROBOTS, {"origin": origin}).first()
        if row is None or datetime.fromisoformat(row[1]) + max_age <= datetime.now(UTC):
            return None
        body: bytes = row[0]
        return body

    def remember_robots(self, origin: str, body: bytes) -> None:
        with self.database.write() as connection:
            connection.execute(_REMEMBER_ROBOTS, {"origin": origin, "body": body, "fetched": now_iso()})
