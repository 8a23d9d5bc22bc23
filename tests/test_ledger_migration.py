"""Outcomes are kept per (run, source, URL), and a ledger file written before that is migrated in
place when it is opened: its runs and reports stay as they were."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect

from state.ledger import MIGRATIONS, SCHEMA_VERSION, Ledger
from state.scheduler import SchedulerState

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
    assert ledger.database.version(MIGRATIONS) == SCHEMA_VERSION
    with ledger.database.read() as connection:
        inspector = inspect(connection)
        assert inspector.get_pk_constraint("outcomes")["constrained_columns"] == ["run_id", "source_id", "url"]
        assert [index["name"] for index in inspector.get_indexes("outcomes")] == ["outcomes_source"]  # index kept
        assert "robots_cache" in inspector.get_table_names()  # and the later versions applied
    legacy = sqlite3.connect(path)  # software older than schema_versions reads the version here
    assert legacy.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    legacy.close()

    # the migrated table takes a second source's outcome for a URL beside the first
    ledger.record("old-run", "https://e.org/1", "site", "skipped", "claimed_by_another_source")
    assert ledger.report("old-run").urls == 4
    ledger.close()

    reopened = Ledger(path)  # opening again migrates nothing and loses nothing
    assert reopened.report("old-run").urls == 4
    reopened.close()


#: a ledger file as the release before the storage helper left it: version 1 in PRAGMA user_version,
#: the robots.txt cache and the scheduler's table created by their own components
VERSION_1_FILE = """
CREATE TABLE outcomes (
    run_id TEXT NOT NULL, url TEXT NOT NULL, source_id TEXT NOT NULL, outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', doc_id TEXT,
    fetched INTEGER NOT NULL DEFAULT 0, change TEXT NOT NULL DEFAULT '', at TEXT NOT NULL,
    PRIMARY KEY (run_id, source_id, url)
);
CREATE INDEX outcomes_source ON outcomes (source_id, at);
CREATE TABLE runs (
    id TEXT PRIMARY KEY, watchlist TEXT NOT NULL, sources TEXT NOT NULL,
    started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL DEFAULT 'running', pid INTEGER
);
CREATE TABLE claims (run_id TEXT NOT NULL, url TEXT NOT NULL, source_id TEXT NOT NULL, PRIMARY KEY (run_id, url));
CREATE TABLE run_stats (run_id TEXT NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (run_id, name));
CREATE TABLE urls (
    url TEXT PRIMARY KEY, source_id TEXT NOT NULL, doc_id TEXT, first_seen TEXT NOT NULL,
    last_fetched TEXT, etag TEXT, last_modified TEXT, body_hash TEXT, content_hash TEXT, lastmod TEXT
);
CREATE TABLE robots_cache (origin TEXT PRIMARY KEY, body BLOB NOT NULL, fetched TEXT NOT NULL);
CREATE TABLE source_schedule (
    watchlist TEXT NOT NULL, source_id TEXT NOT NULL, schedule TEXT NOT NULL DEFAULT '',
    next_run TEXT, last_started TEXT, last_finished TEXT, last_status TEXT NOT NULL DEFAULT '',
    last_run_id TEXT, PRIMARY KEY (watchlist, source_id)
);
INSERT INTO runs VALUES ('v1-run', 'wl', '["feed"]', '2026-02-01T10:00:00+00:00', '2026-02-01T10:01:00+00:00', 'finished', 4242);
INSERT INTO outcomes VALUES ('v1-run', 'https://e.org/1', 'feed', 'indexed', '', '', 'doc1', 1, 'new', '2026-02-01T10:00:02+00:00');
INSERT INTO run_stats VALUES ('v1-run', 'osint/cpu/content', 1.5);
INSERT INTO urls VALUES ('https://e.org/1', 'feed', 'doc1', '2026-02-01', '2026-02-01', '"v1"', NULL, 'h1', 'c1', NULL);
INSERT INTO source_schedule VALUES ('wl', 'feed', '@hourly', '2026-02-01T11:00:00+00:00', '2026-02-01T10:00:00+00:00',
                                    '2026-02-01T10:01:00+00:00', 'finished', 'v1-run');
PRAGMA user_version = 1;
"""


def test_a_version_1_ledger_opens_with_its_runs_urls_robots_and_schedule(tmp_path: Path):
    path = tmp_path / "crawl.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(VERSION_1_FILE)
    old.execute(
        "INSERT INTO robots_cache VALUES (?, ?, ?)",
        ("https://e.org", b"User-agent: *\nDisallow: /x/\n", datetime.now(UTC).isoformat(timespec="seconds")),
    )
    old.commit()
    old.close()

    ledger = Ledger(path)
    report = ledger.report("v1-run")
    assert (report.urls, report.indexed, report.new_documents, report.cpu_seconds) == (1, 1, 1, {"content": 1.5})
    record = ledger.url("https://e.org/1")
    assert record is not None and (record.etag, record.content_hash) == ('"v1"', "c1")
    assert ledger.cached_robots("https://e.org", timedelta(days=1)) == b"User-agent: *\nDisallow: /x/\n"
    assert ledger.database.version(MIGRATIONS) == SCHEMA_VERSION
    ledger.close()

    state = SchedulerState(tmp_path)
    schedule = state.get("wl", "feed")
    assert schedule is not None and (schedule.last_status, schedule.last_run_id) == ("finished", "v1-run")
    assert state.run_status("v1-run") == "finished"
    state.close()
