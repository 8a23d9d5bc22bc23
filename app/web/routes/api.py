"""The JSON API's own endpoints (search, health) and /api, the endpoint list for people, drawn from
the OpenAPI document. Each part of the app adds its JSON endpoints, under /api/, in its own router."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response

from app.searching import prepare_search
from app.web.access import Viewer
from app.web.templating import render
from app.web.unavailable import IndexUnreachableAs503
from app.web.workbench import workbench
from index.cursor import parse_cursor
from index.query import QuerySyntaxError, SearchResult

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def health() -> PlainTextResponse:
    return PlainTextResponse("ok")


@router.get("/api", include_in_schema=False)
def endpoints(request: Request, user: Viewer) -> Response:
    schema: dict[str, Any] = request.app.openapi()
    listed = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "doc": operation.get("description", ""),
        }
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]
    return render(request, "api.html", {"endpoints": listed})


@router.get("/api/search", response_model=SearchResult, summary="Search the index")
def search(
    request: Request,
    user: Viewer,
    q: Annotated[str, Query(description="The analyst query syntax, as typed in the search box.")] = "",
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    after: Annotated[str | None, Query(description="next_cursor of the previous page, as JSON")] = None,
    expand: bool = False,
    collapse: Annotated[bool, Query(description="one hit per story")] = False,
) -> SearchResult:
    """Hits, facets and a monthly histogram for a query; page on with `after`."""
    backend = workbench(request).backend
    with IndexUnreachableAs503():
        try:
            prepared = prepare_search(
                q,
                expand=expand,
                size=size,
                search_after=parse_cursor(after) if after else None,
                sort=sort,
                histogram="month",
                collapse_stories=collapse,
            )
            return prepared.run(backend)
        except QuerySyntaxError as exc:  # CursorError too: a page link that is not ours
            raise HTTPException(400, str(exc)) from None
        except ValueError:  # a request the query model refuses (pydantic's ValidationError)
            raise HTTPException(400, "that page link is no longer valid; search again") from None
