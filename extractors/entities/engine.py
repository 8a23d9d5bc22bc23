"""`extract_entities`: gazetteer matching, context rules, optional model layer, result sets.

Module-level and argument-only, so a process pool can call it directly; the gazetteer and the
spaCy pipeline are loaded once per process on first use and cached. `extract_many` does the
same for a batch, streaming all texts through the model in one `nlp.pipe`.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.language import normalize_language
from extractors.timing import stage

from . import model_layer
from .category_phrases import refine
from .context import Resolved, resolve
from .coordination import resolve_coordination
from .gazetteer import Gazetteer, default_gazetteer
from .matcher import Candidate, find_candidates
from .models import EntityMention, EntityResult
from .proposals import propose_groups
from .text import KeyCache, Tokens, is_mostly_lowercase, sanitize

#: Longer texts are read up to this many characters and the result is flagged `truncated`.
MAX_CHARS = 2_000_000

_keys = KeyCache()


@dataclass(slots=True)
class _Scan:
    """A document after the gazetteer pass, waiting for the optional model pass."""

    language: str
    text: str
    truncated: bool
    tokens: Tokens
    mentions: list[EntityMention]
    gazetteer: Gazetteer
    original: str  # `text` before sanitising: same length, what mention texts are cut from


def _language(language: str | None) -> str:
    return normalize_language(language) or "und"


def _mention(text: str, resolved: Resolved) -> EntityMention:
    entry, candidate = resolved.entry, resolved.candidate
    return EntityMention(
        label=entry.label,
        text=text[candidate.start : candidate.end],
        start=candidate.start,
        end=candidate.end,
        canonical=entry.canonical,
        attributes=dict(entry.attributes),
    )


def _generic_actors(tokens: Tokens, generic: list[Candidate], named: list[EntityMention]) -> list[EntityMention]:
    """Generic actors outside the spans of named groups and weapons ("fighter jets")."""
    spans: list[tuple[int, int]] = []
    for start, end in sorted((m.start, m.end) for m in named):  # merged, so nested spans count
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    starts = [start for start, _ in spans]
    found = []
    for candidate in generic:
        nearest = bisect_left(starts, candidate.end) - 1
        if nearest >= 0 and spans[nearest][1] > candidate.start:
            continue  # "Sinaloa and Jalisco cartels": the head belongs to the named groups
        found.append(_mention(tokens.text, Resolved(candidate, candidate.aliases[0].entry, False)))
    return found


def _inner_categories(gazetteer: Gazetteer, tokens: Tokens, resolved: list[Resolved]) -> list[EntityMention]:
    """Category words written as part of a model's name ("Javelin missiles", "PK machine
    guns") are mentioned too, so they are looked up inside model spans."""
    found = []
    terms = gazetteer.category_root
    for item in resolved:
        first, last = item.candidate.first, item.candidate.last + 1
        if (
            item.entry.attributes.get("kind") != "model"
            or last - first < 2
            or not any(key in terms for key in tokens.keys[first:last])
        ):
            continue
        inner = Tokens(tokens.text, tokens.starts[first:last], tokens.ends[first:last], tokens.keys[first:last])
        for candidate in find_candidates(terms, inner):
            entry = candidate.aliases[0].entry
            followed_by = inner.keys[candidate.last + 1] if candidate.last + 1 < len(inner.keys) else ""
            if entry.label == "WEAPON" and not followed_by.isdigit():  # "RPG" of "RPG-7" is no category
                found.append(_mention(tokens.text, Resolved(candidate, entry, False)))
    return found


def _descriptor_countries(gazetteer: Gazetteer, tokens: Tokens, resolved: list[Resolved]) -> list[EntityMention]:
    """A country word in a group alias but not in the group's own name is a descriptor and
    still mentions the country ("Lebanese Hezbollah", "Turkish-backed Syrian National Army");
    one that is part of the name does not ("Free Syrian Army")."""
    found = []
    for item in resolved:
        first, last = item.candidate.first, item.candidate.last + 1
        if item.entry.label != "ARMED_GROUP" or not any(k in gazetteer.country_root for k in tokens.keys[first:last]):
            continue
        own_name = set(_keys.tokenize(item.entry.canonical).keys)
        span = Tokens(tokens.text, tokens.starts[first:last], tokens.ends[first:last], tokens.keys[first:last])
        for candidate in find_candidates(gazetteer.country_root, span):
            if set(span.keys[candidate.first : candidate.last + 1]) & own_name:
                continue
            country = next((a.entry for a in candidate.aliases if a.entry.label == "COUNTRY" and not a.ambiguous), None)
            if country is not None:
                found.append(_mention(tokens.text, Resolved(candidate, country, False)))
    return found


