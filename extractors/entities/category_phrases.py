"""Category words that their phrase or their document read more precisely than their own term.

The category terms (data/categories.yaml `terms`) are matched as written, the longest first. Two
things a term list cannot say are compiled here from the same file:

- `modifiers`: a head word whose modifiers make it another category, with words between them.
  Arabic, French and Spanish put the modifier after the noun, often with a model name between
  («صاروخ «كورنيت» مضادة للدروع»: missile … anti-armour, an anti-tank guided missile); Russian
  and English adjectives come before it («беспилотные … самолеты», unmanned aircraft: drones).
- `readings`: a bare head word that names either of two categories, as the document decides.
  Arabic «صاروخ» is a rocket or a missile; in a text whose other mentions are of missiles (a
  ballistic missile, a Kornet), «الصواريخ» refers back to them. Arabic «الطائرة» in a story about
  a drone is that drone.

Both act on the resolved mentions of one document (context.resolve's output), before they
become EntityMentions; the guidelines' rule is kept: a mention maps to the most specific
category the text expresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .sources import Entry, _strings
from .text import Tokens, alias_tokens, arabic_variants

if TYPE_CHECKING:  # context imports the gazetteer, which holds the compiled phrases
    from .context import Resolved

#: what a modifier may not reach across: the end of a sentence or clause (a full stop followed by
#: a space or closing quotes, not the point of «calibre .50»)
_BREAK = re.compile(r"[.!?][\"'»”’)\]]*\s|[;:\n؛]")


@dataclass(frozen=True, slots=True)
class ModifierRule:
    becomes: str
    heads: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]  # token keys
    #: a model of one of these categories written with the head modifies it too («صاروخ كورنيت»)
    models: frozenset[str]
    languages: frozenset[str]  # empty: every language
    after: int  # a phrase or model may start within this many tokens after the head
    before: int  # or end within this many tokens before it


@dataclass(frozen=True, slots=True)
class ReadingRule:
    languages: frozenset[str]
    category: str
    words: frozenset[str]  # token keys of the bare head
    readings: tuple[str, ...]  # the generic reading first


@dataclass(frozen=True, slots=True)
class CategoryPhrases:
    entries: dict[str, Entry]  # category -> its entry
    modifiers: tuple[ModifierRule, ...] = ()
    readings: tuple[ReadingRule, ...] = ()


def compile_phrases(data: dict[str, Any], entries: dict[str, Entry]) -> CategoryPhrases:
    """The `modifiers` and `readings` of categories.yaml; every category they name must exist."""

    def category(name: Any) -> str:
        if str(name) not in entries:
            raise ValueError(f"categories.yaml: unknown category {name!r}")
        return str(name)

    modifiers = tuple(
        ModifierRule(
            becomes=category(rule["becomes"]),
            heads=frozenset(category(head) for head in _strings(rule.get("heads"))),
            phrases=tuple(tuple(alias_tokens(phrase)[0]) for phrase in _strings(rule.get("words"))),
            models=frozenset(category(name) for name in _strings(rule.get("models"))),
            languages=frozenset(_strings(rule.get("languages"))),
            after=int(rule.get("after", 3)),
            before=int(rule.get("before", 2)),
        )
        for rule in data.get("modifiers") or []
    )
    readings = tuple(
        ReadingRule(
            languages=frozenset(_strings(rule.get("languages"))),
            category=category(rule["category"]),
            words=frozenset(key for word in _strings(rule.get("words")) for key in alias_tokens(word)[0]),
            readings=tuple(category(reading) for reading in _strings(rule.get("readings"))),
        )
        for rule in data.get("readings") or []
    )
    return CategoryPhrases(entries, modifiers, readings)


def refine(phrases: CategoryPhrases, tokens: Tokens, resolved: list[Resolved], language: str) -> list[Resolved]:
    """`resolved` with category mentions read through their modifiers, then their document."""
    models = [
        item for item in resolved if item.entry.label == "WEAPON" and item.entry.attributes.get("kind") == "model"
    ]
    modified = [_modified(phrases, tokens, item, models, language) for item in resolved]
    return [_read(phrases, tokens, item, modified, language) for item in modified]


def _is_category(item: Resolved) -> bool:
    return item.entry.label == "WEAPON" and item.entry.attributes.get("kind") == "category"


def _modified(
    phrases: CategoryPhrases, tokens: Tokens, item: Resolved, models: list[Resolved], language: str
) -> Resolved:
    if not _is_category(item):
        return item
    for rule in phrases.modifiers:
        if item.entry.canonical not in rule.heads or (rule.languages and language not in rule.languages):
            continue
        if _has_modifier(tokens, item, rule) or _has_model(tokens, item, rule, models):
            return replace(item, entry=phrases.entries[rule.becomes])
    return item


def _has_model(tokens: Tokens, item: Resolved, rule: ModifierRule, models: list[Resolved]) -> bool:
    first, last = item.candidate.first, item.candidate.last
    for model in models:
        if model.entry.attributes.get("category") not in rule.models:
            continue
        if last < model.candidate.first <= last + rule.after and _unbroken(tokens, last, model.candidate.first):
            return True
        if first - rule.before <= model.candidate.last < first and _unbroken(tokens, model.candidate.last, first):
            return True
    return False


def _has_modifier(tokens: Tokens, item: Resolved, rule: ModifierRule) -> bool:
    first, last = item.candidate.first, item.candidate.last
    for phrase in rule.phrases:
        size = len(phrase)
        starts = range(last + 1, min(last + 1 + rule.after, len(tokens.keys) - size + 1))
        if any(_phrase_at(tokens, start, phrase) and _unbroken(tokens, last, start) for start in starts):
            return True
        ends = range(first - 1, max(first - 1 - rule.before, size - 2), -1)  # the phrase's last token
        if any(_phrase_at(tokens, end - size + 1, phrase) and _unbroken(tokens, end, first) for end in ends):
            return True
    return False


def _phrase_at(tokens: Tokens, start: int, phrase: tuple[str, ...]) -> bool:
    return all(_key_matches(tokens.keys[start + offset], key) for offset, key in enumerate(phrase))


def _key_matches(text_key: str, phrase_key: str) -> bool:
    """Equal keys, or an Arabic word with its article or proclitic ("المضادة" for "مضادة")."""
    return text_key == phrase_key or phrase_key in arabic_variants(text_key)


def _unbroken(tokens: Tokens, left: int, right: int) -> bool:
    """No sentence or clause ends between token `left` and token `right`."""
    return not any(_BREAK.search(tokens.gap(index)) for index in range(left, right))


def _read(
    phrases: CategoryPhrases, tokens: Tokens, item: Resolved, document: list[Resolved], language: str
) -> Resolved:
    if not _is_category(item) or item.candidate.first != item.candidate.last:
        return item
    key = tokens.keys[item.candidate.first]
    for rule in phrases.readings:
        if rule.category != item.entry.canonical or language not in rule.languages or not _bare(key, rule.words):
            continue
        reading = _document_reading(rule, item, document)
        if reading is not None:
            return replace(item, entry=phrases.entries[reading])
    return item


def _bare(key: str, words: frozenset[str]) -> bool:
    return key in words or any(variant in words for variant in arabic_variants(key))


def _document_reading(rule: ReadingRule, item: Resolved, document: list[Resolved]) -> str | None:
    """The one reading the document's other weapon mentions give (the generic one when they give
    several), unless they also name the head's own category in so many words."""
    given: set[str] = set()
    for other in document:
        if other is item or other.entry.label != "WEAPON":
            continue
        kind = other.entry.attributes.get("kind")
        category = other.entry.canonical if kind == "category" else other.entry.attributes.get("category")
        if category == rule.category and (kind == "model" or other.candidate.first != other.candidate.last):
            return None  # "صواريخ كاتيوشا", "غراد": the document speaks of rockets too
        if category in rule.readings:
            given.add(str(category))
    if not given:
        return None
    return next(iter(given)) if len(given) == 1 else rule.readings[0]
