"""Fixtures for the backend contract suite: every test runs against every backend.

"sqlite" opens a fresh file in tmp_path; "engine" opens a fresh index on the real node that the
session fixture `engine_url` (tests/conftest.py) starts, using the `?index=NAME` URL convention.
Without that fixture, or when it skips, the engine runs are skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.backend import IndexBackend, open_backend
from schema.document import Document
from tests.contract.contract_documents import FIXTURE_DOCUMENTS

BACKENDS = ("sqlite", "engine")


def _engine_base_url(request: pytest.FixtureRequest) -> str:
    try:
        return request.getfixturevalue("engine_url")
    except pytest.FixtureLookupError:
        pytest.skip("no engine_url fixture: the engine backend is not available")


@pytest.fixture
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], IndexBackend]]:
    """Factory for fresh, empty backends of a kind; all are closed at teardown."""
    opened: list[IndexBackend] = []

    def make(kind: str) -> IndexBackend:
        name = f"test_{uuid.uuid4().hex}"
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        elif kind == "engine":
            base = _engine_base_url(request)
            url = f"{base}{'&' if '?' in base else '?'}index={name}"
        else:
            raise ValueError(kind)
        backend = open_backend(url)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        backend.close()


@pytest.fixture(
    params=[pytest.param(kind, marks=[pytest.mark.engine] if kind == "engine" else []) for kind in BACKENDS]
)
def backend_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A contract case that opens an engine backend through `make_backend` (the engine is looked
    up at run time, so `engine_url` is not among its fixtures) needs the engine: mark it. That is
    any "engine" value of a *_kind parameter, e.g. the migration target besides backend_kind."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if (
            "make_backend" in getattr(item, "fixturenames", ())
            and callspec is not None
            and any(name.endswith("kind") and value == "engine" for name, value in callspec.params.items())
        ):
            item.add_marker(pytest.mark.engine)


@pytest.fixture
def backend(make_backend: Callable[[str], IndexBackend], backend_kind: str) -> IndexBackend:
    return make_backend(backend_kind)


@pytest.fixture
def documents() -> list[Document]:
    return list(FIXTURE_DOCUMENTS.values())


@pytest.fixture
def loaded(backend: IndexBackend, documents: list[Document]) -> IndexBackend:
    """The backend holding the fixture documents, refreshed for search."""
    result = backend.upsert(documents)
    assert result.failures == [] and result.indexed == len(documents)
    backend.refresh()
    return backend
