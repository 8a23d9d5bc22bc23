"""Alerts as the alerts pages and API see them: the create form (checked as `osint alert add`
checks its arguments, with the same messages), saving with an optional backfill (an arsenal
alert: with its baseline), and what the list and one alert's page show (delivery counts, pending
documents per target, recent deliveries; an arsenal alert's links, each with its evidence).

Two things the web allows less than the command line does: a webhook URL is shown as its scheme
and host only (Slack, Teams and Discord keep the webhook's secret in its path and query, and the
pages and JSON are read by viewers), and a JSONL target (a file the server appends to) is added
only by an admin.

No web framework here: handlers pass in the stores, the templates loop over what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

from alerts.arsenal import add_arsenal_alert
from alerts.arsenal_links import ArsenalLink
from alerts.backfill import BackfillResult, add_with_backfill
from alerts.guard import DeliveryPolicy
from alerts.model import ALERT_NAME, Alert, Target
from alerts.preview import AlertPreview
from alerts.store import BACKFILL_RUN, AlertExists, AlertStore, Delivery, KnownLink
from alerts.validation import InvalidAlert, validated_alert
from app.output import safe
from app.web.links import alert_href, arsenal_href, document_href, external_url, run_href
from app.web.templating import url
from index.backend import IndexBackend
from index.query import QuerySyntaxError
from network.redaction import redact_text, redact_url
from schema.countries import country_label
from settings.config import Config

#: pending documents listed per target, and recent deliveries listed, on an alert's page
SHOWN = 20
#: the key of a problem that belongs to no one field (the index failed during a backfill)
FORM = "form"
#: the longest query and target list (one target a line) the web takes: a saved search, not a document
MAX_QUERY = 2000
MAX_TARGETS = 4000
#: the longest armed group name (or alias) the web takes
MAX_GROUP = 200
#: why an editor may not add a JSONL target from the web
FILE_TARGET_NEEDS_ADMIN = (
    "a jsonl target writes a file on the server: only an admin may add one from the web (or use `osint alert add`)"
)


class AlertIn(BaseModel):
    """A new alert, as `osint alert add NAME QUERY --notify TARGET… [--backfill]` (or
    `osint alert add NAME --arsenal GROUP --notify TARGET…`) takes it."""

    name: str
    kind: str = Field("search", description="search (a query) or arsenal (an armed group)")
    query: str = Field("", description="a search alert's query, in the analyst syntax")
    group: str = Field("", description="an arsenal alert's armed group: a name or an alias")
    targets: list[str] = Field(description="webhook:https://…, jsonl:/path/file.jsonl or email:analyst@example.org")
    backfill: bool = Field(
        False, description="a search alert: also deliver, now, the documents already in the index that match"
    )


class AlertOut(BaseModel):
    """A saved alert with its outbox counts (`osint alert list --json`)."""

    name: str
    kind: str
    query: str
    group: str
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
    kind: str = "search"
    query: str = ""
    group: str = ""
    targets: str = ""  # one target per line
    backfill: bool = False

    def target_texts(self) -> list[str]:
        return [line.strip() for line in self.targets.splitlines() if line.strip()]


def create_alert(
    store: AlertStore, backend: IndexBackend, config: Config, form: AlertIn, may_write_files: bool
) -> tuple[Alert, BackfillResult | None]:
    """Save the alert `form` describes, delivering its backfill first when asked; InvalidAlert with
    the problem of each field at fault (the CLI's messages), or under FORM when the index failed
    during a backfill (then nothing is saved). A JSONL target is refused unless `may_write_files`
    (the user is an admin). An arsenal alert is saved with its baseline, read from the index."""
    too_long = _length_problems(form)
    if too_long:  # before the query parser sees a query of any size
        raise InvalidAlert(too_long)
    refused = {**_kind_problems(form), **({} if may_write_files else _file_target_problem(form.targets))}
    policy = DeliveryPolicy.from_config(config)
    try:
        alert = validated_alert(form.name, form.query, form.targets, policy, kind=form.kind, group=form.group)
    except InvalidAlert as exc:
        raise InvalidAlert({**exc.problems, **refused}) from None
    if refused:
        raise InvalidAlert(refused)
    try:
        if alert.kind == "arsenal":
            add_arsenal_alert(store, backend, alert)
            return alert, None
        if not form.backfill:
            store.add(alert)
            return alert, None
        return alert, add_with_backfill(store, backend, alert, policy)
    except AlertExists as exc:
        raise InvalidAlert({"name": str(exc)}) from None
    except QuerySyntaxError as exc:
        raise InvalidAlert({"query": f"query: {exc}"}) from None
    except (OSError, ConnectionError) as exc:
        raise InvalidAlert(
            {FORM: f"the index cannot be searched, so alert {alert.name!r} was not saved: {redact_text(str(exc))}"}
        ) from None


def _kind_problems(form: AlertIn) -> dict[str, str]:
    """What the form's kind rules out: a search alert without a query (the form's query field is
    not required, an arsenal alert having none), an arsenal alert with a backfill."""
    if form.kind == "search" and not form.query.strip():
        return {"query": "query: a search alert needs a query"}
    if form.kind == "arsenal" and form.backfill:
        return {"backfill": "an arsenal alert has no backfill: what the index knows when it is saved is its baseline"}
    return {}


def _length_problems(form: AlertIn) -> dict[str, str]:
    """The fields longer than the web takes (the name's limit is the model's, with its message)."""
    problems = {}
    if len(form.query) > MAX_QUERY:
        problems["query"] = f"query: at most {MAX_QUERY:,} characters"
    if len(form.group) > MAX_GROUP:
        problems["group"] = f"at most {MAX_GROUP:,} characters"
    if sum(len(target) + 1 for target in form.targets) > MAX_TARGETS + 1:  # as typed, one a line
        problems["targets"] = f"at most {MAX_TARGETS:,} characters of targets"
    return problems


def _file_target_problem(targets: list[str]) -> dict[str, str]:
    """The targets' problem when one of them is a JSONL file (those that do not parse are reported
    by validated_alert)."""
    for text in targets:
        try:
            target = Target.parse(text)
        except ValueError:
            continue
        if target.kind == "jsonl":
            return {"targets": FILE_TARGET_NEEDS_ADMIN}
    return {}


def find_alert(store: AlertStore, name: str) -> Alert | None:
    try:
        return store.get(name)
    except KeyError:
        return None


def valid_name(text: str | None) -> str | None:
    """`text` when it could be an alert's name (the model's rule), else None: for echoing a name a
    link carries without echoing whatever text someone put in the link."""
    return text if text is not None and ALERT_NAME.fullmatch(text) else None


# -- what the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentLine:
    """A document an alert found or delivered, as listed: its title, live URL and page in the workbench."""

    doc_id: str
    title: str
    url: str
    href: str | None  # the live page, only when http(s)
    doc_href: str
    note: str = ""  # for an arsenal alert's finding: what the document links the group to first


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
    search_href: str  # the search page running its query (an arsenal alert: its group's arsenal)
    targets: list[TargetState]
    delivered: int
    pending: int
    last_delivered: str | None
    last_error: str

    def as_json(self, backfill: BackfillResult | None = None) -> AlertOut:
        return AlertOut(
            name=self.alert.name,
            kind=self.alert.kind,
            query=self.alert.query,
            group=self.alert.group,
            targets=[shown_target(target) for target in self.alert.targets],
            created=self.alert.created,
            delivered=self.delivered,
            pending=self.pending,
            pending_by_target=_added_up((state.target, state.pending) for state in self.targets),
            last_delivered=self.last_delivered,
            last_error=self.last_error,
            backfill=backfill.as_json() if backfill is not None else None,
        )


#: a URL's scheme and host, past any userinfo ("u:p@ss@host": the userinfo runs to the last "@")
_URL_HOST = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#\s]*@)?(?P<host>[^/?#\s@]*)")
#: an http(s) URL inside free text (an error message)
_URL_IN_TEXT = re.compile(r"\bhttps?://[^\s'\"<>]+", re.IGNORECASE)


def shown_url(address: str) -> str:
    """A webhook URL as shown: `https://hooks.example.org/…`, its scheme and host only. Chat
    webhooks (Slack, Teams, Discord) keep their secret in the path and query, and credentials may
    sit in the userinfo; the full URL is for the command line (`osint alert list`)."""
    found = _URL_HOST.match(address)
    return f"{found['scheme']}://{found['host']}/…" if found else "…"


def shown_target(target: object) -> str:
    """A target as shown (pages and JSON): a webhook as its scheme and host (`shown_url`); an
    e-mail address or a JSONL file as saved."""
    kind, _, address = str(target).partition(":")
    if kind == "webhook":
        return safe(f"webhook:{shown_url(address)}")
    return safe(redact_text(str(target)))


def shown_error(text: str) -> str:
    """A delivery error as shown: it names its target and may quote the URL it failed on, so every
    http(s) URL in it is shortened as `shown_url` does (punctuation after one is kept)."""

    def shortened(found: re.Match[str]) -> str:
        address = found[0].rstrip(".,:;!?)")
        return shown_url(address) + found[0][len(address) :]

    return safe(_URL_IN_TEXT.sub(shortened, redact_text(text)))


def _added_up(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Counts by shown target: two webhooks on one host show as one target, their counts added."""
    total: dict[str, int] = {}
    for target, count in counts:
        total[target] = total.get(target, 0) + count
    return total


