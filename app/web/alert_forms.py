"""Alerts as the alerts pages and API see them: the create form (checked as `osint alert add`
checks its arguments, with the same messages), saving with an optional backfill, and what the
list and one alert's page show (delivery counts, pending documents per target, recent deliveries).

No web framework here: handlers pass in the stores, the templates loop over what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from pydantic import BaseModel, Field

from alerts.backfill import BackfillResult, add_with_backfill
from alerts.guard import DeliveryPolicy
from alerts.model import Alert
from alerts.preview import AlertPreview
from alerts.store import BACKFILL_RUN, AlertExists, AlertStore, Delivery
from alerts.validation import InvalidAlert, validated_alert
from app.output import safe
from app.web.reading import external_url
from app.web.run_view import run_href
from app.web.templating import url
from index.backend import IndexBackend
from index.query import QuerySyntaxError
from network.redaction import redact_text, redact_url
from settings.config import Config

#: pending documents listed per target, and recent deliveries listed, on an alert's page
SHOWN = 20
#: the key of a problem that belongs to no one field (the index failed during a backfill)
FORM = "form"


class AlertIn(BaseModel):
    """A new alert, as `osint alert add NAME QUERY --notify TARGET… [--backfill]` takes it."""

    name: str
    query: str
    targets: list[str] = Field(description="webhook:https://…, jsonl:/path/file.jsonl or email:analyst@example.org")
    backfill: bool = Field(False, description="also deliver, now, the documents already in the index that match")


class AlertOut(BaseModel):
    """A saved alert with its outbox counts (`osint alert list --json`)."""

    name: str
    query: str
    targets: list[str]
    created: datetime
    delivered: int
    pending: int
    pending_by_target: dict[str, int]
    last_delivered: str | None
    last_error: str
    backfill: dict[str, object] | None = None  # what a backfill did, when the alert was saved with one


@dataclass
class AlertForm:
    """The create form's values, kept as typed so a refused form comes back filled in."""

    name: str = ""
    query: str = ""
    targets: str = ""  # one target per line
    backfill: bool = False

    def target_texts(self) -> list[str]:
        return [line.strip() for line in self.targets.splitlines() if line.strip()]


def create_alert(
    store: AlertStore, backend: IndexBackend, config: Config, form: AlertIn
) -> tuple[Alert, BackfillResult | None]:
    """Save the alert `form` describes, delivering its backfill first when asked; InvalidAlert with
    the problem of each field at fault (the CLI's messages), or under FORM when the index failed
    during a backfill (then nothing is saved)."""
    policy = DeliveryPolicy.from_config(config)
    alert = validated_alert(form.name, form.query, form.targets, policy)
    try:
        if not form.backfill:
            store.add(alert)
            return alert, None
        if _exists(store, alert.name):  # known before the whole index is searched, as the CLI checks it
            raise AlertExists(f"an alert named {alert.name!r} exists already")
        return alert, add_with_backfill(store, backend, alert, policy)
    except AlertExists as exc:
        raise InvalidAlert({"name": str(exc)}) from None
    except QuerySyntaxError as exc:
        raise InvalidAlert({"query": f"query: {exc}"}) from None
    except (OSError, ConnectionError) as exc:
        raise InvalidAlert(
            {FORM: f"the index cannot be searched, so alert {alert.name!r} was not saved: {redact_text(str(exc))}"}
        ) from None


def _exists(store: AlertStore, name: str) -> bool:
    try:
        store.get(name)
    except KeyError:
        return False
    return True


# -- what the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLine:
    """A document an alert found or delivered, as listed: its title, live URL and page in the workbench."""

    doc_id: str
    title: str
    url: str
    href: str | None  # the live page, only when http(s)
    doc_href: str


@dataclass(frozen=True)
class TargetState:
    target: str  # as the CLI shows it (webhook:https://…), credentials masked
    pending: int
    pending_documents: list[DocumentLine] = field(default_factory=list)  # the first SHOWN


@dataclass(frozen=True)
class DeliveryLine:
    delivery: Delivery
    target: str
    document: DocumentLine
    error: str
    run_href: str | None  # the run that brought the document (None: a backfill, or unknown)


