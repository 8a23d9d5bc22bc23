"""A run report as the runs pages show it: every count (by outcome, by reason, per source) with the
URLs behind it, read from the ledger's outcomes of the run.

Pure logic, no web framework: the templates only loop over what this module returns. URLs come
from crawled pages, so they are shown with credentials masked and control characters removed
(as `osint runs show` prints them) and linked only when http(s) (`external_url`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from app.output import safe
from app.web.links import document_href, external_url
from app.web.templating import url
from network.redaction import redact_text, redact_url
from state.ledger import OUTCOMES, RunReport

#: runs per page of the history
RUNS_PER_PAGE = 25
#: URLs listed under each count of a report (the rest are one link away)
URLS_SHOWN = 20
#: URLs per page of one count's full list
URLS_PER_PAGE = 100
#: the document changes an indexed outcome records, as `osint runs show` lists them
CHANGES = ("new", "changed")


class RunOutcomeRow(BaseModel):
    """What became of one URL for one source in a run (credentials masked, as the CLI prints it)."""

    url: str
    source_id: str
    outcome: str
    reason: str = ""
    detail: str = ""
    doc_id: str | None = None
    fetched: bool = False
    change: str = ""


class RunDetail(RunReport):
    """A run's report with its new and changed documents and every URL's outcome (`osint runs show --json`)."""

    documents: dict[str, list[str]]
    outcomes: list[RunOutcomeRow]


def outcome_row(row: dict[str, Any]) -> RunOutcomeRow:
    """A ledger outcome (Ledger.outcomes) with its URL's credentials and its detail's masked."""
    return RunOutcomeRow.model_validate(
        {**row, "url": redact_url(row["url"]), "detail": redact_text(row.get("detail") or "")}
    )


def run_detail(report: RunReport, rows: Iterable[dict[str, Any]], changed: dict[str, list[str]]) -> RunDetail:
    """The JSON of one run: `report`, its outcome `rows` (Ledger.outcomes) and `changed`
    (Ledger.changed_documents), URLs masked."""
    return RunDetail(
        **report.model_dump(),
        documents={change: [redact_url(found) for found in changed.get(change, [])] for change in CHANGES},
        outcomes=[outcome_row(row) for row in rows],
    )


def run_href(run_id: str) -> str:
    return f"/runs/{quote(run_id, safe='')}"


# -- the history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunsPage:
    reports: list[RunReport]
    page: int
    has_next: bool

    @property
    def previous_href(self) -> str | None:
        return url("/runs", page=self.page - 1 if self.page > 2 else None) if self.page > 1 else None

    @property
    def next_href(self) -> str | None:
        return url("/runs", page=self.page + 1) if self.has_next else None


def runs_page(newest: list[RunReport], page: int, per_page: int = RUNS_PER_PAGE) -> RunsPage:
    """Page `page` (from 1) of the history, given the runs from that page on, at least per_page + 1
    of them when there are more (Ledger.runs(per_page + 1, offset)): one extra says a next page exists."""
    return RunsPage(reports=newest[:per_page], page=page, has_next=len(newest) > per_page)


# -- one report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlLine:
    """One URL of a count, ready to show."""

    url: str  # as shown: credentials masked, control characters removed
    href: str | None  # the live page, only when http(s)
    doc_href: str | None  # the document in the workbench, when the outcome indexed one
    source_id: str
    outcome: str
    reason: str
    detail: str
    change: str


def url_line(row: dict[str, Any]) -> UrlLine:
    doc_id = row.get("doc_id")
    return UrlLine(
        url=safe(redact_url(row["url"])),
        href=external_url(row["url"]),
        doc_href=document_href(doc_id) if doc_id else None,
        source_id=safe(row["source_id"]),
        outcome=row["outcome"],
        reason=safe(row.get("reason") or ""),
        detail=safe(redact_text(row.get("detail") or "")),
        change=row.get("change") or "",
    )


@dataclass(frozen=True)
class Selection:
    """Which outcomes of a run one count stands for (None: any)."""

    source: str | None = None
    outcome: str | None = None
    reason: str | None = None
    change: str | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        return (
            (self.source is None or row["source_id"] == self.source)
            and (self.outcome is None or row["outcome"] == self.outcome)
            and (self.reason is None or (row.get("reason") or "") == self.reason)
            and (self.change is None or (row.get("change") or "") == self.change)
        )

    def href(self, run_id: str, page: int | None = None) -> str:
        """The page listing every URL of this selection."""
        return url(
            f"{run_href(run_id)}/urls",
            source=self.source,
            outcome=self.outcome,
            reason=self.reason,
            change=self.change,
            page=page,
        )

    def describe(self) -> str:
        parts = [self.outcome or "all outcomes"]
        if self.change:
            parts.append(f"{self.change} documents")
        if self.reason:
            parts.append(f"reason {self.reason}")
        if self.source:
            parts.append(f"source {self.source}")
        return " · ".join(parts)


@dataclass
class Count:
    """One count of the report and the first of the URLs behind it."""

    label: str
    selection: Selection
    href: str  # every URL of the count
    count: int = 0
    urls: list[UrlLine] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.urls)


@dataclass
class SourceCounts:
    source_id: str
    urls: int
    outcomes: list[Count]
    reasons: list[Count]


@dataclass
class RunBreakdown:
    outcomes: list[Count]  # in the ledger's order of outcomes, those that occurred
    reasons: list[Count]  # (outcome, reason), most frequent first
    documents: list[Count]  # new and changed documents
    sources: list[SourceCounts]


class _Counter:
    """Counts keyed by selection, in first-seen order, each keeping its first `shown` URLs."""

    def __init__(self, run_id: str, shown: int) -> None:
        self.run_id = run_id
        self.shown = shown
        self.counts: dict[Selection, Count] = {}

    def add(self, label: str, selection: Selection, row: dict[str, Any]) -> None:
        count = self.counts.get(selection)
        if count is None:
            count = self.counts[selection] = Count(label, selection, selection.href(self.run_id))
        count.count += 1
        if len(count.urls) < self.shown:
            count.urls.append(url_line(row))

    def by_outcome(self, source: str | None = None) -> list[Count]:
        found = {
            key.outcome: count
            for key, count in self.counts.items()
            if key.source == source and key.reason is None and key.change is None
        }
        return [found[outcome] for outcome in OUTCOMES if outcome in found]

    def by_reason(self, source: str | None = None) -> list[Count]:
        found = [count for key, count in self.counts.items() if key.source == source and key.reason is not None]
        return sorted(found, key=lambda count: -count.count)  # stable: ties keep first-seen order

    def documents(self) -> list[Count]:
        found = {key.change: count for key, count in self.counts.items() if key.change is not None}
        return [found[change] for change in CHANGES if change in found]


def run_breakdown(run_id: str, rows: Iterable[dict[str, Any]], shown: int = URLS_SHOWN) -> RunBreakdown:
    """Every count of run `run_id` from its outcome `rows` (Ledger.outcomes: one snapshot, so the
    counts add up), with the first `shown` URLs of each."""
    counter = _Counter(run_id, shown)
    per_source: dict[str, int] = {}
    for row in rows:
        source, outcome, reason = row["source_id"], row["outcome"], row.get("reason") or ""
        per_source[source] = per_source.get(source, 0) + 1
        for scope in (None, source):
            counter.add(outcome, Selection(source=scope, outcome=outcome), row)
            if reason:
                counter.add(f"{outcome} · {reason}", Selection(source=scope, outcome=outcome, reason=reason), row)
        change = row.get("change") or ""
        if outcome == "indexed" and change in CHANGES:
            counter.add(f"{change} documents", Selection(outcome="indexed", change=change), row)
    return RunBreakdown(
        outcomes=counter.by_outcome(),
        reasons=counter.by_reason(),
        documents=counter.documents(),
        sources=[
            SourceCounts(source, total, counter.by_outcome(source), counter.by_reason(source))
            for source, total in sorted(per_source.items())
        ],
    )


# -- one count's URLs --------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlPage:
    run_id: str
    selection: Selection
    lines: list[UrlLine]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The number of the page's first URL in the whole list."""
        return (self.page - 1) * self.per_page + 1

    @property
    def previous_href(self) -> str | None:
        return self.selection.href(self.run_id, self.page - 1) if self.page > 1 else None

    @property
    def next_href(self) -> str | None:
        return self.selection.href(self.run_id, self.page + 1) if self.page < self.pages else None


def _selected(rows: Iterable[dict[str, Any]], selection: Selection) -> Iterator[dict[str, Any]]:
    return (row for row in rows if selection.matches(row))


def url_page(
    run_id: str, rows: Iterable[dict[str, Any]], selection: Selection, page: int, per_page: int = URLS_PER_PAGE
) -> UrlPage:
    """Page `page` (from 1; past the last: the last) of the URLs `selection` picks from `rows`."""
    chosen = list(_selected(rows, selection))
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return UrlPage(
        run_id=run_id,
        selection=selection,
        lines=[url_line(row) for row in chosen[start : start + per_page]],
        total=len(chosen),
        page=page,
        pages=pages,
        per_page=per_page,
    )
