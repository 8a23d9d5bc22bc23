"""Compile the alias records into token tries, once per process.

A trie node is a dict from token key to child node; the aliases ending at a node sit under the
key `END` (no token has an empty key). Matching walks the token stream through the trie, so the
cost per token is a dict lookup whatever the size of the gazetteer.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import sources
from .category_phrases import CategoryPhrases, compile_phrases
from .compiled_cache import load_or_build
from .sources import AliasRecord, Entry
from .text import KeyCache, alias_tokens, token_key

log = logging.getLogger(__name__)

END = ""
#: A trie node: token key -> child node, and under `END` the list[Alias] that end at the node.
TrieNode = dict[str, Any]
_APOSTROPHE_IN_WORD = re.compile(r"(?<=\w)['’](?=\w)")
# "al-Qa'ida" is also written "al-Qaida"; shorter words ("Sho't") would turn into common ones.
_SHORTEST_JOINED_WORD = 5
_WORD = re.compile(r"[\w'’]+")
_PLURAL_ES = ("s", "x", "ch", "sh")
# Tokeniser for the group names and regions read while compiling.
_keys = KeyCache(limit=10_000)


@dataclass(eq=False, slots=True)
class Alias:
    """What a trie terminal reports: the entry, and when it may be used."""

    entry: Entry
    #: Surface token sequences the text must equal exactly (case-sensitive aliases), or None.
    surfaces: set[tuple[str, ...]] | None
    ambiguous: bool
    #: Languages of the texts the alias may be used in, or None for all.
    languages: frozenset[str] | None = None
    #: The data spells the alias in lower case ("хуситы", "malienne", "soviétique"): that is its
    #: ordinary spelling, so a lower-case mention of a proper name is not the common word.
    lowercase: bool = False


@dataclass(slots=True)
class ContextWords:
    positive: frozenset[str]
    negative: frozenset[str]
    default_accept: bool


@dataclass(slots=True)
class Gazetteer:
    root: TrieNode
    generic_root: TrieNode
    #: Category terms alone, for category words written inside a model's name.
    category_root: TrieNode
    #: Countries alone, for country words written inside a group's alias.
    country_root: TrieNode
    rules: dict[str, Any]
    context: dict[str, ContextWords] = field(default_factory=dict)
    conjunctions: frozenset[str] = frozenset()
    head_links: frozenset[str] = frozenset()
    language_markers: frozenset[str] = frozenset()
    #: category words read through their modifiers and their document (category_phrases.py)
    category_phrases: CategoryPhrases = field(default_factory=lambda: CategoryPhrases({}))


def _without_apostrophes(alias: str) -> str:
    def join(word: re.Match[str]) -> str:
        joined = _APOSTROPHE_IN_WORD.sub("", word.group())
        return joined if len(joined) >= _SHORTEST_JOINED_WORD else word.group()

    return _WORD.sub(join, alias)


def _variants(record: AliasRecord) -> Iterable[tuple[list[str], list[str]]]:
    forms = {record.alias, _without_apostrophes(record.alias)}
    for form in forms:
        keys, surfaces = alias_tokens(form)
        if not keys or not all(keys):
            continue
        yield keys, surfaces
        last = keys[-1]
        # Plurals of named models ("Stingers", "Kalashnikovs") and of Latin-script category
        # terms ("lance-roquettes"); digit-final designations take their suffixes in the matcher
        # instead ("AK-47s", "M16A4").
        if (
            record.entry.label == "WEAPON"
            and last.isascii()
            and last.isalpha()
            and len(last) > 2
            and not last.endswith("s")
        ):
            yield [*keys[:-1], last + "s"], [*surfaces[:-1], surfaces[-1] + "s"]
            if last.endswith(_PLURAL_ES):
                yield [*keys[:-1], last + "es"], [*surfaces[:-1], surfaces[-1] + "es"]


def _written_lowercase(alias: str) -> bool:
    return any(c.islower() for c in alias) and not any(c.isupper() for c in alias)


class _TrieBuilder:
    def __init__(self) -> None:
        self.root: TrieNode = {}
        #: (alias keys, id of its entry) -> the alias.
        self.aliases: dict[tuple[tuple[str, ...], int], Alias] = {}

    def add(self, record: AliasRecord) -> None:
        for keys, surfaces in _variants(record):
            path = tuple(keys)
            known = self.aliases.get((path, id(record.entry)))
            if known is not None:
                # The same entry reachable by several spellings ("Kalashnikov", "Kaláshnikov"):
                # ambiguity belongs to the normalised form, case rules to each spelling.
                known.ambiguous = known.ambiguous or record.ambiguous
                known.lowercase = known.lowercase or _written_lowercase(record.alias)
                if known.languages is not None:
                    known.languages = None if record.languages is None else known.languages | record.languages
                if known.surfaces is not None:
                    if record.case_sensitive:
                        known.surfaces.add(tuple(surfaces))
                    else:
                        known.surfaces = None
                continue
            alias = Alias(
                record.entry,
                {tuple(surfaces)} if record.case_sensitive else None,
                record.ambiguous,
                record.languages,
                _written_lowercase(record.alias),
            )
            self.aliases[(path, id(record.entry))] = alias
            node = self.root
            for key in keys:
                node = node.setdefault(key, {})
            node.setdefault(END, []).append(alias)


def _context_words(spec: dict[str, Any]) -> ContextWords:
    def keyset(words: Any) -> frozenset[str]:
        return frozenset(token_key(w) for w in sources._strings(words))

    return ContextWords(keyset(spec.get("positive")), keyset(spec.get("negative")), spec.get("default") == "accept")


def build(data_dir: Path = sources.DATA_DIR, rules_file: Path = sources.RULES_FILE) -> Gazetteer:
    started = time.perf_counter()
    rules = sources.load_yaml(rules_file) or {}
    main, generic, categories, countries = _TrieBuilder(), _TrieBuilder(), _TrieBuilder(), _TrieBuilder()

    def feed(builder: _TrieBuilder, records: Iterable[AliasRecord]) -> None:
        for record in records:
            builder.add(record)

    country_records = list(sources.country_records(data_dir))
    feed(main, country_records)
    feed(countries, country_records)
    feed(main, sources.weapon_records(data_dir))
    category_data = sources.load_yaml(data_dir / "categories.yaml") or {}  # terms and phrases: read once
    category_records = list(sources.category_records(data_dir, category_data))
    feed(main, category_records)
    feed(categories, category_records)
    feed(
        main,
        sources.group_records(
            data_dir,
            functools.partial(_countries_named, countries.root),
            functools.partial(_region_countries, rules, countries.root),
        ),
    )
    feed(main, sources.rule_records(rules))
    feed(generic, sources.generic_actor_records(data_dir))
    gazetteer = Gazetteer(
        main.root,
        generic.root,
        categories.root,
        countries.root,
        rules,
        {label: _context_words(spec) for label, spec in (rules.get("context") or {}).items()},
        frozenset(token_key(w) for w in sources._strings(rules.get("conjunctions"))),
        frozenset(token_key(w) for w in sources._strings(rules.get("head_links"))),
        frozenset(token_key(w) for w in sources._strings(rules.get("language_markers"))),
        compile_phrases(
            category_data,
            {record.entry.canonical: record.entry for record in category_records if record.entry.label == "WEAPON"},
        ),
    )
    log.info(
        "gazetteer compiled: %d aliases in %.2fs",
        len(main.aliases) + len(generic.aliases),
        time.perf_counter() - started,
    )
    return gazetteer


def _region_countries(rules: dict[str, Any], country_root: TrieNode, region: str) -> frozenset[str]:
    """ISO codes of a group's region: a region listed in rules.yaml, or the countries a
    free-text description names ("Sudan (Darfur)")."""
    listed = (rules.get("region_countries") or {}).get(region)
    if listed:
        return frozenset(str(code) for code in listed)
    return _countries_named(country_root, region)


def _countries_named(country_root: TrieNode, text: str) -> frozenset[str]:
    """ISO codes of the countries `text` names unambiguously (`country_root`: the countries' trie)."""
    from .matcher import find_candidates  # the matcher imports this module

    tokens = _keys.tokenize(text)
    return frozenset(
        alias.entry.canonical
        for candidate in find_candidates(country_root, tokens, case_relaxed=True)
        for alias in candidate.aliases
        if alias.entry.label == "COUNTRY" and not alias.ambiguous
    )


@functools.lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, compiled on first use (one per worker process), or read from
    the cache directory a compile of the same data left there (compiled_cache.py)."""
    return load_or_build("gazetteer", build)


def all_records(data_dir: Path = sources.DATA_DIR) -> Iterator[AliasRecord]:
    """Every alias record of every entity (for looking names up, not for matching text)."""
    yield from sources.country_records(data_dir)
    yield from sources.weapon_records(data_dir)
    yield from sources.category_records(data_dir)
    yield from sources.group_records(data_dir)
    yield from sources.generic_actor_records(data_dir)
