"""Alerts and their delivery outbox, in ``data_dir/alerts.sqlite3``.

A matching document is queued once per (alert, document, target) — the primary key makes a second
queueing a no-op — and marked delivered once its channel accepted it, so nothing is sent twice
and nothing is dropped when a channel is down (it stays pending and is retried after the next run).
Documents a backfill found (`osint alert add --backfill`) are queued with the alert itself, in the
same outbox, under the run id BACKFILL_RUN.

An arsenal alert also keeps what it knows its group was linked to (`arsenal_links`): the weapon
categories and origin countries of the index when it was created (its baseline), those it found
in other documents since, and its findings, the links a run brought first. A finding is queued
under its key ("category:MANPADS") where a search alert queues a document id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError

from alerts.arsenal_links import ArsenalLink, Facet
from alerts.model import Alert, Target
from schema.document import utcnow
from schema.relations import Relation
from state import tables
from state.database import Database, Migrations, query


def _create_tables(connection: Connection) -> None:
    tables.METADATA.create_all(connection, [tables.ALERTS, tables.ALERT_RUNS, tables.DELIVERIES], checkfirst=True)


def _add_arsenal_alerts(connection: Connection) -> None:
    """Version 2: alerts have a kind ("search" for those saved before) and the arsenal kind a
    group; arsenal alerts keep what they know in arsenal_links. A new database got the columns
    from version 1's tables (state/tables.py holds the latest shapes)."""
    columns = {column["name"] for column in inspect(connection).get_columns("alerts")}
    if "kind" not in columns:
        connection.execute(text("ALTER TABLE alerts ADD COLUMN kind TEXT NOT NULL DEFAULT 'search'"))
    if "armed_group" not in columns:
        connection.execute(text("ALTER TABLE alerts ADD COLUMN armed_group TEXT NOT NULL DEFAULT ''"))
    tables.ARSENAL_LINKS.create(connection, checkfirst=True)


#: the alert store's schema history
MIGRATIONS = Migrations("alerts", [_create_tables, _add_arsenal_alerts])

