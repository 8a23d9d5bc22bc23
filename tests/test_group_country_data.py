"""Schema and consistency checks for the armed-group, country and generic-actor data files.

The files are hand-curated gazetteers, so these tests guard what a typo or a careless
addition would break: unknown codes or vocabularies, dangling parents, and a surface form
silently claimed by two entities (which the engine could only resolve by guessing).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pycountry
import pytest

from extractors.entities.sources import DATA_DIR, load_yaml

REGIONS = {
    "Middle East",
    "North Africa",
    "Sahel",
    "Lake Chad",
    "East Africa",
    "Central Africa",
    "West Africa",
    "South Asia",
    "Central Asia",
    "Southeast Asia",
    "Latin America",
    "Europe",
    "Caucasus",
    "Global",
}
GROUP_TYPES = {
    "jihadist",
    "insurgent",
    "militia",
    "paramilitary",
    "separatist",
    "cartel",
    "criminal",
    "pmc",
    "rebel",
}
GROUP_KEYS = {
    "canonical",
    "aliases",
    "case_sensitive",
    "ambiguous",
    "translations",
    "parent",
    "region",
    "type",
}
OPTIONAL_GROUP_KEYS = {"stem", "head"}
HEADS = {"cartel", "cartels", "brigade", "brigades", "front", "army", "movement", "militia"}
LANGUAGES = {"ar", "ru", "fr", "es"}
COUNTRY_KEYS = {"names", "demonyms", "abbreviations", "misspellings", "translations"}
OPTIONAL_COUNTRY_KEYS = {"ambiguous"}
NON_LATIN = re.compile(r"[\u0600-\u06FF\u0400-\u04FF]")  # Arabic, Cyrillic


@pytest.fixture(scope="module")
def groups() -> list[dict[str, Any]]:
    data = load_yaml(DATA_DIR / "armed_groups.yaml")
    assert isinstance(data, list), "armed_groups.yaml is missing or not a list"
    return data


@pytest.fixture(scope="module")
def country_data() -> dict[str, Any]:
    data = load_yaml(DATA_DIR / "countries.yaml")
    assert isinstance(data, dict), "countries.yaml is missing or not a mapping"
    return data


@pytest.fixture(scope="module")
def actors() -> dict[str, list[str]]:
    data = load_yaml(DATA_DIR / "generic_actors.yaml")
    assert isinstance(data, dict), "generic_actors.yaml is missing or not a mapping"
    return data["actors"]


def norm(form: str) -> str:
    """Lowercase and collapse runs of spaces/hyphens: the engine's basic equivalence."""
    return re.sub(r"[\s\-‐‑–]+", " ", form.strip().lower())


def _assert_string_list(value: Any, where: str) -> None:
    assert isinstance(value, list), f"{where}: expected a list, got {value!r}"
    for item in value:
        # A bare YES/NO/null in YAML would arrive as bool/None instead of the intended text.
        assert isinstance(item, str) and item.strip() == item and item, f"{where}: bad item {item!r}"


def _group_forms(group: dict[str, Any]) -> Iterator[str]:
    yield group["canonical"]
    yield from group["aliases"]
    for forms in group["translations"].values():
        yield from forms


# --- armed groups -------------------------------------------------------------------------


def test_group_count_and_unique_canonicals(groups: list[dict[str, Any]]) -> None:
    canonicals = [g["canonical"] for g in groups]
    assert len(canonicals) >= 250
    duplicates = {c for c in canonicals if canonicals.count(c) > 1}
    assert not duplicates


def test_group_entries_follow_schema(groups: list[dict[str, Any]]) -> None:
    for group in groups:
        name = group.get("canonical")
        assert isinstance(name, str) and name, group
        keys = set(group)
        assert keys >= GROUP_KEYS, f"{name}: missing {GROUP_KEYS - keys}"
        assert keys <= GROUP_KEYS | OPTIONAL_GROUP_KEYS, f"{name}: unknown {keys - GROUP_KEYS - OPTIONAL_GROUP_KEYS}"
        for key in ("aliases", "case_sensitive", "ambiguous"):
            _assert_string_list(group[key], f"{name}.{key}")
        assert group["region"] in REGIONS, f"{name}: region {group['region']!r}"
        assert group["type"] in GROUP_TYPES, f"{name}: type {group['type']!r}"
        assert isinstance(group["translations"], dict), name
        assert set(group["translations"]) <= LANGUAGES, f"{name}: {set(group['translations'])}"
        for lang, forms in group["translations"].items():
            _assert_string_list(forms, f"{name}.translations.{lang}")
        declared = set(_group_forms(group))
        for key in ("case_sensitive", "ambiguous"):
            undeclared = set(group[key]) - declared
            assert not undeclared, f"{name}.{key} lists forms it does not declare: {undeclared}"
        if "head" in group or "stem" in group:
            assert group.get("head") in HEADS, f"{name}: head {group.get('head')!r}"
            assert isinstance(group.get("stem"), str), f"{name}: stem missing"
            assert norm(f"{group['stem']} {group['head']}") in {norm(f) for f in declared}, (
                f"{name}: '<stem> <head>' must itself be a listed form"
            )


def test_parents_name_existing_groups(groups: list[dict[str, Any]]) -> None:
    canonicals = {g["canonical"] for g in groups}
    for group in groups:
        parent = group["parent"]
        assert parent is None or parent in canonicals, f"{group['canonical']}: parent {parent!r}"
        assert parent != group["canonical"]


