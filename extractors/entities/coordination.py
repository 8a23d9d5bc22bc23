"""Coordinated group names sharing one head noun.

"the Sinaloa and Jalisco New Generation cartels" names two groups; "los cárteles de Sinaloa y
del Golfo" does too, with the head first. A group whose data gives a `stem` and a `head` can be
named this way; a stem on its own ("Sinaloa", a Mexican state) names nothing.
"""

from __future__ import annotations

from .gazetteer import Alias, Gazetteer
from .matcher import Candidate
from .sources import STEM, Entry
from .text import Tokens, token_key

_MAX_LINK_TOKENS = 2


def _head_forms(head: str) -> set[str]:
    key = token_key(head)
    return {key, key + "s", key + "es", token_key(head + "s"), token_key(head + "es")}


def _stem_groups(candidate: Candidate, head_key: str) -> list[Entry]:
    return [
        alias.entry.attributes["group"]
        for alias in candidate.aliases
        if alias.entry.label == STEM and head_key in _head_forms(alias.entry.attributes["head"])
    ]


def _full_group_with_head(candidate: Candidate, tokens: Tokens, head_key: str) -> bool:
    return head_key in (tokens.keys[candidate.last], tokens.keys[candidate.first]) and any(
        a.entry.label == "ARMED_GROUP" for a in candidate.aliases
    )


def _between(tokens: Tokens, left: Candidate, right: Candidate) -> list[str]:
    """Keys of the tokens between two candidates, or ["<punct>"] for a comma-only gap."""
    keys = tokens.keys[left.last + 1 : right.first]
    if not keys and tokens.text[left.end : right.start].strip() == ",":
        return ["<comma>"]
    return keys


def _is_link(gazetteer: Gazetteer, keys: list[str]) -> bool:
    if keys == ["<comma>"]:
        return True
    return (0 < len(keys) <= _MAX_LINK_TOKENS and keys[-1] in gazetteer.conjunctions) or (
        len(keys) == 2 and keys[0] in gazetteer.conjunctions and keys[1] in gazetteer.head_links
    )


def _chains(gazetteer: Gazetteer, tokens: Tokens, candidates: list[Candidate]) -> list[list[int]]:
    """Runs of candidate indexes joined by commas and conjunctions."""
    runs: list[list[int]] = []
    current: list[int] = [0] if candidates else []
    for index in range(1, len(candidates)):
        if _is_link(gazetteer, _between(tokens, candidates[index - 1], candidates[index])):
            current.append(index)
        else:
            runs.append(current)
            current = [index]
    if current:
        runs.append(current)
    return [run for run in runs if len(run) > 1]


def _with_group(candidate: Candidate, group: Entry, tokens: Tokens, first: int, last: int) -> Candidate:
    """The stem as its group; the span covers the shared head when it is adjacent."""
    alias = Alias(group, None, False)
    return Candidate(first, last, tokens.starts[first], tokens.ends[last], [alias])


def resolve_coordination(gazetteer: Gazetteer, tokens: Tokens, candidates: list[Candidate]) -> list[Candidate]:
    """Candidates with coordinated stems turned into their groups and stray stems dropped."""
    resolved: dict[int, Candidate] = {}
    keys = tokens.keys
    for run in _chains(gazetteer, tokens, candidates):
        last = candidates[run[-1]]
        first = candidates[run[0]]
        after = keys[last.last + 1] if last.last + 1 < len(keys) else ""
        before = [k for k in keys[max(0, first.first - 2) : first.first] if k not in gazetteer.head_links]
        head_before = first.first - 1
        while head_before >= 0 and keys[head_before] in gazetteer.head_links:
            head_before -= 1
        for head_key, head_after in ((after, True), (before[-1] if before else "", False)):
            if not head_key:
                continue
            matched = {i: _stem_groups(candidates[i], head_key) for i in run}
            stems_ok = [i for i in run if matched[i]]
            tail_ok = _full_group_with_head(last, tokens, head_key) or _full_group_with_head(first, tokens, head_key)
            if len(stems_ok) >= 2 or (stems_ok and tail_ok):
                for i in stems_ok:
                    stem = candidates[i]
                    span_first = head_before if not head_after and i == run[0] else stem.first
                    span_last = stem.last + 1 if head_after and i == run[-1] else stem.last
                    resolved[i] = _with_group(stem, matched[i][0], tokens, span_first, span_last)
                break
    kept = []
    for index, candidate in enumerate(candidates):
        if index in resolved:
            kept.append(resolved[index])
            continue
        aliases = [a for a in candidate.aliases if a.entry.label != STEM]
        if aliases:
            candidate.aliases = aliases
            kept.append(candidate)
    return kept