def document_line(doc_id: str, title: str = "", live: str = "", note: str = "") -> DocumentLine:
    """A document listed by id, with its title and live URL when known (crawled: cleaned here,
    escaped by the template)."""
    return DocumentLine(
        doc_id=doc_id,
        title=safe(title),
        url=safe(redact_url(live)),
        href=external_url(live) if live else None,
        doc_href=document_href(doc_id),
        note=safe(note),
    )


def indexed_line(backend: IndexBackend, doc_id: str, note: str = "") -> DocumentLine:
    """`doc_id` with its title and URL from the index (a document gone from it: its id only)."""
    document = backend.get(doc_id)
    if document is None:
        return document_line(doc_id, note=note)
    return document_line(doc_id, document.title, document.url, note)


def link_note(link: ArsenalLink) -> str:
    """ "new weapon category: MANPADS (9K38 Igla, use)" """
    value = link.value if link.facet == "category" else country_label(link.value)
    noun = "weapon category" if link.facet == "category" else "origin country"
    return f"new {noun}: {value} ({link.relation.weapon}, {link.relation.type.replace('_', ' ')})"


class IndexedLines:
    """Documents listed by id on one page, each looked up in the index once (a document both
    pending and among the recent deliveries is read once). An arsenal alert's outbox lists its
    findings by key (`findings`): each is listed as the document that brought it, with a note."""

    def __init__(self, backend: IndexBackend, findings: Mapping[str, ArsenalLink] | None = None) -> None:
        self.backend = backend
        self.findings = findings or {}
        self.found: dict[str, DocumentLine] = {}

    def line(self, doc_id: str) -> DocumentLine:
        """The line of a document, or of an arsenal finding (`doc_id` is then its key)."""
        if doc_id not in self.found:
            link = self.findings.get(doc_id)
            self.found[doc_id] = indexed_line(self.backend, doc_id) if link is None else self.link_line(link)
        return self.found[doc_id]

    def link_line(self, link: ArsenalLink) -> DocumentLine:
        return indexed_line(self.backend, link.doc_id, link_note(link))


