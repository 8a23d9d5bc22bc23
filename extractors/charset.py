"""Guessing the charset of undeclared, non-UTF-8 text.

charset-normalizer alone misreads short pages (a KOI8-R headline comes back as UTF-16 or
Shift-JIS, French Windows-1252 as Windows-1250). So every candidate that decodes the sample
strictly is scored by how natural the decoded non-ASCII characters look, and the lowest
penalty wins, ties going to the encoding most common on the web. One penalty point per
non-ASCII character that is

* a symbol, control character, superscript or fraction (mis-decoded bytes land in
  box-drawing and C1 ranges),
* a letter outside the sample's dominant script (a wrong code page mixes alphabets),
* an upper-case letter inside a word (KOI8-R read as Windows-1251 swaps the cases),
* the third accented Latin letter in a row (Windows-1251 Russian read as Windows-1252 is
  all accents; real Latin-script text sprinkles them),
* a non-Latin letter touching an ASCII letter ("Nähe" read as Windows-1256 is "Nنhe"),
* a combining mark that follows no letter, or a non-ASCII digit touching a letter (EUC-KR
  read as Thai).

Ties go to the first candidate in `CANDIDATES` order, single-byte code pages first; when
only multi-byte encodings tie, to charset-normalizer's verdict (its letter frequencies tell
Shift-JIS from GB18030). Known limits: code pages that differ only in a few Latin letters
(Windows-1250 or 1254 vs 1252) resolve to Windows-1252, and undeclared Windows-1255 Hebrew
reads as Windows-1251.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from charset_normalizer import from_bytes
from w3lib.encoding import resolve_encoding

#: Sample size in bytes; enough for a verdict, small enough to score ~15 candidates quickly.
SAMPLE_BYTES = 16_384
#: Legacy encodings in order of prevalence on the sites we crawl (tie-break order).
CANDIDATES: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "koi8_r",
    "cp1256",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1257",
    "cp874",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_jp",
    "euc_kr",
)
_MULTIBYTE = frozenset({"gb18030", "big5", "shift_jis", "euc_jp", "euc_kr"})
_SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "HANGUL": "CJK", "HALFWIDTH": "CJK"}


def guess_encoding(body: bytes) -> str:
    sample = _trim_partial_character(body[:SAMPLE_BYTES], len(body))
    candidates = list(CANDIDATES)
    proposed = _charset_normalizer_guess(sample)
    if proposed and proposed not in candidates:
        candidates.append(proposed)
    penalties: dict[str, float] = {}
    for encoding in candidates:
        try:
            penalties[encoding] = implausibility(sample.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            continue
    if not penalties:
        return proposed or "cp1252"
    lowest = min(penalties.values())
    tied = [encoding for encoding, penalty in penalties.items() if penalty == lowest]
    if tied[0] in _MULTIBYTE and proposed in tied:
        return proposed
    return tied[0]


def implausibility(text: str) -> float:
    """Penalty points per non-ASCII character (0.0 = every such character looks natural)."""
    scripts: Counter[str] = Counter()
    penalties = 0
    non_ascii = 0
    previous = "o"
    latin_run = 0
    for char in text:
        current = _char_class(char)
        latin_run = latin_run + 1 if current == "L" else 0
        if current in "SLFMD":
            non_ascii += 1
        if current == "S" or (current == "M" and unicodedata.combining(char) and previous not in "LFM"):
            penalties += 1  # symbols, controls, and combining marks with nothing to combine with
        elif current in "LF":
            scripts[_script(char)] += 1
            if previous in "aLF" and char.isupper():
                penalties += 1
            if latin_run >= 3:
                penalties += 1
        if {previous, current} in ({"a", "F"}, {"D", "F"}, {"D", "L"}):
            penalties += 1  # a foreign letter inside an ASCII word; a non-ASCII digit inside a word
        previous = current
    if not non_ascii:
        return 0.0
    if scripts:
        penalties += sum(scripts.values()) - scripts.most_common(1)[0][1]
    return penalties / non_ascii


def _char_class(char: str) -> str:
    """a: ASCII letter, o: other ASCII, L: accented Latin letter, F: letter of another script,
    S: symbol or control character, D: non-ASCII digit, M: any other non-ASCII character
    (punctuation, marks, spaces)."""
    if char < "\x80":
        return "a" if char.isalpha() else "o"
    category = unicodedata.category(char)
    if category[0] in "SC" or category == "No":  # "No": superscripts and fractions
        return "S"
    if category[0] == "L":
        return "L" if _script(char) == "LATIN" else "F"
    return "D" if category == "Nd" else "M"


def _script(char: str) -> str:
    first = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return _SCRIPT_GROUPS.get(first, first)


def _charset_normalizer_guess(sample: bytes) -> str | None:
    best = from_bytes(sample).best()
    if best is None:
        return None
    resolved = resolve_encoding(best.encoding)
    # Without NUL bytes (checked by the caller) a UTF-16/32 verdict is always wrong.
    if not resolved or resolved.startswith(("utf-16", "utf-32")):
        return None
    return resolved


def _trim_partial_character(sample: bytes, total: int) -> bytes:
    # A cut through a multi-byte character must not disqualify the right encoding.
    if len(sample) < total:
        return sample[: sample.rfind(b" ") + 1 or len(sample)]
    return sample
