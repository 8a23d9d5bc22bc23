"""Starting one crawl as a child process: Twisted's reactor cannot restart inside one process, so
the scheduler service runs every crawl as `python -m app.cli crawl WATCHLIST --source ID … --json`
with the interpreter the service runs on, so the installed `osint-crawler` package (not a source
checkout on a path) does the crawl. The child inherits the service's environment and working
directory, so it reads the same configuration, with OSINT_DATA_DIR set to the service's own data
directory.

The child's JSON report goes to a file and its log to another, under ``data_dir/logs/scheduler``.

The child's exit status follows `osint crawl`: 0 ok, 3 some sources failed, 4 all failed (both
still completed runs, which wait for their next scheduled time like any other), 1 a crawl that
could not run. The scheduler records the run's own status from the ledger, through the run id
in the report (written for every verdict), and falls back on the exit status only without one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class CrawlJob(Protocol):
    """A crawl that was started: the scheduler polls it, may ask it to stop, and reads its run id."""

    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int | None: ...

    def run_id(self) -> str | None: ...


class ProcessJob:
    def __init__(self, process: subprocess.Popen[bytes], report_path: Path):
        self.process = process
        self.report_path = report_path

    def poll(self) -> int | None:
        return self.process.poll()

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # Scrapy closes spiders gracefully; pipelines flush

    def wait(self, timeout: float | None = None) -> int | None:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def run_id(self) -> str | None:
        try:
            run_id = json.loads(self.report_path.read_text(encoding="utf-8")).get("run_id")
        except (OSError, ValueError, AttributeError):
            return None
        return run_id if isinstance(run_id, str) else None


class SubprocessLauncher:
    """The scheduler's default way to run a crawl of some sources of one watchlist file."""

    def __init__(self, data_dir: Path | str, python: str = sys.executable):
        self.data_dir = Path(data_dir).resolve()
        self.logs = self.data_dir / "logs" / "scheduler"
        self.python = python

    def __call__(self, watchlist_path: Path, source_ids: list[str]) -> ProcessJob:
        self.logs.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        stem = f"{stamp}-{watchlist_path.stem}-{source_ids[0]}"
        command = [self.python, "-m", "app.cli", "crawl", str(watchlist_path.resolve()), "--json", "--no-progress"]
        for source_id in source_ids:
            command += ["--source", source_id]
        env = {**os.environ, "OSINT_DATA_DIR": str(self.data_dir)}  # the service's environment, passed on
        report_path = self.logs / f"{stem}.json"
        with open(report_path, "wb") as out, open(self.logs / f"{stem}.log", "wb") as log:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=log, stdin=subprocess.DEVNULL)
        return ProcessJob(process, report_path)
