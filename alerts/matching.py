"""Which new documents match which alerts.

- Embedded index (SQLite): each alert's query, restricted to its new documents (`Query.ids`) —
  the very search `osint search` runs, so an alert fires on exactly what a search would find.
- Elasticsearch / OpenSearch: the percolator (index/engine/percolator.py). Every alert's query,
  rendered by the same code as searches, is registered in ``<alias>-alerts``; the new documents
  of all alerts are percolated together, once, and each alert keeps the matches among its own
  new documents.

Hits are checked against each alert's ids again, so a backend that ignored the restriction could
only ever miss a match, never send an unrelated document.
"""

from __future__ import annotations

from alerts.model import Alert
from index.backend import IndexBackend
from index.engine.backend import EngineBackend
from index.engine.percolator import EnginePercolator
from index.query import Hit, SearchRequest

CHUNK = 500


def match_documents(backend: IndexBackend, alert: Alert, doc_ids: list[str]) -> list[Hit]:
    """The saved query as a search restricted to doc_ids, newest first."""
    query = alert.search_query()
    backend.refresh()
    hits: list[Hit] = []
    for start in range(0, len(doc_ids), CHUNK):
        chunk = doc_ids[start : start + CHUNK]
        request = SearchRequest(query=query.model_copy(update={"ids": chunk}), sort="date", size=len(chunk), facets={})
        hits += backend.search(request).hits
    return hits


def match_alerts(
    backend: IndexBackend, alerts: list[Alert], new_documents: dict[str, list[str]]
) -> dict[str, list[Hit]]:
    """alert name -> the documents among new_documents[name] that its query matches."""
    pending = [alert for alert in alerts if new_documents.get(alert.name)]
    if isinstance(backend, EngineBackend):
        every = list(dict.fromkeys(doc_id for alert in pending for doc_id in new_documents[alert.name]))
        found = EnginePercolator(backend).percolate({alert.name: alert.search_query() for alert in pending}, every)
    else:
        found = {alert.name: match_documents(backend, alert, new_documents[alert.name]) for alert in pending}
    matches: dict[str, list[Hit]] = {}
    for alert in alerts:
        wanted = set(new_documents.get(alert.name, []))
        matches[alert.name] = [hit for hit in found.get(alert.name, []) if hit.id in wanted]
    return matches


def sync_alerts(backend: IndexBackend, alerts: list[Alert]) -> None:
    """On an engine, make the percolator hold exactly these alerts' queries (removed alerts go);
    the embedded index keeps nothing per alert."""
    if isinstance(backend, EngineBackend):
        EnginePercolator(backend).register({alert.name: alert.search_query() for alert in alerts}, exclusive=True)
