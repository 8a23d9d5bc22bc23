"""Read the gazetteer data files into flat `Entry`/alias records.

Each data file is owned by its curators and documented in its own header; this module only
turns their shapes into one list of (entry, alias, flags) the compiler can index. Missing files
are tolerated (an empty source) so the engine keeps working while data is being written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from ruamel.yaml import YAML

from .text import arabic_nisba

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
RULES_FILE = Path(__file__).with_name("rules.yaml")

# Labels used only inside the engine: a BLOCK alias swallows its span and yields nothing
# ("Kuwait City", "anti-tank"); a STEM is a group name short of its head noun ("Sinaloa").
BLOCK = "BLOCK"
STEM = "STEM"


@dataclass(eq=False, slots=True)
class Entry:
    """One thing the gazetteer can report (a weapon model, a country, a group...)."""

    label: str
    canonical: str
    attributes: dict[str, Any] = field(default_factory=dict)
    #: Countries whose mention in a document supports this entry (for groups sharing an alias):
    #: those its own names contain ("...Liberation of Uganda"), and those of its region.
    named_countries: frozenset[str] = frozenset()
    home_countries: frozenset[str] = frozenset()


@dataclass(slots=True)
class AliasRecord:
    entry: Entry
    alias: str
    case_sensitive: bool = False
    ambiguous: bool = False
    #: Languages whose texts may use this alias (translations); None for every language.
    languages: frozenset[str] | None = None


def load_yaml(path: Path) -> Any:
    if not path.exists():
        log.warning("gazetteer data file missing: %s", path)
        return None
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))  # C loader (ruamel.yaml.clib), YAML 1.2


def _strings(values: Any) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        return [values]
    return [str(v) for v in values if v is not None and str(v).strip()]


def _translations(values: Any) -> list[str]:
    if not isinstance(values, dict):
        return []
    return [alias for forms in values.values() for alias in _strings(forms)]


def _arabic_adjectives(values: Any) -> list[str]:
    """Derived Arabic nisba forms of one-word country names (سوري from سوريا)."""
    if not isinstance(values, dict):
        return []
    return [form for name in _strings(values.get("ar")) for form in arabic_nisba(name)]


def _records(
    entry: Entry,
    aliases: Iterable[str],
    case_sensitive: Iterable[str] = (),
    ambiguous: Iterable[str] = (),
    translations: Any = None,
) -> Iterator[AliasRecord]:
    """Records of `aliases` (any language) and of `translations` ({lang: [aliases]}), the
    latter usable only in texts of their language ("MLS" is Sudanese rebels in French only)."""
    sensitive = set(case_sensitive)
    unclear = {a.casefold() for a in ambiguous}
    seen: set[str] = set()
    for alias in aliases:
        if alias in seen:
            continue
        seen.add(alias)
        yield AliasRecord(entry, alias, alias in sensitive, alias.casefold() in unclear)
    if not isinstance(translations, dict):
        return
    by_alias: dict[str, set[str]] = {}
    for language, forms in translations.items():
        for alias in _strings(forms):
            by_alias.setdefault(alias, set()).add(str(language).lower())
    for alias, languages in by_alias.items():
        if alias not in seen:
            yield AliasRecord(entry, alias, alias in sensitive, alias.casefold() in unclear, frozenset(languages))


def weapon_records(data_dir: Path = DATA_DIR) -> Iterator[AliasRecord]:
    for item in load_yaml(data_dir / "weapons.yaml") or []:
        # Every weapon carries kind, category, origin and manufacturer (None when unknown).
        attributes = {
            "kind": "model",
            "category": item.get("category"),
            "origin": item.get("origin"),
            "manufacturer": item.get("manufacturer"),
        }
        if item.get("historical_origin"):
            attributes["historical_origin"] = item["historical_origin"]
        entry = Entry("WEAPON", str(item["canonical"]), attributes)
        aliases = [entry.canonical, *_strings(item.get("aliases"))]
        local = [form for alias in aliases for form in _local_type_designations(alias) if form not in aliases]
        sensitive = [*_strings(item.get("case_sensitive")), *local]
        yield from _records(entry, aliases + local, sensitive, _strings(item.get("ambiguous")))


_TYPE_DESIGNATION = re.compile(r"Type (\d[\w-]*.*)")
#: how Spanish, Portuguese and Russian reporting write the Chinese "Type NN" designations
_TYPE_WORDS = ("Tipo", "Тип")
#: and Arabic («من نوع 56»), for numbers of two digits or more («نوع 2» is any "type 2")
_ARABIC_TYPE_WORDS = ("نوع", "تايب")
_TWO_DIGITS = re.compile(r"\d\d")


def _local_type_designations(alias: str) -> list[str]:
    """«Tipo 56» and «Тип 56» for "Type 56": case-sensitive, so "de tipo 2" stays a phrase."""
    found = _TYPE_DESIGNATION.fullmatch(alias)
    if not found:
        return []
    number = found.group(1)
    words = _TYPE_WORDS + (_ARABIC_TYPE_WORDS if _TWO_DIGITS.match(number) else ())
    return [f"{word} {number}" for word in words]


def category_records(data_dir: Path = DATA_DIR, data: dict[str, Any] | None = None) -> Iterator[AliasRecord]:
    """The category terms of categories.yaml (`data`: the file, when the caller has read it)."""
    if data is None:
        data = load_yaml(data_dir / "categories.yaml") or {}
    sensitive = _strings(data.get("case_sensitive"))
    unclear = _strings(data.get("ambiguous"))  # need weapon context nearby ("bomba de agua", "APC party")
    by_language = data.get("translations") or {}  # terms that name the category in one language only
    for category, terms in (data.get("terms") or {}).items():
        attributes = {"kind": "category", "category": str(category), "origin": None, "manufacturer": None}
        entry = Entry("WEAPON", str(category), attributes)
        yield from _records(entry, [str(category), *_strings(terms)], sensitive, unclear, by_language.get(category))
    blocker = Entry(BLOCK, "no_category")
    yield from _records(blocker, _strings(data.get("no_category")))


def _pycountry_names(code: str) -> list[str]:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return []
    return [getattr(country, attr) for attr in ("name", "official_name", "common_name") if getattr(country, attr, None)]


def country_records(data_dir: Path = DATA_DIR) -> Iterator[AliasRecord]:
    data = load_yaml(data_dir / "countries.yaml") or {}
    listed = {str(code): item for code, item in (data.get("countries") or {}).items()}
    official = {country.alpha_2: country.name for country in pycountry.countries}
    # Codes the data adds to ISO 3166-1 (XK, Kosovo) count as countries too.
    for code in sorted(official.keys() | listed.keys()):
        item = listed.get(code) or {}
        names = _strings(item.get("names"))
        entry = Entry("COUNTRY", code, {"name": official.get(code) or (names[0] if names else code)})
        aliases = [
            *_pycountry_names(code),
            *_strings(item.get("names")),
            *_strings(item.get("demonyms")),
            *_strings(item.get("misspellings")),
        ]
        derived = [form for form in _arabic_adjectives(item.get("translations")) if form not in aliases]
        abbreviations = _strings(item.get("abbreviations"))
        unclear = _strings(item.get("ambiguous"))
        yield from _records(entry, [*aliases, *abbreviations], abbreviations, unclear, item.get("translations"))
        # A derived adjective of an ambiguous name is as ambiguous as the name.
        arabic_unclear = [f for name in unclear for f in arabic_nisba(name)]
        yield from _records(entry, (), (), arabic_unclear, {"ar": derived})
    for name, forms in (data.get("historical_states") or {}).items():
        entry = Entry("HISTORICAL_STATE", str(name))
        forms = [str(name), *_strings(forms)]
        # Upper-case acronyms (USSR, GDR, DDR) would otherwise match ordinary words.
        yield from _records(entry, forms, [f for f in forms if f.isupper() and len(f) <= 5])
    yield from _records(Entry(BLOCK, "not_country"), _strings(data.get("not_countries")))


def group_records(
    data_dir: Path = DATA_DIR,
    countries_of: Callable[[str], frozenset[str]] | None = None,
    region_countries: Callable[[str], frozenset[str]] | None = None,
) -> Iterator[AliasRecord]:
    for item in load_yaml(data_dir / "armed_groups.yaml") or []:
        attributes = {key: item.get(key) for key in ("parent", "region", "type")}
        canonical = str(item["canonical"])
        aliases = [canonical, *_strings(item.get("aliases"))]
        named = (
            countries_of("\n".join([*aliases, *_translations(item.get("translations"))]))
            if countries_of
            else frozenset()
        )
        homes = region_countries(attributes["region"] or "") if region_countries else frozenset()
        entry = Entry("ARMED_GROUP", canonical, attributes, named, homes)
        yield from _records(
            entry,
            aliases,
            _strings(item.get("case_sensitive")),
            _strings(item.get("ambiguous")),
            item.get("translations"),
        )
        if item.get("stem") and item.get("head"):
            stem = Entry(STEM, canonical, {"group": entry, "head": str(item["head"])})
            yield from _records(stem, _strings(item.get("stem")))


def generic_actor_records(data_dir: Path = DATA_DIR) -> Iterator[AliasRecord]:
    data = load_yaml(data_dir / "generic_actors.yaml") or {}
    for canonical, variants in (data.get("actors") or {}).items():
        entry = Entry("GENERIC_ACTOR", str(canonical))
        variants = [str(canonical), *_strings(variants)]
        yield from _records(entry, variants, [v for v in variants if v.isupper()])


def rule_records(rules: dict[str, Any]) -> Iterator[AliasRecord]:
    """Engine-owned blockers: places named after a country, sports senses, and the like."""
    yield from _records(Entry(BLOCK, "rules"), _strings(rules.get("blockers")))
    sensitive = _strings(rules.get("case_sensitive_blockers"))
    yield from _records(Entry(BLOCK, "rules"), sensitive, sensitive)
