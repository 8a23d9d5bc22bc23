"""`osint index migrate`: everything from the embedded index into the engine and back, verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.backend import open_backend
from index.engine.bulk import RetryPolicy
from index.migrate import migrate
from schema.entities import Entity
from tests.engine_support import Gate, fresh_backend, ids, make_documents

pytestmark = pytest.mark.engine


def _rich_documents(count: int):
    documents = make_documents(count, prefix="migrate")
    documents[0] = documents[0].model_copy(
        update={
            "language": "ar",
            "text": "ضبطت السلطات شحنة من الأسلحة",
            "weapons": ["AK-47"],
            "entities": [
                Entity(label="WEAPON", text="AK-47", start=0, end=5, canonical="AK-47", attributes={"calibre": "7.62"})
            ],
        }
    )
    documents[1] = documents[1].model_copy(update={"published": None, "story_id": "story-1", "tags": ["seizure"]})
    return documents


def test_embedded_index_to_engine_and_back_loses_nothing(engine_url: str, tmp_path: Path) -> None:
    embedded = open_backend(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    documents = _rich_documents(1203)  # more than two migration batches
    assert embedded.upsert(documents).indexed == len(documents)
    engine = fresh_backend(engine_url, tmp_path / "spool")
    progress: list[int] = []

    report = migrate(embedded, engine, progress=lambda r: progress.append(r.read))
    assert report.complete, report
    assert (report.source_documents, report.read, report.indexed, report.target_documents) == (1203,) * 4
    assert progress == [500, 1000, 1203]
    assert sorted(engine.iter_documents(), key=lambda d: d.id) == sorted(documents, key=lambda d: d.id)

    back = open_backend(f"sqlite:///{tmp_path / 'back.sqlite3'}")
    assert migrate(engine, back).complete
    assert sorted(back.iter_documents(), key=lambda d: d.id) == sorted(documents, key=lambda d: d.id)
    for backend in (embedded, engine, back):
        backend.close()


def test_migration_reports_what_did_not_arrive(engine_url: str, tmp_path: Path) -> None:
    embedded = open_backend(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    documents = make_documents(20)
    bad = make_documents(1, prefix="z" * 40_000)[0]
    embedded.upsert([*documents, bad])
    engine = fresh_backend(engine_url, tmp_path / "spool")
    report = migrate(embedded, engine)
    assert not report.complete
    assert [f.id for f in report.failures] == [bad.id] and report.missing_ids == [bad.id]
    assert report.indexed == 20 and report.target_documents == 20


def test_migration_into_an_unreachable_cluster_is_spooled_not_lost(engine_url: str, tmp_path: Path) -> None:
    embedded = open_backend(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    documents = make_documents(10)
    embedded.upsert(documents)
    gate = Gate(engine_url)
    try:
        engine = fresh_backend(gate.url, tmp_path / "spool", retry=RetryPolicy(attempts=2, sleep=lambda s: None))
        report = migrate(embedded, engine)
        assert not report.complete and report.spooled == 10 and report.unverified.startswith("target unreachable")
        assert engine.spool.count() == 10
        gate.open()
        assert engine.flush_spool().indexed == 10
        assert sorted(ids(engine.iter_documents())) == sorted(ids(documents))
    finally:
        gate.shutdown()
