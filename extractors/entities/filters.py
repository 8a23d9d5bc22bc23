"""Map an analyst's filter value to the canonical form stored on documents."""

from __future__ import annotations

import functools

import pycountry
from rapidfuzz import fuzz, process

from schema.countries import country_label

from .gazetteer import all_records, default_gazetteer
from .matcher import find_candidates
from .text import KeyCache

_keys = KeyCache(limit=10_000)

# Filter names (singular, plural, or the document field) -> what the value is matched against.
_FIELDS = {
    "country": ("COUNTRY", None),
    "countries": ("COUNTRY", None),
    "weapon_origin": ("COUNTRY", None),
    "weapon_origins": ("COUNTRY", None),
    "origin": ("COUNTRY", None),
    "weapon": ("WEAPON", "model"),
    "weapons": ("WEAPON", "model"),
    "category": ("WEAPON", "category"),
    "weapon_category": ("WEAPON", "category"),
    "weapon_categories": ("WEAPON", "category"),
    "weapon_categories_implied": ("WEAPON", "category"),
    "group": ("ARMED_GROUP", None),
    "armed_group": ("ARMED_GROUP", None),
    "armed_groups": ("ARMED_GROUP", None),
    "state": ("HISTORICAL_STATE", None),
    "historical_state": ("HISTORICAL_STATE", None),
    "historical_states": ("HISTORICAL_STATE", None),
    "actor": ("GENERIC_ACTOR", None),
    "generic_actor": ("GENERIC_ACTOR", None),
    "generic_actors": ("GENERIC_ACTOR", None),
}


def canonicalize_filter(name: str, value: str) -> str:
    """("country", "Iran") -> "IR", ("weapon", "ak47") -> "AK-47"; unknown values unchanged."""
    known = resolve_filter(name, value)
    return value if known is None else known


def is_entity_filter(name: str) -> bool:
    return _field(name) is not None


def _field(name: str) -> tuple[str, str | None] | None:
    return _FIELDS.get((name or "").strip().lower().replace("-", "_"))


def resolve_filter(name: str, value: str) -> str | None:
    """The stored form of an entity filter's value, or None when the gazetteer knows no such
    entity (and for filters that are not on entities)."""
    field = _field(name)
    if field is None or not isinstance(value, str) or not value.strip():
        return None
    label, kind = field
    wanted = value.strip()
    if label == "COUNTRY" and len(wanted) == 2 and wanted.isalpha() and pycountry.countries.get(alpha_2=wanted.upper()):
        return wanted.upper()
    gazetteer = default_gazetteer()
    root = gazetteer.generic_root if label == "GENERIC_ACTOR" else gazetteer.root
    tokens = _keys.tokenize(wanted)
    for candidate in find_candidates(root, tokens, case_relaxed=True):
        if candidate.start != wanted.find(wanted.lstrip()[0]) or candidate.end < len(wanted.rstrip()):
            continue
        for alias in candidate.aliases:
            entry = alias.entry
            if entry.label == label and (kind is None or entry.attributes.get("kind") == kind):
                return entry.canonical
    return None


def unknown_value_warning(name: str, value: str) -> str:
    """For an entity filter value nothing is known by: a warning naming the closest known entity."""
    noun = _NOUNS[_FIELDS[name.strip().lower().replace("-", "_")]]
    suggestion = closest_entity(name, value)
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    return f"no known {noun} {value!r}{hint}"


_NOUNS = {
    ("COUNTRY", None): "country",
    ("WEAPON", "model"): "weapon",
    ("WEAPON", "category"): "weapon category",
    ("ARMED_GROUP", None): "armed group",
    ("HISTORICAL_STATE", None): "historical state",
    ("GENERIC_ACTOR", None): "actor",
}
#: least similarity (0-100, rapidfuzz's normalised Indel ratio) for a suggestion
SUGGESTION_CUTOFF = 80


def closest_entity(name: str, value: str) -> str | None:
    """The canonical name of the entity whose name or alias is closest to `value`, if close enough."""
    field = _field(name)
    if field is None:
        return None
    names = entity_names(*field)
    found = process.extractOne(
        value.casefold(), list(names), scorer=fuzz.ratio, processor=None, score_cutoff=SUGGESTION_CUTOFF
    )
    if not found:
        return None
    canonical = names[found[0]]
    return country_label(canonical) if field[0] == "COUNTRY" else canonical


@functools.cache
def entity_names(label: str, kind: str | None) -> dict[str, str]:
    """Every name and alias (case-folded) of the entities of `label` (and `kind`) -> canonical."""
    names: dict[str, str] = {}
    for record in all_records():
        entry = record.entry
        if entry.label == label and (kind is None or entry.attributes.get("kind") == kind):
            names.setdefault(record.alias.casefold(), entry.canonical)
            names.setdefault(entry.canonical.casefold(), entry.canonical)
    return names
