"""The relation benchmark: its scoring on small hand-made lists, and the shape of the dev set."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pycountry
import pytest

from benchmarks.relations_eval import SET_FILES, Counts, load_passages, score
from extractors.entities.sources import category_records, group_records, weapon_records
from schema.relations import RELATION_TYPES

TEXT = "Houthis fired Kornet missiles. Iran sent drones to the Houthis. The drones were made in Iran."
FIRED, SENT, MADE = TEXT.split(". ")


def relation(
    group: str, weapon: str, type_: str, direction: str, supplier: str = "", evidence: str = FIRED
) -> dict[str, Any]:
    return {
        "group": group,
        "weapon": weapon,
        "type": type_,
        "direction": direction,
        "supplier": supplier,
        "evidence": evidence,
    }


def predicted(group: str, weapon: str, type_: str, direction: str, supplier: str = "") -> dict[str, Any]:
    """A relation as `Extraction.relations` holds it: offsets instead of evidence text."""
    return {
        "group": group,
        "weapon": weapon,
        "type": type_,
        "direction": direction,
        "supplier": supplier,
        "start": 0,
        "end": len(FIRED),
    }


def passage(
    pid: str, relations: list[dict[str, Any]], origins: tuple[dict[str, Any], ...] = (), lang: str = "en"
) -> dict[str, Any]:
    return {"id": pid, "lang": lang, "text": TEXT, "relations": relations, "origins": list(origins)}


GOLD = [
    passage(
        "p1",
        [
            relation("Houthis", "9M133 Kornet", "use", "held"),
            relation("Houthis", "drone", "supply_to", "to_group", "IR", SENT),
        ],
        ({"weapon": "drone", "origin": "IR", "evidence": MADE},),
    ),
    passage("p2", [], lang="ar"),
]


def test_counts_leave_undefined_ratios_undefined() -> None:
    assert (Counts().precision, Counts().recall, Counts().f1) == (None, None, None)
    nothing_predicted = Counts(tp=0, fp=0, fn=3)
    assert nothing_predicted.precision is None
    assert nothing_predicted.recall == 0.0
    assert nothing_predicted.f1 == 0.0
    counts = Counts(tp=2, fp=2, fn=0)
    assert (counts.precision, counts.recall) == (0.5, 1.0)
    assert counts.f1 == pytest.approx(2 / 3)


def test_perfect_predictions_score_one_everywhere() -> None:
    report = score(
        GOLD,
        {
            "p1": {
                "relations": [
                    predicted("Houthis", "9M133 Kornet", "use", "held"),
                    predicted("Houthis", "drone", "supply_to", "to_group", "IR"),
                ],
                "origin_statements": [{"weapon": "drone", "origin": "IR", "start": 0, "end": 5}],
            }
        },
    )
    assert (report.pairs.tp, report.pairs.fp, report.pairs.fn) == (2, 0, 0)
    assert report.types["use"].f1 == report.types["supply_to"].f1 == 1.0
    assert report.types["seizure_from"].f1 is None  # neither gold nor predicted
    assert (report.supplier.with_gold, report.supplier.matched, report.supplier.predicted.precision) == (1, 1, 1.0)
    assert report.origins.f1 == 1.0
    assert report.errors == []


def test_nothing_predicted_is_all_misses() -> None:
    report = score(GOLD, {})
    assert (report.pairs.tp, report.pairs.fp, report.pairs.fn) == (0, 0, 2)
    assert report.pairs.precision is None and report.pairs.recall == 0.0
    assert report.supplier.with_gold == 0  # a missed pair is not also a missed supplier
    assert report.origins.fn == 1
    assert {e["kind"] for e in report.errors} == {"missed relation", "missed origin"}
    missed = [e for e in report.errors if e["kind"] == "missed relation"]
    assert {e["evidence"] for e in missed} == {FIRED, SENT}


def test_pair_ignores_type_but_not_direction() -> None:
    report = score(
        GOLD,
        {
            "p1": {
                "relations": [
                    predicted("Houthis", "9M133 Kornet", "possession", "held"),  # right pair, wrong type
                    predicted("Houthis", "drone", "seizure_from", "from_group"),  # wrong direction
                ]
            }
        },
    )
    assert (report.pairs.tp, report.pairs.fp, report.pairs.fn) == (1, 1, 1)
    assert (report.types["use"].tp, report.types["use"].fn) == (0, 1)
    assert report.types["possession"].fp == 1
    assert report.types["seizure_from"].fp == 1
    type_errors = [e for e in report.errors if e["kind"] == "type"]
    assert [e["item"] for e in type_errors] == ["Houthis | 9M133 Kornet | held"]
    assert "gold ['use'], predicted ['possession']" in type_errors[0]["detail"]


def test_duplicates_count_once_and_spurious_passages_count() -> None:
    twice = predicted("Houthis", "9M133 Kornet", "use", "held")
    report = score(
        GOLD,
        {
            "p1": {"relations": [twice, dict(twice)]},
            "p2": {"relations": [predicted("Hamas", "rocket", "use", "held")]},
        },
    )
    assert (report.pairs.tp, report.pairs.fp, report.pairs.fn) == (1, 1, 1)
    assert (report.languages["en"].tp, report.languages["en"].fn) == (1, 1)
    assert (report.languages["ar"].tp, report.languages["ar"].fp) == (0, 1)
    spurious = [e for e in report.errors if e["kind"] == "spurious relation"]
    assert [(e["id"], e["evidence"]) for e in spurious] == [("p2", FIRED)]  # evidence from the offsets


@pytest.mark.parametrize(
    ("supplier", "matched", "precision"),
    [("IR", 1, 1.0), ("ir", 1, 1.0), ("AE", 0, 0.0), ("", 0, None)],
)
def test_supplier_of_a_correct_pair(supplier: str, matched: int, precision: float | None) -> None:
    report = score(GOLD, {"p1": {"relations": [predicted("Houthis", "drone", "supply_to", "to_group", supplier)]}})
    assert report.supplier.with_gold == 1
    assert report.supplier.matched == matched
    assert report.supplier.predicted.precision == precision
    assert any(e["kind"] == "supplier" for e in report.errors) == (matched == 0)


def test_a_supplier_where_gold_has_none_lowers_precision() -> None:
    report = score(GOLD, {"p1": {"relations": [predicted("Houthis", "9M133 Kornet", "use", "held", "IR")]}})
    assert report.supplier.with_gold == 0
    assert (report.supplier.predicted.tp, report.supplier.predicted.fp) == (0, 1)
    assert [e["detail"] for e in report.errors if e["kind"] == "supplier"] == ["gold none, predicted ['ir']"]


def test_origins_match_on_weapon_and_country() -> None:
    report = score(
        GOLD,
        {"p1": {"origin_statements": [{"weapon": "drone", "origin": "CN"}, {"weapon": "drone", "origin": "IR"}]}},
    )
    assert (report.origins.tp, report.origins.fp, report.origins.fn) == (1, 1, 0)
    assert report.as_dict(errors=False)["origins"]["precision"] == 0.5


# --- the development set ----------------------------------------------------------------------

DIRECTIONS = {
    "possession": {"held"},
    "use": {"held"},
    "found_with": {"held"},
    "seizure_from": {"from_group"},
    "capture_by": {"to_group"},
    "supply_to": {"to_group"},
    "sale_to": {"to_group"},
    "transfer": {"to_group", "from_group"},
}
MINIMUM_PER_LANGUAGE = {"en": 30, "ar": 8, "ru": 8, "fr": 8, "es": 8}


@pytest.fixture(scope="module")
def dev() -> list[dict[str, Any]]:
    return load_passages(SET_FILES["dev"])


def test_dev_set_size_and_languages(dev: list[dict[str, Any]]) -> None:
    assert len(dev) >= 60
    ids = [p["id"] for p in dev]
    assert len(ids) == len(set(ids))
    languages = Counter(p["lang"] for p in dev)
    for lang, minimum in MINIMUM_PER_LANGUAGE.items():
        assert languages[lang] >= minimum, lang
    assert all(p["id"].startswith(f"{p['lang']}-") for p in dev)
    assert sum(not p["relations"] for p in dev) >= 10  # passages with no relation at all
    assert sum(bool(p["origins"]) for p in dev) >= 15


def test_dev_relations_are_well_formed(dev: list[dict[str, Any]]) -> None:
    assert set(DIRECTIONS) == set(RELATION_TYPES)
    groups = {r.entry.canonical for r in group_records() if r.entry.label == "ARMED_GROUP"}
    weapons = {r.entry.canonical for r in (*weapon_records(), *category_records()) if r.entry.label == "WEAPON"}
    for p in dev:
        assert set(p) == {"id", "lang", "text", "relations", "origins"}, p["id"]
        assert 1 <= len(p["text"].split(". ")) <= 5, p["id"]
        keys = [(r["group"], r["weapon"], r["type"]) for r in p["relations"]]
        assert len(keys) == len(set(keys)), p["id"]  # one entry per (group, weapon, type)
        for r in p["relations"]:
            assert set(r) == {"group", "weapon", "type", "direction", "supplier", "evidence"}, p["id"]
            assert r["direction"] in DIRECTIONS[r["type"]], (p["id"], r)
            assert r["group"] in groups, (p["id"], r["group"])
            assert r["weapon"] in weapons, (p["id"], r["weapon"])
            assert r["evidence"] and r["evidence"] in p["text"], (p["id"], r["evidence"])
            supplier = r["supplier"]
            if len(supplier) == 2 and supplier.isupper():
                assert pycountry.countries.get(alpha_2=supplier), (p["id"], supplier)
            assert supplier != r["group"], p["id"]
        for o in p["origins"]:
            assert set(o) == {"weapon", "origin", "evidence"}, p["id"]
            assert o["weapon"] in weapons, (p["id"], o["weapon"])
            assert pycountry.countries.get(alpha_2=o["origin"]), (p["id"], o["origin"])
            assert o["evidence"] and o["evidence"] in p["text"], (p["id"], o["evidence"])
