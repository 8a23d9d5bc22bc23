"""Category words that their phrase or their document read more precisely than their own term.

The category terms (data/categories.yaml `terms`) are matched as written, the longest first. Two
things a term list cannot say are compiled here from the same file:

- `modifiers`: a head word whose modifiers make it another category, with words between them.
  Arabic, French and Spanish put the modifier after the noun, often with a model name between
  («صاروخ «كورنيت» مضادة للدروع»: missile … anti-armour, an anti-tank guided missile); Russian
  and English adjectives come before it («беспилотные … самолеты», unmanned aircraft: drones).
- `readings`: a bare head word that names either of two categories, as the document decides:
  Arabic «الطائرة» in a story that called it «طائرة مسيرة» is that drone.

Both act on the resolved mentions of one document (context.resolve's output), before they
become EntityMentions; the guidelines' rule is kept: a mention maps to the most specific
category the text expresses.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .sources import Entry, _strings
from .text import Tokens, alias_tokens, arabic_variants

if TYPE_CHECKING:  # context imports the gazetteer, which holds the compiled phrases
    from .context import Resolved

#: what a modifier may not reach across: the end of a sentence or clause (a full stop followed by
#: a space or closing quotes, not the point of «calibre .50»)
_BREAK = re.compile(r"[.!?][\"'»”’)\]]*\s|[;:\n؛]")
#: "or" and "and" written apart in the four languages and English: a modifier after them
#: qualifies another noun («armes longues et armes automatiques»)
_CONJUNCTIONS = frozenset({"or", "او", "или", "ou", "o", "u", "and", "et", "y", "и"})


@dataclass(frozen=True, slots=True)
class ModifierRule:
    becomes: str
    heads: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]  # token keys
    firsts: frozenset[str]  # the phrases' first and last keys: most tokens are neither
    lasts: frozenset[str]
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
    #: the categories some rule may change: a document without them is left as it is
    heads: frozenset[str] = frozenset()


def compile_phrases(data: dict[str, Any], entries: dict[str, Entry]) -> CategoryPhrases:
    """The `modifiers` and `readings` of categories.yaml; every category they name must exist."""

    def category(name: Any) -> str:
        if str(name) not in entries:
            raise ValueError(f"categories.yaml: unknown category {name!r}")
        return str(name)

    def modifier(rule: dict[str, Any]) -> ModifierRule:
        phrases = tuple(tuple(alias_tokens(phrase)[0]) for phrase in _strings(rule.get("words")))
        return ModifierRule(
            becomes=category(rule["becomes"]),
            heads=frozenset(category(head) for head in _strings(rule.get("heads"))),
            phrases=phrases,
            firsts=frozenset(phrase[0] for phrase in phrases),
            lasts=frozenset(phrase[-1] for phrase in phrases),
            models=frozenset(category(name) for name in _strings(rule.get("models"))),
            languages=frozenset(_strings(rule.get("languages"))),
            after=int(rule.get("after", 3)),
            before=int(rule.get("before", 2)),
        )

    modifiers = tuple(modifier(rule) for rule in data.get("modifiers") or [])
    readings = tuple(
        ReadingRule(
            languages=frozenset(_strings(rule.get("languages"))),
            category=category(rule["category"]),
            words=frozenset(key for word in _strings(rule.get("words")) for key in alias_tokens(word)[0]),
            readings=tuple(category(reading) for reading in _strings(rule.get("readings"))),
        )
        for rule in data.get("readings") or []
    )
    heads = frozenset(head for rule in modifiers for head in rule.heads) | {rule.category for rule in readings}
    return CategoryPhrases(entries, modifiers, readings, heads)


#: longer than any model name in tokens: how far before a head a model may open and still end near it
_LONGEST_MODEL = 12


@dataclass(frozen=True, slots=True)
class _Models:
    """A document's model mentions in text order, looked up by position (bisect, not a scan:
    a long text has thousands of mentions)."""

    items: list[Resolved]
    firsts: list[int]

    def near(self, first: int, last: int, rule: ModifierRule) -> list[Resolved]:
        low = bisect_left(self.firsts, first - rule.before - _LONGEST_MODEL)
        return self.items[low : bisect_right(self.firsts, last + rule.after)]


@dataclass(frozen=True, slots=True)
class _Categories:
    """What a document says of its categories: those it names in so many words (by a model, or a
    phrase of two or more tokens, not a bare head word), and per reading rule the readings its
    own head word was given by a phrase («صاروخ باليستي», «صاروخ «كورنيت» مضادة للدروع»)."""

    named: frozenset[str]
    given: tuple[frozenset[str], ...]  # one per reading rule


def refine(phrases: CategoryPhrases, tokens: Tokens, resolved: list[Resolved], language: str) -> list[Resolved]:
    """`resolved` with category mentions read through their modifiers, then their document."""
    if not any(_is_category(item) and item.entry.canonical in phrases.heads for item in resolved):
        return resolved
    ordered = sorted(
        (item for item in resolved if item.entry.label == "WEAPON" and item.entry.attributes.get("kind") == "model"),
        key=lambda item: item.candidate.first,
    )
    models = _Models(ordered, [item.candidate.first for item in ordered])
    modified = [_modified(phrases, tokens, item, models, language) for item in resolved]
    document = _categories(phrases, tokens, modified)
    return [_read(phrases, tokens, item, document, language) for item in modified]


def _categories(phrases: CategoryPhrases, tokens: Tokens, document: list[Resolved]) -> _Categories:
    named: set[str] = set()
    given: list[set[str]] = [set() for _ in phrases.readings]
    for item in document:
        if item.entry.label != "WEAPON":
            continue
        kind = item.entry.attributes.get("kind")
        category = str(item.entry.canonical if kind == "category" else item.entry.attributes.get("category"))
        if kind == "model" or item.candidate.first != item.candidate.last:
            named.add(category)
        if kind != "category":
            continue
        keys = tokens.keys[item.candidate.first : item.candidate.last + 1]
        for index, rule in enumerate(phrases.readings):
            if category in rule.readings and any(_bare(key, rule.words) for key in keys):
                given[index].add(category)
    return _Categories(frozenset(named), tuple(frozenset(readings) for readings in given))


def _is_category(item: Resolved) -> bool:
    return item.entry.label == "WEAPON" and item.entry.attributes.get("kind") == "category"


def _modified(phrases: CategoryPhrases, tokens: Tokens, item: Resolved, models: _Models, language: str) -> Resolved:
    if not _is_category(item):
        return item
    for rule in phrases.modifiers:
        if item.entry.canonical not in rule.heads or (rule.languages and language not in rule.languages):
            continue
        if _has_modifier(tokens, item, rule) or _has_model(tokens, item, rule, models):
            return replace(item, entry=phrases.entries[rule.becomes])
    return item


def _has_model(tokens: Tokens, item: Resolved, rule: ModifierRule, models: _Models) -> bool:
    first, last = item.candidate.first, item.candidate.last
    if not rule.models:
        return False
    for model in models.near(first, last, rule):
        if model.entry.attributes.get("category") not in rule.models:
            continue
        if last < model.candidate.first <= last + rule.after and _unbroken(tokens, last, model.candidate.first):
            return True
        if first - rule.before <= model.candidate.last < first and _unbroken(tokens, model.candidate.last, first):
            return True
    return False


def _has_modifier(tokens: Tokens, item: Resolved, rule: ModifierRule) -> bool:
    first, last, keys = item.candidate.first, item.candidate.last, tokens.keys
    for start in range(last + 1, min(last + 1 + rule.after, len(keys))):
        if (
            not rule.firsts.isdisjoint(_forms(keys[start]))
            and _unbroken(tokens, last, start)
            and any(_phrase_at(tokens, start, phrase) for phrase in rule.phrases)
        ):
            return True
    for end in range(first - 1, max(first - 1 - rule.before, -1), -1):  # the phrase's last token
        if (
            not rule.lasts.isdisjoint(_forms(keys[end]))
            and _unbroken(tokens, end, first)
            and any(_phrase_at(tokens, end - len(phrase) + 1, phrase) for phrase in rule.phrases)
        ):
            return True
    return False


def _phrase_at(tokens: Tokens, start: int, phrase: tuple[str, ...]) -> bool:
    if start < 0 or start + len(phrase) > len(tokens.keys):
        return False
    return all(key in _forms(tokens.keys[start + offset]) for offset, key in enumerate(phrase))


@lru_cache(maxsize=65_536)
def _forms(text_key: str) -> frozenset[str]:
    """The key, and an Arabic word's keys without its article or proclitic ("المضادة": "مضادة")."""
    return frozenset((text_key, *arabic_variants(text_key)))


