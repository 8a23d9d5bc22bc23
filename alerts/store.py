"""Alerts and their delivery outbox, in ``data_dir/alerts.sqlite3``.

A matching document is queued once per (alert, document, target) — the primary key makes a second
queueing a no-op — and marked delivered once its channel accepted it, so nothing is sent twice
and nothing is dropped when a channel is down (it stays pending and is retried after the next run).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from alerts.model import Alert, Target
from schema.document import utcnow

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alerts (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, targets TEXT NOT NULL, created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_runs (alert TEXT NOT NULL, run_id TEXT NOT NULL, PRIMARY KEY (alert, run_id));
CREATE TABLE IF NOT EXISTS deliveries (
    alert TEXT NOT NULL, doc_id TEXT NOT NULL, target TEXT NOT NULL, run_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
    queued TEXT NOT NULL, delivered TEXT, PRIMARY KEY (alert, doc_id, target)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (alert, target, status);
"""


class AlertExists(ValueError):
    pass


class AlertStore:
    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        path = self.data_dir / "alerts.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # alerts --------------------------------------------------------------------
    def add(self, alert: Alert) -> None:
        try:
            self.db.execute(
                "INSERT INTO alerts (name, query, targets, created) VALUES (?, ?, ?, ?)",
                (
                    alert.name,
                    alert.query,
                    json.dumps([t.model_dump() for t in alert.targets]),
                    alert.created.isoformat(),
                ),
            )
        except sqlite3.IntegrityError:
            raise AlertExists(f"an alert named {alert.name!r} exists already") from None

    def remove(self, name: str) -> bool:
        removed = self.db.execute("DELETE FROM alerts WHERE name = ?", (name,)).rowcount
        self.db.execute("DELETE FROM alert_runs WHERE alert = ?", (name,))
        self.db.execute("DELETE FROM deliveries WHERE alert = ?", (name,))
        return bool(removed)

    def get(self, name: str) -> Alert:
        row = self.db.execute("SELECT name, query, targets, created FROM alerts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise KeyError(f"no alert named {name!r} (see `osint alert list`)")
        return _alert(row)

    def all(self) -> list[Alert]:
        return [
            _alert(row) for row in self.db.execute("SELECT name, query, targets, created FROM alerts ORDER BY name")
        ]

    # runs already looked at ----------------------------------------------------------
    def processed_runs(self, alert: str) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT run_id FROM alert_runs WHERE alert = ?", (alert,))}

    def queue(self, alert: str, matches: dict[str, str], targets: list[Target], run_ids: list[str]) -> int:
        """Queue documents (doc_id -> run_id) for every target and mark the runs looked at, atomically."""
        now = utcnow().isoformat()
        queued = 0
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for doc_id, run_id in matches.items():
                for target in targets:
                    queued += self.db.execute(
                        "INSERT INTO deliveries (alert, doc_id, target, run_id, queued) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT DO NOTHING",
                        (alert, doc_id, str(target), run_id, now),
                    ).rowcount
            self.db.executemany(
                "INSERT OR IGNORE INTO alert_runs (alert, run_id) VALUES (?, ?)",
                [(alert, run_id) for run_id in run_ids],
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return queued

    # the outbox ------------------------------------------------------------------------
    def pending(self, alert: str, target: Target) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                "SELECT doc_id FROM deliveries WHERE alert = ? AND target = ? AND status = 'pending' ORDER BY queued, doc_id",
                (alert, str(target)),
            )
        ]

    def was_queued(self, alert: str, doc_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start : start + 500]
            found |= {
                row[0]
                for row in self.db.execute(
                    f"SELECT doc_id FROM deliveries WHERE alert = ? AND doc_id IN ({', '.join('?' * len(chunk))})",
                    (alert, *chunk),
                )
            }
        return found

    def mark_delivered(self, alert: str, target: Target, doc_ids: list[str]) -> None:
        now = utcnow().isoformat()
        self.db.executemany(
            "UPDATE deliveries SET status = 'delivered', delivered = ?, attempts = attempts + 1, last_error = '' "
            "WHERE alert = ? AND target = ? AND doc_id = ?",
            [(now, alert, str(target), doc_id) for doc_id in doc_ids],
        )

    def mark_failed(self, alert: str, target: Target, doc_ids: list[str], error: str) -> None:
        self.db.executemany(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ? WHERE alert = ? AND target = ? AND doc_id = ?",
            [(error[:500], alert, str(target), doc_id) for doc_id in doc_ids],
        )

    def summary(self, alert: str) -> dict[str, object]:
        counts = dict(
            self.db.execute(
                "SELECT status, COUNT(*) FROM deliveries WHERE alert = ? GROUP BY status", (alert,)
            ).fetchall()
        )
        last = self.db.execute("SELECT MAX(delivered) FROM deliveries WHERE alert = ?", (alert,)).fetchone()[0]
        error = self.db.execute(
            "SELECT last_error FROM deliveries WHERE alert = ? AND status = 'pending' AND last_error != '' "
            "ORDER BY queued DESC LIMIT 1",
            (alert,),
        ).fetchone()
        return {
            "delivered": counts.get("delivered", 0),
            "pending": counts.get("pending", 0),
            "last_delivered": last,
            "last_error": error[0] if error else "",
        }


def _alert(row: tuple) -> Alert:
    name, query, targets, created = row
    return Alert(
        name=name,
        query=query,
        targets=[Target(**t) for t in json.loads(targets)],
        created=datetime.fromisoformat(created),
    )
