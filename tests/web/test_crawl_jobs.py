""" "Crawl now" from the workbench: a real `osint crawl` child of a loopback site, started the way the
scheduler starts one, followed from the crawl ledger while it runs, one at a time per source."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.site_server import SiteHandler, SiteServer
from app.web.crawl_jobs import CrawlBusy, CrawlJobs, CrawlProgress
from settings.config import load_config
from state.ledger import Ledger
from state.scheduler import SourceLock
from tests.crawl.helpers import write_watchlist
from watchlists.model import WatchlistError, load_watchlist

#: a crawl's child starts an interpreter and imports Scrapy before it fetches anything
CRAWL_DEADLINE = 120.0

ARTICLE = (
    b"<html lang='en'><head><title>Harbour inspectors log a crate of flare pistols</title></head><body>"
    b"<article><h1>Harbour inspectors log a crate of flare pistols</h1><p>Inspectors at the northern harbour "
    b"opened a crate declared as marine spare parts and found forty flare pistols packed under coils of rope. "
    b"The shipping agent told them the crate had been consolidated at a transit warehouse, and the manifest "
    b"named a buyer nobody at the harbour had heard of. The pistols were sealed and sent for marking checks, "
    b"and the agent's other crates that week are being opened one by one.</p></article></body></html>"
)


def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Wait for `condition` (a crawl in another process: only polling can tell) with a deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.1)


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's environment, which the crawl's child inherits (as the scheduler's do)."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("OSINT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("OSINT_INDEX_URL", f"sqlite:///{data_dir / 'index.sqlite3'}")
    monkeypatch.setenv("OSINT_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("OSINT_EXTRACT_WORKERS", "0")
    monkeypatch.setenv("OSINT_SPACY_MODEL", "none")
    monkeypatch.setenv("OSINT_INDEX_BATCH", "1")  # each document is indexed, and its outcome recorded, at once
    return data_dir


@pytest.fixture
def held() -> Iterator[threading.Event]:
    """Released by the test: until then /slow.html does not answer, so the crawl stays running."""
    released = threading.Event()
    yield released
    released.set()  # a failing test must not leave the crawl's request hanging


@pytest.fixture
def site(held: threading.Event) -> Iterator[tuple[SiteServer, threading.Event]]:
    asked = threading.Event()

    def slow(_: SiteHandler) -> tuple[int, dict[str, str], bytes]:
        asked.set()
        held.wait(CRAWL_DEADLINE)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE.replace(b"flare", b"signal")

    routes = {
        "/fast.html": lambda _: (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE),
        "/slow.html": slow,
        "/quick.html": lambda _: (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE.replace(b"crate", b"box")),
    }
    with SiteServer(routes=routes) as server:
        yield server, asked


@pytest.fixture
def jobs(environment: Path) -> Iterator[CrawlJobs]:
    ledger = Ledger.in_data_dir(environment)
    yield CrawlJobs(load_config(), ledger, environment)
    ledger.close()


def _watchlist(tmp_path: Path, server: SiteServer) -> Path:
    return write_watchlist(
        tmp_path / "harbour.yaml",
        [
            {"id": "pages", "kind": "page", "urls": [server.url("/fast.html"), server.url("/slow.html")]},
            {"id": "notices", "kind": "page", "urls": [server.url("/quick.html")]},
        ],
        name="harbour",
    )


def _finished(jobs: CrawlJobs, job_id: str) -> CrawlProgress:
    until(lambda: not jobs.progress(job_id).running, CRAWL_DEADLINE, "the crawl ended")
    return jobs.progress(job_id)


def test_a_crawl_is_followed_from_its_first_urls_to_its_report(
    jobs: CrawlJobs, site: tuple[SiteServer, threading.Event], held: threading.Event, tmp_path: Path
):
    server, asked = site
    watchlist = _watchlist(tmp_path, server)
    started = jobs.start(watchlist, ["pages"])
    assert (started.watchlist, started.file, started.sources, started.busy) == (
        "harbour",
        "harbour.yaml",
        ["pages"],
        {},
    )

    assert asked.wait(CRAWL_DEADLINE), "the crawl never asked for /slow.html"
    until(lambda: jobs.progress(started.job_id).urls_done >= 1, CRAWL_DEADLINE, "the first URL was recorded")
    running = jobs.progress(started.job_id)
    assert running.running and running.run_id and running.report is None
    assert running.outcomes["indexed"] == 1 and [row.url for row in running.recent] == [server.url("/fast.html")]

    # one crawl at a time per source: here, and from another worker process of the server
    with pytest.raises(CrawlBusy, match="pages: a crawl started from the workbench"):
        jobs.start(watchlist, ["pages"])
    other_worker = CrawlJobs(jobs.config, jobs.ledger, jobs.data_dir)
    assert other_worker.progress(started.job_id).running
    assert set(other_worker.busy_sources(load_watchlist(watchlist))) == {"pages"}

    held.set()
    done = _finished(jobs, started.job_id)
    assert (done.exit_code, done.verdict, done.error) == (0, "ok", "")
    assert done.report is not None and done.report.run_id == running.run_id and done.report.status == "finished"
    assert (done.urls_done, done.outcomes["indexed"], done.report.indexed) == (2, 2, 2)
    assert done.report.by_source["pages"]["indexed"] == 2
    # another worker sees the same ending, from the job's record and the ledger
    seen = CrawlJobs(jobs.config, jobs.ledger, jobs.data_dir).progress(started.job_id)
    assert (seen.running, seen.run_id, seen.exit_code, seen.verdict) == (False, done.run_id, 0, "ok")
    assert jobs.busy_sources(load_watchlist(watchlist)) == {}
    assert [job.job_id for job in jobs.jobs("harbour")] == [started.job_id]


def test_a_source_another_process_crawls_is_left_out(
    jobs: CrawlJobs, site: tuple[SiteServer, threading.Event], held: threading.Event, tmp_path: Path
):
    server, _ = site
    watchlist = _watchlist(tmp_path, server)
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
