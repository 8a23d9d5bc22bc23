"""After a run: find each alert's new matches, queue them, and deliver everything pending.

An alert looks at finished runs that started after it was created and that it has not looked at
yet, takes the documents those runs indexed as new or changed, and keeps those its query matches
that it never queued before (alerts/matching.py: the percolator on an engine, the id-restricted
query on SQLite). An arsenal alert reads the same documents for links its group never had
(alerts/arsenal.py) and queues those. Delivery then drains the outbox per target.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alerts.arsenal import NewLinks, new_links
from alerts.arsenal_links import ArsenalLink
from alerts.delivery import DeliveryError, document_summary, link_summary, send
from alerts.guard import DeliveryPolicy
from alerts.matching import match_alerts, sync_alerts
from alerts.model import Alert
from alerts.store import AlertStore
from index.backend import IndexBackend
from index.query import Hit
from state.ledger import Ledger

logger = logging.getLogger(__name__)

#: documents per webhook POST, JSONL write or e-mail
BATCH = 100


@dataclass
class AlertResult:
    alert: str
    kind: str = "search"
    runs: list[str] = field(default_factory=list)
    matched: list[Hit] = field(default_factory=list)
    new_links: list[ArsenalLink] = field(default_factory=list)  # an arsenal alert's findings
    queued: int = 0
    delivered: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _new_documents(
    ledger: Ledger, alert: Alert, skip_runs: set[str], changed: dict[str, list[str]]
) -> tuple[list[str], dict[str, str]]:
    """(runs to look at, doc_id -> run that indexed it) for runs after the alert was created.
    `changed` keeps each run's documents across alerts: they are read once per evaluation."""
    runs = [
        run_id
        for run_id in ledger.ended_runs(since=alert.created.isoformat(timespec="seconds"))
        if run_id not in skip_runs
    ]
    documents: dict[str, str] = {}
    for run_id in runs:
        if run_id not in changed:
            changed[run_id] = ledger.changed_doc_ids(run_id)
        for doc_id in changed[run_id]:
            documents.setdefault(doc_id, run_id)
    return runs, documents


def find_all_matches(
    store: AlertStore,
    ledger: Ledger,
    backend: IndexBackend,
    alerts: list[Alert],
    changed: dict[str, list[str]] | None = None,
) -> dict[str, tuple[list[str], list[Hit], dict[str, str]]]:
    """Per search alert: runs not yet looked at, the documents they brought that match and were
    never queued, and which run brought each document. All alerts are matched together (one
    percolation on an engine)."""
    looked_at: dict[str, tuple[list[str], dict[str, str]]] = {}
    fresh: dict[str, list[str]] = {}
    changed = {} if changed is None else changed
    for alert in alerts:
        runs, documents = _new_documents(ledger, alert, store.processed_runs(alert.name), changed)
        already = store.was_queued(alert.name, list(documents))
        looked_at[alert.name] = runs, documents
        fresh[alert.name] = [doc_id for doc_id in documents if doc_id not in already]
    matched = match_alerts(backend, alerts, fresh)
    return {name: (runs, matched[name], documents) for name, (runs, documents) in looked_at.items()}


def find_matches(
    store: AlertStore, ledger: Ledger, backend: IndexBackend, alert: Alert
) -> tuple[list[str], list[Hit], dict[str, str]]:
    """find_all_matches() for one alert."""
    return find_all_matches(store, ledger, backend, [alert])[alert.name]


def find_new_links(
    store: AlertStore,
    ledger: Ledger,
    backend: IndexBackend,
    alert: Alert,
    changed: dict[str, list[str]] | None = None,
) -> tuple[list[str], NewLinks, dict[str, str]]:
    """For an arsenal alert: runs not yet looked at, the new links their documents make (and
    those other documents had already), and which run brought each document."""
    runs, documents = _new_documents(
        ledger, alert, store.processed_runs(alert.name), {} if changed is None else changed
    )
    return runs, new_links(backend, alert, store.known_keys(alert.name), list(documents)), documents


