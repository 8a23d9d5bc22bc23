"""langdetect's `Detector` with its loops done in bulk: the same results, bit for bit.

langdetect 1.0.9 spends a call in pure-Python loops: `append` grows the text one `+=` at a time,
`cleaning_text` classifies every character, `_extract_ngrams` runs `NGram.add_char` ->
`NGram.normalize` -> `unicode_block` (a binary search) for each one, and the seeded sampling loop
of `_detect_block` multiplies and normalises a list of 55 floats one element at a time.
`FastDetector` overrides the first three with equivalents built on `re`, `str.translate` and a
per-word cache of the n-grams the profile knows, and runs the sampling loop on numpy arrays: each
element goes through the same IEEE operations in the same order (see `_detect_block`), and the
same `random.Random` calls happen in the same order on the same n-gram list, so the probabilities
are identical, not merely close (`tests/test_language_equivalence.py` compares them with `==`).
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram
from numpy.typing import NDArray

Probabilities = NDArray[np.float64]

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
#: `random.gauss` (Box-Muller on a 53-bit `random()`) never strays further than this from its mean.
_GAUSS_REACH = math.sqrt(-2.0 * math.log(2.0**-53))


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


class _ProbabilityRows(dict[str, Probabilities]):
    """n-gram -> per-language probabilities as a float64 array, converted on first use.

    Lazily, because converting the whole profile (88k n-grams) takes a quarter of a second and
    39 MB in every worker, while a crawl samples a few thousand n-grams; each converted one costs
    about 600 bytes, a little more than langdetect's own list of it.
    """

    def __init__(self, word_lang_prob_map: dict[str, list[float]]) -> None:
        super().__init__()
        self._lists = word_lang_prob_map

    def __missing__(self, ngram: str) -> Probabilities:
        row = self[ngram] = np.array(self._lists[ngram], dtype=np.float64)  # the same doubles
        return row


class _Profile:
    """What `FastDetector` derives from one factory's profiles, shared by its detectors.

    langdetect loads a factory's profiles once; `clear()` and a reload replace its map, which
    `is_current` notices.
    """

    def __init__(self, word_lang_prob_map: dict[str, list[float]]) -> None:
        self._known = word_lang_prob_map
        self.rows = _ProbabilityRows(word_lang_prob_map)
        #: Frequent words repeat across pages; 4,096 short words hold a few megabytes per process.
        self._cached_known_ngrams = lru_cache(maxsize=4096)(self._find_known_ngrams)

    def known_ngrams(self, word: str) -> tuple[str, ...]:
        """The n-grams of `word_ngrams(word)` that the profile has, the only ones langdetect keeps."""
        if len(word) <= _CACHED_WORD_CHARS:
            return self._cached_known_ngrams(word)
        return self._find_known_ngrams(word)

    def is_current(self, factory: Any) -> bool:
        return self._known is factory.word_lang_prob_map

    def _find_known_ngrams(self, word: str) -> tuple[str, ...]:
        known = self._known
        return tuple(ngram for ngram in word_ngrams(word) if ngram in known)


_PROFILES: weakref.WeakKeyDictionary[Any, _Profile] = weakref.WeakKeyDictionary()
_PROFILES_LOCK = threading.Lock()


def _profile(factory: Any) -> _Profile:
    with _PROFILES_LOCK:
        profile = _PROFILES.get(factory)
        if profile is None or not profile.is_current(factory):
            profile = _PROFILES[factory] = _Profile(factory.word_lang_prob_map)
        return profile


def _normalize(prob: Probabilities) -> float:
    """`Detector._normalize_prob` on an array: divides by the total in place, returns the largest.

    The total is the same `sum` over the same floats in the same order (Python's, not numpy's
    pairwise one), and `/=` divides each element by it as langdetect does. Probabilities are never
    negative (see `FastDetector._detect_block`), so division by the positive total keeps their
    order: the largest quotient is the largest value divided. An all-zero array raises
    ZeroDivisionError here, as it does in langdetect.
    """
    values = prob.tolist()
    total = sum(values)
    largest: float = values[int(prob.argmax())] / total
    prob /= total
    return largest


class FastDetector(Detector):  # type: ignore[misc]  # langdetect ships no type information
    """Build as `FastDetector(factory)`, then use as langdetect's `Detector`."""

    # Set by `Detector.__init__`; declared for mypy, which cannot see into langdetect.
    text: str
    alpha: float
    verbose: bool

    def __init__(self, factory: Any) -> None:
        super().__init__(factory)
        self._profile = _profile(factory)

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
        words = _WORD.findall(self.text.translate(_NORMALIZED))
        return list(chain.from_iterable(map(self._profile.known_ngrams, words)))

    def _detect_block(self) -> None:
        """langdetect's loop, each n-gram's update `prob *= weight + row` done on whole arrays.

        Per element that is the `prob[i] *= weight + lang_prob_map[i]` of `_update_lang_prob`:
        one rounded addition, then one rounded multiplication, no fused or reordered arithmetic.
        Every weight is positive, so no probability goes negative (`_normalize` relies on it),
        as long as alpha exceeds the widest `gauss` draw times `ALPHA_WIDTH`; for a smaller alpha,
        or verbose printing, langdetect's own loop runs.
        """
        if self.verbose or self.alpha <= _GAUSS_REACH * self.ALPHA_WIDTH:
            super()._detect_block()
            return
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        rows, choice = self._profile.rows, self.random.choice
        langprob = np.zeros(len(self.langlist))
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=np.float64)
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                prob *= weight + rows[choice(ngrams)]
                if i % 5 == 0 and (_normalize(prob) > self.CONV_THRESHOLD or i >= self.ITERATION_LIMIT):
                    break
                i += 1
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()
