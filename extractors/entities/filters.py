"""Map an analyst's filter value to the canonical form stored on documents."""

from __future__ import annotations

import pycountry

from .gazetteer import default_gazetteer
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
    field = _FIELDS.get((name or "").strip().lower().replace("-", "_"))
    if field is None or not isinstance(value, str) or not value.strip():
        return value
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
    return value
