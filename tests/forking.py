"""`osint crawl` in a process of its own, without paying for a new interpreter every time.

A crawl must run in a process of its own (Scrapy's Twisted reactor cannot be restarted within
one), but most of what a fresh `python -m app.cli crawl` spends is the same every time: ~1.5 s
importing Scrapy, Twisted and the application, and ~4 s compiling the gazetteers and loading the
spaCy model on the first document. So each test process keeps one *fork server*: a process that
has done those imports and that warm-up once, and forks a child for every crawl. The child is a
real process, not a stand-in: it gets the test's arguments, environment (exactly: the server's
variables are replaced by the request's), working directory and stdin/stdout/stderr, runs
`app.cli` (or a test wrapper around it, such as tests/crawl/fake_dns.py) as `__main__` exactly
as `python -m app.cli` does (runpy), exits through the normal
interpreter shutdown (atexit, thread joins), and its exit status (or the signal that killed it) is
reported back. Whatever the imports and the warm-up printed in the server is printed again at the
start of every child's stdout/stderr, so a test that expects a silent crawl still sees import-time
warnings. Extraction workers are spawned fresh by the child as they are in production.

What the fork server does not replace: the start-up of a fresh interpreter. Tests of that (a
server stopped by a signal, a crawl killed with SIGKILL, orphaned workers, the scheduler's own
`python -m app.cli` launches, `osint serve`, `osint demo --serve`) start `python -m app.cli`
themselves, and `OSINT_TEST_FORK=off` sends every crawl through a fresh interpreter too (the
comparison run: the same suite, the same results, only slower). A request whose interpreter-level
variables (PYTHON*, COVERAGE_*) differ from the server's gets a fresh interpreter as well.

    python -m tests.forking SOCKET     the server (started by `run` below, one per test process)
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SWITCH = "OSINT_TEST_FORK"
_HEADER = struct.Struct("!I")
#: variables read when an interpreter starts (or by coverage when it starts measuring a process):
#: a request that sets them differently from the server cannot be served by a fork
_INTERPRETER_PREFIXES = ("PYTHON", "COVERAGE_")


# the test side ------------------------------------------------------------------------------


def enabled() -> bool:
    return os.environ.get(SWITCH, "").lower() not in ("off", "0", "false", "no")


def _interpreter_variables(env: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in env.items() if name.startswith(_INTERPRETER_PREFIXES)}


def server_environment() -> dict[str, str]:
    """The fork server's environment: this process's, without settings, with the repository as
    PYTHONPATH exactly as OsintCli sets it (so the server serves its requests)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("OSINT_")}
    env["PYTHONPATH"] = str(REPO)
    return env


class ForkServer:
    """The fork server of this test process, started on first use, stopped at exit."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="osint-fork-"))
        self.socket_path = self.directory / "server.sock"
        self.log_path = self.directory / "server.log"
        self.env = env = server_environment()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.forking", str(self.socket_path)],
                cwd=REPO,
                env=env,
                stdin=subprocess.PIPE,  # closed by us (or by our death): the server exits
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not self.socket_path.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the fork server did not start:\n{self.log_path.read_text(errors='replace')}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            self.socket_path.unlink()
            self.log_path.unlink()
            self.directory.rmdir()

    def spawn(
        self, module: str, args: Sequence[str], env: Mapping[str, str], cwd: Path, fds: Sequence[int]
    ) -> ForkedChild:
        """A child running `python -m MODULE ARGS` with `fds` as its stdin, stdout and stderr."""
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(str(self.socket_path))
        request = json.dumps({"module": module, "args": list(args), "env": dict(env), "cwd": str(cwd)}).encode()
        socket.send_fds(connection, [_HEADER.pack(len(request)) + request], list(fds))
        return ForkedChild(connection)


class ForkedChild:
    """A child of the fork server: signalled by pid, its exit status reported by the server."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._replies = connection.makefile("r")
        line = self._replies.readline()
        if not line:
            raise RuntimeError("the fork server closed the connection without starting the command")
        self.pid = int(line)
        self.returncode: int | None = None

    def wait(self) -> int:
        """The exit status as subprocess reports it (negative: killed by that signal)."""
        if self.returncode is None:
            line = self._replies.readline()
            if not line:
                raise RuntimeError(f"the fork server lost child {self.pid}")
            self.returncode = int(line)
            self._replies.close()
            self._connection.close()
        return self.returncode

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


