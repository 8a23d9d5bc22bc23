"""When the engine is away, documents go to the spool on disk and are replayed, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.engine.alias import alias_target
from index.engine.backend import EngineBackend
from index.engine.bulk import RetryPolicy
from index.engine.client import parse_engine_url
from index.engine.mapping import concrete_index
from index.engine.spool import Spool
from tests.engine_support import Gate, fresh_backend, ids, make_documents

pytestmark = pytest.mark.engine

NO_WAIT = RetryPolicy(attempts=2, base_delay=0.0, max_delay=0.0, sleep=lambda seconds: None)


@pytest.fixture
def gate(engine_url: str):
    gate = Gate(engine_url)
    yield gate
    gate.shutdown()


def test_unreachable_engine_spools_and_flush_replays(gate: Gate, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    backend = fresh_backend(gate.url, spool_dir, retry=NO_WAIT)  # the gate is closed: nothing listens
    documents = make_documents(40)
    result = backend.upsert(documents)
    assert (result.indexed, result.spooled, result.failures) == (0, 40, [])
    spooled = [document for path in Spool(spool_dir).files() for document in Spool(spool_dir).read(path)]
    assert sorted(ids(spooled)) == sorted(ids(documents))  # all of them on disk, each once
    assert sum(len(Spool(spool_dir).read(path)) for path in Spool(spool_dir).files()) == 40
    status = backend.status()
    assert status.spooled == 40 and status.health.startswith("unreachable")

    gate.open()
    replay = backend.flush_spool()
    assert (replay.indexed, replay.spooled, replay.failures) == (40, 0, [])
    assert Spool(spool_dir).files() == []
    assert sorted(ids(backend.iter_documents())) == sorted(ids(documents))
    assert backend.status().spooled == 0


def test_spooled_documents_are_replayed_before_newer_ones(gate: Gate, tmp_path: Path) -> None:
    backend = fresh_backend(gate.url, tmp_path / "spool", retry=NO_WAIT, cooldown=0.0)
    (old,) = make_documents(1)
    assert backend.upsert([old]).spooled == 1

    gate.open()
    new = old.model_copy(update={"title": "Shipment report corrected"})
    result = backend.upsert([new])  # replays the spool first, then sends the new copy
    assert result.indexed == 1 and result.spooled == 0
    assert backend.get(old.id) == new
    assert backend.count() == 1


def test_after_a_failure_the_backend_spools_without_waiting_again(gate: Gate, tmp_path: Path) -> None:
    waits: list[float] = []
    backend = fresh_backend(
        gate.url, tmp_path / "spool", retry=RetryPolicy(attempts=3, sleep=waits.append), cooldown=3600
    )
    assert backend.upsert(make_documents(3)).spooled == 3
    assert len(waits) == 2
    assert backend.upsert(make_documents(3, start=3)).spooled == 3
    assert len(waits) == 2  # cooling down: straight to the spool
    gate.open()
    assert backend.flush_spool().indexed == 6  # an explicit flush always tries
    assert backend.count() == 6


def test_while_spool_is_pending_new_documents_queue_behind_it(gate: Gate, tmp_path: Path) -> None:
    backend = fresh_backend(gate.url, tmp_path / "spool", retry=NO_WAIT, cooldown=0.0)
    assert backend.upsert(make_documents(2)).spooled == 2
    assert backend.upsert(make_documents(2, start=2)).spooled == 2  # still away: order kept on disk
    assert len(backend.spool.files()) == 2
    gate.open()
    assert backend.upsert(make_documents(2, start=4)).indexed == 2
    assert backend.spool.files() == []
    assert backend.count() == 6


def test_only_one_replay_at_a_time(gate: Gate, tmp_path: Path) -> None:
    backend = fresh_backend(gate.url, tmp_path / "spool", retry=NO_WAIT)
    assert backend.upsert(make_documents(4)).spooled == 4
    gate.open()
    with backend.spool.replay_lock() as locked:  # another process replaying
        assert locked
        result = backend.flush_spool()
        assert (result.indexed, result.spooled) == (0, 4)
    assert backend.flush_spool().indexed == 4


def test_spool_files_survive_a_new_process(gate: Gate, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    first = fresh_backend(gate.url, spool_dir, retry=NO_WAIT)
    documents = make_documents(5)
    first.upsert(documents)
    first.close()
    gate.open()
    second = EngineBackend(parse_engine_url(f"{gate.url}?index={first.alias}"), spool_dir=spool_dir)  # a new process
    assert second.flush_spool().indexed == 5
    assert sorted(ids(second.iter_documents())) == sorted(ids(documents))


def test_a_deleted_index_is_recreated_and_nothing_is_lost(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool", cooldown=0.0)
    backend.upsert(make_documents(3))
    backend.client.request("DELETE", f"/{backend.alias}-v*")  # an operator removes the index
    result = backend.upsert(make_documents(4, start=3))  # refused: alias missing, so spooled
    assert (result.indexed, result.failures, result.spooled) == (0, [], 4)
    assert backend.flush_spool().indexed == 4  # recreated from the template, then replayed
    assert backend.count() == 4
    # the engine did not auto-create a plain index under the alias's name
    assert alias_target(backend.client, backend.alias) == concrete_index(backend.alias)