_ADD = text(
    "INSERT INTO alerts (name, query, targets, created, kind, armed_group) "
    "VALUES (:name, :query, :targets, :created, :kind, :armed_group)"
)
_REMOVE = (
    text("DELETE FROM alerts WHERE name = :name"),
    text("DELETE FROM alert_runs WHERE alert = :name"),
    text("DELETE FROM deliveries WHERE alert = :name"),
    text("DELETE FROM arsenal_links WHERE alert = :name"),
)
_ALERT_FIELDS = ("name", "query", "targets", "created", "kind", "armed_group")
_GET = query(f"SELECT {', '.join(_ALERT_FIELDS)} FROM alerts WHERE name = :name", *_ALERT_FIELDS)
_ALL = query(f"SELECT {', '.join(_ALERT_FIELDS)} FROM alerts ORDER BY name", *_ALERT_FIELDS)
_PROCESSED_RUNS = query("SELECT run_id FROM alert_runs WHERE alert = :alert", "run_id")
_QUEUE = text(
    "INSERT INTO deliveries (alert, doc_id, target, run_id, queued) VALUES (:alert, :doc_id, :target, :run_id, :queued) "
    "ON CONFLICT (alert, doc_id, target) DO NOTHING"
)
_LOOKED_AT = text(
    "INSERT INTO alert_runs (alert, run_id) VALUES (:alert, :run_id) ON CONFLICT (alert, run_id) DO NOTHING"
)
_PENDING = query(
    "SELECT doc_id FROM deliveries WHERE alert = :alert AND target = :target AND status = 'pending' "
    "ORDER BY queued, doc_id",
    "doc_id",
)
_PENDING_FIRST = query(
    "SELECT doc_id FROM deliveries WHERE alert = :alert AND target = :target AND status = 'pending' "
    "ORDER BY queued, doc_id LIMIT :limit",
    "doc_id",
)
_PENDING_COUNTS = query(
    "SELECT target, COUNT(*) AS count FROM deliveries WHERE alert = :alert AND status = 'pending' GROUP BY target",
    *("target", "count"),
)
_QUEUED = query("SELECT doc_id FROM deliveries WHERE alert = :alert AND doc_id IN :doc_ids", "doc_id").bindparams(
    bindparam("doc_ids", expanding=True)
)
_DELIVERED = text(
    "UPDATE deliveries SET status = 'delivered', delivered = :now, attempts = attempts + 1, last_error = '' "
    "WHERE alert = :alert AND target = :target AND doc_id = :doc_id"
)
_FAILED = text(
    "UPDATE deliveries SET attempts = attempts + 1, last_error = :error "
    "WHERE alert = :alert AND target = :target AND doc_id = :doc_id"
)
_STATUS_COUNTS = query(
    "SELECT status, COUNT(*) AS count FROM deliveries WHERE alert = :alert GROUP BY status", "status", "count"
)
_DELIVERY_FIELDS = ("doc_id", "target", "run_id", "status", "attempts", "last_error", "queued", "delivered")
_RECENT = query(
    f"SELECT {', '.join(_DELIVERY_FIELDS)} FROM deliveries WHERE alert = :alert "
    "ORDER BY COALESCE(delivered, queued) DESC, doc_id, target LIMIT :limit",
    *_DELIVERY_FIELDS,
)
_LAST_DELIVERED = query("SELECT MAX(delivered) AS last FROM deliveries WHERE alert = :alert", "last")
_LINK_FIELDS = ("facet", "value", "known_from", "doc_id", "dated", "page", "relation", "run_id", "found")
_KNOW = text(
    f"INSERT INTO arsenal_links (alert, {', '.join(_LINK_FIELDS)}) "
    f"VALUES (:alert, {', '.join(':' + name for name in _LINK_FIELDS)}) ON CONFLICT (alert, facet, value) DO NOTHING"
)
_KNOWN_KEYS = query("SELECT facet, value FROM arsenal_links WHERE alert = :alert", "facet", "value")
_LINKS = query(
    f"SELECT {', '.join(_LINK_FIELDS)} FROM arsenal_links WHERE alert = :alert ORDER BY facet, value", *_LINK_FIELDS
)
_LAST_ERROR = query(
    "SELECT last_error FROM deliveries WHERE alert = :alert AND status = 'pending' AND last_error != '' "
    "ORDER BY queued DESC LIMIT 1",
    "last_error",
)


#: the run id of deliveries queued by `osint alert add --backfill` (documents indexed before the alert)
BACKFILL_RUN = "backfill"


class AlertExists(ValueError):
    pass


@dataclass(frozen=True)
class KnownLink:
    """A link an arsenal alert knows of, and how it came to know it."""

    link: ArsenalLink
    known_from: str  # "baseline": in the index at creation; "index": found in another document; "run": a finding
    run_id: str  # for a finding, the run that brought it
    found: str  # when the alert learnt of it


@dataclass(frozen=True)
class Delivery:
    """One (document, target) entry of an alert's outbox."""

    doc_id: str
    target: str
    run_id: str  # the run that brought the document (BACKFILL_RUN: the alert's backfill)
    status: str  # "pending" or "delivered"
    attempts: int
    last_error: str
    queued: str
    delivered: str | None


@dataclass(frozen=True)
class OutboxSummary:
    """An alert's outbox in numbers (`osint alert list`)."""

    delivered: int  # (document, target) deliveries made
    pending: int  # (document, target) deliveries waiting
    last_delivered: str | None
    last_error: str  # the latest error of a delivery still pending ("" if none)