_server: ForkServer | None = None
_server_lock = threading.Lock()


def fork_server() -> ForkServer:
    global _server
    with _server_lock:
        if _server is None or _server.process.poll() is not None:
            if _server is not None:
                _server.stop()  # its socket, log and directory
            _server = ForkServer()
        return _server


def stop_fork_server() -> None:
    global _server
    with _server_lock:
        if _server is not None:
            _server.stop()
            _server = None


def run(
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    input: str | None = None,
    timeout: float | None = None,
    module: str = "app.cli",
) -> subprocess.CompletedProcess:
    """`python -m MODULE ARGS` as `subprocess.run(..., capture_output=True, text=True)` would run
    it, in a child of the fork server when it can serve `env`, else in a fresh interpreter. MODULE
    is the `osint` entry point, or a test wrapper around it (tests/crawl/fake_dns.py)."""
    # checked before the server starts: a request it cannot serve must not pay for its preload
    if not enabled() or _interpreter_variables(env) != _interpreter_variables(server_environment()):
        return subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
        )
    stdout_r, stdout_w = os.pipe()
    stderr_r, stderr_w = os.pipe()
    if input is None:
        stdin_r, stdin_w = os.open(os.devnull, os.O_RDONLY), None
    else:
        stdin_r, stdin_w = os.pipe()
    try:
        child = fork_server().spawn(module, args, env, cwd, [stdin_r, stdout_w, stderr_w])
    except BaseException:
        for fd in (stdout_r, stderr_r, stdin_w):
            if fd is not None:
                os.close(fd)
        raise
    finally:
        for fd in (stdin_r, stdout_w, stderr_w):
            os.close(fd)
    try:
        out, err = _communicate(stdin_w, stdout_r, stderr_r, (input or "").encode(), timeout)
    except BaseException as error:  # as subprocess.run: no child outlives the call (pytest-timeout too)
        child.kill()
        child.wait()
        if isinstance(error, subprocess.TimeoutExpired):
            raise subprocess.TimeoutExpired(["osint", *args], timeout) from None
        raise
    returncode = child.wait()
    return subprocess.CompletedProcess(["osint", *args], returncode, _text(out), _text(err))


def _text(data: bytes) -> str:
    """As subprocess's text mode decodes (the locale's encoding: UTF-8 here), newlines translated."""
    return data.decode("utf-8", errors="strict").replace("\r\n", "\n").replace("\r", "\n")


def _communicate(
    stdin_w: int | None, stdout_r: int, stderr_r: int, data: bytes, timeout: float | None
) -> tuple[bytes, bytes]:
    """Write `data` to the child's stdin and read its stdout and stderr to their ends."""
    deadline = None if timeout is None else time.monotonic() + timeout
    output: dict[int, list[bytes]] = {stdout_r: [], stderr_r: []}
    with selectors.DefaultSelector() as selector:
        for fd in output:
            selector.register(fd, selectors.EVENT_READ)
        if stdin_w is not None:
            if data:
                os.set_blocking(stdin_w, False)
                selector.register(stdin_w, selectors.EVENT_WRITE)
            else:
                os.close(stdin_w)
        try:
            while selector.get_map():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise subprocess.TimeoutExpired("osint", timeout)
                for key, _ in selector.select(remaining):
                    if key.fd == stdin_w:
                        try:
                            data = data[os.write(stdin_w, data[:65536]) :]
                        except BrokenPipeError:
                            data = b""
                        if not data:
                            selector.unregister(stdin_w)
                            os.close(stdin_w)
                        continue
                    chunk = os.read(key.fd, 65536)
                    if chunk:
                        output[key.fd].append(chunk)
                    else:
                        selector.unregister(key.fd)
        finally:
            for key in list(selector.get_map().values()):
                selector.unregister(key.fd)
                if key.fd == stdin_w:
                    os.close(stdin_w)
            os.close(stdout_r)
            os.close(stderr_r)
    return b"".join(output[stdout_r]), b"".join(output[stderr_r])


# the server -------------------------------------------------------------------------------


