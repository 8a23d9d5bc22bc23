"""What an alert would deliver now, without sending anything (`osint alert test`, the web's "test").

New matches are documents from runs since the alert was created that it has not queued yet;
pending ones wait for a target that failed. Documents already delivered are only counted. For an
arsenal alert, the same of its findings: links never seen before that it has not queued yet, and
those waiting for a target."""

from __future__ import annotations

from dataclasses import dataclass, field

from alerts.arsenal_links import ArsenalLink
from alerts.evaluate import find_matches, find_new_links
from alerts.model import Alert
from alerts.store import AlertStore
from index.backend import IndexBackend
from index.query import Hit
from schema.document import Document
from state.ledger import Ledger


@dataclass
class AlertPreview:
    alert: str
    runs: list[str] = field(default_factory=list)  # runs looked at that the alert had not seen yet
    new_matches: list[Hit] = field(default_factory=list)
    pending: dict[str, list[str]] = field(default_factory=dict)  # target -> doc ids waiting for it
    waiting: list[Document] = field(default_factory=list)  # pending documents that are not new matches
    delivered: int = 0  # (document, target) deliveries made already
    new_links: list[ArsenalLink] = field(default_factory=list)  # an arsenal alert's new findings
    waiting_links: list[ArsenalLink] = field(default_factory=list)  # its pending findings that are not new


def preview_alert(store: AlertStore, ledger: Ledger, backend: IndexBackend, alert: Alert) -> AlertPreview:
    """What `alert` would deliver now; the backend's error (OSError, ConnectionError) if the index
    cannot be searched. Reads only: nothing is queued, marked or sent."""
    pending = {str(target): store.pending(alert.name, target) for target in alert.targets}
    if alert.kind == "arsenal":
        return _arsenal_preview(store, ledger, backend, alert, pending)
    runs, hits, _ = find_matches(store, ledger, backend, alert)
    waiting = {doc_id for ids in pending.values() for doc_id in ids} - {hit.id for hit in hits}
    documents = [document for doc_id in sorted(waiting) if (document := backend.get(doc_id)) is not None]
    return AlertPreview(alert.name, runs, hits, pending, documents, store.summary(alert.name).delivered)


def _arsenal_preview(
    store: AlertStore, ledger: Ledger, backend: IndexBackend, alert: Alert, pending: dict[str, list[str]]
) -> AlertPreview:
    runs, found, _ = find_new_links(store, ledger, backend, alert)
    waiting = {key for keys in pending.values() for key in keys}
    links = [known.link for known in store.links(alert.name) if known.link.key in waiting]
    return AlertPreview(
        alert.name,
        runs,
        pending=pending,
        delivered=store.summary(alert.name).delivered,
        new_links=found.findings,
        waiting_links=links,
    )