class AlertStore:
    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        self.database = Database(self.data_dir / "alerts.sqlite3", migrations=MIGRATIONS)

    def close(self) -> None:
        self.database.close()

    # alerts --------------------------------------------------------------------
    def add(self, alert: Alert, backfill: Sequence[str] = (), baseline: Sequence[ArsenalLink] = ()) -> int:
        """Save `alert`; with `backfill` (ids of documents already in the index that its query
        matches), queue those for every target in the same transaction, as a run's matches are
        queued (run id BACKFILL_RUN), so the outbox sends them once and a later evaluation never
        queues them again. Returns how many (document, target) deliveries were queued. An arsenal
        alert is saved with its `baseline`, the links the index holds already (never delivered)."""
        row = {
            "name": alert.name,
            "query": alert.query,
            "targets": json.dumps([t.model_dump() for t in alert.targets]),
            "created": alert.created.isoformat(),
            "kind": alert.kind,
            "armed_group": alert.group,
        }
        now = utcnow().isoformat()
        queued = [
            {"alert": alert.name, "doc_id": doc_id, "target": str(target), "run_id": BACKFILL_RUN, "queued": now}
            for doc_id in dict.fromkeys(backfill)
            for target in alert.targets
        ]
        try:
            with self.database.write() as connection:
                connection.execute(_ADD, row)
                if queued:
                    connection.execute(_QUEUE, queued)
                if baseline:
                    connection.execute(_KNOW, [_link_row(alert.name, link, "baseline", "", now) for link in baseline])
        except IntegrityError:
            raise AlertExists(f"an alert named {alert.name!r} exists already") from None
        return len(queued)

    def remove(self, name: str) -> bool:
        with self.database.write() as connection:
            removed = [connection.execute(statement, {"name": name}).rowcount for statement in _REMOVE]
        return bool(removed[0])

    def get(self, name: str) -> Alert:
        with self.database.read() as connection:
            row = connection.execute(_GET, {"name": name}).first()
        if row is None:
            raise KeyError(f"no alert named {name!r} (see `osint alert list`)")
        return _alert(row)

    def all(self) -> list[Alert]:
        with self.database.read() as connection:
            return [_alert(row) for row in connection.execute(_ALL)]

    # runs already looked at ----------------------------------------------------------
    def processed_runs(self, alert: str) -> set[str]:
        with self.database.read() as connection:
            return set(connection.execute(_PROCESSED_RUNS, {"alert": alert}).scalars())

    def queue(self, alert: str, matches: dict[str, str], targets: list[Target], run_ids: list[str]) -> int:
        """Queue documents (doc_id -> run_id) for every target and mark the runs looked at, atomically."""
        now = utcnow().isoformat()
        queued = 0
        with self.database.write() as connection:
            for doc_id, run_id in matches.items():
                for target in targets:
                    queued += connection.execute(
                        _QUEUE,
                        {"alert": alert, "doc_id": doc_id, "target": str(target), "run_id": run_id, "queued": now},
                    ).rowcount
            if run_ids:
                connection.execute(_LOOKED_AT, [{"alert": alert, "run_id": run_id} for run_id in run_ids])
        return queued

    # what arsenal alerts know ------------------------------------------------------------
    def known_keys(self, alert: str) -> set[str]:
        """The keys ("category:MANPADS", "origin:CN") of every link `alert` knows of."""
        with self.database.read() as connection:
            return {f"{facet}:{value}" for facet, value in connection.execute(_KNOWN_KEYS, {"alert": alert})}

    def links(self, alert: str) -> list[KnownLink]:
        """Every link `alert` knows of, by facet and value."""
        with self.database.read() as connection:
            return [_known_link(row) for row in connection.execute(_LINKS, {"alert": alert})]

    def record_links(
        self,
        alert: Alert,
        findings: list[ArsenalLink],
        known: list[ArsenalLink],
        run_of: dict[str, str],
        run_ids: list[str],
    ) -> int:
        """Atomically: keep `known` (links found in documents the runs did not bring) and
        `findings` (the first links, brought by the run `run_of[doc_id]`), queue each finding for
        every target, and mark the runs looked at. A link known already (an evaluation running
        at the same time recorded it) is neither kept again nor queued. Returns the
        (finding, target) deliveries queued."""
        now = utcnow().isoformat()
        queued = 0
        with self.database.write() as connection:
            for link in known:
                connection.execute(_KNOW, _link_row(alert.name, link, "index", "", now))
            for link in findings:
                run_id = run_of.get(link.doc_id, "")
                if not connection.execute(_KNOW, _link_row(alert.name, link, "run", run_id, now)).rowcount:
                    continue
                for target in alert.targets:
                    queued += connection.execute(
                        _QUEUE,
                        {
                            "alert": alert.name,
                            "doc_id": link.key,
                            "target": str(target),
                            "run_id": run_id,
                            "queued": now,
                        },
                    ).rowcount
            if run_ids:
                connection.execute(_LOOKED_AT, [{"alert": alert.name, "run_id": run_id} for run_id in run_ids])
        return queued

    # the outbox ------------------------------------------------------------------------
    def pending(self, alert: str, target: Target, limit: int | None = None) -> list[str]:
        """Ids of the documents waiting for `target`, oldest first; with `limit`, the first that many."""
        params = {"alert": alert, "target": str(target), "limit": limit}
        with self.database.read() as connection:
            return list(connection.execute(_PENDING if limit is None else _PENDING_FIRST, params).scalars())

    def pending_counts(self, alert: str) -> dict[str, int]:
        """How many documents wait for each of `alert`'s targets (str(target) -> count; none: absent)."""
        with self.database.read() as connection:
            return {target: int(count) for target, count in connection.execute(_PENDING_COUNTS, {"alert": alert})}

    def was_queued(self, alert: str, doc_ids: list[str]) -> set[str]:
        found: set[str] = set()
        with self.database.read() as connection:
            for start in range(0, len(doc_ids), 500):
                chunk = doc_ids[start : start + 500]
                found.update(connection.execute(_QUEUED, {"alert": alert, "doc_ids": chunk}).scalars())
        return found

    def mark_delivered(self, alert: str, target: Target, doc_ids: list[str]) -> None:
        now = utcnow().isoformat()
        self._update_each(
            _DELIVERED, [{"now": now, "alert": alert, "target": str(target), "doc_id": doc_id} for doc_id in doc_ids]
        )

    def mark_failed(self, alert: str, target: Target, doc_ids: list[str], error: str) -> None:
        self._update_each(
            _FAILED,
            [{"error": error[:500], "alert": alert, "target": str(target), "doc_id": doc_id} for doc_id in doc_ids],
        )

    def _update_each(self, statement: TextClause, rows: Sequence[dict[str, str]]) -> None:
        if rows:
            with self.database.write() as connection:
                connection.execute(statement, rows)

    def recent_deliveries(self, alert: str, limit: int = 20) -> list[Delivery]:
        """`alert`'s latest outbox entries, delivered or pending, newest first."""
        with self.database.read() as connection:
            return [Delivery(*row) for row in connection.execute(_RECENT, {"alert": alert, "limit": limit})]

    def summary(self, alert: str) -> OutboxSummary:
        with self.database.read() as connection:  # one snapshot
            counts = {status: count for status, count in connection.execute(_STATUS_COUNTS, {"alert": alert})}
            last = connection.execute(_LAST_DELIVERED, {"alert": alert}).scalar()
            error = connection.execute(_LAST_ERROR, {"alert": alert}).scalar()
        return OutboxSummary(
            delivered=int(counts.get("delivered", 0)),
            pending=int(counts.get("pending", 0)),
            last_delivered=last,
            last_error=error or "",
        )


