"""The run history and one run's report (what `osint runs` and `osint runs show` print), as pages and JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from app.web.access import Viewer
from app.web.links import run_href
from app.web.run_view import (
    RUNS_PER_PAGE,
    URLS_PER_PAGE,
    URLS_SHOWN,
    RunDetail,
    Selection,
    run_breakdown,
    run_detail,
    runs_page,
    url_page,
)
from app.web.templating import render
from app.web.workbench import workbench
from state.ledger import RunReport

router = APIRouter()

#: bounded so that no page or offset overflows SQLite's 64-bit integers (a 500 otherwise)
Page = Annotated[int, Query(ge=1, le=100_000)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def _report(request: Request, run_id: str) -> RunReport | None:
    try:
        return workbench(request).ledger.report(run_id)
    except KeyError:
        return None


def _no_run(request: Request, run_id: str) -> HTMLResponse:
    message = f"There is no run {run_id!r}: the run history lists the runs this workbench knows."
    return render(request, "error.html", {"title": "No such run", "message": message}, 404)


@router.get("/runs", response_class=HTMLResponse, include_in_schema=False)
def runs(request: Request, user: Viewer, page: Page = 1) -> HTMLResponse:
    offset = (page - 1) * RUNS_PER_PAGE
    newest = workbench(request).ledger.runs(RUNS_PER_PAGE + 1, offset)  # one more: is there a next page?
    return render(request, "runs.html", {"history": runs_page(newest, page), "run_href": run_href})


@router.get("/runs/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run(request: Request, run_id: str, user: Viewer) -> HTMLResponse:
    report = _report(request, run_id)
    if report is None:
        return _no_run(request, run_id)
    ledger = workbench(request).ledger
    breakdown = run_breakdown(
        report,
        ledger.reason_counts(run_id),
        lambda selection: ledger.outcomes(run_id, **selection.filters(), limit=URLS_SHOWN),
    )
    return render(request, "run.html", {"report": report, "breakdown": breakdown, "run_href": run_href})


@router.get("/runs/{run_id}/urls", response_class=HTMLResponse, include_in_schema=False)
def run_urls(
    request: Request,
    run_id: str,
    user: Viewer,
    source: str | None = None,
    outcome: str | None = None,
    reason: str | None = None,
    change: str | None = None,
    page: Page = 1,
) -> HTMLResponse:
    """Every URL behind one count of the report, a page at a time."""
    report = _report(request, run_id)
    if report is None:
        return _no_run(request, run_id)
    selection = Selection(source=source, outcome=outcome, reason=reason, change=change)
    ledger = workbench(request).ledger
    listed = url_page(
        run_id,
        selection,
        ledger.count_outcomes(run_id, **selection.filters()),
        lambda limit, offset: ledger.outcomes(run_id, **selection.filters(), limit=limit, offset=offset),
        page,
        URLS_PER_PAGE,
    )
    return render(request, "run_urls.html", {"report": report, "listed": listed, "run_href": run_href})


@router.get("/api/runs", response_model=list[RunReport], summary="Past crawl runs")
def api_runs(
    request: Request,
    user: Viewer,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    offset: Offset = 0,
) -> list[RunReport]:
    """Past crawl runs, newest first (`osint runs --json`)."""
    return workbench(request).ledger.runs(limit, offset)


@router.get(
    "/api/runs/{run_id}",
    response_model=RunDetail,
    summary="One run's report",
    responses={404: {"description": "No run has this id"}},
)
def api_run(request: Request, run_id: str, user: Viewer) -> RunDetail:
    """One run's report with its new and changed documents and every URL's outcome (`osint runs show --json`)."""
    ledger = workbench(request).ledger
    report = _report(request, run_id)
    if report is None:
        raise HTTPException(404, f"no run {run_id!r}")
    return run_detail(report, ledger.outcomes(run_id), ledger.changed_documents(run_id))
