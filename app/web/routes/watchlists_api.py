"""The watchlists' JSON (under /api/): the watchlist files, one watchlist's sources with their last
run, next run and health (what `osint watchlist list|show --json` print), "crawl now", and a
crawl's progress. The pages are in watchlists.py."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.web.access import Editor, Viewer, audit
from app.web.crawl_jobs import CrawlBusy, CrawlProgress
from app.web.routes.watchlists import start_crawl, watchlist_path, watchlists_directory
from app.web.watchlist_view import WatchlistDetail, WatchlistSummary, problems_shown, source_rows, summaries, summary
from app.web.workbench import workbench
from scheduling.status import SourceStatus
from watchlists.model import WatchlistError

router = APIRouter()


class CrawlRequest(BaseModel):
    sources: list[str] = Field(default_factory=list, description="Source ids; none: every enabled source.")


@router.get("/api/watchlists", response_model=list[WatchlistSummary], summary="Watchlists")
def api_watchlists(request: Request, user: Viewer) -> list[WatchlistSummary]:
    """The watchlist files with their source counts and problems (`osint watchlist list --json`)."""
    return [found for found, _ in summaries(watchlists_directory(workbench(request)))]


@router.get("/api/watchlists/{key}", response_model=WatchlistDetail, summary="One watchlist")
def api_watchlist(request: Request, key: str, user: Viewer) -> WatchlistDetail:
    """A watchlist's sources with last run, next run and health (`osint watchlist show --json`)."""
    bench = workbench(request)
    found, watchlist = summary(key, watchlist_path(bench, key))
    statuses: list[SourceStatus] = []
    if watchlist is not None:
        crawling = bench.crawls.busy_sources(watchlist)
        statuses = [row.status for row in source_rows(watchlist, bench.ledger, bench.schedule, crawling)]
    return WatchlistDetail(**found.model_dump(), sources_status=statuses)


@router.post(
    "/api/watchlists/{key}/crawl",
    response_model=CrawlProgress,
    status_code=202,
    summary="Crawl now",
    responses={
        400: {"description": "a broken watchlist, an unknown source or none enabled"},
        409: {"description": "every source asked for is being crawled already"},
    },
)
def api_crawl(
    request: Request, key: str, user: Editor, body: CrawlRequest | None = None
) -> CrawlProgress | JSONResponse:
    """Start a crawl of some sources (default: every enabled source) in the background, as the
    scheduler starts one; follow it at /api/crawls/{job_id}."""
    sources = body.sources if body is not None else []
    audit(request, user, "watchlist.crawl", watchlist=key, source=",".join(sources) or "(all enabled)")
    bench = workbench(request)
    try:
        return start_crawl(bench, key, sources)
    except CrawlBusy as exc:
        return JSONResponse({"detail": f"already being crawled: {exc}"}, 409)
    except WatchlistError as exc:
        return JSONResponse({"detail": "; ".join(problems_shown(exc, watchlist_path(bench, key)))}, 400)
    except KeyError as exc:
        return JSONResponse({"detail": str(exc.args[0])}, 400)


@router.get("/api/crawls/{job_id}", response_model=CrawlProgress, summary="A crawl's progress")
def api_crawl_progress(request: Request, job_id: str, user: Viewer) -> CrawlProgress:
    """URLs done and outcomes so far; once over, the exit status, verdict and run report."""
    try:
        return workbench(request).crawls.progress(job_id)
    except KeyError:
        raise HTTPException(404, f"no crawl {job_id!r}") from None
