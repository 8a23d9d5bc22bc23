"""Crawls started from the workbench ("crawl now"), and how far they have got.

A crawl runs the way the scheduler runs one (scheduling/launch.py): a child `osint crawl WATCHLIST
--source ID … --json` with the server's interpreter and environment, recording into the server's
data directory. So the rules are the scheduler's: never two crawls of one source at once (a source
another process holds the lock of, state/scheduler.py `SourceLock`, is busy; so is one this
workbench started a moment ago whose child has not taken its lock yet), and a crawl outlives the
request, and even the server, that started it.

Nothing waits or polls in the background: a job is looked at when someone asks (its process
polled, its run read from the crawl ledger). Each job is also written down under
``data_dir/web/crawls/`` so that every worker process of the server, and a restarted server,
can follow it: the run is found in the ledger by the child's pid, which `Ledger.start_run` records.
A record's name holds the job id and the watchlist file's name (`record_name`), so listing one
watchlist's jobs opens only theirs. The child's JSON report and log go to
``data_dir/web/crawls/logs/``. Starting a job clears out the ended jobs older than KEEP_FOR, and
those beyond the newest KEEP_JOBS (record, report and log).

Looking is read-only, with one exception (see `_running`): the worker that started a crawl writes
its exit status down when it reaps it, because nobody else can learn it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from crawlers.verdict import EXIT_CODES, verdict_of
from network.redaction import redact_text, redact_url
from scheduling.launch import ProcessJob, SubprocessLauncher
from state.ledger import OUTCOMES, Ledger, RunReport, process_alive
from state.scheduler import SourceLock
from watchlists.model import Watchlist, WatchlistError, load_watchlist

#: a job id: a time stamp (jobs sort by age) and randomness (nobody guesses another's)
JOB_ID = re.compile(r"^\d{14}-[0-9a-f]{8}$")
#: a job's record: its id, then its watchlist file's name (as `_file_part` writes it)
RECORD = re.compile(r"^(?P<job_id>\d{14}-[0-9a-f]{8})--(?P<file>[A-Za-z0-9_.-]*)\.json$")
#: how long after its start a job's child may still be on its way to taking its source locks
#: (interpreter start-up and imports take seconds; this is far more than they ever need)
LAUNCH_WINDOW = timedelta(minutes=10)
#: URLs listed on a progress page, the latest first
RECENT_URLS = 10
#: ended jobs are forgotten after this long, or once this many newer jobs exist
KEEP_FOR = timedelta(days=30)
KEEP_JOBS = 500

Launcher = Callable[[Path, list[str]], ProcessJob]


class CrawlBusy(RuntimeError):
    """Every source asked for is being crawled already; the message says by whom."""


class RecentOutcome(BaseModel):
    """One URL a running crawl has done (its URL with any credentials taken out)."""

    url: str
    source_id: str
    outcome: str
    reason: str = ""


class CrawlProgress(BaseModel):
    """How far a crawl started from the workbench has got (GET /api/crawls/{job_id})."""

    job_id: str
    watchlist: str = Field(description="The watchlist's name.")
    file: str = Field(description="The watchlist file's name in the watchlists directory.")
    sources: list[str] = Field(description="Sources this crawl was started for.")
    busy: dict[str, str] = Field(
        default_factory=dict, description="Sources left out because they were being crawled already, and why."
    )
    started: str
    running: bool
    exit_code: int | None = Field(default=None, description="The crawl's exit status once over (see `osint crawl`).")
    run_id: str | None = Field(default=None, description="The run in the crawl ledger, once the crawl has begun it.")
    urls_done: int = 0
    outcomes: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    recent: list[RecentOutcome] = Field(default_factory=list, description="The latest URLs done, newest first.")
    verdict: str | None = Field(default=None, description="ok, partial or failed, once the run is over.")
    report: RunReport | None = Field(default=None, description="The run report, once the run is over.")
    error: str = Field(default="", description="Why the crawl could not run, if it could not.")


class CrawlSummary(BaseModel):
    """A job as a list of them shows it: `CrawlProgress` without what takes more reading (the latest
    URLs, the report, why it could not run). No verdict once over: it could not run."""

    job_id: str
    sources: list[str]
    started: str
    running: bool
    urls_done: int = 0
    verdict: str | None = None


@dataclass
class _Job:
    """What is written down about a job (data_dir/web/crawls/JOB_ID.json)."""

    job_id: str
    watchlist: str
    file: str
    path: str
    sources: list[str]
    busy: dict[str, str]
    started: str
    pid: int
    report_path: str
    log_path: str
    exit_code: int | None = None
    run_id: str | None = None
    process: ProcessJob | None = field(default=None, repr=False)  # only in the process that started it

    def record(self) -> dict[str, object]:
        return {item.name: getattr(self, item.name) for item in fields(self) if item.name != "process"}


def _file_part(file: str) -> str:
    """A watchlist file's name as a record's name holds it (any name is a file name, not every one fits)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", file)[:80]


