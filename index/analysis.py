"""Text analysis shared by both backends: words, Snowball stems per language, designations.

The engine stems a document's text with Lucene's Snowball filter for its language; the embedded
index stores the same Snowball stems (PyStemmer, the same algorithms) in shadow columns. Both
backends therefore conflate the same inflections, and a query word is stemmed once per language.

Designations ("AK-47", "AK47", "AK 47", "9M133", "M16A4") are folded to one key ("ak47") by
`designation_keys`, which both backends index the same way (a whitespace-separated field), so
every written form of a designation finds the others.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import Stemmer
from anyascii import anyascii

#: detected language -> Snowball algorithm, for the languages both PyStemmer and the engine's
#: Snowball filter implement identically (checked against the node by tests/test_engine_language.py).
SNOWBALL_LANGUAGES: dict[str, str] = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "en": "english",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "es": "spanish",
    "sv": "swedish",
    "tr": "turkish",
}


def _word_pattern() -> re.Pattern[str]:
    # A word is a run of letters, digits, underscores and combining marks (Arabic harakat,
    # decomposed accents): what SQLite's unicode61 tokenizer and the engine's standard tokenizer
    # keep together. Python's \w leaves the marks out, so they are added from the BMP.
    marks = "".join(
        chr(code) for code in range(0x300, 0x10000) if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me")
    )
    return re.compile(f"[\\w{re.escape(marks)}]+")


WORD = _word_pattern()
_DIGITS = re.compile(r"\d+")
_HYPHEN_CHARS = "-‐‑"
#: A model written with a space: up to four capitals, then a number of at most three digits with
#: letters after it or not ("AK 47", "RPG 7", "BM 21", "T 72B3"; not "NATO 2024", a year).
SPACED_DESIGNATION = r"([A-Z]{1,4}) (\d{1,3}(?:[^\W\d_][^\W_]*)?)(?![\w])"
_HYPHENS = re.compile(f"[{_HYPHEN_CHARS}]")
_SPACED = re.compile(r"[A-Z]{1,4} \d")
_SPACED_WORDS = re.compile(SPACED_DESIGNATION)
_MAX_DESIGNATION = 16


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order."""
    return WORD.findall(unicodedata.normalize("NFC", text).lower())


#: languages stemmed with another's algorithm (Norwegian Bokmål and Nynorsk)
_SAME_STEMMER = {"nb": "no", "nn": "no"}


def stem_language(language: str | None) -> str | None:
    """The language code whose stemmer applies to `language` ("fr-FR" -> "fr"), or None."""
    if not language:
        return None
    code = language.lower().split("-")[0]
    code = _SAME_STEMMER.get(code, code)
    return code if code in SNOWBALL_LANGUAGES else None


@functools.lru_cache(maxsize=64)
def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer(SNOWBALL_LANGUAGES[language], 20_000)
    return stemmer


def stem(word: str, language: str) -> str:
    """`word` (lower case) stemmed for `language` (a key of SNOWBALL_LANGUAGES)."""
    result: str = _stemmer(language).stemWord(word)
    return result


def stem_token(stemmed: str, language: str) -> str:
    """A stem as the embedded index stores it: prefixed with its language ("en_rifl"), so a
    French stem never matches an English document that happens to share its spelling."""
    return f"{language}_{stemmed}"


def stemmed_text(text: str, language: str | None) -> str:
    """The shadow text the embedded index searches for inflections: one stem token per word
    (positions line up with the words, so proximity works), or "" for unstemmed languages."""
    code = stem_language(language)
    if code is None or not text:
        return ""
    return prefixed(_stemmer(code).stemWords(words(text)), f"{code}_")


def prefixed(tokens: list[str], prefix: str) -> str:
    return prefix + f" {prefix}".join(tokens) if tokens else ""


def prefixed_words(text: str, prefix: str) -> str:
    """The words of `text`, each prefixed, as one string ("Jane Doe", "a_" -> "a_jane a_doe")."""
    return prefixed(words(text), prefix)


def has_letters_and_digits(key: str) -> bool:
    return any(char.isdigit() for char in key) and any(char.isalpha() for char in key)


def designation_key(text: str) -> str | None:
    """The folded designation a query term denotes ("AK-47", "ak 47", "AK47" -> "ak47"), or None.

    Designations written in Cyrillic are transliterated ("АК-47" -> ak47, "РПГ-7" -> rpg7, "Су-25"
    -> su25), so the Russian press's spelling finds the Latin one and back."""
    key = "".join(words(text))
    if len(key) > _MAX_DESIGNATION or not has_letters_and_digits(key):
        return None
    return key if key.isascii() else anyascii(key).lower()


def designation_keys(text: str) -> list[str]:
    """Every designation written in `text`, folded to its key, deduplicated in order."""
    text = unicodedata.normalize("NFC", text)
    found: dict[str, None] = {}
    covered = 0
    # A designation has a digit: only the words around the (few) digits are looked at.
    for candidate in _DIGITS.finditer(text):
        if candidate.start() < covered:
            continue
        start, end = _chunk_around(text, candidate.start(), candidate.end())
        covered = end
        chunk = text[start:end].strip(_HYPHEN_CHARS)
        if chunk.isdigit():
            continue
        parts = [part for part in _HYPHENS.split(chunk) if part][:4]
        # "AK-47-type" is also an AK-47 (a chain cut before a word without digits), "AK-47s" the
        # plural of one; "9M-133" is not a "9M"
        ends = [end for end in range(1, len(parts)) if not any(char.isdigit() for char in parts[end])]
        for cut in [*ends, len(parts)]:
            key = designation_key("".join(parts[:cut]))
            if key:
                found[key] = None
                if key.endswith("s") and key[-2:-1].isdigit():
                    found[key[:-1]] = None
    # (two plain searches scan faster than one with alternatives; the word boundary is checked here)
    for candidate in _SPACED.finditer(text):
        spaced = _SPACED_WORDS.match(text, candidate.start())
        if spaced and not (candidate.start() and text[candidate.start() - 1].isalnum()):
            key = designation_key(spaced.group(1) + spaced.group(2))
            if key:
                found[key] = None
    return list(found)


def _chunk_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The hyphen-joined run of letters and digits around text[start:end]."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in _HYPHEN_CHARS):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in _HYPHEN_CHARS):
        end += 1
    return start, end


def designation_text(parts: Iterable[str]) -> str:
    """The designations of a document's title and text, as one whitespace-separated field."""
    return " ".join(dict.fromkeys(key for part in parts for key in designation_keys(part)))


def fold(word: str) -> str:
    """Case and diacritics removed, as both backends compare exact words ("Frontière" -> "frontiere")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


#: most indexed words one fuzzy word stands for (the engines' max_expansions)
FUZZY_EXPANSIONS = 50


def auto_edits(word: str) -> int:
    """Edits a fuzzy word allows by its length, as the engines' AUTO fuzziness: 0, 1 or 2."""
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2
