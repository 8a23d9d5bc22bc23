"""A plain-text snippet for exports: about forty words of a document's text, starting a little
before the first search word it contains, else at its start. No markup: a spreadsheet cell or a
graph label shows it as it is (the search page's snippets are escaped HTML instead)."""

from __future__ import annotations

import re
from collections.abc import Sequence

SNIPPET_WORDS = 40
#: how far before the first search word a snippet starts, in characters (a few words of context)
_LEAD = 80
#: characters read to make a snippet: enough for SNIPPET_WORDS words of any language, far less
#: than a long text (splitting a whole report into words, per document, would dominate an export)
_WINDOW = 800


def words_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """What finds the first of `words` in a text: at the start of a word, in any case, so "rifle"
    also finds "rifles". None without words."""
    alternatives = sorted({word.strip() for word in words if word.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(word) for word in alternatives) + ")", re.IGNORECASE)


def plain_snippet(text: str, pattern: re.Pattern[str] | None = None, size: int = SNIPPET_WORDS) -> str:
    """About `size` words of `text` on one line, around the first match of `pattern` when there
    is one, with "…" where text was cut."""
    start = 0
    found = pattern.search(text) if pattern is not None else None
    if found is not None and found.start() > _LEAD:
        start = text.rfind(" ", 0, found.start() - _LEAD) + 1  # (0 when there is no space before)
    window = text[start : start + _WINDOW].split()
    if start + _WINDOW < len(text) and window:
        window.pop()  # the last word may be cut by the window
    words = window[:size]
    cut_after = len(window) > size or start + _WINDOW < len(text)
    return ("… " if start else "") + " ".join(words) + (" …" if cut_after and words else "")
