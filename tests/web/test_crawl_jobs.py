""" "Crawl now" from the workbench: a real `osint crawl` child of a loopback site, started the way the
scheduler starts one, followed from the crawl ledger while it runs, one at a time per source."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.web.crawl_jobs import KEEP_JOBS, RECORD, CrawlBusy, CrawlJobs, CrawlProgress, record_name
from crawlers.verdict import verdict_of
from state.ledger import Ledger, RunReport, process_alive
from state.scheduler import SourceLock
from tests.crawl.helpers import write_watchlist
from tests.web.crawl_helpers import CRAWL_DEADLINE, HeldSite, crawl_environment, held_site, until
from watchlists.model import WatchlistError, load_watchlist


@pytest.fixture
def site() -> Iterator[HeldSite]:
    with held_site() as found:
        yield found


@pytest.fixture
def jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CrawlJobs]:
    data_dir = tmp_path / "data"
    crawl_environment(monkeypatch, data_dir)
    ledger = Ledger.in_data_dir(data_dir)
    yield CrawlJobs(ledger, data_dir)
    ledger.close()


def _watchlist(tmp_path: Path, site: HeldSite) -> Path:
    return write_watchlist(
        tmp_path / "harbour.yaml",
        [
            {"id": "pages", "kind": "page", "urls": [site.url("/fast.html"), site.url("/slow.html")]},
            {"id": "notices", "kind": "page", "urls": [site.url("/quick.html")]},
        ],
        name="harbour",
    )


def _finished(jobs: CrawlJobs, job_id: str) -> CrawlProgress:
    until(lambda: not jobs.progress(job_id).running, CRAWL_DEADLINE, "the crawl ended")
    return jobs.progress(job_id)


def test_a_crawl_is_followed_from_its_first_urls_to_its_report(jobs: CrawlJobs, site: HeldSite, tmp_path: Path):
    watchlist = _watchlist(tmp_path, site)
    started = jobs.start(watchlist, ["pages"])
    assert (started.watchlist, started.file, started.sources, started.busy) == (
        "harbour",
        "harbour.yaml",
        ["pages"],
        {},
    )

    assert site.asked.wait(CRAWL_DEADLINE), "the crawl never asked for /slow.html"
    until(lambda: jobs.progress(started.job_id).urls_done >= 1, CRAWL_DEADLINE, "the first URL was recorded")
    running = jobs.progress(started.job_id)
    assert running.running and running.run_id and running.report is None
    assert running.outcomes["indexed"] == 1 and [row.url for row in running.recent] == [site.url("/fast.html")]

    # one crawl at a time per source: here, and from another worker process of the server
    with pytest.raises(CrawlBusy, match="pages: a crawl started from the workbench"):
        jobs.start(watchlist, ["pages"])
    other_worker = CrawlJobs(jobs.ledger, jobs.data_dir)
    assert other_worker.progress(started.job_id).running
    assert set(other_worker.busy_sources(load_watchlist(watchlist))) == {"pages"}

    site.release()
    done = _finished(jobs, started.job_id)
    assert (done.exit_code, done.verdict, done.error) == (0, "ok", "")
    assert done.report is not None and done.report.run_id == running.run_id and done.report.status == "finished"
    assert (done.urls_done, done.outcomes["indexed"], done.report.indexed) == (2, 2, 2)
    assert done.report.by_source["pages"]["indexed"] == 2
    # another worker sees the same ending, from the job's record and the ledger
    seen = CrawlJobs(jobs.ledger, jobs.data_dir).progress(started.job_id)
    assert (seen.running, seen.run_id, seen.exit_code, seen.verdict) == (False, done.run_id, 0, "ok")
    assert jobs.busy_sources(load_watchlist(watchlist)) == {}
    assert [job.job_id for job in jobs.jobs("harbour.yaml")] == [started.job_id]


def test_a_source_another_process_crawls_is_left_out(jobs: CrawlJobs, site: HeldSite, tmp_path: Path):
    watchlist = _watchlist(tmp_path, site)
    lock = SourceLock(jobs.data_dir, "harbour", "pages").acquire()  # e.g. the scheduler's crawl
    try:
        with pytest.raises(CrawlBusy, match="pages: being crawled by another process"):
            jobs.start(watchlist, ["pages"])
        whole = jobs.start(watchlist)  # the whole watchlist: what is free is crawled
    finally:
        lock.release()
    assert whole.sources == ["notices"] and set(whole.busy) == {"pages"}
    done = _finished(jobs, whole.job_id)
    assert done.report is not None and done.report.sources == ["notices"] and done.report.indexed == 1


def test_unknown_jobs_and_sources(jobs: CrawlJobs, tmp_path: Path):
    for job_id in ("20260101000000-0123abcd", "../../etc/passwd", "x" * 300):
        with pytest.raises(KeyError):
            jobs.progress(job_id)
    watchlist = write_watchlist(tmp_path / "w.yaml", [{"id": "a", "kind": "page", "urls": ["http://127.0.0.1:9/"]}])
    with pytest.raises(KeyError, match="no source 'b'"):
        jobs.start(watchlist, ["b"])
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\nsources:\n  - id: A\n")
    with pytest.raises(WatchlistError, match=r"broken\.yaml:3"):
        jobs.start(broken)


def test_a_crawl_that_cannot_run_says_why(jobs: CrawlJobs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    watchlist = write_watchlist(tmp_path / "w.yaml", [{"id": "a", "kind": "page", "urls": ["http://127.0.0.1:9/"]}])
    monkeypatch.setenv("OSINT_INDEX_BATCH", "0")  # a setting `osint crawl` refuses: it exits 1 at once
    started = jobs.start(watchlist)
    done = _finished(jobs, started.job_id)
    assert done.exit_code not in (0, 3, 4) and done.run_id is None
    assert "OSINT_INDEX_BATCH" in done.error


def _record(jobs: CrawlJobs, age: timedelta, suffix: str, **fields: object) -> str:
    """Write down a job as a worker would have, started `age` ago; its id."""
    started = datetime.now(UTC) - age
    job_id = f"{started:%Y%m%d%H%M%S}-{suffix}"
    logs = jobs.records / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    record = {
        "job_id": job_id,
        "watchlist": "harbour",
        "file": "harbour.yaml",
        "path": "/nowhere/harbour.yaml",
        "sources": ["pages"],
        "busy": {},
        "started": started.isoformat(timespec="seconds"),
        "pid": 2**22 + 1,  # above Linux's largest pid: no such process
        "report_path": str(logs.resolve() / f"{job_id}.json"),
        "log_path": str(logs.resolve() / f"{job_id}.log"),
        "exit_code": 0,
        "run_id": None,
        **fields,
    }
    (jobs.records / record_name(job_id, "harbour.yaml")).write_text(json.dumps(record))
    for written in ("report_path", "log_path"):
        if written not in fields:
            Path(str(record[written])).write_text("what the crawl said\n")
    return job_id


def test_ended_jobs_are_pruned_when_a_job_starts(jobs: CrawlJobs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ended_long_ago = _record(jobs, timedelta(days=40), "0000000a")
    precious = tmp_path / "precious.log"
    precious.write_text("not the crawl's\n")
    misleading = _record(jobs, timedelta(days=41), "0000000b", log_path=str(precious))
    # a crawl begun long ago that still runs (its run is open in the ledger, its process alive) stays
    run_id = jobs.ledger.start_run("harbour", ["pages"])
    still_running = _record(
        jobs,
        timedelta(days=45),
        "0000000c",
        pid=os.getpid(),
        exit_code=None,
        run_id=run_id,
    )
    recent = [_record(jobs, timedelta(minutes=1, seconds=number), f"{number:08x}") for number in range(KEEP_JOBS + 5)]
    assert jobs.jobs("harbour.yaml", limit=1)[0].job_id == recent[0]

    watchlist = write_watchlist(tmp_path / "w.yaml", [{"id": "a", "kind": "page", "urls": ["http://127.0.0.1:9/"]}])
    monkeypatch.setenv("OSINT_INDEX_BATCH", "0")  # `osint crawl` refuses it: the crawl exits at once
    started = jobs.start(watchlist)

    kept = {RECORD.match(path.name)["job_id"] for path in jobs.records.glob("*.json")}  # type: ignore[index]
    assert kept == {started.job_id, still_running, *recent[: KEEP_JOBS - 1]}
    logs = {path.name for path in (jobs.records / "logs").iterdir()}
    for forgotten in (ended_long_ago, misleading, *recent[KEEP_JOBS - 1 :]):
        assert f"{forgotten}.log" not in logs and f"{forgotten}.json" not in logs
    assert f"{recent[0]}.log" in logs and f"{still_running}.log" in logs
    assert precious.read_text() == "not the crawl's\n"  # a record names files; only the job's own go
    assert jobs.progress(still_running).running
    done = _finished(jobs, started.job_id)
    assert done.exit_code not in (0, 3, 4) and "OSINT_INDEX_BATCH" in done.error


def test_a_killed_crawl_shows_as_killed_without_a_look_writing_the_ledger(
    jobs: CrawlJobs, site: HeldSite, tmp_path: Path
):
    started = jobs.start(_watchlist(tmp_path, site), ["pages"])
    until(lambda: jobs.progress(started.job_id).urls_done >= 1, CRAWL_DEADLINE, "the first URL was recorded")
    run_id = jobs.progress(started.job_id).run_id
    assert run_id is not None
    pid = json.loads((jobs.records / record_name(started.job_id, "harbour.yaml")).read_text())["pid"]
    os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would

    killed = _finished(jobs, started.job_id)
    assert killed.exit_code == -signal.SIGKILL and killed.report is not None and killed.report.status == "killed"
    assert killed.error  # the last line the crawl logged
    # the page only looked: the run is closed in the ledger by the next crawl's start, not by a look
    assert jobs.ledger.report(run_id).status == "running"
    # the exit status was written down by the worker that reaped the crawl: every worker sees it
    seen = CrawlJobs(jobs.ledger, jobs.data_dir).progress(started.job_id)
    assert (seen.running, seen.exit_code, seen.report and seen.report.status) == (False, -9, "killed")


def test_a_watchlists_jobs_are_listed_in_brief_from_their_records(jobs: CrawlJobs):
    run_id = jobs.ledger.start_run("harbour", ["pages", "notices"])
    jobs.ledger.record(run_id, "http://example.test/a", "pages", "indexed", fetched=True)
    jobs.ledger.record(run_id, "http://example.test/b", "notices", "failed", reason="http_404")
    jobs.ledger.finish_run(run_id)
    finished = _record(jobs, timedelta(minutes=3), "0000000a", run_id=run_id, sources=["pages", "notices"])
    could_not_run = _record(jobs, timedelta(minutes=2), "0000000b", exit_code=1)
    other = _record(jobs, timedelta(minutes=1), "0000000c", file="other.yaml")
    (jobs.records / record_name(other, "harbour.yaml")).rename(jobs.records / record_name(other, "other.yaml"))

    listed = jobs.jobs("harbour.yaml")
    assert [job.job_id for job in listed] == [could_not_run, finished]
    assert [(job.running, job.urls_done, job.verdict) for job in listed] == [(False, 0, None), (False, 2, "partial")]
    assert [job.job_id for job in jobs.jobs("other.yaml")] == [other]
    assert jobs.jobs("harbour.yaml", limit=1)[0].job_id == could_not_run


def test_the_verdict_alone_comes_from_the_reports_counts():
    def report(**by_source: dict[str, int]) -> RunReport:
        return RunReport(run_id="r", sources=list(by_source), by_source=by_source)

    assert verdict_of(report(a={"indexed": 1, "failed": 3}, b={"unchanged": 2})) == "ok"
    assert verdict_of(report(a={"failed": 1}, b={"followed": 1})) == "partial"
    assert verdict_of(report(a={"failed": 1}, b={"failed": 2, "skipped": 1})) == "failed"


def test_the_ledger_finds_a_processes_run_and_its_latest_outcomes(jobs: CrawlJobs):
    ledger = jobs.ledger
    before = datetime.now(UTC).isoformat(timespec="seconds")
    run_id = ledger.start_run("harbour", ["pages"])
    for number in range(4):
        ledger.record(run_id, f"http://example.test/{number}", "pages", "skipped", reason="robots_txt")
    assert ledger.run_of_pid(os.getpid(), before) == run_id
    assert ledger.run_of_pid(os.getpid(), "2999-01-01T00:00:00+00:00") is None  # begun before: another's
    assert ledger.run_of_pid(2**22 + 1, before) is None
    latest = ledger.latest_outcomes(run_id, 2)
    assert len(latest) == 2 and all(row[1:] == ("pages", "skipped", "robots_txt") for row in latest)


def test_a_zombie_process_is_not_alive():
    assert process_alive(os.getpid())
    child = subprocess.Popen(["true"])
    try:
        # ended but not reaped: a zombie until wait()
        until(lambda: Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z", 10, "a zombie")
        assert not process_alive(child.pid)
    finally:
        child.wait()
    assert not process_alive(child.pid)