@dataclass(frozen=True)
class AlertSummary:
    alert: Alert
    href: str  # the alert's page
    search_href: str  # the search page running its query
    targets: list[TargetState]
    delivered: int
    pending: int
    last_delivered: str | None
    last_error: str

    def as_json(self, backfill: BackfillResult | None = None) -> AlertOut:
        return AlertOut(
            name=self.alert.name,
            query=self.alert.query,
            targets=[shown_target(target) for target in self.alert.targets],
            created=self.alert.created,
            delivered=self.delivered,
            pending=self.pending,
            pending_by_target={state.target: state.pending for state in self.targets},
            last_delivered=self.last_delivered,
            last_error=self.last_error,
            backfill=backfill.as_json() if backfill is not None else None,
        )


def alert_href(name: str) -> str:
    return f"/alerts/{quote(name, safe='')}"


def shown_target(target: object) -> str:
    """A target as shown (pages and JSON): a webhook URL may carry a token in its userinfo."""
    return safe(redact_text(str(target)))


def document_line(doc_id: str, title: str = "", live: str = "") -> DocumentLine:
    """A document listed by id, with its title and live URL when known (crawled: cleaned here,
    escaped by the template)."""
    return DocumentLine(
        doc_id=doc_id,
        title=safe(title),
        url=safe(redact_url(live)),
        href=external_url(live) if live else None,
        doc_href=f"/doc/{quote(doc_id, safe='')}",
    )


def indexed_line(backend: IndexBackend, doc_id: str) -> DocumentLine:
    """`doc_id` with its title and URL from the index (a document gone from it: its id only)."""
    document = backend.get(doc_id)
    return document_line(doc_id, document.title, document.url) if document is not None else document_line(doc_id)


@dataclass(frozen=True)
class PreviewView:
    """What `osint alert test` prints, ready to list: new matches, documents waiting for a target, counts."""

    runs: int
    new_matches: list[DocumentLine]
    waiting: list[DocumentLine]
    pending: dict[str, int]  # target (shown) -> documents waiting for it
    delivered: int


def preview_view(preview: AlertPreview) -> PreviewView:
    return PreviewView(
        runs=len(preview.runs),
        new_matches=[document_line(hit.id, hit.title, hit.url) for hit in preview.new_matches],
        waiting=[document_line(document.id, document.title, document.url) for document in preview.waiting],
        pending={shown_target(target): len(ids) for target, ids in preview.pending.items()},
        delivered=preview.delivered,
    )


def alert_summary(store: AlertStore, alert: Alert, backend: IndexBackend | None = None) -> AlertSummary:
    """`alert` with its outbox counts and pending documents per target; with `backend`, the first
    SHOWN pending documents of each target are looked up (one alert's page), without it only counted
    (the list)."""
    summary = store.summary(alert.name)
    targets = []
    for target in alert.targets:
        pending = store.pending(alert.name, target)
        documents = [indexed_line(backend, doc_id) for doc_id in pending[:SHOWN]] if backend is not None else []
        targets.append(TargetState(shown_target(target), len(pending), documents))
    delivered, waiting, last = summary["delivered"], summary["pending"], summary["last_delivered"]
    assert isinstance(delivered, int) and isinstance(waiting, int)  # COUNT(*)s
    return AlertSummary(
        alert=alert,
        href=alert_href(alert.name),
        search_href=url("/", q=alert.query),
        targets=targets,
        delivered=delivered,
        pending=waiting,
        last_delivered=str(last) if last else None,
        last_error=safe(redact_text(str(summary["last_error"]))),
    )


def recent_deliveries(store: AlertStore, backend: IndexBackend, name: str, limit: int = SHOWN) -> list[DeliveryLine]:
    return [
        DeliveryLine(
            delivery=delivery,
            target=shown_target(delivery.target),
            document=indexed_line(backend, delivery.doc_id),
            error=safe(redact_text(delivery.last_error)),
            run_href=run_href(delivery.run_id) if delivery.run_id and delivery.run_id != BACKFILL_RUN else None,
        )
        for delivery in store.recent_deliveries(name, limit)
    ]
