"""The cue lexicon (cues.yaml) compiled per language: which words connect a group and a weapon.

Each class of cue is one alternation, matched on whole words in the lower-cased sentence, so a
sentence is scanned once per class whatever the number of patterns.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.entities.sources import load_yaml

VERB_CLASSES = ("take", "supply", "receive", "sell", "buy", "transfer", "use", "strike", "possess", "find")
PREP_KINDS = ("from", "by", "to", "against", "with", "of")
_FILE = Path(__file__).with_name("cues.yaml")
# Arabic verbs and prepositions take clitics and the article: "وضبطت" (and seized), "بتزويد"
# (by supplying), "المضبوطة" (the seized).
_ARABIC_PREFIX = r"(?:[وف]?[بل]?(?:ال)?)"
_ARABIC_LETTER = re.compile(r"([\u0621-\u064a])")
_ARABIC_MARKS = "[\u064b-\u0652\u0640]*"


def arabic_tolerant(pattern: str) -> str:
    """`pattern` matching with or without short vowels and tatweel after each Arabic letter
    ("صُنعت" as "صنعت"), which writers add or leave out."""
    return _ARABIC_LETTER.sub(lambda letter: letter.group(1) + _ARABIC_MARKS, pattern)


@dataclass(frozen=True)
class Match:
    kind: str  # a verb class or a preposition kind
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    language: str
    verbs: dict[str, re.Pattern[str]]
    preps: dict[str, re.Pattern[str]]
    holders: re.Pattern[str]
    caches: re.Pattern[str]
    passive: re.Pattern[str] | None
    negation: re.Pattern[str]
    breaks: re.Pattern[str]

    def verb_matches(self, lowered: str) -> list[Match]:
        found = [
            Match(kind, match.start(), match.end())
            for kind, pattern in self.verbs.items()
            for match in pattern.finditer(lowered)
        ]
        found.sort(key=lambda match: (match.start, -match.end))
        kept: list[Match] = []  # overlapping cues: the longest, first ("handed over" over "handed")
        for match in found:
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        return kept


def _alternation(patterns: list[str], language: str) -> re.Pattern[str]:
    prefix = _ARABIC_PREFIX if language == "ar" else ""
    # Whole words: no letter right before or after (\b fails next to "'" in "n't" and "d'");
    # punctuation (";") needs no such guard.
    if language == "ar":
        patterns = [arabic_tolerant(pattern) for pattern in patterns]
    words = "|".join(
        rf"(?<![^\W\d_]){prefix}(?:{pattern})(?![^\W\d_])" if pattern[0].isalnum() or pattern[0] in "\\(" else pattern
        for pattern in sorted(patterns, key=len, reverse=True)
    )
    return re.compile(words)


def _never() -> re.Pattern[str]:
    return re.compile(r"(?!x)x")


@functools.cache
def lexicon(language: str) -> Lexicon:
    """The cues of `language`; English cues for a language without its own list."""
    data = _load()
    language = language if language in data else "en"
    entry = data[language]

    def compiled(patterns: list[str] | None) -> re.Pattern[str]:
        return _alternation(patterns, language) if patterns else _never()

    return Lexicon(
        language=language,
        verbs={kind: compiled(entry["verbs"].get(kind)) for kind in VERB_CLASSES},
        preps={kind: compiled(entry["preps"].get(kind)) for kind in PREP_KINDS},
        holders=compiled(entry["holders"]),
        caches=compiled(entry["caches"]),
        passive=compiled(entry["passive"]) if entry.get("passive") else None,
        negation=compiled(entry["negation"]),
        breaks=compiled(entry["breaks"]),
    )


@functools.cache
def _load() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = load_yaml(_FILE)
    return data
