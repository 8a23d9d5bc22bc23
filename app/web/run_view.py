"""A run report as the runs pages show it: every count (by outcome, by reason, per source) with the
first URLs behind it, and a page at a time of the URLs behind one count.

Pure logic, no web framework: the counts come from the ledger's report (counted in SQL), the URLs
from the ledger a page at a time (handlers pass in how to read them), and the templates only loop
over what this module returns. URLs come from crawled pages, so they are shown with credentials
masked and control characters removed (as `osint runs show` prints them) and linked only when
http(s) (`external_url`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from pydantic import BaseModel

from app.output import safe
from app.run_reports import CHANGES, run_detail_json
from app.web.links import document_href, external_url, run_href
from app.web.templating import url
from network.redaction import redact_text, redact_url
from state.ledger import OUTCOMES, RunReport

#: runs per page of the history
RUNS_PER_PAGE = 25
#: URLs listed under each count of a report (the rest are one link away)
URLS_SHOWN = 20
#: URLs per page of one count's full list
URLS_PER_PAGE = 100


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


def run_detail(report: RunReport, rows: Iterable[dict[str, Any]], changed: dict[str, list[str]]) -> RunDetail:
    """The JSON of one run, as `osint runs show --json` builds it (app/run_reports.py)."""
    return RunDetail.model_validate(run_detail_json(report, rows, changed))


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


class OutcomeFilters(TypedDict):
    """A selection as Ledger.outcomes and Ledger.count_outcomes take it (None: any)."""

    source: str | None
    outcome: str | None
    reason: str | None
    change: str | None


@dataclass(frozen=True)
class Selection:
    """Which outcomes of a run one count stands for (None: any)."""

    source: str | None = None
    outcome: str | None = None
    reason: str | None = None
    change: str | None = None

    def filters(self) -> OutcomeFilters:
        return {"source": self.source, "outcome": self.outcome, "reason": self.reason, "change": self.change}

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


#: the first URLs of a selection, at most URLS_SHOWN of them (Ledger.outcomes with a limit)
FirstUrls = Callable[[Selection], Iterable[dict[str, Any]]]


def _most_frequent_first(counts: list[Count]) -> list[Count]:
    """Counts by reason, the largest first; ties in the ledger's order of outcomes, then by reason."""
    return sorted(
        counts,
        key=lambda count: (-count.count, OUTCOMES.index(count.selection.outcome or ""), count.selection.reason or ""),
    )


def run_breakdown(
    report: RunReport, reasons_by_source: Iterable[tuple[str, str, str, int]], first_urls: FirstUrls
) -> RunBreakdown:
    """Every count of `report` (Ledger.report) with the first URLs of each (`first_urls`);
    `reasons_by_source` (Ledger.reason_counts) splits its reasons by source."""

    def count(label: str, selection: Selection, number: int) -> Count:
        lines = [url_line(row) for row in first_urls(selection)]
        return Count(label, selection, selection.href(report.run_id), number, lines)

    def reasons(by_outcome: dict[str, dict[str, int]], source: str | None = None) -> list[Count]:
        return _most_frequent_first(
            [
                count(f"{outcome} · {reason}", Selection(source=source, outcome=outcome, reason=reason), number)
                for outcome, found in by_outcome.items()
                for reason, number in found.items()
            ]
        )

    source_reasons: dict[str, dict[str, dict[str, int]]] = {}
    for source, outcome, reason, number in reasons_by_source:
        source_reasons.setdefault(source, {}).setdefault(outcome, {})[reason] = number
    documents = {"new": report.new_documents, "changed": report.changed_documents}
    return RunBreakdown(
        outcomes=[
            count(outcome, Selection(outcome=outcome), getattr(report, outcome))
            for outcome in OUTCOMES
            if getattr(report, outcome)
        ],
        reasons=reasons(report.reasons_by_outcome),
        documents=[
            count(f"{change} documents", Selection(outcome="indexed", change=change), documents[change])
            for change in CHANGES
            if documents[change]
        ],
        sources=[
            SourceCounts(
                source,
                sum(per_outcome.values()),
                [
                    count(outcome, Selection(source=source, outcome=outcome), per_outcome[outcome])
                    for outcome in OUTCOMES
                    if per_outcome.get(outcome)
                ],
                reasons(source_reasons.get(source, {}), source),
            )
            for source, per_outcome in sorted(report.by_source.items())
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


#: a page of a selection's URLs: (limit, offset) -> those rows (Ledger.outcomes with the selection's filters)
PageOfUrls = Callable[[int, int], Iterable[dict[str, Any]]]


def url_page(
    run_id: str, selection: Selection, total: int, read: PageOfUrls, page: int, per_page: int = URLS_PER_PAGE
) -> UrlPage:
    """Page `page` (from 1; past the last: the last) of the `total` URLs `selection` picks, read by `read`."""
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    return UrlPage(
        run_id=run_id,
        selection=selection,
        lines=[url_line(row) for row in read(per_page, (page - 1) * per_page)],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
    )
