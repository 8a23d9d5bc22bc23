"""Page numbers for hits in paginated documents (PDF letters and reports), so a hit can be cited."""

from __future__ import annotations

import html
import re

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
        found = re.search(r"\s+".join(map(re.escape, words)), document.text)
        if found:
            hit.page = document.page_at(found.start())
    return result
