"""Fixtures shared by the whole suite (each kind lives in its own module, imported here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import serving
from tests.crawl.helpers import OsintCli
from tests.engine_fixture import engine_url  # noqa: F401  (session fixture: a real search engine)


@pytest.fixture
def osint(tmp_path: Path) -> OsintCli:
    """The real `osint` command, with a data directory of the test's own."""
    return OsintCli(tmp_path / "data")


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
