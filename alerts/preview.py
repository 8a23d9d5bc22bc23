"""What an alert would deliver now, without sending anything (`osint alert test`, the web's "test").

New matches are documents from runs since the alert was created that it has not queued yet;
pending ones wait for a target that failed. Documents already delivered are only counted."""

from __future__ import annotations

from dataclasses import dataclass, field

from alerts.evaluate import find_matches
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


def preview_alert(store: AlertStore, ledger: Ledger, backend: IndexBackend, alert: Alert) -> AlertPreview:
    """What `alert` would deliver now; the backend's error (OSError, ConnectionError) if the index
    cannot be searched. Reads only: nothing is queued, marked or sent."""
    runs, hits, _ = find_matches(store, ledger, backend, alert)
    pending = {str(target): store.pending(alert.name, target) for target in alert.targets}
    waiting = {doc_id for ids in pending.values() for doc_id in ids} - {hit.id for hit in hits}
    documents = [document for doc_id in sorted(waiting) if (document := backend.get(doc_id)) is not None]
    return AlertPreview(alert.name, runs, hits, pending, documents, store.summary(alert.name).delivered)
