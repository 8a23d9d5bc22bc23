"""Serving in tests: the search app in a thread on the server `osint serve` uses, plain GETs that
return error statuses instead of raising, and long-lived `osint` commands (serve, demo --serve) in a
subprocess whose output is read as it comes, so a test can wait for a line with a deadline and stop
the command with a signal."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import uvicorn

from app.web.application import create_app
from app.web.serving import IdleTimeoutH11, bind
from index.backend import IndexBackend
from settings.config import load_config
from tests.crawl.helpers import REPO, OsintCli


@contextmanager
def serve_workbench(backend: IndexBackend, data_dir: Path | None = None, **app_options) -> Iterator[str]:
    """The workbench over `backend` on a free loopback port, under uvicorn as `osint serve` runs it,
    in a thread of this process: its base URL. `data_dir` holds its state (a fresh one if None)."""
    with tempfile.TemporaryDirectory() as scratch:
        config = load_config({"OSINT_DATA_DIR": str(data_dir or scratch)})
        app = create_app(config, backend, **app_options)
        listener = bind("127.0.0.1", 0)
        server = uvicorn.Server(
            uvicorn.Config(app, http=IdleTimeoutH11, log_level="warning", lifespan="on", timeout_keep_alive=5)
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()  # the socket listens already: a request made before uvicorn accepts waits in the backlog
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(30)
            listener.close()


def http_get(url: str, timeout: float = 30) -> tuple[int, Message, str]:
    """(status, headers (names in any case), body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released): connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningCommand:
    def __init__(self, osint: OsintCli, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", *args],
            cwd=REPO,
            env=osint.env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._new_line = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in ((self.process.stdout, self._stdout), (self.process.stderr, self._stderr))
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, lines: list[str]) -> None:
        for line in stream:
            with self._new_line:
                lines.append(line)
                self._new_line.notify_all()
        with self._new_line:  # end of output: the command has exited, stop waiting for lines
            self._new_line.notify_all()

    def wait_for_stdout(self, pattern: str, timeout: float) -> re.Match:
        """The first stdout line matching `pattern`, waiting at most `timeout` seconds for it."""
        regex = re.compile(pattern)

        def first_match() -> re.Match | None:
            return next((match for line in self._stdout if (match := regex.search(line))), None)

        with self._new_line:
            self._new_line.wait_for(lambda: first_match() or self.process.poll() is not None, timeout)
            match = first_match()
        assert match, (
            f"no line matching {pattern!r} within {timeout} s (exit status {self.process.poll()}):\n{self.output}"
        )
        return match

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 10) -> int | None:
        """Send `signum`; the exit status, or None if the command was still running after `timeout` s
        (it is then killed, so no test leaves a process behind)."""
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
            self.process.kill()
            self.process.wait()
        for reader in self._readers:
            reader.join(10)
        return code

    @property
    def output(self) -> str:
        """Everything printed so far, stdout then stderr."""
        with self._new_line:
            return "".join(self._stdout) + "".join(self._stderr)


@contextmanager
def osint_serve(
    osint: OsintCli, *serve_options: str, global_options: tuple[str, ...] = ()
) -> Iterator[tuple[RunningCommand, str]]:
    """`osint serve` on a free port: (the command, its base URL). Stopped with SIGTERM afterwards."""
    command = RunningCommand(osint, *global_options, "serve", "--port", "0", *serve_options)
    try:
        port = command.wait_for_stdout(r"at http://127\.0\.0\.1:(\d+)/", timeout=60)[1]
        yield command, f"http://127.0.0.1:{port}"
    finally:
        if command.process.poll() is None:
            command.stop()
