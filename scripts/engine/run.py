#!/usr/bin/env python3
"""Build, start, wait for and stop a single-node search engine for tests and development.

The node is OpenSearch (see pom.xml for the version and why not Elasticsearch), assembled from
Maven Central artifacts and run in one JVM bound to 127.0.0.1 on a free port, its data in a
temporary directory. The first build downloads the artifacts into ~/.m2 and writes the
classpath under .cache/engine/; later runs reuse both without touching the network.

    python scripts/engine/run.py build          # resolve and compile only
    python scripts/engine/run.py start          # start, wait until healthy, print the URL last
    python scripts/engine/run.py url            # URL of the running node
    python scripts/engine/run.py wait           # wait until the running node is healthy
    python scripts/engine/run.py stop           # stop it and remove its temporary data

State (pid, url, home) lives in --state-dir (default .cache/engine/state, or
$OSINT_ENGINE_STATE_DIR). The module is importable: tests/engine_fixture.py drives the same
functions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
REPO = ENGINE_DIR.parent.parent
BUILD_DIR = REPO / ".cache" / "engine" / "target"
CLASSPATH_FILE = BUILD_DIR / "classpath.txt"
STAMP_FILE = BUILD_DIR / "build.stamp"
DEFAULT_STATE_DIR = REPO / ".cache" / "engine" / "state"
MAIN_CLASS = "osint.engine.SingleNode"
DEFAULT_HEAP = "768m"
START_TIMEOUT = 180.0


class EngineError(RuntimeError):
    """The engine could not be built, started or reached; the message says why."""


@dataclass
class RunningEngine:
    pid: int
    url: str
    home: Path
    temporary: bool


def missing_tools() -> list[str]:
    """Names of the tools a build and start need that are not installed."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def _source_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted([ENGINE_DIR / "pom.xml", *ENGINE_DIR.glob("src/**/*.java")]):
        digest.update(path.relative_to(ENGINE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(force: bool = False, log=sys.stderr) -> list[str]:
    """Compile the launcher and resolve its classpath unless a build of these sources exists."""
    fingerprint = _source_fingerprint()
    built = (
        STAMP_FILE.exists()
        and STAMP_FILE.read_text().strip() == fingerprint
        and CLASSPATH_FILE.exists()
        and all(Path(jar).exists() for jar in CLASSPATH_FILE.read_text().strip().split(os.pathsep))  # ~/.m2 may be gone
    )
    if force or not built:
        missing = missing_tools()
        if missing:
            raise EngineError(f"cannot build the engine: {', '.join(missing)} not installed (needs Java 17 and Maven)")
        print("building the engine (first run downloads ~75 MB from Maven Central into ~/.m2) ...", file=log)
        started = time.monotonic()
        result = subprocess.run(
            ["mvn", "-q", "-B", "-f", str(ENGINE_DIR / "pom.xml"), f"-Dengine.build.dir={BUILD_DIR}", "compile"],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise EngineError(f"maven build failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}")
        STAMP_FILE.write_text(fingerprint + "\n")
        print(f"engine built in {time.monotonic() - started:.0f}s", file=log)
    return [str(BUILD_DIR / "classes"), *CLASSPATH_FILE.read_text().strip().split(os.pathsep)]


def _http_json(url: str, timeout: float) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only: our own node
        return json.load(response)


def wait_healthy(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> dict:
    """Poll cluster health until the node reports yellow or green, or raise at the deadline."""
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EngineError(f"engine process exited with code {process.returncode}")
        remaining = max(1, int(deadline - time.monotonic()))
        try:
            health = _http_json(
                f"{url}/_cluster/health?wait_for_status=yellow&timeout={min(remaining, 10)}s", timeout=15
            )
            if health.get("status") in ("yellow", "green") and not health.get("timed_out"):
                return health
            last_error = f"status {health.get('status')}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last_error = str(exc)
            time.sleep(0.2)  # connection refused returns at once: pace the retries
    raise EngineError(f"engine at {url} not healthy after {timeout:.0f}s ({last_error})")


def _log_tail(home: Path, chars: int = 3000) -> str:
    log = home / "engine.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return f"log {log}:\n{text[-chars:]}"


def _wait_for_url_file(home: Path, process: subprocess.Popen, timeout: float) -> str:
    url_file = home / "url"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if url_file.exists():
            return url_file.read_text().strip()
        if process.poll() is not None:
            raise EngineError(f"engine exited with code {process.returncode} before listening; {_log_tail(home)}")
        time.sleep(0.1)
    raise EngineError(f"engine did not listen within {timeout:.0f}s; {_log_tail(home)}")


def start(
    state_dir: Path = DEFAULT_STATE_DIR,
    home: Path | None = None,
    port: int = 0,
    heap: str | None = None,
    parent_pid: int | None = None,
    timeout: float = START_TIMEOUT,
    temp_parent: Path | None = None,
) -> RunningEngine:
    """Start a node (building it first if needed), wait until healthy, and record its state.

    Without `home` the data goes to a new temporary directory (under `temp_parent` if given:
    tests pass /dev/shm, where the node's many fsyncs cost nothing).
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    current = read_state(state_dir)
    if current is not None and _alive(current.pid):
        raise EngineError(f"an engine is already running at {current.url} (pid {current.pid}); stop it first")
    classpath = build()
    temporary = home is None
    home = Path(tempfile.mkdtemp(prefix="osint-engine-", dir=temp_parent)) if home is None else home
    home.mkdir(parents=True, exist_ok=True)
    heap = heap or os.environ.get("OSINT_ENGINE_HEAP", DEFAULT_HEAP)
    command = [
        "java",
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseSerialGC",
        "-Dlog4j2.formatMsgNoLookups=true",
        "-Dfile.encoding=UTF-8",
        "-Djava.io.tmpdir=" + str(home / "tmp"),
    ]
    if parent_pid:
        command.append(f"-Dosint.engine.parent={parent_pid}")
    command += ["-cp", os.pathsep.join(classpath), MAIN_CLASS, str(home), str(port)]
    (home / "tmp").mkdir(exist_ok=True)
    with open(home / "engine.log", "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        url = _wait_for_url_file(home, process, timeout)
        wait_healthy(url, timeout=timeout, process=process)
    except EngineError:
        _terminate(process.pid)
        raise
    engine = RunningEngine(pid=process.pid, url=url, home=home, temporary=temporary)
    _write_state(state_dir, engine)
    return engine


def _write_state(state_dir: Path, engine: RunningEngine) -> None:
    (state_dir / "engine.json").write_text(
        json.dumps(
            {
                "pid": engine.pid,
                "url": engine.url,
                "home": str(engine.home),
                "temporary": engine.temporary,
            }
        )
    )
    (state_dir / "pid").write_text(f"{engine.pid}\n")
    (state_dir / "url").write_text(f"{engine.url}\n")


def read_state(state_dir: Path = DEFAULT_STATE_DIR) -> RunningEngine | None:
    path = state_dir / "engine.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return RunningEngine(pid=data["pid"], url=data["url"], home=Path(data["home"]), temporary=data["temporary"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); reap it if it is ours.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:
        return True


def _terminate(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM (the node closes its indices cleanly), then SIGKILL after the deadline."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def stop(state_dir: Path = DEFAULT_STATE_DIR, keep_data: bool = False) -> RunningEngine | None:
    """Stop the recorded node; remove its home if it was a temporary one and not kept."""
    engine = read_state(state_dir)
    if engine is None:
        return None
    _terminate(engine.pid)
    for name in ("engine.json", "pid", "url"):
        (state_dir / name).unlink(missing_ok=True)
    if engine.temporary and not keep_data:
        shutil.rmtree(engine.home, ignore_errors=True)
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "start", "stop", "wait", "url"])
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("OSINT_ENGINE_STATE_DIR", DEFAULT_STATE_DIR))
    )
    parser.add_argument("--port", type=int, default=0, help="HTTP port (0: a free one)")
    parser.add_argument("--heap", default=None, help=f"JVM heap (default {DEFAULT_HEAP} or $OSINT_ENGINE_HEAP)")
    parser.add_argument("--home", type=Path, default=None, help="keep data here instead of a temporary directory")
    parser.add_argument("--keep-data", action="store_true", help="stop: do not delete the temporary data")
    parser.add_argument("--timeout", type=float, default=START_TIMEOUT)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(force=True)
        elif args.command == "start":
            engine = start(args.state_dir, home=args.home, port=args.port, heap=args.heap, timeout=args.timeout)
            print(f"engine pid {engine.pid}, data in {engine.home}", file=sys.stderr)
            print(engine.url)
        elif args.command == "stop":
            engine = stop(args.state_dir, keep_data=args.keep_data)
            print("stopped" if engine else "no engine recorded", file=sys.stderr)
        else:
            engine = read_state(args.state_dir)
            if engine is None or not _alive(engine.pid):
                print("no engine running (start one with: python scripts/engine/run.py start)", file=sys.stderr)
                return 1
            if args.command == "wait":
                wait_healthy(engine.url, timeout=args.timeout)
            print(engine.url)
    except EngineError as exc:
        print(f"engine: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
