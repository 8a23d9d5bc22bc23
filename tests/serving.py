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
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from app.web import SearchApp
from app.web.server import SearchServer
from index.backend import IndexBackend
from tests.crawl.helpers import REPO, OsintCli


@contextmanager
def serve_search(backend: IndexBackend) -> Iterator[str]:
    """The search app over `backend` on a free loopback port, served by `osint serve`'s own server: its base URL."""
    server = SearchServer(("127.0.0.1", 0), SearchApp(backend))
    # shutdown() waits for the serving loop to notice, at most one poll interval (default 0.5 s)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def http_get(url: str, timeout: float = 30) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


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