def record_name(job_id: str, file: str) -> str:
    """The name of job `job_id`'s record, for a crawl of watchlist file `file`."""
    return f"{job_id}--{_file_part(file)}.json"


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    """The time stamp job ids begin with."""
    return f"{moment:%Y%m%d%H%M%S}"


class CrawlJobs:
    """Starts and follows "crawl now" jobs for one data directory.

    `launch` starts a crawl of some sources of a watchlist file (default: the scheduler's
    `SubprocessLauncher`, which passes this process's environment on, with OSINT_DATA_DIR set to
    `data_dir`)."""

    def __init__(self, ledger: Ledger, data_dir: Path, launch: Launcher | None = None) -> None:
        self.ledger = ledger
        self.data_dir = Path(data_dir)
        self.records = self.data_dir / "web" / "crawls"
        self.launch: Launcher = launch or self._launcher()
        self._jobs: dict[str, _Job] = {}  # the jobs this process started (their processes are its children)
        self._lock = threading.RLock()

    # starting -----------------------------------------------------------------------------------
    def start(self, watchlist_path: Path, source_ids: list[str] | None = None) -> CrawlProgress:
        """Crawl `source_ids` of the watchlist at `watchlist_path` (default: its enabled sources).
        Sources being crawled already are left out (`CrawlProgress.busy` says why); if that leaves
        none, CrawlBusy. A broken watchlist raises WatchlistError, an unknown source KeyError."""
        watchlist = load_watchlist(watchlist_path)
        sources = (
            [watchlist.source(source_id).id for source_id in source_ids]
            if source_ids
            else [source.id for source in watchlist.sources if source.enabled]
        )
        if not sources:
            raise WatchlistError(watchlist_path, [f"{watchlist_path.name}: no enabled source to crawl"])
        with self._lock, self._starting():
            busy = self._busy(watchlist, sources)
            free = [source_id for source_id in sources if source_id not in busy]
            if not free:
                raise CrawlBusy("; ".join(f"{source_id}: {why}" for source_id, why in busy.items()))
            process = self.launch(watchlist_path, free)
            job = _Job(
                job_id=f"{_stamp(_now())}-{secrets.token_hex(4)}",
                watchlist=watchlist.name,
                file=watchlist_path.name,
                path=str(watchlist_path.resolve()),
                sources=free,
                busy=busy,
                started=_now().isoformat(timespec="seconds"),
                pid=process.process.pid,
                report_path=str(process.report_path),
                log_path=str(process.report_path.with_suffix(".log")),
                process=process,
            )
            self._jobs[job.job_id] = job
            self._write(job)
            self._prune()
        return self.progress(job.job_id)

    def _launcher(self) -> SubprocessLauncher:
        launcher = SubprocessLauncher(self.data_dir)
        launcher.logs = self.records / "logs"  # with the job's record: they are pruned together
        return launcher

    @contextlib.contextmanager
    def _starting(self) -> Iterator[None]:
        """One start at a time across the server's worker processes, so two clicks on two workers
        cannot both find a source free."""
        self.records.mkdir(parents=True, exist_ok=True)
        with open(self.records / ".starting.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _busy(self, watchlist: Watchlist, source_ids: list[str]) -> dict[str, str]:
        busy: dict[str, str] = {}
        for job in self._recent_jobs():
            if job.watchlist == watchlist.name and self._running(job)[0]:
                for source_id in set(job.sources) & set(source_ids):
                    busy[source_id] = (
                        f"a crawl started from the workbench at {job.started} is running (job {job.job_id})"
                    )
        for source_id in source_ids:
            if source_id not in busy and SourceLock(self.data_dir, watchlist.name, source_id).is_held_elsewhere():
                busy[source_id] = "being crawled by another process (the scheduler, or `osint crawl`)"
        return busy

    def busy_sources(self, watchlist: Watchlist) -> dict[str, str]:
        """The sources of `watchlist` being crawled now, and by whom (for the watchlist's page)."""
        return self._busy(watchlist, [source.id for source in watchlist.sources])

    # following ----------------------------------------------------------------------------------
    def progress(self, job_id: str) -> CrawlProgress:
        """Where job `job_id` stands (KeyError: no such job)."""
        with self._lock:
            job = self._job(job_id)
        running, run_id, report = self._look(job)
        progress = CrawlProgress(
            job_id=job.job_id,
            watchlist=job.watchlist,
            file=job.file,
            sources=job.sources,
            busy=job.busy,
            started=job.started,
            running=running,
            exit_code=job.exit_code,
            run_id=run_id,
        )
        if report is not None:
            progress.urls_done = report.urls
            progress.outcomes = {outcome: getattr(report, outcome) for outcome in OUTCOMES}
            progress.recent = self._recent_outcomes(report.run_id)
            if not running:
                progress.report = report
                progress.verdict = verdict_of(report)
        if not running:
            could_not_run = (
                report is None or report.status == "error"
                if job.exit_code is None  # ended in another worker, which has not looked yet
                else job.exit_code not in EXIT_CODES.values()
            )
            if could_not_run:
                progress.error = self._error(job)
        return progress

    def jobs(self, file: str, limit: int = 20) -> list[CrawlSummary]:
        """The latest jobs of watchlist file `file` (its name), newest first, in brief: only their
        records are opened (their names say whose they are)."""
        found: list[CrawlSummary] = []
        for job_id, path in self._records(_file_part(file)):
            if len(found) == limit:
                break
            with self._lock:
                try:
                    job = self._job(job_id, path)
                except KeyError:
                    continue
            if job.file != file:  # another name written alike
                continue
            running, _, report = self._look(job)
            found.append(
                CrawlSummary(
                    job_id=job.job_id,
                    sources=job.sources,
                    started=job.started,
                    running=running,
                    urls_done=report.urls if report is not None else 0,
                    verdict=verdict_of(report) if report is not None and not running else None,
                )
            )
        return found

    def close(self) -> None:
        """Reap what has ended. Running crawls go on (as one started from a terminal would); a
        restarted server follows them from their records."""
        with self._lock:
            for job in list(self._jobs.values()):
                self._running(job)

    # internals ----------------------------------------------------------------------------------
    def _job(self, job_id: str, record: Path | None = None) -> _Job:
        """Job `job_id`: this process's own, or the one its record (`record`, when known) says."""
        if not JOB_ID.match(job_id):
            raise KeyError(f"no crawl job {job_id!r}")
        if job_id in self._jobs:
            return self._jobs[job_id]
        if record is None and self.records.is_dir():  # the id is checked: no pattern in it
            record = next(self.records.glob(f"{job_id}--*.json"), None)
        try:
            if record is None:
                raise OSError(f"no record of {job_id}")
            return _Job(**json.loads(record.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            raise KeyError(f"no crawl job {job_id!r}") from None

    def _newest_jobs(self, since: str = "") -> Iterator[_Job]:
        """The jobs written down, newest first: those started at `since` (a %Y%m%d%H%M%S stamp,
        as job ids begin) or later. Only the records needed are read."""
        for job_id, path in self._records():
            if job_id[:14] < since:
                return
            with contextlib.suppress(KeyError):
                yield self._job(job_id, path)

    def _records(self, file_part: str | None = None) -> list[tuple[str, Path]]:
        """(job id, record) of the jobs written down, newest first; of one watchlist file (as
        `_file_part` writes its name) when given. Only names are read."""
        if not self.records.is_dir():
            return []
        found = [
            (match["job_id"], path)
            for path in self.records.glob("*.json")
            if (match := RECORD.match(path.name)) and file_part in (None, match["file"])
        ]
        return sorted(found, reverse=True)

    def _prune(self) -> None:
        """Forget the ended jobs started before KEEP_FOR ago, and those beyond the newest KEEP_JOBS:
        their records, reports and logs. A crawl still running is kept, however old. (Called while
        starting, under the lock that serialises starts across workers.)"""
        oldest_kept = _stamp(_now() - KEEP_FOR)
        for position, (job_id, path) in enumerate(self._records()):
            if position < KEEP_JOBS and job_id[:14] >= oldest_kept:
                continue
            try:
                job = self._job(job_id, path)
            except KeyError:  # unreadable: nothing can show it
                path.unlink(missing_ok=True)
                continue
            if not self._running(job)[0]:
                self._forget(job)

    def _forget(self, job: _Job) -> None:
        self._jobs.pop(job.job_id, None)
        logs = self.records.resolve() / "logs"
        for path in (Path(job.report_path), Path(job.log_path)):
            if path.resolve().parent == logs:  # only files of ours: a record names them, it does not choose them
                with contextlib.suppress(OSError):
                    path.unlink()
        with contextlib.suppress(OSError):
            (self.records / record_name(job.job_id, job.file)).unlink()

    def _recent_jobs(self) -> list[_Job]:
        """Jobs whose child may still be starting (or running): those of the launch window, and
        this process's own."""
        recent = {job.job_id: job for job in self._newest_jobs(_stamp(_now() - LAUNCH_WINDOW))}
        return list({**recent, **self._jobs}.values())

    def _look(self, job: _Job) -> tuple[bool, str | None, RunReport | None]:
        """Whether the job's crawl still runs, its run's id and its run's report (each found once).
        A run the ledger still says runs when its crawl is gone was killed (SIGKILL, out of memory):
        its report says so. A look does not write the ledger: the next crawl's start closes the run
        there (crawlers/runner.py, `Ledger.close_abandoned_runs`)."""
        with self._lock:
            running, report = self._running(job)
        run_id = report.run_id if report is not None else job.run_id or self._run_id(job)
        if report is None:
            report = self._report(run_id)
        if report is not None and not running and report.status == "running":
            report = report.model_copy(update={"status": "killed"})
        return running, run_id, report

    def _running(self, job: _Job) -> tuple[bool, RunReport | None]:
        """Whether the job's crawl still runs; and its run's report when finding that out read it.

        When this process's own child has ended, this reaps it and writes its exit status (and run)
        into the job's record, even when called for a page (a GET). That write has to stay: the
        exit status is handed out once, to the process that started the crawl, when it reaps the
        child; the other workers of the server, and this one after a restart, can only learn it
        from the record. (Nothing reaps in the background, so whoever looks first does it.)"""
        if job.exit_code is not None:
            return False, None
        if job.process is not None:  # this process's child: poll() also reaps it
            code = job.process.poll()
            if code is None:
                return True, None
            job.exit_code, job.run_id = code, job.process.run_id() or self._run_id(job)
            self._write(job)
            self._jobs.pop(job.job_id, None)  # its record now says all there is to know
            return False, None
        # another worker's child (or a server's before a restart): its pid, and its run in the ledger
        if not process_alive(job.pid):
            return False, None
        run_id = job.run_id or self._run_id(job)
        if run_id is None:  # a child begins its run within seconds: later, the pid is someone else's
            return job.job_id[:14] >= _stamp(_now() - LAUNCH_WINDOW), None
        # a run over in the ledger: its process only delivers alerts now, or the pid is reused
        report = self._report(run_id)
        return report is not None and report.status == "running", report

    def _report(self, run_id: str | None) -> RunReport | None:
        """The run's report in the ledger (None: not begun, or no longer in the ledger)."""
        if run_id is None:
            return None
        try:
            return self.ledger.report(run_id)
        except KeyError:
            return None

    def _run_id(self, job: _Job) -> str | None:
        """The run the job's child began: the ledger records each run's pid."""
        since = datetime.fromisoformat(job.started).replace(microsecond=0).isoformat(timespec="seconds")
        return self.ledger.run_of_pid(job.pid, since)

    def _recent_outcomes(self, run_id: str) -> list[RecentOutcome]:
        return [
            RecentOutcome(url=redact_url(url), source_id=source_id, outcome=outcome, reason=reason)
            for url, source_id, outcome, reason in self.ledger.latest_outcomes(run_id, RECENT_URLS)
        ]

    def _error(self, job: _Job) -> str:
        """The last line the crawl logged (`osint crawl` ends with its error message), or its exit status."""
        try:
            lines = Path(job.log_path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        last = next((line.strip() for line in reversed(lines) if line.strip()), "")
        if last:
            return redact_text(last)[:500]
        return (
            "the crawl ended without a report"
            if job.exit_code is None
            else f"the crawl exited with status {job.exit_code}"
        )

    def _write(self, job: _Job) -> None:
        """Written aside, then moved into place: a reader never sees half a record."""
        self.records.mkdir(parents=True, exist_ok=True)
        staged = self.records / f".{job.job_id}.{os.getpid()}.{threading.get_ident()}.tmp"
        staged.write_text(json.dumps(job.record()), encoding="utf-8")
        os.replace(staged, self.records / record_name(job.job_id, job.file))
