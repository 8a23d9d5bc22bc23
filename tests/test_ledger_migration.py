"""Outcomes are kept per (run, source, URL), and a ledger file written before that is migrated in
place when it is opened: its runs and reports stay as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from state.ledger import SCHEMA_VERSION, Ledger

#: the outcomes table as version 0 of the ledger created it (keyed by run and URL only)
VERSION_0_OUTCOMES = """
CREATE TABLE outcomes (
    run_id TEXT NOT NULL, url TEXT NOT NULL, source_id TEXT NOT NULL, outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', doc_id TEXT,
    fetched INTEGER NOT NULL DEFAULT 0, change TEXT NOT NULL DEFAULT '', at TEXT NOT NULL,
    PRIMARY KEY (run_id, url)
);
CREATE INDEX outcomes_source ON outcomes (source_id, at);
CREATE TABLE runs (
    id TEXT PRIMARY KEY, watchlist TEXT NOT NULL, sources TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL DEFAULT 'running'
);
INSERT INTO runs VALUES ('old-run', 'wl', '["feed", "site"]', '2026-01-05T10:00:00+00:00', '2026-01-05T10:01:00+00:00', 'finished');
INSERT INTO outcomes VALUES ('old-run', 'https://e.org/feed', 'feed', 'followed', '', '', NULL, 1, '', '2026-01-05T10:00:01+00:00');
INSERT INTO outcomes VALUES ('old-run', 'https://e.org/1', 'feed', 'indexed', '', '', 'doc1', 1, 'new', '2026-01-05T10:00:02+00:00');
INSERT INTO outcomes VALUES ('old-run', 'https://e.org/2', 'site', 'failed', 'http_404', 'gone', NULL, 1, '', '2026-01-05T10:00:03+00:00');
"""


def test_a_url_keeps_one_outcome_for_each_source_that_touched_it(tmp_path: Path):
    ledger = Ledger(tmp_path / "crawl.sqlite3")
    run = ledger.start_run("wl", ["pages", "statements"])
    ledger.record(run, "https://e.org/p", "pages", "skipped", "private_address", fetched=True)
    ledger.record(
        run, "https://e.org/p", "statements", "skipped", "claimed_by_another_source", "fetched by source 'pages'"
    )
    ledger.record(
        run, "https://e.org/p", "statements", "skipped", "claimed_by_another_source", "fetched by source 'pages'"
    )
    report = ledger.finish_run(run)
    outcomes = {(row["source_id"], row["url"]): row["reason"] for row in ledger.outcomes(run)}
    assert outcomes == {
        ("pages", "https://e.org/p"): "private_address",
        ("statements", "https://e.org/p"): "claimed_by_another_source",
    }
    assert (report.urls, report.skipped, report.fetched) == (2, 2, 1)
    assert report.reasons == {"private_address": 1, "claimed_by_another_source": 1}


def test_a_version_0_ledger_is_migrated_in_place_and_keeps_its_reports(tmp_path: Path):
    path = tmp_path / "crawl.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(VERSION_0_OUTCOMES)
    old.commit()
    old.close()

    ledger = Ledger(path)
    report = ledger.report("old-run")
    assert (report.urls, report.followed, report.indexed, report.failed, report.new_documents) == (3, 1, 1, 1, 1)
    assert report.by_source["site"]["failed"] == 1
    assert ledger.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    key = [row[1] for row in sorted(ledger.db.execute("PRAGMA table_info(outcomes)"), key=lambda row: row[5]) if row[5]]
    assert key == ["run_id", "source_id", "url"]
    assert ledger.db.execute("SELECT name FROM sqlite_master WHERE name = 'outcomes_source'").fetchone()  # index kept

    # the migrated table takes a second source's outcome for a URL beside the first
    ledger.record("old-run", "https://e.org/1", "site", "skipped", "claimed_by_another_source")
    assert ledger.report("old-run").urls == 4
    ledger.close()

    reopened = Ledger(path)  # opening again migrates nothing and loses nothing
    assert reopened.report("old-run").urls == 4
    reopened.close()
