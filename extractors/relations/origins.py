"""Explicit origin statements: where the text says a weapon was made.

"Chinese-made rifles", "rifles made in China", "of Bulgarian origin", "produced by Norinco",
"headstamps of a Sudanese factory", "китайского производства", "de fabrication chinoise",
"صينية الصنع". Each is found next to a COUNTRY mention (or a manufacturer's name, whose country
the gazetteer knows) and attached to the nearest weapon mention of the sentence on the side the
phrasing puts it. Patterns per language live in origins.yaml.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.entities.sources import load_yaml
from schema.entities import Entity
from schema.relations import MAX_SENTENCE_CHARS, OriginCue, OriginStatement

from .cues import arabic_tolerant

_FILE = Path(__file__).with_name("origins.yaml")
_WEAPONS = Path(__file__).parent.parent / "entities" / "data" / "weapons.yaml"
#: how far (characters) a weapon may sit from the statement it is attached to
_REACH = 80
#: a country after these is where something was seen, not where it was made
_SEEN_IN = re.compile(r"\b(?:photos?|images?|seen|documented|recovered|found|reported|from)\b[^.]*$")
#: components: an origin stated for one of these is not the weapon's
_PARTS = re.compile(
    r"\b(?:engines?|components?|parts?|servos?|chips?|electronics|motors?|moteurs?|composants?|pi[eè]ces?|"
    r"componentes?|piezas?|двигател\w*|компонент\w*|детал\w*|محرك\w*|مكونات|قطع)\b"
)
#: manufacturers analysts cite that no gazetteer model names (ISO code of their home country)
_MORE_MAKERS = {
    "arsenal": "BG",
    "military industry corporation": "SD",
    "baykar": "TR",
    "hesa": "IR",
    "poly technologies": "CN",
    "denel": "ZA",
    "mke": "TR",
    "sarsilmaz": "TR",
    "glock": "AT",
    "prvi partizan": "RS",
    "zastava": "RS",
}


@dataclass(frozen=True)
class _CountryPattern:
    cue: OriginCue
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    weapon: str  # "before", "after" or "either": where the weapon sits relative to the country


@dataclass(frozen=True)
class _Patterns:
    country: list[_CountryPattern]
    by_maker: re.Pattern[str]
    marking: re.Pattern[str]


@functools.cache
def _patterns(language: str) -> _Patterns:
    data: dict[str, Any] = load_yaml(_FILE)
    entry = data.get(language) or data["en"]

    def compiled(pattern: str) -> re.Pattern[str]:
        return re.compile(arabic_tolerant(pattern) if language == "ar" else pattern)

    return _Patterns(
        country=[
            _CountryPattern(
                cue=item["cue"],
                before=compiled(item["before"]) if "before" in item else None,
                after=compiled(item["after"]) if "after" in item else None,
                weapon=item["weapon"],
            )
            for item in entry["country"]
        ],
        by_maker=compiled(entry["by_maker"]),
        marking=compiled(entry["marking"]),
    )


@functools.cache
def manufacturers() -> dict[str, str]:
    """Lower-cased manufacturer name -> the ISO code most of its models in the gazetteer carry."""
    entries: list[dict[str, Any]] = load_yaml(_WEAPONS)
    origins: dict[str, Counter[str]] = {}
    for entry in entries:
        maker, origin = entry.get("manufacturer"), entry.get("origin")
        if maker and origin and "state arsenals" not in maker and "improvised" not in maker:
            origins.setdefault(maker, Counter())[origin] += 1
    table = dict(_MORE_MAKERS)
    for maker, counts in origins.items():
        code = counts.most_common(1)[0][0]
        full = maker.lower()
        table.setdefault(full, code)
        table.setdefault(re.sub(r"\s*\(.*?\)", "", full).strip(), code)  # "kbm (kolomna)" -> "kbm"
    return table


def _maker_at(text: str) -> tuple[str, str] | None:
    """(manufacturer, ISO code) named at the start of `text` (lower case), the longest name first."""
    for name, code in _makers_longest_first():
        if text.startswith(name) and (len(text) == len(name) or not text[len(name)].isalnum()):
            return name, code
    return None


@functools.cache
def _makers_longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(manufacturers().items(), key=lambda item: len(item[0]), reverse=True))


def _stated(patterns: _Patterns, before: str, after: str) -> _CountryPattern | None:
    """The origin phrasing a country stands in, given the sentence's text before and after it."""
    for pattern in patterns.country:
        if (pattern.before is None or pattern.before.search(before)) and (
            pattern.after is None or pattern.after.match(after)
        ):
            return pattern
    return None


