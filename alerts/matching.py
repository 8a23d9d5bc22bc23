"""Which new documents match which alerts.

The backend does the matching (IndexBackend.percolate):

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
from index.query import Hit


def match_alerts(
    backend: IndexBackend, alerts: list[Alert], new_documents: dict[str, list[str]]
) -> dict[str, list[Hit]]:
    """alert name -> the documents among new_documents[name] that its query matches."""
    pending = [alert for alert in alerts if new_documents.get(alert.name)]
    found = backend.percolate(
        {alert.name: alert.search_query() for alert in pending},
        {alert.name: new_documents[alert.name] for alert in pending},
    )
    matches: dict[str, list[Hit]] = {}
    for alert in alerts:
        wanted = set(new_documents.get(alert.name, []))
        matches[alert.name] = [hit for hit in found.get(alert.name, []) if hit.id in wanted]
    return matches


def sync_alerts(backend: IndexBackend, alerts: list[Alert]) -> None:
    """On an engine, make the percolator hold exactly these alerts' queries (removed alerts go);
    the embedded index keeps nothing per alert (and builds no query: the pairs are lazy)."""
    backend.sync_saved_queries((alert.name, alert.search_query()) for alert in alerts)
