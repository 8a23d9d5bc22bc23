"""Longest-match scan of a token stream through a gazetteer trie.

Rules applied here are the ones that depend only on the span itself: tokens may be joined by a
space, hyphen, apostrophe or nothing ("RPG-7"/"RPG 7"/"RPG7"), a match starts and ends on word
boundaries, a designation absorbs its attached suffix ("AK-47s", "M16A4", "T-72B3"),
case-sensitive aliases must be written as listed ("IS", not "is"), and proper names must not be
written all in lower case (unless the whole document is, or the data itself spells the alias in
lower case, as French, Spanish and Russian adjectives are); models named by words alone count as
proper names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .gazetteer import END, Alias, TrieNode
from .text import Tokens, arabic_variants, as_written_in_latin, has_arabic

# "_" is how some statements write designations («MQ_9»); " ." joins a name to a calibre written
# with its leading dot ("Browning .50"); an opening quote joins a name whose last words are quoted
# («كتائب “القسام”», «ЧВК «Вагнер»»).
_JOINERS = frozenset(
    {"", " ", "-", "_", "\u2010", "\u2011", "\u2013", "'", "\u2019", "\u00a0", "  ", "&", " & ", " ."}
    | {" - ", " \u2013 ", " \u2014 "}
    | {f"{space}{quote}" for space in (" ", "\u00a0") for quote in '"\u201c\u201e\u00ab'}
    | {" \u00ab\u00a0", " \u00ab "}
)
_PROPER_NAME_LABELS = frozenset({"COUNTRY", "ARMED_GROUP", "HISTORICAL_STATE", "STEM"})
_PLACE_LABELS = frozenset({"COUNTRY", "HISTORICAL_STATE"})
_MAX_SUFFIX_TOKENS = 3
_CURRENCY_SIGNS = frozenset("$£€¥")


@dataclass(slots=True)
class Candidate:
    first: int  # token indexes, inclusive
    last: int
    start: int  # character offsets into the scanned text
    end: int
    aliases: list[Alias]


def _joined(tokens: Tokens, index: int) -> bool:
    """May token `index` and the next one belong to one name?"""
    gap = tokens.text[tokens.ends[index] : tokens.starts[index + 1]]
    if gap in _JOINERS:
        return True
    if gap in (".", ". "):  # abbreviations: "U.S.", "U. S."
        return len(tokens.keys[index]) <= 2
    return len(gap) <= 3 and gap.isspace() and gap.count("\n") <= 1


def _attached(tokens: Tokens, index: int) -> bool:
    """Is token `index` written against the next one (a letter/digit boundary)?"""
    return index + 1 < len(tokens.keys) and tokens.ends[index] == tokens.starts[index + 1]


def _lookup(node: TrieNode, key: str) -> TrieNode | None:
    child: TrieNode | None = node.get(key)
    if child is None and key and key[0] >= "\u0600":
        for variant in arabic_variants(key):
            child = node.get(variant)
            if child is not None:
                break
    return child


def _is_named_model(alias: Alias, tokens: Tokens, first: int, last: int) -> bool:
    """A model named by words alone ("Javelin", "Hellfire") is a proper name; written in lower
    case it is the ordinary word ("a spike in attacks")."""
    return alias.entry.attributes.get("kind") == "model" and not any(
        tokens.keys[k].isdigit() for k in range(first, last + 1)
    )


def _usable(
    alias: Alias,
    tokens: Tokens,
    first: int,
    last: int,
    case_relaxed: bool,
    lowercase_doc: Callable[[], bool],
    language: str,
) -> bool:
    if case_relaxed:
        return True
    if alias.languages is not None and language != "und" and language not in alias.languages:
        return False
    if alias.entry.label == "COUNTRY" and tokens.text[tokens.ends[last] : tokens.ends[last] + 1] in _CURRENCY_SIGNS:
        return False  # "US$", "HK$", "A$": a currency, not the country
    if alias.surfaces is not None:
        written = tuple(as_written_in_latin(tokens.surface(k)) for k in range(first, last + 1))
        if written not in alias.surfaces:
            return False
    proper_name = alias.entry.label in _PROPER_NAME_LABELS or _is_named_model(alias, tokens, first, last)
    if proper_name and not alias.lowercase:
        text, starts = tokens.text, tokens.starts
        if all(text[starts[k]].islower() for k in range(first, last + 1)):
            return lowercase_doc()
    return True


def _never() -> bool:
    return False


def _suffix_end(alias_list: list[Alias], tokens: Tokens, last: int) -> int | None:
    """Last token of a designation with its attached suffix, or None if the word goes on."""
    if not _attached(tokens, last):
        return last
    takes_suffix = tokens.keys[last].isdigit() and any(
        a.entry.label == "WEAPON" and a.entry.attributes.get("kind") == "model" for a in alias_list
    )
    if not takes_suffix:
        return None
    end = last
    while _attached(tokens, end) and end - last < _MAX_SUFFIX_TOKENS:
        end += 1
    return None if _attached(tokens, end) else end


def _longest_at(
    root: TrieNode, tokens: Tokens, i: int, usable_here: Callable[[Alias, int, int], bool]
) -> Candidate | None:
    """The longest usable match opening at token `i`, if any. An Arabic key may open names both
    as written and without its article or clitic ("الطائرات" opens "الطائرات العسكرية" and, as
    "طائرات", "طائرات"): the longest of them wins."""
    key = tokens.keys[i]
    node = root.get(key)
    best = _longest_from(node, tokens, i, usable_here) if node is not None else None
    if best is not None:
        return best
    for variant in arabic_variants(key):  # none for a key in another script
        start = root.get(variant)
        found = _longest_from(start, tokens, i, usable_here) if start is not None else None
        if found is not None and (best is None or found.last > best.last):
            best = found
    return best


def _longest_from(
    node: TrieNode, tokens: Tokens, i: int, usable_here: Callable[[Alias, int, int], bool]
) -> Candidate | None:
    keys, count = tokens.keys, len(tokens.keys)
    terminals: list[tuple[int, list[Alias]]] = []
    j = i
    while True:
        payload = node.get(END)
        if payload:
            terminals.append((j, payload))
        if j + 1 >= count or not _joined(tokens, j):
            break
        child = _lookup(node, keys[j + 1])
        if child is None:
            break
        node = child
        j += 1
    for last, payload in reversed(terminals):
        end_token = _suffix_end(payload, tokens, last)
        if end_token is None:
            continue
        usable = [a for a in payload if usable_here(a, i, last)]
        if usable:
            return Candidate(i, end_token, tokens.starts[i], tokens.ends[end_token], usable)
    return None


def _names_a_place(candidate: Candidate) -> bool:
    return all(a.entry.label in _PLACE_LABELS for a in candidate.aliases)


def _names_a_group(candidate: Candidate) -> bool:
    return any(a.entry.label == "ARMED_GROUP" for a in candidate.aliases)


def find_candidates(
    root: TrieNode,
    tokens: Tokens,
    *,
    case_relaxed: bool = False,
    lowercase_doc: Callable[[], bool] = _never,
    language: str = "und",
) -> list[Candidate]:
    """Longest usable matches, left to right. `lowercase_doc` is asked (lazily) whether the
    whole document is written in lower case, when a proper name is found in lower case;
    translated aliases are used only in texts of their `language` (all of them for "und").
    A country name yields to a group name opening inside it and running further ("the Sudan" |
    "Sudan Liberation Movement"): the longer name is the one written."""
    keys, starts, ends = tokens.keys, tokens.starts, tokens.ends
    found: list[Candidate] = []

    def usable_here(alias: Alias, first: int, last: int) -> bool:
        return _usable(alias, tokens, first, last, case_relaxed, lowercase_doc, language)

    # Only tokens that can open an alias are visited; the scan itself stays in C.
    if not keys:
        return []
    # Arabic keys may open an alias without their article or proclitic (the span, not the whole
    # text: inner spans of a long text are scanned too)
    if has_arabic(tokens.text[starts[0] : ends[-1]]):
        openers = [i for i, k in enumerate(keys) if k in root or (k > "\u05ff" and _lookup(root, k) is not None)]
    else:  # and a key that opens no alias ending here or going on with the next key is passed over
        last = len(keys) - 1
        openers = [
            i
            for i, k in enumerate(keys)
            if (node := root.get(k)) is not None and (END in node or (i < last and keys[i + 1] in node))
        ]
    opener_set = set(openers)
    resume = 0
    for i in openers:
        if i < resume or (i and ends[i - 1] == starts[i]):  # inside a match, or a word like "XM16"
            continue
        candidate = _longest_at(root, tokens, i, usable_here)
        if candidate is None:
            continue
        if (
            candidate.last > i
            and _names_a_place(candidate)
            and any(
                k in opener_set
                and ends[k - 1] != starts[k]
                and (inner := _longest_at(root, tokens, k, usable_here)) is not None
                and inner.last > candidate.last
                and _names_a_group(inner)
                for k in range(i + 1, candidate.last + 1)
            )
        ):
            continue
        found.append(candidate)
        resume = candidate.last + 1
    return found
