"""Page numbers for hits in paginated documents (PDF letters and reports), so a hit can be cited."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from index.backend import IndexBackend
from index.query import SearchResult

_MARKUP = re.compile(r"</?mark>")
_PROBE_WORDS = 8


def add_pages(backend: IndexBackend, result: SearchResult) -> SearchResult:
    """Set `Hit.page` where the document has page spans: the page holding the snippet's text."""
    for hit in result.hits:
        words = html.unescape(_MARKUP.sub("", hit.snippet)).strip("… ").split()[:_PROBE_WORDS]
        if not words:
            continue
        document = backend.get(hit.id)
        if document is None or not document.pages:
            continue
        found = find_words(document.text, words)
        if found is not None:
            hit.page = document.page_at(found)
    return result


def find_words(text: str, words: Sequence[str], ignore_case: bool = False) -> int | None:
    """Where `words` first occur in `text` in this order, any whitespace between them (a snippet
    or a quotation loses the text's line breaks), or None."""
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), text, re.IGNORECASE if ignore_case else 0)
    return found.start() if found else None