def _preload() -> tuple[bytes, bytes]:
    """Import what every crawl imports and warm up extraction; what that printed, (stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            try:
                import app.cli  # noqa: F401  (every command module)
                import crawlers.runner  # noqa: F401  (Scrapy and Twisted; no reactor is installed by importing)

                _import_crawl_components()
                for name in (
                    "index.sqlite.backend",  # opened at run time by name
                    "index.engine.backend",
                    "crawlers.rendering",  # render_js sources: scrapy-playwright's handler
                    "scrapy_playwright.handler",
                    "rich._emoji_codes",
                ):
                    with contextlib.suppress(ImportError):
                        importlib.import_module(name)
                from extractors import extract_text
                from extractors.entities import model_layer
                from settings.config import load_config

                # the spaCy pipeline a crawl loads by default (~3.5 s of CPU), cached by name: a
                # child whose configuration names the same one finds it loaded; the setting itself
                # goes back to the library's default, each child sets its own
                model_layer.use_model(load_config().spacy_model)
                extract_text("Warm-up: AK-47 rifles seen in Iraq.", language_hint="en")
                model_layer.use_model("none")
            except BaseException:  # whatever failed here fails again, and is reported, in each child
                import traceback

                traceback.print_exc()
            if "twisted.internet.reactor" in sys.modules:  # the child could not install its own
                print("tests/forking.py: the preload installed a Twisted reactor", file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
        out.seek(0)
        err.seek(0)
        return out.read(), err.read()


def _import_crawl_components() -> None:
    """Import (only) every component class a crawl's Scrapy settings name: Scrapy's defaults and
    ours (extensions, middlewares, pipelines, download handlers, scheduler, resolver...)."""
    import re

    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    settings = Settings()
    settings.setmodule("settings.crawl", priority="project")
    dotted = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$")
    for name in list(settings):
        value = settings[name]
        if name.endswith("_BASE"):
            continue
        paths = settings.getwithbase(name) if f"{name}_BASE" in settings else value
        for path in paths if isinstance(paths, (Mapping, list)) else [paths]:
            if isinstance(path, str) and dotted.match(path):
                with contextlib.suppress(Exception):
                    load_object(path)


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    while len(data) < _HEADER.size or len(data) < _HEADER.size + _HEADER.unpack_from(data)[0]:
        more = connection.recv(1 << 16)
        if not more:
            raise ConnectionError("request cut short")
        data += more
    return json.loads(data[_HEADER.size :]), fds


def _serve(listener: socket.socket) -> tuple[dict, list[int]] | None:
    """Fork a child per request; returns only in a child (its request), or None when told to stop
    (stdin closed: the test process ended)."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "control")
    while True:
        for key, _ in selector.select():
            if key.data == "control":
                if not os.read(key.fd, 4096):
                    return None
            elif key.data == "accept":
                connection, _ = listener.accept()
                try:
                    request, fds = _receive(connection)
                except (OSError, ValueError):
                    connection.close()
                    continue
                pid = os.fork()
                if pid == 0:  # the child: nothing of the server's stays open
                    for registered in list(selector.get_map().values()):
                        if isinstance(registered.data, tuple):
                            os.close(registered.fd)
                            registered.data[1].close()
                    selector.close()
                    listener.close()
                    connection.close()
                    return request, fds
                for fd in fds:
                    os.close(fd)
                with contextlib.suppress(OSError):
                    connection.sendall(f"{pid}\n".encode())
                selector.register(os.pidfd_open(pid), selectors.EVENT_READ, (pid, connection))
            else:
                pid, connection = key.data
                selector.unregister(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(pid, 0)
                with contextlib.suppress(OSError):
                    connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                connection.close()


def _become(request: dict, fds: list[int], printed: tuple[bytes, bytes]) -> None:
    """In the child: the request's stdio, environment, directory and argv; then what the
    preload printed, as a fresh interpreter would have printed it."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = ["osint", *request["args"]]
    for data, fd in zip(printed, (1, 2), strict=True):
        if data:
            os.write(fd, data)


def main(socket_path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path + ".tmp")
    listener.listen(64)
    printed = _preload()
    # what the preload built stays as it is: out of the collector's reach, so neither a child's
    # collections nor its exit touch (and copy) those pages (Python's advice for pre-fork servers)
    gc.freeze()
    os.rename(socket_path + ".tmp", socket_path)  # ready: requests are served from now on
    served = _serve(listener)
    if served is None:
        listener.close()
        return
    request, fds = served
    _become(request, fds, printed)
    import runpy

    # `python -m MODULE` has the module as __main__ only (runpy warns when it is imported already)
    module = request["module"]
    sys.modules.pop(module, None)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1])
