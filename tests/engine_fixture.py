"""A real search engine for the tests: started once per session by scripts/engine/run.py.

- ``OSINT_TEST_ENGINE_URL=http://127.0.0.1:PORT`` uses a node that is already running
  (for example one from ``make engine``).
- Otherwise the fixture builds (first time only) and starts a node on a free loopback port with
  its data in a temporary directory, and stops it at the end of the session.
- Under ``CI=true`` an engine that cannot start fails the run; elsewhere its tests are skipped
  with the reason and how to enable them. ``OSINT_TEST_ENGINE=off`` skips them on purpose.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

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


def start_engine(state_dir: Path, home: Path | None = None, port: int = 0):
    """Start a node recorded in `state_dir` that dies with this test process."""
    runner = engine_runner()
    missing = runner.missing_tools()
    if missing:
        engine_unavailable(f"{', '.join(missing)} not installed")
    try:
        return runner.start(state_dir, home=home, port=port, parent_pid=os.getpid(), temp_parent=memory_backed_dir())
    except runner.EngineError as exc:
        engine_unavailable(str(exc))


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
    state_dir = tmp_path_factory.mktemp("engine-state")
    engine = start_engine(state_dir)
    try:
        yield engine.url
    finally:
        runner.stop(state_dir)
