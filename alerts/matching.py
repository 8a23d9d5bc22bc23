"""Which of some documents match a saved query: the query itself, restricted to their ids.

Both backends run the same `Query` (with `Query.ids`), so an alert fires on exactly what
`osint search` would have found. Hits are checked against the ids again, so a backend that
ignored the restriction could only ever miss a match, never send an unrelated document.
"""

from __future__ import annotations

from index.backend import IndexBackend
from index.query import Hit, SearchRequest, parse_query

CHUNK = 500


def match_documents(backend: IndexBackend, query_text: str, doc_ids: list[str]) -> list[Hit]:
    query = parse_query(query_text)
    backend.refresh()
    hits: list[Hit] = []
    for start in range(0, len(doc_ids), CHUNK):
        chunk = doc_ids[start:start + CHUNK]
        request = SearchRequest(query=query.model_copy(update={"ids": chunk}), sort="date", size=len(chunk), facets={})
        wanted = set(chunk)
        hits += [hit for hit in backend.search(request).hits if hit.id in wanted]
    return hits
