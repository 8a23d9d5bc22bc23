"""`extract_entities`: gazetteer matching, context rules, optional model layer, result sets.

Module-level and argument-only, so a process pool can call it directly; the gazetteer and the
spaCy pipeline are loaded once per process on first use and cached.
"""

from __future__ import annotations

import functools
import logging

from . import model_layer
from .context import Resolved, resolve
from .coordination import resolve_coordination
from .gazetteer import Gazetteer, default_gazetteer
from .matcher import find_candidates
from .models import EntityMention, EntityResult
from .proposals import propose_groups
from .text import KeyCache, Tokens, is_mostly_lowercase, sanitize

log = logging.getLogger(__name__)

#: Longer texts are read up to this many characters and the result is flagged `truncated`.
MAX_CHARS = 2_000_000

_keys = KeyCache()


def _language(language: str | None) -> str:
    code = (language or "und").strip().lower().replace("_", "-").split("-")[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else "und"


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


def _generic_actors(gazetteer: Gazetteer, tokens: Tokens, groups: list[EntityMention]) -> list[EntityMention]:
    found = []
    for candidate in find_candidates(gazetteer.generic_root, tokens):
        if any(g.start < candidate.end and candidate.start < g.end for g in groups):
            continue  # "Sinaloa and Jalisco cartels": the head belongs to the named groups
        entry = candidate.aliases[0].entry
        found.append(
            EntityMention(label=entry.label, text=tokens.text[candidate.start : candidate.end],
                          start=candidate.start, end=candidate.end, canonical=entry.canonical)
        )
    return found


def _sets(result: EntityResult) -> None:
    def collect(label: str, value=lambda m: m.canonical, kind: str | None = None) -> list[str]:
        values = {
            value(m)
            for m in result.entities
            if m.label == label and m.origin == "gazetteer" and (kind is None or m.attributes.get("kind") == kind)
        }
        return sorted(v for v in values if v)

    result.weapons = collect("WEAPON", kind="model")
    result.weapon_categories = collect("WEAPON", kind="category")
    result.weapon_categories_implied = collect("WEAPON", lambda m: m.attributes.get("category"), "model")
    result.weapon_origins = collect("WEAPON", lambda m: m.attributes.get("origin"), "model")
    result.countries = collect("COUNTRY")
    result.historical_states = collect("HISTORICAL_STATE")
    result.armed_groups = collect("ARMED_GROUP")
    result.generic_actors = collect("GENERIC_ACTOR")
    result.proposed_groups = sorted({m.canonical for m in result.entities if m.label == "ARMED_GROUP" and m.origin == "model"})


def extract_entities(text: str, language: str = "en") -> EntityResult:
    """Entities of one document. `language` is an ISO 639-1 code or "und"."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    language = _language(language)
    truncated = len(text) > MAX_CHARS
    scanned = sanitize(text[:MAX_CHARS])
    gazetteer = default_gazetteer()
    tokens = _keys.tokenize(scanned)
    candidates = find_candidates(gazetteer.root, tokens, lowercase_doc=functools.cache(lambda: is_mostly_lowercase(scanned)))
    candidates = resolve_coordination(gazetteer, tokens, candidates)
    mentions = [_mention(scanned, r) for r in resolve(gazetteer, tokens, candidates)]
    groups = [m for m in mentions if m.label == "ARMED_GROUP"]
    mentions += _generic_actors(gazetteer, tokens, groups)

    result = EntityResult(language=language, truncated=truncated)
    pipeline = model_layer.active_pipeline(language) if scanned.strip() else None
    if pipeline is not None:
        result.model, nlp = pipeline
        predicted = model_layer.model_entities(nlp, scanned)
        mentions += predicted + propose_groups(gazetteer.rules, tokens, predicted, mentions, _keys)
    result.entities = sorted(mentions, key=lambda m: (m.start, -m.end, m.label))
    _sets(result)
    return result