def alert_lines(store: AlertStore, backend: IndexBackend, alert: Alert) -> IndexedLines:
    """The document lines of one alert's page (an arsenal alert's findings resolved)."""
    if alert.kind != "arsenal":
        return IndexedLines(backend)
    return IndexedLines(
        backend, {known.link.key: known.link for known in store.links(alert.name) if known.known_from == "run"}
    )


@dataclass(frozen=True)
class PreviewView:
    """What `osint alert test` prints, ready to list: new matches, documents waiting for a target, counts."""

    runs: int
    new_matches: list[DocumentLine]
    waiting: list[DocumentLine]
    pending: dict[str, int]  # target (shown) -> documents waiting for it
    delivered: int


def preview_view(preview: AlertPreview, documents: IndexedLines) -> PreviewView:
    """A search alert's preview lists its hits and waiting documents; an arsenal alert's, its
    findings (looked up through `documents`)."""
    new_matches = [document_line(hit.id, hit.title, hit.url) for hit in preview.new_matches]
    waiting = [document_line(document.id, document.title, document.url) for document in preview.waiting]
    return PreviewView(
        runs=len(preview.runs),
        new_matches=new_matches + [documents.link_line(link) for link in preview.new_links],
        waiting=waiting + [documents.link_line(link) for link in preview.waiting_links],
        pending=_added_up((shown_target(target), len(ids)) for target, ids in preview.pending.items()),
        delivered=preview.delivered,
    )


