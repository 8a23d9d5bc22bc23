"""Choose, for every candidate span, the entry it names — or nothing.

Unambiguous aliases are taken as they are. An alias the data marks ambiguous ("IS", "Javelin",
"Wagner", "RSF", "Georgia") needs its label's context: cue words near it (rules.yaml), another
mention of the same kind nearby, or an unambiguous mention of the same entity in the document.
When one alias names several entries ("JEM"), the one whose home countries the document
mentions wins.
"""

from __future__ import annotations

import functools
import importlib.util
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .gazetteer import Alias, ContextWords, Gazetteer, TrieNode
from .matcher import Candidate
from .sources import BLOCK, Entry
from .text import Tokens

_WINDOW = 10
_UNCLEAR_WEAPONS = "unclear weapons"
_WEAPON_CUES = "weapon cues"
# Labels whose nearby mentions count as cues for one another.
_RELATED = {
    "WEAPON": ("WEAPON",),
    "ARMED_GROUP": ("ARMED_GROUP", "GENERIC_ACTOR"),
    "COUNTRY": ("COUNTRY", "HISTORICAL_STATE"),
    "HISTORICAL_STATE": ("COUNTRY", "HISTORICAL_STATE"),
}


# Capitalised at a sentence start without being part of a name ("In Chad", "A Hellfire").
# French and Spanish articles and determiners open sentences too ("Des kalachnikovs", "Los fusiles").
_ROMANCE_FUNCTION_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "des",
        "du",
        "de",
        "ce",
        "cet",
        "cette",
        "ces",
        "ses",
        "leurs",
        "plusieurs",
        "certains",
        "el",
        "los",
        "las",
        "lo",
        "un",
        "una",
        "unos",
        "unas",
        "del",
        "este",
        "esta",
        "estos",
        "estas",
        "varios",
        "varias",
    ]
)


@functools.cache
def _function_words() -> frozenset[str]:
    return frozenset(_spacy_english_stop_words()) | _ROMANCE_FUNCTION_WORDS


