"""Running a long-lived `osint` command (serve, demo --serve) in a subprocess: its output is read
as it comes, so a test can wait for a line with a deadline and stop the command with a signal."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.crawl.helpers import REPO, OsintCli


class RunningCommand:
    def __init__(self, osint: OsintCli, *args: str):
        self.process = subprocess.Popen([sys.executable, "-m", "app.cli", *args], cwd=REPO, env=osint.env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._new_line = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.process.stdout, self._stdout), (self.process.stderr, self._stderr))]
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
        assert match, f"no line matching {pattern!r} within {timeout} s (exit status {self.process.poll()}):\n{self.output}"
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
def osint_serve(osint: OsintCli, *serve_options: str, global_options: tuple[str, ...] = ()) -> Iterator[tuple[RunningCommand, str]]:
    """`osint serve` on a free port: (the command, its base URL). Stopped with SIGTERM afterwards."""
    command = RunningCommand(osint, *global_options, "serve", "--port", "0", *serve_options)
    try:
        port = command.wait_for_stdout(r"at http://127\.0\.0\.1:(\d+)/", timeout=60)[1]
        yield command, f"http://127.0.0.1:{port}"
    finally:
        if command.process.poll() is None:
            command.stop()
