"""Backfill: an alert saved with `osint alert add --backfill` is also delivered what the index
holds already.

An alert otherwise sees only documents that runs started after its creation bring. A backfill
runs the alert's query as `osint search` would (IndexBackend.search, the same canonical query the
alert matches new documents with), pages through every hit with the search cursor, saves the
alert together with those documents queued in its outbox (one transaction: an index that cannot
be searched leaves nothing saved), then drains the outbox exactly as after a run
(evaluate.deliver_pending: same payloads, same delivery records). A later evaluation finds them
queued already and never sends them again; what a target failed to take stays pending and is
retried after the next run, or by `osint alert run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from alerts.evaluate import deliver_pending
from alerts.guard import DeliveryPolicy
from alerts.model import Alert
from alerts.store import AlertStore, refuse_taken_name
from index.backend import IndexBackend
from index.query import SearchRequest
from network.redaction import redact_text

#: hits per search page while collecting an alert's existing matches (the search's maximum is 1,000)
PAGE_SIZE = 500

#: progress(phase, done, total): "matching" counts documents found so far out of the search's
#: total, "delivering" counts (document, target) deliveries settled out of those queued
Progress = Callable[[Literal["matching", "delivering"], int, int], None]


@dataclass
class BackfillResult:
    alert: str
    matched: int = 0  # documents already in the index that the query matches
    queued: int = 0  # (document, target) deliveries queued
    delivered: dict[str, int] = field(default_factory=dict)  # target -> documents delivered
    failed: dict[str, int] = field(default_factory=dict)  # target -> documents left pending by a failure
    errors: dict[str, str] = field(default_factory=dict)  # target -> its failure

    def as_json(self) -> dict[str, object]:
        return {
            "matched": self.matched,
            "queued": self.queued,
            "delivered": self.delivered,
            "failed": self.failed,
            "errors": self.errors,
        }


def backfill_summary(result: BackfillResult) -> str:
    """One line: what a backfill matched, delivered and failed to deliver, per target."""
    matched = f"{result.matched} document{'s' * (result.matched != 1)} already in the index match"
    if not result.matched:
        return "Backfill: no document already in the index matches; nothing delivered."
    delivered = ", ".join(f"{count} to {target}" for target, count in result.delivered.items()) or "nothing"
    line = f"Backfill: {matched}; delivered {delivered}"
    failed = "; ".join(
        f"{result.failed[target]} to {target} ({redact_text(error)})" for target, error in result.errors.items()
    )
    if failed:
        line += f"; failed, pending until the next run or `osint alert run`: {failed}"
    return line + "."


def existing_matches(
    backend: IndexBackend, alert: Alert, page_size: int | None = None, progress: Progress | None = None
) -> list[str]:
    """Ids of every document in the index that `alert`'s query matches, newest first, read a page
    at a time by the search cursor (no cap on how many). QuerySyntaxError for a query that cannot
    be searched; the backend's error (ConnectionError, OSError) for an index that cannot be."""
    query = alert.search_query()
    size = page_size or PAGE_SIZE
    backend.refresh()  # recent writes visible, as when new documents are matched
    found: dict[str, None] = {}  # ordered, and a document seen twice (it moved while paging) counts once
    cursor = None
    while True:
        result = backend.search(SearchRequest(query=query, sort="date", size=size, search_after=cursor, facets={}))
        found.update(dict.fromkeys(hit.id for hit in result.hits))
        if progress is not None:
            progress("matching", len(found), max(result.total, len(found)))
        if not result.hits or result.next_cursor is None:
            return list(found)
        cursor = result.next_cursor


def save_and_deliver(
    store: AlertStore,
    backend: IndexBackend,
    alert: Alert,
    policy: DeliveryPolicy,
    doc_ids: list[str],
    progress: Progress | None = None,
) -> BackfillResult:
    """Save `alert` with `doc_ids` (its existing_matches()) queued for each of its targets, then
    deliver them. AlertExists if the name is taken (nothing is saved); delivery failures are
    recorded in the outbox and reported in the result, never raised."""
    result = BackfillResult(alert.name, matched=len(doc_ids))
    result.queued = store.add(alert, backfill=doc_ids)
    settled = 0

    def delivering(count: int) -> None:
        nonlocal settled
        settled += count
        if progress is not None:
            progress("delivering", settled, result.queued)

    if progress is not None:
        progress("delivering", 0, result.queued)
    outcome = deliver_pending(store, backend, alert, policy, delivering)
    result.delivered, result.failed, result.errors = outcome.delivered, outcome.failed, outcome.errors
    return result


def add_with_backfill(
    store: AlertStore,
    backend: IndexBackend,
    alert: Alert,
    policy: DeliveryPolicy,
    page_size: int | None = None,
    progress: Progress | None = None,
) -> BackfillResult:
    """existing_matches(), then save_and_deliver(): nothing is saved unless the search succeeded;
    AlertExists, before any search, if the name is taken."""
    refuse_taken_name(store, alert.name)
    doc_ids = existing_matches(backend, alert, page_size, progress)
    return save_and_deliver(store, backend, alert, policy, doc_ids, progress)