def _spacy_english_stop_words() -> set[str]:
    """spaCy's English stop words, read from their module without importing spaCy itself (~0.7 s
    of every extraction worker's start, for a word list, when OSINT_SPACY_MODEL=none): the module
    is plain Python with no imports."""
    spacy = importlib.util.find_spec("spacy")  # finds the package without running it
    assert spacy is not None and spacy.submodule_search_locations, "spaCy is a dependency"
    path = Path(next(iter(spacy.submodule_search_locations)), "lang", "en", "stop_words.py")
    spec = importlib.util.spec_from_file_location("_spacy_english_stop_words", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    words: set[str] = module.STOP_WORDS
    return words


@dataclass(slots=True)
class Resolved:
    candidate: Candidate
    entry: Entry
    ambiguous: bool


def _score(tokens: Tokens, candidate: Candidate, words: ContextWords, neighbours: list[int]) -> int:
    keys = tokens.keys
    lo = max(0, candidate.first - _WINDOW)
    hi = min(len(keys), candidate.last + 1 + _WINDOW)
    window = keys[lo : candidate.first] + keys[candidate.last + 1 : hi]
    score = sum(1 for k in window if k in words.positive) - sum(2 for k in window if k in words.negative)
    score += bisect_left(neighbours, hi) - bisect_left(neighbours, lo)
    return score


def _shouting(tokens: Tokens, candidate: Candidate) -> bool:
    """Is the alias inside upper-case text (a headline), where case says nothing?"""
    text = tokens.text
    near = [k for k in (candidate.first - 1, candidate.last + 1) if 0 <= k < len(tokens.keys)]
    words = [text[tokens.starts[k] : tokens.ends[k]] for k in near]
    return bool(words) and all(w.isupper() and len(w) > 1 for w in words)


def _inside_a_name(tokens: Tokens, candidate: Candidate, words: ContextWords, known: TrieNode) -> bool:
    """ "Chad Smith", "Michael Jordan", "Richard Wagner", "Kalashnikov Concern": an ambiguous
    alias written inside another capitalised name that the gazetteer does not know."""
    text, keys = tokens.text, tokens.keys
    after = candidate.last + 1
    if (
        after < len(keys)
        and tokens.gap(candidate.last) == " "
        and text[tokens.starts[after]].isupper()
        and keys[after] not in words.positive
        and keys[after] not in known
    ):
        return True
    before = candidate.first - 1
    if (
        before >= 0
        and tokens.gap(before) == " "
        and text[tokens.starts[before]].isupper()
        and keys[before] not in _function_words()
        and keys[before] not in known
    ):
        prior = text[max(0, tokens.starts[before] - 2) : tokens.starts[before]]
        return not prior.strip(" ").endswith((".", "!", "?", "\n")) and keys[before] not in words.positive
    return False


def _supported(alias: Alias, accepted: set[tuple[str, str]]) -> bool:
    return (alias.entry.label, alias.entry.canonical) in accepted


def _pick(aliases: list[Alias], countries: set[str], accepted: set[tuple[str, str]]) -> Alias:
    """The entry the document supports best: named elsewhere in it, then sharing its countries."""

    def support(alias: Alias) -> int:
        entry = alias.entry
        return (
            4 * _supported(alias, accepted)
            + 2 * len(entry.named_countries & countries)
            + len(entry.home_countries & countries)
        )

    return max(aliases, key=support)


def _clear_entry(candidate: Candidate) -> Entry | None:
    entries = {id(a.entry): a.entry for a in candidate.aliases if not a.ambiguous}
    return next(iter(entries.values())) if len(entries) == 1 else None


def _names_a_language(gazetteer: Gazetteer, tokens: Tokens, candidate: Candidate) -> bool:
    after = candidate.last + 1
    return (
        after < len(tokens.keys)
        and tokens.keys[after] in gazetteer.language_markers
        and tokens.gap(candidate.last) in ("-", " ")
    )


def _is_weapon_noun(candidate: Candidate) -> bool:
    return all(a.entry.label == "WEAPON" and a.entry.attributes.get("kind") == "category" for a in candidate.aliases)


def _touching(one: Candidate, other: Candidate) -> bool:
    return one.last + 1 == other.first or other.last + 1 == one.first


def _prefer_weapons_beside_weapon_nouns(candidates: list[Candidate]) -> None:
    """A designation written next to a weapon noun is the weapon ("ручные пулемёты РПК" is the RPK
    machine gun, not the PKK's Russian acronym), whatever else the document names; and of the
    weapons it may be, those of the noun's category («cohete M-75» is the rocket, «granada M75»
    the grenade)."""
    for index, candidate in enumerate(candidates):
        weapons = [a for a in candidate.aliases if a.entry.label == "WEAPON"]
        if not weapons or len(candidate.aliases) == 1:
            continue
        beside = candidates[max(0, index - 1) : index] + candidates[index + 1 : index + 2]
        nouns = [noun for noun in beside if _touching(noun, candidate) and _is_weapon_noun(noun)]
        if not nouns:
            continue
        categories = {a.entry.canonical for noun in nouns for a in noun.aliases}
        agreeing = [a for a in weapons if a.entry.attributes.get("category") in categories]
        candidate.aliases = agreeing or weapons


def resolve(
    gazetteer: Gazetteer, tokens: Tokens, candidates: list[Candidate], generic: Sequence[Candidate] = ()
) -> list[Resolved]:
    """Entries named by `candidates`; `generic` actors ("militants") count as group cues."""
    candidates = [c for c in candidates if not any(a.entry.label == BLOCK for a in c.aliases)]
    for candidate in candidates:
        if _names_a_language(gazetteer, tokens, candidate):
            candidate.aliases = [a for a in candidate.aliases if a.entry.label != "COUNTRY"]
    candidates = [c for c in candidates if c.aliases]
    _prefer_weapons_beside_weapon_nouns(candidates)
    clear = [(c, e) for c in candidates if (e := _clear_entry(c)) is not None]
    clear += [(c, c.aliases[0].entry) for c in generic]
    accepted = {(e.label, e.canonical) for _, e in clear}
    clear.sort(key=lambda item: item[0].first)
    # Sorted token positions of clear mentions that count as cues for each label.
    positions: dict[str, list[int]] = {}
    for c, entry in clear:
        for label, related in _RELATED.items():
            if entry.label in related:
                positions.setdefault(label, []).append(c.first)
    unclear = [c.first for c in candidates if all(a.ambiguous and a.entry.label == "WEAPON" for a in c.aliases)]
    positions[_UNCLEAR_WEAPONS] = unclear
    positions[_WEAPON_CUES] = sorted(positions.get("WEAPON", []) + unclear)
    countries = {canonical for label, canonical in accepted if label == "COUNTRY"}

    resolved: list[Resolved] = []
    for candidate in candidates:
        # An entry named unambiguously elsewhere in the document wins the span ("Zastava M84
        # machine guns ... the M84s" are not the M-84 tank).
        supported = [
            a
            for a in candidate.aliases
            if _supported(a, accepted)
            and (not a.ambiguous or _passes(gazetteer, tokens, candidate, a, accepted, positions, countries))
        ]
        plain = [a for a in candidate.aliases if not a.ambiguous]
        if supported or plain:
            chosen = _pick(supported or plain, countries, accepted)
            resolved.append(Resolved(candidate, chosen.entry, chosen.ambiguous))
            continue
        passing = [
            a for a in candidate.aliases if _passes(gazetteer, tokens, candidate, a, accepted, positions, countries)
        ]
        if passing:
            resolved.append(Resolved(candidate, _pick(passing, countries, accepted).entry, True))
    return resolved


def _counted_itself(candidate: Candidate, positions: dict[str, list[int]]) -> int:
    unclear = positions[_UNCLEAR_WEAPONS]
    index = bisect_left(unclear, candidate.first)
    return 1 if index < len(unclear) and unclear[index] == candidate.first else 0


def _passes(
    gazetteer: Gazetteer,
    tokens: Tokens,
    candidate: Candidate,
    alias: Alias,
    accepted: set[tuple[str, str]],
    positions: dict[str, list[int]],
    countries: set[str],
) -> bool:
    label = alias.entry.label
    words = gazetteer.context.get(label)
    if words is None:
        return _supported(alias, accepted)
    neighbours = positions.get(label, [])
    # Nearby mentions of the same kind are cues; any clear one elsewhere makes it the topic.
    if label == "WEAPON":  # "Stingers and Javelins": ambiguous models vouch for each other
        score = _score(tokens, candidate, words, positions[_WEAPON_CUES]) - _counted_itself(candidate, positions)
    else:
        score = _score(tokens, candidate, words, neighbours)
    score += 1 if neighbours else 0
    # A group's own countries in the document make the group reading likelier ("RSF" and Sudan).
    score += 1 if (alias.entry.named_countries | alias.entry.home_countries) & countries else 0
    if _inside_a_name(tokens, candidate, words, gazetteer.root):
        return False
    if alias.surfaces is not None and _shouting(tokens, candidate):
        # In upper-case text neither the case nor the cue words (also capitals) say much.
        return _supported(alias, accepted) and score >= 0
    if _supported(alias, accepted):
        return score >= 0
    return score >= 0 if words.default_accept else score > 0
