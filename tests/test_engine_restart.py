"""The engine is stopped in the middle of indexing and started again: nothing lost, nothing twice.

Uses a node of its own (not the session's), with its data in a directory that survives the
stop, restarted on the same port so the backend's URL stays valid.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from index.engine.bulk import RetryPolicy
from tests.engine_fixture import engine_runner, memory_backed_dir, start_engine
from tests.engine_support import fresh_backend, ids, make_documents

pytestmark = pytest.mark.engine

BATCH = 25
DEADLINE = 240.0


@pytest.fixture
def own_engine(tmp_path: Path, engine_url: str):
    """A second node (engine_url only ensures engines can run here at all)."""
    state_dir = tmp_path / "state"
    home = Path(memory_backed_dir() or tmp_path) / f"osint-restart-{tmp_path.name}"
    engine = start_engine(state_dir, home=home)
    yield state_dir, home, engine
    engine_runner().stop(state_dir)
    shutil.rmtree(home, ignore_errors=True)


def test_stop_engine_mid_indexing_and_restart(own_engine, tmp_path: Path) -> None:
    state_dir, home, engine = own_engine
    runner = engine_runner()
    port = urlsplit(engine.url).port
    backend = fresh_backend(
        engine.url, tmp_path / "spool", retry=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.2), cooldown=0.0
    )
    restarted = threading.Event()
    restart_error: list[BaseException] = []

    def stop_and_start_again() -> None:
        try:
            runner.stop(state_dir, keep_data=True)
            start_engine(state_dir, home=home, port=port)
        except BaseException as exc:  # reported by the main thread
            restart_error.append(exc)
        finally:
            restarted.set()

    sent: list[str] = []
    spooled = indexed = 0
    number = 0
    batches_after_restart = 0
    deadline = time.monotonic() + DEADLINE
    restarter = threading.Thread(target=stop_and_start_again)
    while batches_after_restart < 10 and time.monotonic() < deadline:
        documents = make_documents(BATCH, prefix="restart", start=number)
        number += BATCH
        sent += ids(documents)
        result = backend.upsert(documents)
        assert result.failures == []
        spooled += result.spooled
        indexed += result.indexed
        if number == 10 * BATCH:
            restarter.start()  # stops the node while the next bulk requests are in flight
        if restarted.is_set():
            batches_after_restart += 1
    restarter.join(timeout=DEADLINE)
    assert not restart_error, restart_error
    assert restarted.is_set() and batches_after_restart == 10, "the engine did not come back in time"
    assert spooled > 0, "no document was spooled: the engine was never away"
    assert indexed > 0

    backend.flush_spool()
    assert backend.spool.files() == []
    stored = ids(backend.iter_documents(batch_size=1000))
    assert len(stored) == len(set(stored)), "a document was indexed twice"
    assert sorted(stored) == sorted(sent)
    assert backend.count() == len(sent)