def _unbroken(tokens: Tokens, left: int, right: int) -> bool:
    """No sentence or clause ends between token `left` and token `right`, and no "or" or "and"
    stands between them («صواريخ أو باليستية»: a second noun is understood)."""
    return not any(_BREAK.search(tokens.gap(index)) for index in range(left, right)) and not any(
        tokens.keys[index] in _CONJUNCTIONS for index in range(left + 1, right)
    )


def _read(phrases: CategoryPhrases, tokens: Tokens, item: Resolved, document: _Categories, language: str) -> Resolved:
    if not _is_category(item) or item.candidate.first != item.candidate.last:
        return item
    key = tokens.keys[item.candidate.first]
    for index, rule in enumerate(phrases.readings):
        if rule.category != item.entry.canonical or language not in rule.languages or not _bare(key, rule.words):
            continue
        reading = _document_reading(rule, document.named, document.given[index])
        if reading is not None:
            return replace(item, entry=phrases.entries[reading])
    return item


def _bare(key: str, words: frozenset[str]) -> bool:
    return not words.isdisjoint(_forms(key))


def _document_reading(rule: ReadingRule, named: frozenset[str], given: frozenset[str]) -> str | None:
    """The one reading the document gave the same head word elsewhere (the generic one when it
    gave several), unless it also names the head's own category in so many words ("صواريخ
    كاتيوشا", "غراد": the document speaks of rockets too). Other weapons do not decide it: an
    Iron Dome intercepts rockets."""
    if rule.category in named:
        return None
    readings = [reading for reading in rule.readings if reading in given]
    if not readings:
        return None
    return readings[0] if len(readings) == 1 else rule.readings[0]
