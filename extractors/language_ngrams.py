"""langdetect's `Detector` with its per-character loops done in bulk: the same results, bit for bit.

langdetect 1.0.9 spends most of a call in pure-Python loops over characters: `append` grows the
text one `+=` at a time, `cleaning_text` classifies every character, and `_extract_ngrams` runs
`NGram.add_char` -> `NGram.normalize` -> `unicode_block` (a binary search) for each one.
`FastDetector` overrides those three methods with equivalents built on `re`, `str.translate` and a
per-word cache. The seeded sampling loop and the probability updates stay langdetect's own (its
index loops are already the fastest pure-Python form on 3.11), so the same `random.Random` calls
happen in the same order on the same n-gram list: the probabilities are identical, not merely
close (`tests/test_language_equivalence.py` compares them with `==`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from langdetect.detector import Detector
from langdetect.utils.ngram import NGram

#: `append` keeps a space only when the previous input character is not a space.
_SPACE_RUN = re.compile(" {2,}")
#: `cleaning_text`'s "Latin" is `'A' <= ch <= 'z'` (brackets, `^`, `_` and backtick included).
_DELETE_LATIN = dict.fromkeys(range(ord("A"), ord("z") + 1))
#: Its "non-Latin" is `ch >= '\u0300' and unicode_block(ch) != 'Latin Extended Additional'`;
#: `unicode_block` returns an int, never that string, so the second half is always true.
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")
#: A word with the space that ends it; further spaces yield no n-gram.
_WORD = re.compile("[^ ]+ ?")
#: `NGram.normalize` special-cases no astral character; caching only the BMP bounds the table.
_CACHED_CODE_POINTS = 0x10000
#: Words are cached for their n-grams; longer runs (unspaced scripts, junk) are rarely repeated.
_CACHED_WORD_CHARS = 24


class _NormalizedChars(dict[int, str]):
    """`str.translate` table for `NGram.normalize` (a pure function of one character), filled lazily."""

    def __missing__(self, code_point: int) -> str:
        normalized: str = NGram.normalize(chr(code_point))
        if code_point < _CACHED_CODE_POINTS:
            self[code_point] = normalized
        return normalized


_NORMALIZED = _NormalizedChars()


def word_ngrams(word: str) -> tuple[str, ...]:
    """The candidate n-grams `Detector._extract_ngrams` takes from one word of normalised text
    (with the space that ends it, if any).

    `NGram.add_char` keeps the last three characters and restarts from " " after a space (a
    second space is skipped), so the text splits into words that never see each other, and
    inside " " + word the buffer is the window ending at each character: its last character
    (unless a space), last two and last three (when there are three). `capitalword` is set when
    a character and the one before it are both upper case, cleared by any other character, and
    left alone for an upper-case one after a non-upper-case one, which had just cleared it: so
    it means "this and the previous character are upper case", and those positions give nothing.
    """
    padded = " " + word
    ngrams: list[str] = []
    for end in range(1, len(padded)):
        char = padded[end]
        if char.isupper() and padded[end - 1].isupper():
            continue
        if char != " ":
            ngrams.append(char)
        ngrams.append(padded[end - 1 : end + 1])
        if end >= NGram.N_GRAM - 1:
            ngrams.append(padded[end - 2 : end + 1])
    return tuple(ngrams)


#: Frequent words repeat across pages; 4,096 short words hold a few megabytes per process.
_cached_word_ngrams = lru_cache(maxsize=4096)(word_ngrams)


class FastDetector(Detector):  # type: ignore[misc]  # langdetect ships no type information
    """Build as `FastDetector(factory)`, then use as langdetect's `Detector`."""

    text: str  # set by `Detector.__init__`; declared for mypy, which cannot see into langdetect

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        if "@" in text:  # MAIL_RE needs one; its scan is the slow part of `append`
            text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        self.text += _SPACE_RUN.sub(" ", text[: self.max_text_length])

    def cleaning_text(self) -> None:
        without_latin = self.text.translate(_DELETE_LATIN)
        latin_count = len(self.text) - len(without_latin)
        if latin_count * 2 < len(_NON_LATIN.findall(self.text)):
            self.text = without_latin

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        return [
            ngram
            for word in _WORD.findall(self.text.translate(_NORMALIZED))
            for ngram in (_cached_word_ngrams(word) if len(word) <= _CACHED_WORD_CHARS else word_ngrams(word))
            if ngram in known
        ]
