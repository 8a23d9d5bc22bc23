"""The search page (`/`) and the export download (`/export`). The page's logic is in
app/web/search_view.py (and the modules it names); these handlers read the request, run it and answer.

Both are plain functions, not coroutines: the index is read synchronously, so FastAPI runs them in
its thread pool and a slow search never holds up the event loop (nor the other clients)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse

from app.exporting import UnknownFormat, export_chunks, export_filename, prepare_export
from app.web.access import Viewer
from app.web.links import arsenal_href
from app.web.search_params import SearchParams
from app.web.search_view import search_page
from app.web.templating import render
from app.web.unavailable import IndexUnreachableAs503
from app.web.workbench import workbench
from index.query import QuerySyntaxError

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, user: Viewer) -> HTMLResponse:
    """The search the URL describes: 400 for a query or page link that cannot be used, 503 when
    the index does not answer, each with the search form and the message beside it."""
    params = SearchParams.from_pairs(request.query_params.multi_items())
    page = search_page(workbench(request).backend, params)
    context = {"page": page, "params": params, "arsenal_href": arsenal_href}
    return render(request, "search.html", context, status_code=page.status)


@router.get("/export", include_in_schema=False)
def export(request: Request, user: Viewer, q: str = "", format: str = "csv", expand: str = "") -> Response:
    """`/export?q=…&format=csv|jsonl|ftm|graphml|gexf[&expand=1]`: every matching document,
    streamed as it is read from the index (app/exporting.py), as an attachment."""
    try:
        prepared = prepare_export(q, format, expand == "1")
    except (QuerySyntaxError, UnknownFormat) as exc:
        return PlainTextResponse(str(exc), status_code=400)
    chunks = export_chunks(workbench(request).backend, prepared)
    with IndexUnreachableAs503():  # the first chunk before the headers: a 503, not a cut-off 200
        first = next(chunks, b"")
    filename = export_filename(prepared.format)
    return StreamingResponse(
        _streamed(first, chunks),
        media_type=prepared.format.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _streamed(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """The body of a streamed answer: a generator, so that closing it (the client went away) also
    closes `rest` (`yield from` passes the close on) and with it the documents being read."""
    yield first
    yield from rest