@dataclass(frozen=True)
class LinkLine:
    """A finding of an arsenal alert, as its page lists it: the category or country, the weapon
    and the sentence that say so (crawled text: escaped by the template), and the document."""

    facet: str
    value: str  # a category, or a country's name and code
    weapon: str
    relation: str
    sentence: str
    page: int | None
    document: DocumentLine
    run_href: str | None
    found: str


@dataclass(frozen=True)
class ArsenalView:
    """What an arsenal alert knows: its findings with their evidence, and the categories and
    origins known without firing (its baseline, and those found in other documents since)."""

    findings: list[LinkLine]  # newest first
    known_categories: list[str]
    known_origins: list[str]


def arsenal_view(store: AlertStore, alert: Alert, documents: IndexedLines) -> ArsenalView:
    links = store.links(alert.name)
    findings = sorted((known for known in links if known.known_from == "run"), key=lambda known: known.found)
    known = [known.link for known in links if known.known_from != "run"]
    return ArsenalView(
        findings=[_link_line(known, documents) for known in reversed(findings)],
        known_categories=sorted(link.value for link in known if link.facet == "category"),
        known_origins=sorted(country_label(link.value) for link in known if link.facet == "origin"),
    )


def _link_line(known: KnownLink, documents: IndexedLines) -> LinkLine:
    link = known.link
    return LinkLine(
        facet=link.facet,
        value=link.value if link.facet == "category" else country_label(link.value),
        weapon=link.relation.weapon,
        relation=link.relation.type.replace("_", " "),
        sentence=safe(link.relation.sentence),
        page=link.page,
        document=documents.line(link.doc_id),
        run_href=run_href(known.run_id) if known.run_id else None,
        found=known.found,
    )


def alert_summary(store: AlertStore, alert: Alert, documents: IndexedLines | None = None) -> AlertSummary:
    """`alert` with its outbox counts and pending documents per target; with `documents`, the first
    SHOWN pending documents of each target are looked up (one alert's page), without it only counted
    (the list)."""
    summary = store.summary(alert.name)
    pending = store.pending_counts(alert.name)
    targets = []
    for target in alert.targets:
        first = store.pending(alert.name, target, SHOWN) if documents is not None else []
        lines = [documents.line(doc_id) for doc_id in first] if documents is not None else []
        targets.append(TargetState(shown_target(target), pending.get(str(target), 0), lines))
    return AlertSummary(
        alert=alert,
        href=alert_href(alert.name),
        search_href=arsenal_href(alert.group) if alert.kind == "arsenal" else url("/", q=alert.query),
        targets=targets,
        delivered=summary.delivered,
        pending=summary.pending,
        last_delivered=summary.last_delivered or None,
        last_error=shown_error(summary.last_error),
    )


def recent_deliveries(store: AlertStore, documents: IndexedLines, name: str, limit: int = SHOWN) -> list[DeliveryLine]:
    return [
        DeliveryLine(
            delivery=delivery,
            target=shown_target(delivery.target),
            document=documents.line(delivery.doc_id),
            error=shown_error(delivery.last_error),
            run_href=run_href(delivery.run_id) if delivery.run_id and delivery.run_id != BACKFILL_RUN else None,
        )
        for delivery in store.recent_deliveries(name, limit)
    ]
