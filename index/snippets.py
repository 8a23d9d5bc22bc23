"""Snippet helpers shared by backends: crawled text is hostile, so only our <mark> tags are markup.

Convention: ``Hit.title`` is plain text (escaped where it is shown), ``Hit.snippet`` is HTML in
which every character of the document is escaped and only ``<mark>``/``</mark>`` are tags.
"""

from __future__ import annotations

import html
import re

#: Private-use characters handed to a highlighter (FTS5 snippet()) as open/close markers; they
#: survive html.escape untouched and are turned into tags afterwards.
OPEN_SENTINEL = "\ue000"
CLOSE_SENTINEL = "\ue001"
SNIPPET_WORDS = 30
ELLIPSIS = "…"

_SENTINELS = re.compile(f"[{OPEN_SENTINEL}{CLOSE_SENTINEL}]")


def strip_sentinels(text: str) -> str:
    """Remove marker characters a hostile document might carry itself."""
    return _SENTINELS.sub("", text)


def sentinels_to_html(marked: str) -> str:
    """Escape a highlighter's output and turn its sentinels into balanced <mark> tags.

    Sentinels that do not pair up (a document may contain the private-use characters itself)
    are dropped, so the result is always well-formed.
    """
    out: list[str] = []
    is_open = False
    for part in re.split(f"([{OPEN_SENTINEL}{CLOSE_SENTINEL}])", marked):
        if part == OPEN_SENTINEL:
            if not is_open:
                out.append("<mark>")
                is_open = True
        elif part == CLOSE_SENTINEL:
            if is_open:
                out.append("</mark>")
                is_open = False
        elif part:
            out.append(html.escape(part, quote=True))
    if is_open:
        out.append("</mark>")
    return "".join(out)


def leading_snippet(text: str, words: int = SNIPPET_WORDS) -> str:
    """The first `words` words of a document, escaped (for queries without search words)."""
    parts = strip_sentinels(text).split()
    snippet = " ".join(parts[:words])
    if len(parts) > words:
        snippet += ELLIPSIS
    return html.escape(snippet, quote=True)
