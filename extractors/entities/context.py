"""Choose, for every candidate span, the entry it names — or nothing.

Unambiguous aliases are taken as they are. An alias the data marks ambiguous ("IS", "Javelin",
"Wagner", "RSF", "Georgia") needs its label's context: cue words near it (rules.yaml), another
mention of the same kind nearby, or an unambiguous mention of the same entity in the document.
When one alias names several entries ("JEM"), the one whose home countries the document
mentions wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import Alias, ContextWords, Gazetteer
from .matcher import Candidate
from .sources import BLOCK, Entry
from .text import Tokens

_WINDOW = 10
# Labels whose nearby mentions count as cues for one another.
_RELATED = {
    "WEAPON": ("WEAPON",),
    "ARMED_GROUP": ("ARMED_GROUP", "GENERIC_ACTOR"),
    "COUNTRY": ("COUNTRY", "HISTORICAL_STATE"),
    "HISTORICAL_STATE": ("COUNTRY", "HISTORICAL_STATE"),
}


# Capitalised at a sentence start without being part of a name ("In Chad", "From Jordan").
_FUNCTION_WORDS = frozenset(
    "in on at from to of the and or for with by across into near via both while as since after "
    "before during inside outside between against toward towards".split()
)


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
    score += sum(1 for position in neighbours if lo <= position < hi)
    return score


def _shouting(tokens: Tokens, candidate: Candidate) -> bool:
    """Is the alias inside upper-case text (a headline), where case says nothing?"""
    text = tokens.text
    near = [k for k in (candidate.first - 1, candidate.last + 1) if 0 <= k < len(tokens.keys)]
    words = [text[tokens.starts[k] : tokens.ends[k]] for k in near]
    return bool(words) and all(w.isupper() and len(w) > 1 for w in words)


def _looks_like_person(tokens: Tokens, candidate: Candidate, words: ContextWords) -> bool:
    """"Chad Smith", "Michael Jordan": a country name inside a personal name."""
    text, keys = tokens.text, tokens.keys
    after = candidate.last + 1
    if after < len(keys) and tokens.gap(candidate.last) == " " and text[tokens.starts[after]].isupper() \
            and keys[after] not in words.positive:
        return True
    before = candidate.first - 1
    if before >= 0 and tokens.gap(before) == " " and text[tokens.starts[before]].isupper() \
            and keys[before] not in _FUNCTION_WORDS:
        prior = text[max(0, tokens.starts[before] - 2) : tokens.starts[before]]
        return not prior.strip(" ").endswith((".", "!", "?", "\n")) and keys[before] not in words.positive
    return False


def _supported(alias: Alias, accepted: set[tuple[str, str]]) -> bool:
    return (alias.entry.label, alias.entry.canonical) in accepted


def _pick(aliases: list[Alias], countries: set[str], accepted: set[tuple[str, str]]) -> Alias:
    for alias in aliases:
        if alias.entry.home_countries & countries or _supported(alias, accepted):
            return alias
    return aliases[0]


def resolve(gazetteer: Gazetteer, tokens: Tokens, candidates: list[Candidate]) -> list[Resolved]:
    candidates = [c for c in candidates if not any(a.entry.label == BLOCK for a in c.aliases)]
    clear = [c for c in candidates if any(not a.ambiguous for a in c.aliases)]
    accepted = {(a.entry.label, a.entry.canonical) for c in clear for a in c.aliases if not a.ambiguous}
    positions: dict[str, list[int]] = {}
    for c in clear:
        for a in c.aliases:
            if not a.ambiguous:
                positions.setdefault(a.entry.label, []).append(c.first)
    countries = {canonical for label, canonical in accepted if label == "COUNTRY"}

    resolved: list[Resolved] = []
    for candidate in candidates:
        plain = [a for a in candidate.aliases if not a.ambiguous]
        if plain:
            resolved.append(Resolved(candidate, _pick(plain, countries, accepted).entry, False))
            continue
        passing = [a for a in candidate.aliases if _passes(gazetteer, tokens, candidate, a, accepted, positions)]
        if passing:
            resolved.append(Resolved(candidate, _pick(passing, countries, accepted).entry, True))
    return resolved


def _passes(gazetteer: Gazetteer, tokens: Tokens, candidate: Candidate, alias: Alias,
            accepted: set[tuple[str, str]], positions: dict[str, list[int]]) -> bool:
    label = alias.entry.label
    words = gazetteer.context.get(label)
    if words is None:
        return _supported(alias, accepted)
    neighbours = [p for related in _RELATED.get(label, (label,)) for p in positions.get(related, [])]
    score = _score(tokens, candidate, words, neighbours)
    if label == "COUNTRY" and _looks_like_person(tokens, candidate, words):
        return False
    if alias.surfaces is not None and _shouting(tokens, candidate):
        return score > 0
    if _supported(alias, accepted):
        return score >= 0
    return score >= 0 if words.default_accept else score > 0
