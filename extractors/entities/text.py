"""Text hygiene, tokenisation and the per-token match keys.

Every transformation here keeps offsets: sanitising replaces characters one for one, and
normalisation (case, accents, Arabic letter variants, Russian endings) only changes the *key*
of a token, never the text the offsets point into.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

# Control characters, zero-width/format characters and lone surrogates become a space (or the
# replacement character) one for one, so offsets still index the caller's original string.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# Letters (with combining marks and Arabic tatweel) and digits form separate tokens, so
# "RPG7", "RPG-7" and "RPG 7" all give the tokens rpg + 7, and "M16A4" gives m 16 a 4.
TOKEN = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u0640])+|\d+")
_SPLIT = re.compile(f"({TOKEN.pattern})")
# The same split without combining marks is three times faster; most texts have none.
_SPLIT_PLAIN = re.compile(r"([^\W\d_]+|\d+)")
_MARKS = re.compile(r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670]")

_LONGEST_USEFUL_TOKEN = 40
_ARABIC_LETTERS = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
# Cyrillic letters drawn like Latin ones: designations are typed with either («АК-47», «ТOW»)
_HOMOGLYPHS = str.maketrans("АВЕКМНОРСТХаеорсух", "ABEKMHOPCTXaeopcyx")
_UPPER_HOMOGLYPHS = frozenset("АВЕКМНОРСТХ")
#: the longest all-look-alike upper-case Cyrillic token read as a Latin designation («АКМ»)
_LONGEST_LOOKALIKE = 3
_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Russian inflectional endings, longest first; stripped only when a stem of 3+ letters remains,
# so "России", "Россией" and "Россия" share a key, as do "Вагнера" and "Вагнер".
_RU_ENDINGS = tuple(
    sorted(
        [
            "иями",
            "ями",
            "ами",
            "ого",
            "его",
            "ому",
            "ему",
            "ыми",
            "ими",
            "им",
            "ым",
            "ией",
            "ой",
            "ей",
            "ий",
            "ый",
            "ая",
            "яя",
            "ое",
            "ее",
            "ые",
            "ие",
            "ых",
            "их",
            "ую",
            "юю",
            "ом",
            "ем",
            "ам",
            "ям",
            "ах",
            "ях",
            "ов",
            "ев",
            "ию",
            "ия",
            "ии",
            "а",
            "я",
            "о",
            "е",
            "ы",
            "и",
            "у",
            "ю",
            "ь",
            "й",
        ],
        key=len,
        reverse=True,
    )
)
# Arabic proclitics written attached to the next word: and, so, with, for, like.
_AR_PROCLITICS = ("و", "ف", "ب", "ل", "ك")


def sanitize(text: str) -> str:
    """Same-length copy of `text` safe to scan: no control characters, no lone surrogates."""
    text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub(" ", text)


def _strip_marks(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _russian_stem(word: str) -> str:
    if len(word) < 4:
        return word
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def token_key(token: str) -> str:
    """The normalised form under which a token is looked up in the gazetteer."""
    if token.isascii():
        return token.lower()
    if len(token) > _LONGEST_USEFUL_TOKEN:
        return ""
    latin = as_written_in_latin(token)
    if latin is not token:
        return latin.lower()
    key = token.lower()
    if _CYRILLIC.search(key):
        # Decomposing would turn "й" into "и" and break the endings; only "ё" is folded.
        return _russian_stem(key.replace("ё", "е"))
    return _strip_marks(key).translate(_ARABIC_LETTERS)


def as_written_in_latin(token: str) -> str:
    """The token with its Cyrillic look-alikes in Latin when it reads as a Latin designation
    («ТOW» → "TOW"), so that case-sensitive aliases match it as written."""
    if _CYRILLIC.search(token) and _reads_as_latin(token):
        return token.translate(_HOMOGLYPHS)
    return token


def _reads_as_latin(token: str) -> bool:
    """A Latin word with Cyrillic look-alikes in it («ТOW»), or a short upper-case one made of
    look-alikes alone («АК», «АКМ»): designations, which are written in Latin letters. Not one
    letter: «В 10 км», «С 300» (in, with) open sentences; the data lists Cyrillic designations."""
    if _LATIN.search(token):
        return token.translate(_HOMOGLYPHS).isascii()
    return 2 <= len(token) <= _LONGEST_LOOKALIKE and all(letter in _UPPER_HOMOGLYPHS for letter in token)


def has_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


@lru_cache(maxsize=65_536)  # called for every Arabic key the tries do not hold as written
def arabic_variants(key: str) -> tuple[str, ...]:
    """Keys of an Arabic token without its attached proclitic ("والشباب" -> "الشباب"), without
    the article ("الهاون" -> "هاون") or without the accusative alif, most specific first."""
    if not key or not _ARABIC.match(key):
        return ()
    variants = []
    if key.startswith("لل") and len(key) > 3:  # li- + al- contracts to "lil"
        variants.append("ال" + key[2:])
    # "and"/"so" even before a two-letter word: "وإس بي جي 9" (and SPG-9), "وبي 10"
    if key[0] in _AR_PROCLITICS and (len(key) > 3 or (len(key) == 3 and key[0] in "وف")):
        variants.append(key[1:])
        if key[1] in _AR_PROCLITICS and len(key) > 4:
            variants.append(key[2:])
    for variant in [key, *variants]:
        if variant.startswith("ال") and len(variant) > 4:
            variants.append(variant[2:])
    # accusative ending, on every form: "صاروخا" -> "صاروخ", "وألغاماً" -> "الغام"
    variants += [form[:-1] for form in [key, *variants] if form.endswith("ا") and len(form) > 3]
    variants += [singular for form in [key, *variants] for singular in _arabic_dual_singulars(form)]
    return tuple(dict.fromkeys(variants))


def _arabic_dual_singulars(key: str) -> list[str]:
    """The singular of a dual, tried last: "دبابتين", "دبابتي" (construct) -> "دبابه" (ة is
    keyed as ه), "صاروخين" -> "صاروخ"."""
    if len(key) < 5:
        return []
    if key.endswith(("تين", "تان")):
        return [key[:-3] + "ه"]
    if key.endswith("تي"):
        return [key[:-2] + "ه"]
    if key.endswith(("ين", "ان")):
        return [key[:-2]]
    return []


def arabic_nisba(name: str) -> list[str]:
    """Adjective/demonym forms of a one-word Arabic country name: سوريا -> سوري، سورية،
    سوريون، سوريين (the article and proclitics are handled when matching)."""
    if " " in name.strip() or not _ARABIC.match(name):
        return []
    stem = name[2:] if name.startswith("ال") else name
    if stem.endswith("يا") or stem.endswith(("ية", "يه")):  # سوريا -> سوري
        stem = stem[:-1]
    elif stem.endswith("ا"):  # أمريكا -> أمريكي
        stem = stem[:-1] + "ي"
    elif not stem.endswith("ي"):
        stem = stem + "ي"
    if len(stem) < 3:
        return []
    return [stem, stem + "ة", stem + "ون", stem + "ين"]


@dataclass(slots=True)
class Tokens:
    """Parallel arrays over one text: start and end offsets and lookup keys."""

    text: str
    starts: list[int]
    ends: list[int]
    keys: list[str]

    def surface(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]

    def gap(self, index: int) -> str:
        """Text between token `index` and the next one."""
        return self.text[self.ends[index] : self.starts[index + 1]]


class _KeyMemo(dict[str, str]):
    def __missing__(self, token: str) -> str:
        key = token_key(token)
        if len(token) <= _LONGEST_USEFUL_TOKEN:
            self[token] = key
        return key


class KeyCache:
    """Tokeniser with a bounded memo of token -> key (token frequencies are Zipfian).

    Splitting on the token pattern and accumulating the piece lengths keeps the per-token work
    in C; the text's tokens are the odd pieces, the separators between them the even ones.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self._memo = _KeyMemo()
        self._limit = limit

    def tokenize(self, text: str) -> Tokens:
        if len(self._memo) > self._limit:
            self._memo.clear()
        pieces = (_SPLIT if _MARKS.search(text) else _SPLIT_PLAIN).split(text)
        offsets = list(accumulate(map(len, pieces)))
        starts = offsets[0:-1:2]
        ends = offsets[1::2]
        keys = list(map(self._memo.__getitem__, pieces[1::2]))
        return Tokens(text, starts, ends, keys)


def alias_tokens(alias: str) -> tuple[list[str], list[str]]:
    """Keys and surface forms of the tokens of a gazetteer alias."""
    surfaces = TOKEN.findall(alias)
    return [token_key(tok) for tok in surfaces], surfaces


_CASED = re.compile(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff]")
_UPPER = re.compile(r"[A-Z\u00c0-\u00de\u0400-\u042f]")


def is_mostly_lowercase(text: str) -> bool:
    """Forum-style text written without capitals, where capitalisation says nothing."""
    sample = text[:20_000]
    letters = len(_CASED.findall(sample))
    return letters >= 200 and len(_UPPER.findall(sample)) / letters < 0.005
