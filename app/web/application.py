"""WSGI application: `/` (search page), `/api/search` (JSON), `/export` (a download), `/healthz`."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

from app.exporting import UnknownFormat, export_chunks, export_filename, prepare_export
from app.page_numbers import add_pages
from app.searching import prepare_search, without_credentials
from app.web.pages import render_page
from index.backend import IndexBackend
from index.cursor import parse_cursor
from index.query import QuerySyntaxError

log = logging.getLogger(__name__)

SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]
PAGE_SIZE = 10
#: what a reader is told when the search engine does not answer (its address is for the server log only)
UNAVAILABLE = "The search index is unreachable right now; try again in a minute."
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class SearchApp:
    def __init__(self, backend: IndexBackend):
        self.backend = backend  # opened once by the server; backends keep one connection per thread

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        params = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return self._respond(start_response, "405 Method Not Allowed", "text/plain", b"GET only")
        if path == "/healthz":
            return self._respond(start_response, "200 OK", "text/plain", b"ok")
        if path == "/export":
            return self._export(params, start_response)
        if path not in ("/", "/api/search"):
            return self._respond(start_response, "404 Not Found", "text/plain", b"not found")
        query, error, result, unavailable = params.get("q", ""), None, None, False
        try:
            cursor = parse_cursor(params["after"]) if params.get("after") else None
            prepared = prepare_search(
                query,
                expand=params.get("expand") == "1",
                size=PAGE_SIZE,
                search_after=cursor,
                sort="date" if params.get("sort") == "date" else "relevance",
                histogram="month",
            )
            result = prepared.annotate(
                without_credentials(add_pages(self.backend, self.backend.search(prepared.request)))
            )
        except QuerySyntaxError as exc:  # CursorError too: a page link that is not ours
            error = str(exc)
        except ValueError:  # a request the query model refuses (pydantic's ValidationError)
            error = "that page link is no longer valid; search again"
        except ConnectionError as exc:  # the engine is down or restarting (EngineUnavailable): not our bug, not a 500
            log.warning("search index unreachable: %s", exc)
            error, unavailable = UNAVAILABLE, True
        status = "503 Service Unavailable" if unavailable else "400 Bad Request" if error else "200 OK"
        if path == "/api/search":
            payload = {"error": error} if error or result is None else result.model_dump(mode="json")
            body = json.dumps(payload, ensure_ascii=False)
            return self._respond(start_response, status, "application/json", body.encode())
        page = render_page(query, params.get("sort", "relevance"), result, error)
        return self._respond(start_response, status, "text/html; charset=utf-8", page.encode())

    def _export(self, params: dict[str, str], start_response: StartResponse) -> Iterable[bytes]:
        """`/export?q=…&format=csv|jsonl|ftm|graphml|gexf[&expand=1]`: every matching document,
        streamed as it is read from the index (app/exporting.py), as an attachment."""
        try:
            prepared = prepare_export(params.get("q", ""), params.get("format", "csv"), params.get("expand") == "1")
        except (QuerySyntaxError, UnknownFormat) as exc:
            return self._respond(start_response, "400 Bad Request", "text/plain; charset=utf-8", str(exc).encode())
        chunks = export_chunks(self.backend, prepared)
        try:  # the first chunk before the headers: an index that cannot be read is a 503, not a cut-off 200
            first = next(chunks, b"")
        except ConnectionError as exc:
            log.warning("search index unreachable: %s", exc)
            return self._respond(start_response, "503 Service Unavailable", "text/plain", UNAVAILABLE.encode())
        filename = export_filename(prepared.format)
        start_response(
            "200 OK",
            [
                ("Content-Type", prepared.format.media_type),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
                *SECURITY_HEADERS,
            ],
        )
        return _streamed(first, chunks)

    @staticmethod
    def _respond(start_response: StartResponse, status: str, content_type: str, body: bytes) -> list[bytes]:
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *SECURITY_HEADERS])
        return [body]


def _streamed(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """The body of a streamed answer: a generator, so that the server's close() (the client went
    away) also closes `rest` and with it the documents being read."""
    yield first
    yield from rest
