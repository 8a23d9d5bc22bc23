from __future__ import annotations

from state.ledger import Ledger


def test_report_counts_add_up_and_group_reasons(tmp_path):
    ledger = Ledger(tmp_path / "crawl.sqlite3")
    run = ledger.start_run("wl", ["a", "b"])
    ledger.record(run, "https://e.org/feed", "a", "followed", fetched=True)
    ledger.record(run, "https://e.org/1", "a", "indexed", fetched=True, change="new")
    ledger.record(run, "https://e.org/2", "a", "indexed", fetched=True, change="changed")
    ledger.record(run, "https://e.org/3", "b", "failed", "http_404", fetched=True)
    ledger.record(run, "https://e.org/4", "b", "skipped", "robots_txt")
    ledger.record(run, "https://e.org/4", "b", "skipped", "robots_txt")  # one outcome per URL
    ledger.record(run, "https://e.org/5", "b", "unchanged", "not_modified_since_last_fetch")
    ledger.add_stats(run, {"osint/cpu/content": 1.5, "log_count/INFO": 3, "start_time": "x"})
    ledger.add_stats(run, {"osint/cpu/content": 0.5})
    report = ledger.finish_run(run)
    assert (
        report.urls,
        report.fetched,
        report.indexed,
        report.failed,
        report.skipped,
        report.unchanged,
        report.followed,
    ) == (6, 4, 2, 1, 1, 1, 1)
    assert report.indexed + report.unchanged + report.skipped + report.failed + report.followed == report.urls
    assert report.reasons == {"http_404": 1, "robots_txt": 1, "not_modified_since_last_fetch": 1}
    assert (report.new_documents, report.changed_documents) == (1, 1)
    assert report.by_source["b"]["failed"] == 1
    assert report.cpu_seconds == {"content": 2.0}
    assert ledger.runs()[0].run_id == run


def test_only_indexed_documents_count_as_new_or_changed(tmp_path):
    ledger = Ledger(tmp_path / "crawl.sqlite3")
    run = ledger.start_run("wl", ["a"])
    ledger.record(run, "https://e.org/1", "a", "indexed", fetched=True, change="new")
    ledger.record(run, "https://e.org/2", "a", "skipped", "empty", fetched=True, change="new")
    ledger.record(run, "https://e.org/3", "a", "unchanged", "same_text", fetched=True, change="changed")
    ledger.record(run, "https://e.org/4", "a", "failed", "extraction_error", fetched=True, change="changed")
    report = ledger.finish_run(run)
    assert (report.new_documents, report.changed_documents) == (1, 0)
    assert ledger.changed_documents(run) == {"new": ["https://e.org/1"], "changed": []}


def test_a_url_is_claimed_by_one_source_per_run(tmp_path):
    ledger = Ledger(tmp_path / "crawl.sqlite3")
    run = ledger.start_run("wl", ["feed", "sitemap"])
    assert ledger.claim(run, "https://e.org/a", "feed") == "feed"
    assert ledger.claim(run, "https://e.org/a", "feed") == "feed"  # the same source may ask again (redirect, retry)
    assert ledger.claim(run, "https://e.org/a", "sitemap") == "feed"  # the source that fetches it
    assert ledger.claim(ledger.start_run("wl", []), "https://e.org/a", "sitemap") == "sitemap"


def test_remember_upserts_only_given_fields(tmp_path):
    ledger = Ledger(tmp_path / "crawl.sqlite3")
    ledger.remember("https://e.org/a", "s", etag='"v1"', body_hash="h1")
    ledger.remember("https://e.org/a", "s", body_hash="h2")
    record = ledger.url("https://e.org/a")
    assert (record.etag, record.body_hash) == ('"v1"', "h2")
