"""The scheduler's decisions, driven by a clock the test moves and crawls the test finishes."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scheduling import launch
from scheduling.scheduler import Scheduler
from state.scheduler import SchedulerState, SourceLock
from tests.crawl.helpers import write_watchlist

T0 = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Job:
    """A crawl the test ends by hand (the real one is a child `osint crawl`)."""

    def __init__(self, path: Path, source_ids: list[str]):
        self.path, self.source_ids = path, source_ids
        self.code: int | None = None
        self.terminated = False
        self.ended = threading.Event()

    def poll(self) -> int | None:
        return self.code

    def finish(self, code: int = 0) -> None:
        self.code = code
        self.ended.set()

    def terminate(self) -> None:
        self.terminated = True
        self.finish(0)

    def wait(self, timeout: float | None = None) -> int | None:
        self.ended.wait(timeout)
        return self.code

    def run_id(self) -> str | None:
        return f"run-{'-'.join(self.source_ids)}" if self.code == 0 else None


class Launcher:
    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.launched = threading.Condition()  # notified after every launch (the service calls from its thread)

    def __call__(self, path: Path, source_ids: list[str]) -> Job:
        job = Job(path, source_ids)
        with self.launched:
            self.jobs.append(job)
            self.launched.notify_all()
        return job

    def wait_for_jobs(self, count: int, timeout: float) -> bool:
        with self.launched:
            return self.launched.wait_for(lambda: len(self.jobs) >= count, timeout)

    def sources(self) -> list[list[str]]:
        return [job.source_ids for job in self.jobs]


@pytest.fixture
def watchlist(tmp_path: Path) -> Path:
    return write_watchlist(
        tmp_path / "w.yaml",
        [
            {"id": "often", "kind": "feed", "urls": ["http://example.org/a.xml"], "schedule": "every 30 minutes"},
            {"id": "morning", "kind": "feed", "urls": ["http://example.org/b.xml"], "schedule": "daily at 06:00 UTC"},
            {"id": "manual", "kind": "page", "urls": ["http://example.org/c.html"]},
            {"id": "off", "kind": "feed", "urls": ["http://example.org/d.xml"], "schedule": "hourly", "enabled": False},
        ],
    )


def _scheduler(watchlist: Path, tmp_path: Path, clock: Clock, launcher: Launcher, **options: int) -> Scheduler:
    return Scheduler([watchlist], tmp_path / "data", launcher, clock=clock, **{"batch_size": 1, **options})


def test_due_sources_start_within_the_concurrency_limit(watchlist: Path, tmp_path: Path):
    clock, launcher = Clock(T0), Launcher()
    scheduler = _scheduler(watchlist, tmp_path, clock, launcher, max_concurrent=1)
    started, _ = scheduler.tick()
    assert launcher.sources() == [["often"]]  # never run: due at once; unscheduled and disabled never
    assert scheduler.tick() == ([], [])  # the limit holds "morning" back
    launcher.jobs[0].finish()
    started, ended = scheduler.tick()
    assert [c.source_ids for c in ended] == [["often"]] and [c.source_ids for c in started] == [["morning"]]


def test_a_source_is_never_crawled_twice_at_once(watchlist: Path, tmp_path: Path):
    clock, launcher = Clock(T0), Launcher()
    scheduler = _scheduler(watchlist, tmp_path, clock, launcher, max_concurrent=4)
    scheduler.tick()
    clock.advance(minutes=45)  # "often" is due again, but its first crawl is still running
    scheduler.tick()
    assert launcher.sources() == [["often"], ["morning"]]
    launcher.jobs[0].finish()
    scheduler.tick()
    assert launcher.sources() == [["often"], ["morning"], ["often"]]


def test_batches_group_due_sources_of_a_watchlist(watchlist: Path, tmp_path: Path):
    launcher = Launcher()
    scheduler = _scheduler(watchlist, tmp_path, Clock(T0), launcher, batch_size=10)
    scheduler.tick()
    assert launcher.sources() == [["often", "morning"]]


def test_next_run_times_survive_a_restart(watchlist: Path, tmp_path: Path):
    clock, launcher = Clock(T0), Launcher()
    first = _scheduler(watchlist, tmp_path, clock, launcher, max_concurrent=4)
    first.tick()
    for job in launcher.jobs:
        job.finish()
    first.shutdown()

    clock.advance(minutes=10)
    restarted = _scheduler(watchlist, tmp_path, clock, launcher, max_concurrent=4)
    assert restarted.tick() == ([], [])
    assert restarted.next_due() == T0 + timedelta(minutes=30)
    clock.advance(minutes=20)
    restarted.tick()
    assert launcher.sources()[-1] == ["often"]
    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # a day later: missed runs are not replayed
    restarted.tick()
    assert launcher.sources()[2:] == [["often"], ["morning"]]
    state = SchedulerState(tmp_path / "data")
    assert state.get("test", "morning").next_run == datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
    assert state.get("test", "often").last_status == "running"


def test_an_edited_schedule_applies_from_the_last_start(watchlist: Path, tmp_path: Path):
    clock, launcher = Clock(T0), Launcher()
    scheduler = _scheduler(watchlist, tmp_path, clock, launcher, max_concurrent=4)
    scheduler.tick()
    launcher.jobs[0].finish()
    text = watchlist.read_text().replace("every 30 minutes", "every 5 minutes")
    watchlist.write_text(text)
    clock.advance(minutes=6)
    scheduler.tick()
    assert launcher.sources()[-1] == ["often"]


def test_a_source_locked_by_another_process_waits(watchlist: Path, tmp_path: Path):
    launcher = Launcher()
    lock = SourceLock(tmp_path / "data", "test", "often").acquire()  # e.g. `osint crawl --due` from cron
    scheduler = _scheduler(watchlist, tmp_path, Clock(T0), launcher, max_concurrent=4)
    scheduler.tick()
    assert launcher.sources() == [["morning"]]
    lock.release()
    scheduler.tick()
    assert launcher.sources() == [["morning"], ["often"]]


def test_asking_whether_a_source_is_locked_writes_nothing(tmp_path: Path):
    data_dir = tmp_path / "data"
    probe = SourceLock(data_dir, "test", "often")
    assert not probe.is_held_elsewhere()
    assert not (data_dir / "locks").exists()  # no lock file made by a look
    held = SourceLock(data_dir, "test", "often").acquire()
    try:
        written = held.path.read_text()
        assert probe.is_held_elsewhere()
        assert held.path.read_text() == written  # the holder's pid stays
    finally:
        held.release()
    assert not probe.is_held_elsewhere()
    SourceLock(data_dir, "test", "often").acquire().release()  # the probe never kept it


def test_failed_crawls_are_recorded(watchlist: Path, tmp_path: Path):
    launcher = Launcher()
    scheduler = _scheduler(watchlist, tmp_path, Clock(T0), launcher, max_concurrent=4)
    scheduler.tick()
    launcher.jobs[0].finish(1)
    launcher.jobs[1].finish(0)
    scheduler.tick()
    assert scheduler.state.get("test", "often").last_status == "exit_1"
    assert scheduler.state.get("test", "morning").last_run_id == "run-morning"


def test_serve_stops_its_crawls_and_waits_for_them(watchlist: Path, tmp_path: Path):
    clock, launcher = Clock(T0), Launcher()
    scheduler = _scheduler(watchlist, tmp_path, clock, launcher, max_concurrent=4)
    stop = threading.Event()
    service = threading.Thread(target=scheduler.serve, args=(stop,), kwargs={"poll_seconds": 0.05})
    service.start()
    try:
        assert launcher.wait_for_jobs(2, timeout=10), f"launched {launcher.sources()} in 10 s"
        assert len(launcher.jobs) == 2
    finally:
        stop.set()  # a failed wait must not leave the service thread running
    service.join(10)
    assert not service.is_alive()
    assert all(job.terminated for job in launcher.jobs)
    assert SchedulerState(tmp_path / "data").get("test", "often").last_status == "finished"


def test_bad_limits_are_refused(watchlist: Path, tmp_path: Path):
    with pytest.raises(ValueError):
        Scheduler([watchlist], tmp_path / "data", Launcher(), max_concurrent=0)


def test_crawls_start_through_the_installed_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`python -m app.cli crawl …` with the service's interpreter, environment and working
    directory (no source path on PYTHONPATH), recording into the service's data directory."""
    started: list[tuple[list[str], dict[str, Any]]] = []

    class Process:
        def __init__(self, command: list[str], **options: Any) -> None:
            started.append((command, options))

    monkeypatch.setattr(launch.subprocess, "Popen", Process)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    watchlist = tmp_path / "desk.yaml"
    launch.SubprocessLauncher(tmp_path / "data")(watchlist, ["often", "morning"])
    ((command, options),) = started
    assert command == [
        sys.executable,
        "-m",
        "app.cli",
        "crawl",
        str(watchlist.resolve()),
        "--json",
        "--no-progress",
        "--source",
        "often",
        "--source",
        "morning",
    ]
    assert "cwd" not in options and "PYTHONPATH" not in options["env"]
    assert options["env"]["OSINT_DATA_DIR"] == str((tmp_path / "data").resolve())
    assert (tmp_path / "data" / "logs" / "scheduler").is_dir()