def refuse_taken_name(store: AlertStore, name: str) -> None:
    """AlertExists if an alert is named `name` already: known before the whole index is read for
    a backfill or an arsenal baseline (saving checks again, in the transaction that saves)."""
    try:
        store.get(name)
    except KeyError:
        return
    raise AlertExists(f"an alert named {name!r} exists already")


def _alert(row: Sequence[Any]) -> Alert:
    name, query, targets, created, kind, group = row
    return Alert(
        name=name,
        kind=kind,
        query=query,
        group=group,
        targets=[Target(**t) for t in json.loads(targets)],
        created=datetime.fromisoformat(created),
    )


def _link_row(alert: str, link: ArsenalLink, known_from: str, run_id: str, now: str) -> dict[str, Any]:
    return {
        "alert": alert,
        "facet": link.facet,
        "value": link.value,
        "known_from": known_from,
        "doc_id": link.doc_id,
        "dated": link.dated.isoformat(),
        "page": link.page,
        "relation": link.relation.model_dump_json(),
        "run_id": run_id,
        "found": now,
    }


def _known_link(row: Sequence[Any]) -> KnownLink:
    facet, value, known_from, doc_id, dated, page, relation, run_id, found = row
    facet_name: Facet = "category" if facet == "category" else "origin"
    link = ArsenalLink(
        facet_name, value, doc_id, datetime.fromisoformat(dated), Relation.model_validate_json(relation), page
    )
    return KnownLink(link, known_from, run_id, found)
