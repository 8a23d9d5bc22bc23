"""Fixtures shared by the whole suite (each kind lives in its own module, imported here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import forking, serving
from tests.crawl.helpers import OsintCli
from tests.engine_fixture import engine_url  # noqa: F401  (session fixture: a real search engine)


@pytest.fixture
def osint(tmp_path: Path) -> OsintCli:
    """The real `osint` command, with a data directory of the test's own. Its crawls extract in
    the crawler process (OSINT_EXTRACT_WORKERS=0): these tests check what a crawl fetches and
    records, and a pool would add two interpreter start-ups and warm-ups (~10 s of CPU) to every
    crawl. The pool itself is crawled through end to end by tests/crawl/test_demo_site.py and
    test_hostile_site.py, and its life and death by tests/crawl/test_orphaned_workers.py."""
    return OsintCli(tmp_path / "data", extract_workers=0)


@pytest.fixture
def gazetteer_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entities from the gazetteer alone, whatever model is installed (the setting is process-wide,
    and an in-process `osint extract` sets it)."""
    from extractors.entities import model_layer

    monkeypatch.setattr(model_layer, "_setting", "none")


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connection refused."""
    return serving.closed_port()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the marker must already be there
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whatever needs the real engine is marked `engine`, so `-m "not engine"` (make test-fast)
    leaves out exactly those tests, wherever they live: a test is marked when `engine_url` is
    among its fixtures, directly or through another fixture. (The contract suite's engine
    backend reaches the node at run time; tests/contract/conftest.py marks those cases.)"""
    for item in items:
        if "engine_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)


def pytest_sessionfinish() -> None:
    """The fork server of this test process (tests/forking.py) ends with the session."""
    forking.stop_fork_server()
