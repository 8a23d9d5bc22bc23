"""Sentence spans of a text, by offsets: where a relation's evidence starts and ends.

Rules, not a model: a sentence ends at . ! ? (and the Arabic ؟ and ۔), or at a line break,
unless the full stop belongs to an abbreviation ("U.S.", "Gen.", "No. 5"), an initial, or a
number ("7.62"). Good enough for news prose in the five languages the extractor reads, and fast
(a regular-expression scan, no tokeniser).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Candidate ends: terminal punctuation (with closing quotes or brackets), or a line break.
_END = re.compile(r"[.!?\u061f\u06d4…]+[\"'\u201d\u2019\u00bb)\]]*(?=\s)|\n+")
# A word before a full stop that does not end a sentence: titles, months, "No.", "approx.".
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "cpl",
        "adm",
        "brig",
        "cmdr",
        "st",
        "jr",
        "sr",
        "no",
        "nos",
        "vol",
        "fig",
        "approx",
        "est",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "univ",
        "gov",
        "sen",
        "rep",
        "pres",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "cf",
        "al",
        "art",
        "p",
        "pp",
        "ca",
        "mt",
        "ft",
        "op",
        "av",
        "nr",
        "sra",
        "sr",
        "dña",
        "gén",
        "mme",
        "mlle",
        "м",
        "г",
        "гг",
        "т",
        "тыс",
        "млн",
    ]
)
_MAX_SENTENCE = 2_000  # a run-on "sentence" (a table, a list without stops) is cut here


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at `stop` belongs to the word before it."""
    if text[stop] != ".":
        return False
    words = text[max(0, stop - 24) : stop].split()  # a window: the word is short, the text may not be
    if not words or text[stop - 1].isspace():
        return False
    token = words[-1].lstrip("(\"'\u201c\u00ab").lower()
    if len(token) == 1 and token.isalpha():  # an initial: "J. Smith", "U.S." inner letters
        return True
    if "." in token and all(len(part) <= 2 for part in token.split(".")):  # "U.S", "e.g"
        return True
    return token in _ABBREVIATIONS


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence, leading and trailing whitespace left out."""
    start = 0
    for match in _END.finditer(text):
        if match.group(0)[0] != "\n":
            if _is_abbreviation(text, match.start()):
                continue
            following = text[match.end() : match.end() + 2].lstrip()
            if following[:1].islower():  # "the U.S. army", "approx. five": no new sentence
                continue
        yield from _trimmed(text, start, match.end())
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > _MAX_SENTENCE:
        cut = text.rfind(" ", start, start + _MAX_SENTENCE)
        cut = cut if cut > start else start + _MAX_SENTENCE
        yield start, cut
        start = cut + 1
    if end > start:
        yield start, end
