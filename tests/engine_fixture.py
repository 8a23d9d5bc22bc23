"""A real search engine for the tests: started once per session by scripts/engine/run.py.

- ``OSINT_TEST_ENGINE_URL=http://127.0.0.1:PORT`` uses a node that is already running
  (for example one from ``make engine``).
- Otherwise the fixture builds (first time only) and starts a node on a free loopback port with
  its data in a temporary directory, and stops it at the end of the session.
- Under ``CI=true`` an engine that cannot start fails the run; elsewhere its tests are skipped
  with the reason and how to enable them. ``OSINT_TEST_ENGINE=off`` skips them on purpose.
- Under pytest-xdist the workers share one node: the first worker that needs it starts it (the
  others wait on a file lock in the run's shared temporary directory), each worker that uses it
  is counted, and the last one to finish stops it. The node is tied to the life of the xdist
  controller, so it cannot outlive the run even if the workers die. A node that failed to start
  is not tried again by every worker: the failure is recorded once and reported by each.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psutil
import pytest

from tests.processes import kill_quietly, running_after

RUNNER_PATH = Path(__file__).resolve().parent.parent / "scripts" / "engine" / "run.py"
HOW_TO_ENABLE = (
    "install Java 17 and Maven (the node is built from Maven Central on first use), or start one "
    "with `make engine` and set OSINT_TEST_ENGINE_URL to the URL it prints"
)


def engine_runner() -> ModuleType:
    """scripts/engine/run.py as a module (scripts/ is not a package)."""
    name = "osint_engine_runner"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, RUNNER_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def engine_unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere; never returns."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"search engine unavailable under CI: {reason}", pytrace=False)
    pytest.skip(f"search engine unavailable: {reason}; to run these tests, {HOW_TO_ENABLE}")


def memory_backed_dir() -> Path | None:
    """tmpfs for test data when the machine has one: index creation is ~3x faster there."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def start_engine(state_dir: Path, home: Path | None = None, port: int = 0, parent_pid: int | None = None):
    """Start a node recorded in `state_dir` that dies with this test process (or `parent_pid`)."""
    runner = engine_runner()
    missing = runner.missing_tools()
    if missing:
        engine_unavailable(f"{', '.join(missing)} not installed")
    try:
        return runner.start(
            state_dir, home=home, port=port, parent_pid=parent_pid or os.getpid(), temp_parent=memory_backed_dir()
        )
    except runner.EngineError as exc:
        engine_unavailable(str(exc))


def _xdist_worker() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER"))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _shared_engine(shared: Path) -> Iterator[str]:
    """The node shared by the xdist workers of this run (see the module's docstring)."""
    runner = engine_runner()
    shared.mkdir(exist_ok=True)
    state_dir, users, failure = shared / "state", shared / "users.json", shared / "failure.json"
    with _locked(shared / "lock"):
        if failure.exists():
            recorded = json.loads(failure.read_text())
            if recorded["failed"]:
                pytest.fail(recorded["message"], pytrace=False)
            pytest.skip(recorded["message"])
        engine = runner.read_state(state_dir)
        if engine is not None:
            try:
                runner.wait_healthy(engine.url, timeout=10)
            except runner.EngineError:  # it died: start another
                runner.stop(state_dir)
                engine = None
        if engine is None:
            try:
                # the controller is the workers' parent: the node lives as long as the whole run
                engine = start_engine(state_dir, parent_pid=os.getppid())
            except (pytest.fail.Exception, pytest.skip.Exception) as outcome:
                failed = isinstance(outcome, pytest.fail.Exception)
                failure.write_text(json.dumps({"failed": failed, "message": str(outcome.msg)}))
                raise
        count = json.loads(users.read_text()) if users.exists() else 0
        users.write_text(json.dumps(count + 1))
    try:
        yield engine.url
    finally:
        with _locked(shared / "lock"):
            count = json.loads(users.read_text()) - 1
            users.write_text(json.dumps(count))
            if count == 0:
                _stop_shared(state_dir)


def _stop_shared(state_dir: Path) -> None:
    """runner.stop() for a node that may be another worker's child: once stopped it stays a
    zombie until that worker reaps it, which runner.stop() would wait 30 s for, taking it for alive."""
    runner = engine_runner()
    engine = runner.read_state(state_dir)
    if engine is None:
        return
    with contextlib.suppress(psutil.NoSuchProcess):
        node = psutil.Process(engine.pid)
        node.terminate()  # SIGTERM: the node closes its indices cleanly
        kill_quietly(running_after([node], 30))
    for name in ("engine.json", "pid", "url"):
        (state_dir / name).unlink(missing_ok=True)
    if engine.temporary:
        shutil.rmtree(engine.home, ignore_errors=True)


@pytest.fixture(scope="session")
def engine_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("OSINT_TEST_ENGINE", "").lower() == "off":
        pytest.skip("engine tests turned off (OSINT_TEST_ENGINE=off)")
    given = os.environ.get("OSINT_TEST_ENGINE_URL")
    runner = engine_runner()
    if given:
        try:
            runner.wait_healthy(given.rstrip("/"), timeout=30)
        except runner.EngineError as exc:
            engine_unavailable(f"OSINT_TEST_ENGINE_URL={given}: {exc}")
        yield given.rstrip("/")
        return
    if _xdist_worker():  # the run's directory, shared by its workers (each has a subdirectory)
        yield from _shared_engine(tmp_path_factory.getbasetemp().parent / "engine")
        return
    state_dir = tmp_path_factory.mktemp("engine-state")
    engine = start_engine(state_dir)
    try:
        yield engine.url
    finally:
        runner.stop(state_dir)