def test_no_form_shared_by_two_groups_unless_ambiguous_in_both(groups: list[dict[str, Any]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    ambiguous: dict[str, set[str]] = defaultdict(set)
    for group in groups:
        for form in _group_forms(group):
            owners[norm(form)].add(group["canonical"])
        for form in group["ambiguous"]:
            ambiguous[norm(form)].add(group["canonical"])
    clashes = {form: sorted(names) for form, names in owners.items() if len(names) > 1 and not names <= ambiguous[form]}
    assert not clashes


def test_most_reported_groups_have_own_script_forms(groups: list[dict[str, Any]]) -> None:
    with_script = [
        g["canonical"]
        for g in groups
        if any(NON_LATIN.search(f) for forms in g["translations"].values() for f in forms)
    ]
    assert len(with_script) >= 50


def test_group_forms_are_not_generic_actors(groups: list[dict[str, Any]], actors: dict[str, list[str]]) -> None:
    generic = {norm(v) for variants in actors.values() for v in variants}
    clashes = {g["canonical"]: f for g in groups for f in _group_forms(g) if norm(f) in generic}
    assert not clashes


# --- countries ----------------------------------------------------------------------------


def _pycountry_names(code: str) -> set[str]:
    country = pycountry.countries.get(alpha_2=code)
    return {getattr(country, attr) for attr in ("name", "official_name", "common_name") if getattr(country, attr, None)}


def _country_forms(code: str, entry: dict[str, Any]) -> Iterable[str]:
    yield from _pycountry_names(code)
    for key in ("names", "demonyms", "abbreviations", "misspellings"):
        yield from entry[key]
    for forms in entry["translations"].values():
        yield from forms


def test_countries_cover_exactly_the_iso_list(country_data: dict[str, Any]) -> None:
    codes = {c.alpha_2 for c in pycountry.countries}
    listed = set(country_data["countries"])
    assert all(isinstance(code, str) for code in listed), "a code was parsed as a non-string"
    assert listed == codes, (sorted(codes - listed), sorted(listed - codes))


def test_country_entries_follow_schema(country_data: dict[str, Any]) -> None:
    for code, entry in country_data["countries"].items():
        keys = set(entry)
        assert COUNTRY_KEYS <= keys <= COUNTRY_KEYS | OPTIONAL_COUNTRY_KEYS, f"{code}: {keys}"
        for key in COUNTRY_KEYS - {"translations"} | (keys & OPTIONAL_COUNTRY_KEYS):
            _assert_string_list(entry[key], f"{code}.{key}")
        assert set(entry["translations"]) <= LANGUAGES, code
        for lang, forms in entry["translations"].items():
            _assert_string_list(forms, f"{code}.translations.{lang}")
        forms = {norm(f) for f in _country_forms(code, entry)}
        assert {norm(f) for f in entry.get("ambiguous", [])} <= forms, f"{code}: ambiguous form not listed"


def test_conflict_relevant_countries_have_translations(country_data: dict[str, Any]) -> None:
    translated = [code for code, entry in country_data["countries"].items() if set(entry["translations"]) >= LANGUAGES]
    assert len(translated) >= 80
    for code in ("SY", "IQ", "YE", "LY", "SD", "SO", "ML", "NE", "NG", "CD", "UA", "RU", "IR", "CO", "MX"):
        assert code in translated, code


def test_no_country_form_shared_unless_ambiguous(country_data: dict[str, Any]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    ambiguous: dict[str, set[str]] = defaultdict(set)
    for code, entry in country_data["countries"].items():
        for form in _country_forms(code, entry):
            owners[norm(form)].add(code)
        for form in entry.get("ambiguous", []):
            ambiguous[norm(form)].add(code)
    clashes = {form: sorted(codes) for form, codes in owners.items() if len(codes) > 1 and not codes <= ambiguous[form]}
    assert not clashes


def test_historical_states_and_non_countries_stay_apart(country_data: dict[str, Any]) -> None:
    current = {norm(f) for code, entry in country_data["countries"].items() for f in _country_forms(code, entry)}
    historical = country_data["historical_states"]
    for state, forms in historical.items():
        _assert_string_list(forms, f"historical_states.{state}")
        overlap = {norm(f) for f in forms} & current
        assert not overlap, f"{state} shares {overlap} with a current country"
    historical_forms = [norm(f) for forms in historical.values() for f in forms]
    assert len(historical_forms) == len(set(historical_forms)), "a form names two historical states"
    assert {"Soviet Union", "Yugoslavia", "Czechoslovakia", "East Germany"} <= set(historical)
    not_countries = country_data["not_countries"]
    _assert_string_list(not_countries, "not_countries")
    assert not {norm(f) for f in not_countries} & current


# --- generic actors -----------------------------------------------------------------------


def test_generic_actors_are_lowercase_singular_and_disjoint(actors: dict[str, list[str]]) -> None:
    assert {"rebel", "militant", "insurgent", "jihadist", "gunman", "armed group"} <= set(actors)
    seen: dict[str, str] = {}
    for canonical, variants in actors.items():
        assert canonical == canonical.lower().strip(), canonical
        _assert_string_list(variants, canonical)
        assert canonical in variants, f"{canonical} must list itself"
        for variant in variants:
            key = norm(variant)
            assert seen.setdefault(key, canonical) == canonical, f"{variant!r} under {seen[key]} and {canonical}"
