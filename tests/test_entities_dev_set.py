"""The annotated development set: its shape, and the extractor's measured quality on it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from entities_eval import DEFAULT_DIR, TYPES, evaluate, load_documents  # noqa: E402

TARGETS = {"countries": 0.95, "weapons": 0.90, "weapon_categories": 0.90, "armed_groups": 0.90}
VOCABULARY = {
    "assault rifle",
    "rifle",
    "machine gun",
    "pistol",
    "sniper rifle",
    "grenade",
    "rocket launcher",
    "MANPADS",
    "anti-tank guided missile",
    "artillery",
    "mortar",
    "rocket",
    "missile",
    "ammunition",
    "armored vehicle",
    "tank",
    "drone",
    "IED",
    "landmine",
    "explosives",
    "aircraft",
}


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return load_documents(DEFAULT_DIR)


def test_development_set_shape(documents: list[dict]) -> None:
    assert len(documents) >= 45
    ids = [d["id"] for d in documents]
    assert len(ids) == len(set(ids))
    languages = {d["language"] for d in documents}
    assert {"fr", "es", "ar", "ru"} <= languages
    assert sum(d["language"] != "en" for d in documents) >= 6
    for document in documents:
        words = len(document["text"].split())
        assert 80 <= words <= 250, (document["id"], words)
        assert set(document["expected"]) == set(TYPES), document["id"]
        assert set(document["expected"]["weapon_categories"]) <= VOCABULARY, document["id"]
        assert all(len(code) == 2 and code.isupper() for code in document["expected"]["countries"]), document["id"]


def test_development_set_covers_the_traps(documents: list[dict]) -> None:
    texts = " ".join(d["text"] for d in documents)
    for trap in ("Free Syrian Army", "Kuwait City", "javelin", "What IS", "Wagner's Ring", "RSF", "M16"):
        assert trap in texts, trap


@pytest.mark.usefixtures("gazetteer_only")
def test_quality_targets_on_the_development_set(documents: list[dict]) -> None:
    scores = evaluate(documents)
    report = {kind: round(scores[kind].f1, 3) for kind in TYPES}
    for kind, target in TARGETS.items():
        assert scores[kind].f1 >= target, (kind, report, scores[kind].errors)