def _scan(text: str, language: str, gazetteer: Gazetteer | None = None) -> _Scan:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    truncated = len(text) > MAX_CHARS
    original = text[:MAX_CHARS]
    scanned = sanitize(original)
    gazetteer = gazetteer or default_gazetteer()
    tokens = _keys.tokenize(scanned)
    lowercase = functools.cache(lambda: is_mostly_lowercase(scanned))
    language = _language(language)
    candidates = find_candidates(gazetteer.root, tokens, lowercase_doc=lowercase, language=language)
    candidates = resolve_coordination(gazetteer, tokens, candidates)
    generic = find_candidates(gazetteer.generic_root, tokens)
    resolved = refine(gazetteer.category_phrases, tokens, resolve(gazetteer, tokens, candidates, generic), language)
    mentions = [_mention(scanned, r) for r in resolved]
    mentions += _inner_categories(gazetteer, tokens, resolved) + _descriptor_countries(gazetteer, tokens, resolved)
    named = [m for m in mentions if m.label in ("ARMED_GROUP", "WEAPON")]
    mentions += _generic_actors(tokens, generic, named)
    return _Scan(language, scanned, truncated, tokens, mentions, gazetteer, original)


def _finish(scan: _Scan, model: str | None, predicted: list[EntityMention]) -> EntityResult:
    mentions = scan.mentions
    if predicted:
        mentions = mentions + predicted + propose_groups(scan.gazetteer.rules, scan.tokens, predicted, mentions, _keys)
    # found in the sanitised copy; the text is the caller's own ("AK\x8047", not "AK 47")
    if scan.original != scan.text:
        for mention in mentions:
            mention.text = scan.original[mention.start : mention.end]
    entities = sorted(mentions, key=lambda m: (m.start, -m.end, m.label))
    # built whole, not field by field: a validated assignment per field costs more than the sets
    return EntityResult(
        language=scan.language, truncated=scan.truncated, model=model, entities=entities, **_sets(entities)
    )


def _sets(entities: list[EntityMention]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)  # one pass: this runs for every document
    for m in entities:
        if m.origin != "gazetteer" or not m.canonical:
            continue
        if m.label != "WEAPON":
            found[m.label].add(m.canonical)
        elif m.attributes.get("kind") == "category":
            found["category"].add(m.canonical)
        elif m.attributes.get("kind") == "model":
            found["model"].add(m.canonical)
            if m.attributes.get("category"):
                found["implied"].add(str(m.attributes["category"]))
    return {
        "weapons": sorted(found["model"]),
        "weapon_categories": sorted(found["category"]),
        "weapon_categories_implied": sorted(found["implied"]),
        "weapon_origins": weapon_origins(entities),
        "countries": sorted(found["COUNTRY"]),
        "historical_states": sorted(found["HISTORICAL_STATE"]),
        "armed_groups": sorted(found["ARMED_GROUP"]),
        "generic_actors": sorted(found["GENERIC_ACTOR"]),
        "proposed_groups": sorted({m.canonical for m in entities if m.label == "ARMED_GROUP" and m.origin == "model"}),
    }


def weapon_origins(mentions: Iterable[EntityMention]) -> list[str]:
    """A document's `weapon_origins`: the origins of the weapon models found, each mention's own
    (which an origin the text states replaces: extractors/relations/origins.py)."""
    return sorted(
        {
            str(m.attributes["origin"])
            for m in mentions
            if m.label == "WEAPON"
            and m.origin == "gazetteer"
            and m.attributes.get("kind") == "model"
            and m.attributes.get("origin")
        }
    )


def extract_many(documents: Iterable[tuple[str, str]], gazetteer: Gazetteer | None = None) -> list[EntityResult]:
    """`extract_entities` over (text, language) pairs, batching the model pass. `gazetteer`
    defaults to the process-wide one compiled from the package data."""
    scans = [_scan(text, language, gazetteer) for text, language in documents]
    models: dict[int, tuple[str, object]] = {}
    for index, scan in enumerate(scans):
        pipeline = model_layer.active_pipeline(scan.language) if scan.text.strip() else None
        if pipeline is not None:
            models[index] = pipeline
    predicted: dict[int, list[EntityMention]] = {}
    for name in {name for name, _ in models.values()}:
        indexes = [i for i, (n, _) in models.items() if n == name]
        nlp = models[indexes[0]][1]
        with stage("model"):
            found = model_layer.model_entities(nlp, [scans[i].text for i in indexes])
        predicted.update(zip(indexes, found, strict=True))
    return [_finish(scan, models[i][0] if i in models else None, predicted.get(i, [])) for i, scan in enumerate(scans)]


def gazetteer_entities(text: str, language: str = "en") -> EntityResult:
    """The gazetteer layer alone (no statistical model), whatever OSINT_SPACY_MODEL says."""
    return _finish(_scan(text, language), None, [])


def extract_entities(text: str, language: str = "en") -> EntityResult:
    """Entities of one document. `language` is an ISO 639-1 code or "und"."""
    return extract_many([(text, language)])[0]
