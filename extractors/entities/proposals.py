"""Armed groups proposed by the statistical model where the gazetteer knows none.

An ORG span becomes a proposal only with evidence of a group reading — a group-like head word in
its name and a group cue nearby — and never when it overlaps a gazetteer mention, names a known
kind of organisation, or is a state force ("Malian Armed Forces"). Proposals are reported apart
(`proposed_groups`), so they cannot lower precision on the known groups.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from .models import EntityMention
from .text import KeyCache, Tokens, token_key

_WINDOW = 10


def _phrases(values: Any) -> list[tuple[str, ...]]:
    return [tuple(token_key(t) for t in str(v).split()) for v in values or []]


def _contains(keys: list[str], phrase: tuple[str, ...]) -> bool:
    width = len(phrase)
    return any(tuple(keys[i : i + width]) == phrase for i in range(len(keys) - width + 1))


def _token_range(tokens: Tokens, start: int, end: int) -> tuple[int, int]:
    return bisect_left(tokens.starts, start), bisect_left(tokens.starts, end)


def propose_groups(
    rules: dict[str, Any], tokens: Tokens, model: list[EntityMention], known: list[EntityMention], keys: KeyCache
) -> list[EntityMention]:
    spec = rules.get("proposals") or {}
    heads = {token_key(w) for w in spec.get("name_heads") or []}
    cues = _phrases(spec.get("context"))
    refused = _phrases(spec.get("not_groups"))
    state_heads = _phrases(spec.get("state_heads"))
    known = sorted(known, key=lambda m: m.start)
    known_starts = [m.start for m in known]
    longest = max((m.end - m.start for m in known), default=0)
    proposals = []
    for org in model:
        if org.label != "ORG":
            continue
        lo, hi = bisect_left(known_starts, org.start - longest), bisect_left(known_starts, org.end)
        inside = [m for m in known[lo:hi] if m.start < org.end and org.start < m.end]
        if any(m.label in ("ARMED_GROUP", "WEAPON", "GENERIC_ACTOR") for m in inside):
            continue
        name_keys = keys.tokenize(org.text).keys
        if any(_contains(name_keys, phrase) for phrase in refused):
            continue
        names_country = any(m.label == "COUNTRY" for m in inside)
        if names_country and any(_contains(name_keys, phrase) for phrase in state_heads):
            continue
        head_words = sorted({k for k in name_keys if k in heads})
        first, last = _token_range(tokens, org.start, org.end)
        window = tokens.keys[max(0, first - _WINDOW) : first] + tokens.keys[last : last + _WINDOW]
        context = sorted({" ".join(p) for p in cues if _contains(window, p)})
        if head_words and context:
            proposals.append(
                EntityMention(
                    label="ARMED_GROUP",
                    text=org.text,
                    start=org.start,
                    end=org.end,
                    canonical=org.canonical,
                    attributes={"evidence": {"model_label": "ORG", "name_heads": head_words, "context": context}},
                    origin="model",
                )
            )
    return proposals