def states_origin(lowered: str, start: int, end: int, language: str) -> bool:
    """Whether the country at [start, end) of the sentence `lowered` says where something was
    made ("Swedish-made", "de fabricación sueca"), so it is not who sent it."""
    return _stated(_patterns(language), lowered[:start], lowered[end:]) is not None


def _marked(lowered: str, marking: re.Pattern[str], country_start: int) -> bool:
    """A marking word close before the country ("headstamps of Factory 71 in China", "the
    markings of Zastava Arms in Kragujevac, Serbia"), the country not where photos were taken
    ("photos from Libya and Yemen")."""
    before = lowered[max(0, country_start - 60) : country_start]
    return bool(marking.search(before)) and not _SEEN_IN.search(before[-30:])


def _of_a_part(lowered: str, weapon_start: int, weapon_end: int, country_start: int) -> bool:
    """The statement is about a part ("drones built with engines produced in Germany")."""
    low, high = (weapon_end, country_start) if weapon_end <= country_start else (country_start, weapon_start)
    return bool(_PARTS.search(lowered[low:high]))


def _nearest(weapons: list[Entity], start: int, end: int, side: str, reach: int = _REACH) -> Entity | None:
    """The weapon closest to [start, end) on `side` ("before", "after" or "either")."""

    def distance(weapon: Entity) -> int:
        return start - weapon.end if weapon.end <= start else weapon.start - end

    allowed = [
        weapon
        for weapon in weapons
        if 0 <= distance(weapon) <= reach and (side == "either" or (side == "before") == (weapon.end <= start))
    ]
    if not allowed and side != "either":
        allowed = [weapon for weapon in weapons if 0 <= distance(weapon) <= reach // 2]
    return min(allowed, key=distance, default=None)


def origin_statements(
    text: str,
    lowered: str,
    sentence: tuple[int, int],
    language: str,
    weapons: list[Entity],
    countries: list[Entity],
) -> list[OriginStatement]:
    """The statements of one sentence (document offsets; `lowered` is the sentence lower-cased)."""
    if not weapons:
        return []
    patterns = _patterns(language)
    start, end = sentence

    def local(offset: int) -> int:
        return offset - start

    found: list[tuple[Entity, str, OriginCue, str]] = []  # weapon, origin, cue, manufacturer
    marking = bool(patterns.marking.search(lowered))  # a cheap test first: most sentences have none
    for country in countries:
        before, after = lowered[: local(country.start)], lowered[local(country.end) :]
        pattern = _stated(patterns, before, after)
        if pattern is not None:
            weapon = _nearest(weapons, country.start, country.end, pattern.weapon)
            if weapon is not None and not _of_a_part(
                lowered, local(weapon.start), local(weapon.end), local(country.start)
            ):
                found.append((weapon, country.canonical, pattern.cue, ""))
        elif marking and _marked(lowered, patterns.marking, local(country.start)):
            weapon = _nearest(weapons, country.start, country.end, "either", reach=len(lowered))
            if weapon is not None:
                found.append((weapon, country.canonical, "headstamp", ""))
    for by_maker in patterns.by_maker.finditer(lowered):
        named = _maker_at(lowered[by_maker.end() :])
        if named is not None:
            weapon = _nearest(weapons, start + by_maker.start(), start + by_maker.end(), "before")
            if weapon is not None:
                found.append((weapon, named[1], "manufacturer", named[0]))
    statements: dict[tuple[int, str], OriginStatement] = {}
    for weapon, origin, cue, maker in found:
        statements.setdefault(
            (weapon.start, origin),
            OriginStatement(
                weapon=weapon.canonical,
                weapon_start=weapon.start,
                weapon_end=weapon.end,
                origin=origin,
                default_origin=str(weapon.attributes.get("origin") or ""),
                cue=cue,
                manufacturer=maker,
                start=start,
                end=end,
                sentence=text[start:end][:MAX_SENTENCE_CHARS],
            ),
        )
    return list(statements.values())
