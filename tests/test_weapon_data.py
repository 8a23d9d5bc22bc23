"""Schema checks for the weapon knowledge files the entity extractor loads.

weapons.yaml: a list of models, each with exactly the keys canonical, category, origin,
manufacturer, aliases, ambiguous and optionally historical_origin and case_sensitive.

Alias-sharing rule: two entries may share a surface form (compared case-insensitively with
hyphens, spaces and dots removed, so "RPG-7", "RPG 7" and "rpg7" are one form) only if that
form is listed under ``ambiguous`` in every entry that uses it; the engine then needs weapon
context to choose. Any other shared form would make the canonical name depend on load order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pycountry
import pytest

from extractors.entities.sources import DATA_DIR, load_yaml

VOCABULARY = [
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
]
REQUIRED_KEYS = {"canonical", "category", "origin", "manufacturer", "aliases", "ambiguous"}
OPTIONAL_KEYS = {"historical_origin", "case_sensitive"}
HISTORICAL_STATES = {"Soviet Union", "Yugoslavia", "Czechoslovakia", "East Germany"}


def _form(text: str) -> str:
    return re.sub(r"[\s\-.\u2010-\u2015]", "", text).casefold()


@pytest.fixture(scope="module")
def weapons() -> list[dict[str, Any]]:
    data = load_yaml(DATA_DIR / "weapons.yaml")
    assert isinstance(data, list), "weapons.yaml is missing or not a list"
    return data


@pytest.fixture(scope="module")
def categories() -> dict[str, Any]:
    data = load_yaml(DATA_DIR / "categories.yaml")
    assert isinstance(data, dict), "categories.yaml is missing or not a mapping"
    return data


def test_weapons_has_at_least_500_entries(weapons: list[dict[str, Any]]) -> None:
    assert len(weapons) >= 500


def test_every_entry_has_the_schema_keys_and_types(weapons: list[dict[str, Any]]) -> None:
    for entry in weapons:
        keys = set(entry)
        assert REQUIRED_KEYS <= keys <= REQUIRED_KEYS | OPTIONAL_KEYS, entry.get("canonical")
        for key in ("canonical", "category", "origin", "manufacturer"):
            assert isinstance(entry[key], str) and entry[key].strip(), (entry["canonical"], key)
        for key in ("aliases", "ambiguous", "case_sensitive"):
            values = entry.get(key, [])
            assert isinstance(values, list), (entry["canonical"], key)
            assert all(isinstance(v, str) and v.strip() for v in values), (entry["canonical"], key)


def test_canonical_names_are_unique(weapons: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = defaultdict(int)
    for entry in weapons:
        seen[entry["canonical"].casefold()] += 1
    assert [name for name, count in seen.items() if count > 1] == []


def test_every_category_is_in_the_vocabulary(weapons: list[dict[str, Any]], categories: dict[str, Any]) -> None:
    vocabulary = set(categories["vocabulary"])
    assert [e["canonical"] for e in weapons if e["category"] not in vocabulary] == []


def test_every_origin_is_an_iso_alpha2_code(weapons: list[dict[str, Any]]) -> None:
    bad = [(e["canonical"], e["origin"]) for e in weapons if pycountry.countries.get(alpha_2=e["origin"]) is None]
    assert bad == []


def test_historical_origin_names_a_historical_state(weapons: list[dict[str, Any]]) -> None:
    bad = [
        e["canonical"] for e in weapons if "historical_origin" in e and e["historical_origin"] not in HISTORICAL_STATES
    ]
    assert bad == []


def test_soviet_designs_are_attributed_to_russia(weapons: list[dict[str, Any]]) -> None:
    bad = [e["canonical"] for e in weapons if e.get("historical_origin") == "Soviet Union" and e["origin"] != "RU"]
    assert bad == []


def test_flagged_aliases_are_names_of_their_entry(weapons: list[dict[str, Any]]) -> None:
    for entry in weapons:
        names = {entry["canonical"], *entry["aliases"]}
        for key in ("ambiguous", "case_sensitive"):
            assert set(entry.get(key, [])) <= names, (entry["canonical"], key)


def test_no_surface_form_is_shared_unless_ambiguous_everywhere(
    weapons: list[dict[str, Any]],
) -> None:
    owners: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for entry in weapons:
        ambiguous = {_form(a) for a in entry["ambiguous"]}
        forms = {_form(n) for n in [entry["canonical"], *entry["aliases"]]}
        for form in forms:
            owners[form].append((entry["canonical"], form in ambiguous))
    clashes = {
        form: users for form, users in owners.items() if len(users) > 1 and not all(flagged for _, flagged in users)
    }
    assert clashes == {}


def _all_terms(categories: dict[str, Any]) -> list[str]:
    """Every term: those of all languages and those of one (`translations`)."""
    by_language = [t for forms in (categories.get("translations") or {}).values() for ts in forms.values() for t in ts]
    return [t for ts in categories["terms"].values() for t in ts] + by_language


def test_terms_of_one_language_name_known_categories_and_languages(categories: dict[str, Any]) -> None:
    for category, forms in (categories.get("translations") or {}).items():
        assert category in VOCABULARY, category
        assert set(forms) <= {"ar", "ru", "fr", "es"}, (category, forms)


def test_vocabulary_is_exactly_the_21_categories(categories: dict[str, Any]) -> None:
    assert categories["vocabulary"] == VOCABULARY


def test_every_vocabulary_category_has_terms_including_itself(categories: dict[str, Any]) -> None:
    terms = categories["terms"]
    assert set(terms) == set(VOCABULARY)
    for category in VOCABULARY:
        assert category.casefold() in {t.casefold() for t in terms[category]}, category


def test_no_term_maps_to_two_categories(categories: dict[str, Any]) -> None:
    owner: dict[str, set[str]] = defaultdict(set)
    for category, terms in categories["terms"].items():
        for term in terms:
            owner[term.casefold()].add(category)
    assert {t: c for t, c in owner.items() if len(c) > 1} == {}


def test_no_category_phrases_do_not_overlap_terms(categories: dict[str, Any]) -> None:
    terms = {t.casefold() for t in _all_terms(categories)}
    assert [p for p in categories["no_category"] if p.casefold() in terms] == []


def test_case_sensitive_terms_are_category_terms(categories: dict[str, Any]) -> None:
    terms = set(_all_terms(categories))
    assert [t for t in categories["case_sensitive"] if t not in terms] == []


def test_mortar_rounds_is_not_a_single_ammunition_term(categories: dict[str, Any]) -> None:
    # "mortar rounds" must yield mortar + ammunition, so neither may swallow the phrase.
    terms = {t.casefold() for t in _all_terms(categories)}
    assert "mortar rounds" not in terms and "mortar round" not in terms
    assert {"mortar", "rounds"} <= terms


def test_modifiers_and_hypernyms_create_no_category(categories: dict[str, Any]) -> None:
    terms = {t.casefold() for t in _all_terms(categories)}
    no_category = {p.casefold() for p in categories["no_category"]}
    for phrase in (
        "anti-tank",
        "anti-aircraft",
        "weapons",
        "arms",
        "small arms",
        "light weapons",
        "firearms",
        "guns",
        "materiel",
        "equipment",
        "systems",
    ):
        assert phrase in no_category and phrase not in terms, phrase


def test_weapon_aliases_are_not_category_terms(weapons: list[dict[str, Any]], categories: dict[str, Any]) -> None:
    terms = {_form(t) for t in _all_terms(categories)}
    clashes = [(e["canonical"], a) for e in weapons for a in [e["canonical"], *e["aliases"]] if _form(a) in terms]
    assert clashes == []


def test_ambiguous_category_terms_are_category_terms(categories: dict[str, Any]) -> None:
    terms = set(_all_terms(categories))
    assert [t for t in categories.get("ambiguous", []) if t not in terms] == []
