"""The held-out evaluation set: longer texts in the register of published reporting, annotated
independently of the development set, and the extractor's measured quality on it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from entities_eval import DEFAULT_DIR, HOLDOUT_DIR, TYPES, evaluate, load_documents  # noqa: E402

from tests.test_entities_dev_set import TARGETS, VOCABULARY  # noqa: E402


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return load_documents(HOLDOUT_DIR)


def test_holdout_set_shape(documents: list[dict]) -> None:
    assert len(documents) >= 30
    ids = [d["id"] for d in documents]
    assert len(ids) == len(set(ids))
    assert not set(ids) & {d["id"] for d in load_documents(DEFAULT_DIR)}
    languages = {d["language"] for d in documents}
    assert {"fr", "es", "ar", "ru"} <= languages
    assert sum(d["language"] != "en" for d in documents) >= 6
    for document in documents:
        words = len(document["text"].split())
        assert 250 <= words <= 600, (document["id"], words)
        assert set(document["expected"]) == set(TYPES), document["id"]
        assert set(document["expected"]["weapon_categories"]) <= VOCABULARY, document["id"]
        assert all(len(code) == 2 and code.isupper() for code in document["expected"]["countries"]), document["id"]


@pytest.mark.usefixtures("gazetteer_only")
def test_quality_targets_on_the_holdout_set(documents: list[dict]) -> None:
    scores = evaluate(documents)
    report = {kind: round(scores[kind].f1, 3) for kind in TYPES}
    for kind, target in TARGETS.items():
        assert scores[kind].f1 >= target, (kind, report, scores[kind].errors)
