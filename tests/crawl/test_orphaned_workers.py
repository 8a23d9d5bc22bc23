"""`kill -9` of a crawl leaves nothing behind: its extraction workers and the multiprocessing
resource tracker end within seconds instead of living on, reparented to PID 1, forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from app.site_server import SiteHandler, SiteServer
from tests.crawl.helpers import REPO, OsintCli, write_watchlist
from tests.processes import kill_quietly, running_after

#: the issue's bound: no child of a killed crawl survives it by more than this
SURVIVAL_BOUND_SECONDS = 10
#: how long the crawl may take to start its worker pool on a loaded machine
STARTUP_DEADLINE_SECONDS = 120
FAST_PAGES = [f"/fast{n}.html" for n in range(4)]
SLOW_PAGES = [f"/slow{n}.html" for n in range(4)]


def article(path: str) -> bytes:
    text = (
        f"Customs officers at the port said the crates listed on {path} held Kalashnikov rifles "
        "and RPG-7 launchers shipped from Bulgaria, destined for fighters in Somalia."
    )
    return f"<html lang='en'><head><title>Seizure {path}</title></head><body><article><p>{text}</p></article></body></html>".encode()


def routes(released: threading.Event) -> dict[str, Callable[[SiteHandler], tuple[int, dict[str, str], bytes]]]:
    """Fast pages arrive together, so both workers are started; slow pages keep the crawl running
    until the test releases them (it never does before the kill)."""

    def fast(handler: SiteHandler, path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html; charset=utf-8"}, article(path)

    def slow(handler: SiteHandler, path: str) -> tuple[int, dict[str, str], bytes]:
        released.wait(timeout=STARTUP_DEADLINE_SECONDS)
        return fast(handler, path)

    table = {path: (lambda handler, path=path: fast(handler, path)) for path in FAST_PAGES}
    table.update({path: (lambda handler, path=path: slow(handler, path)) for path in SLOW_PAGES})
    return table


def command_line(process: psutil.Process) -> str:
    """The process's command line; empty once it has ended (a short-lived child of the crawl can
    be a zombie by the time it is read)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def is_pool_worker(process: psutil.Process) -> bool:
    return "multiprocessing.spawn" in command_line(process)


def wait_for_workers(crawl: subprocess.Popen, count: int) -> list[psutil.Process]:
    """The crawl's descendants once `count` pool workers are among them (polled with a deadline)."""
    parent = psutil.Process(crawl.pid)
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert crawl.poll() is None, f"the crawl ended (exit {crawl.returncode}) before starting its workers"
        descendants = parent.children(recursive=True)
        if sum(is_pool_worker(process) for process in descendants) >= count:
            return descendants
        time.sleep(0.1)
    raise AssertionError(f"the crawl started fewer than {count} extraction workers in {STARTUP_DEADLINE_SECONDS} s")


@pytest.mark.slow
def test_killing_a_crawl_ends_its_workers_and_resource_tracker(tmp_path: Path) -> None:
    cli = OsintCli(tmp_path / "data", extract_workers=2)
    released = threading.Event()
    descendants: list[psutil.Process] = []
    with SiteServer(routes=routes(released)) as site:
        watchlist = write_watchlist(
            tmp_path / "slow.yaml",
            [
                {"id": "pages", "kind": "page", "urls": [site.url(path) for path in FAST_PAGES + SLOW_PAGES]},
            ],
        )
        crawl = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "crawl", str(watchlist)],
            cwd=REPO,
            env=cli.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            descendants = wait_for_workers(crawl, 2)
            names = [command_line(process) for process in descendants]
            assert any("resource_tracker" in name for name in names), names  # the test covers the tracker too

            os.kill(crawl.pid, signal.SIGKILL)
            crawl.wait()
            survivors = running_after(descendants, SURVIVAL_BOUND_SECONDS)
            assert survivors == [], f"still running {SURVIVAL_BOUND_SECONDS} s after kill -9: {survivors}"
        finally:
            released.set()
            kill_quietly(descendants)
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