def evaluate_alerts(
    store: AlertStore,
    ledger: Ledger,
    backend: IndexBackend,
    names: list[str] | None = None,
    policy: DeliveryPolicy | None = None,
) -> list[AlertResult]:
    """`policy` says where deliveries may go; by default no private address, and nothing inside
    the store's data directory."""
    policy = policy or DeliveryPolicy(store.data_dir)
    results = []
    saved = store.all()
    sync_alerts(backend, [alert for alert in saved if alert.kind == "search"])
    alerts = [alert for alert in saved if names is None or alert.name in names]
    changed: dict[str, list[str]] = {}  # each run's documents, read once for all alerts
    matches = find_all_matches(store, ledger, backend, [alert for alert in alerts if alert.kind == "search"], changed)
    for alert in alerts:
        result = AlertResult(alert.name, alert.kind)
        if alert.kind == "arsenal":
            result.runs, found, documents = find_new_links(store, ledger, backend, alert, changed)
            result.new_links = found.findings
            result.queued = store.record_links(alert, found.findings, found.known, documents, result.runs)
        else:
            result.runs, result.matched, documents = matches[alert.name]
            result.queued = store.queue(
                alert.name, {hit.id: documents.get(hit.id, "") for hit in result.matched}, alert.targets, result.runs
            )
        outcome = deliver_pending(store, backend, alert, policy)
        result.delivered, result.errors = outcome.delivered, outcome.errors
        results.append(result)
    return results


@dataclass
class Delivered:
    """What draining an alert's outbox did, per target (its str()): documents delivered, documents
    left pending by a failure (retried after the next run), and that failure."""

    delivered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def deliver_pending(
    store: AlertStore,
    backend: IndexBackend,
    alert: Alert,
    policy: DeliveryPolicy,
    progress: Callable[[int], None] | None = None,
) -> Delivered:
    """Send every document (an arsenal alert: every finding) waiting in `alert`'s outbox, BATCH
    at a time per target, and record each batch delivered; at a target's first failure, what it
    has left stays pending with the error. `progress(n)` is told each time n more (document,
    target) deliveries are settled."""
    outcome = Delivered()
    findings = (
        {known.link.key: known.link for known in store.links(alert.name) if known.known_from == "run"}
        if alert.kind == "arsenal"
        else {}
    )
    for target in alert.targets:
        pending = store.pending(alert.name, target)
        for start in range(0, len(pending), BATCH):
            batch = pending[start : start + BATCH]
            found = _summaries(backend, alert, batch, findings)
            try:
                if found:
                    send(target, alert, found, policy)
            except DeliveryError as exc:
                logger.warning("Alert %s: delivery failed, will retry after the next run: %s", alert.name, exc)
                store.mark_failed(alert.name, target, pending[start:], str(exc))
                outcome.errors[str(target)] = str(exc)
                outcome.failed[str(target)] = len(pending) - start
                if progress is not None:
                    progress(len(pending) - start)
                break
            store.mark_delivered(alert.name, target, batch)  # documents gone from the index are dropped too
            outcome.delivered[str(target)] = outcome.delivered.get(str(target), 0) + len(found)
            if progress is not None:
                progress(len(batch))
    return outcome


def _summaries(
    backend: IndexBackend, alert: Alert, batch: list[str], findings: dict[str, ArsenalLink]
) -> list[dict[str, Any]]:
    """What a batch of the outbox delivers: its documents, or (arsenal) its findings with their
    documents; those gone from the index are left out."""
    if alert.kind != "arsenal":
        return [document_summary(alert, document) for doc_id in batch if (document := backend.get(doc_id)) is not None]
    summaries = []
    for key in batch:
        link = findings.get(key)
        document = backend.get(link.doc_id) if link is not None else None
        if link is not None and document is not None:
            summaries.append(link_summary(alert, document, link))
    return summaries
