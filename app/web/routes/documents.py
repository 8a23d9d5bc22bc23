"""One document: its page (/doc/{id}), its preserved capture shown and downloaded from the capture
store (/doc/{id}/capture...), and the same as JSON (/api/documents/{id}, what `osint show --json`
prints).

A document is named as on the command line: its id or a prefix only it has. The capture view
serves the stored payload, never the live site, under a `sandbox` Content-Security-Policy: the
preserved page runs no script, has no origin of its own and loads nothing, so a hostile page
cannot reach the app (the security middleware keeps a policy an answer sets itself)."""

from __future__ import annotations

import logging
import re
import zlib
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.citing import STYLES
from app.citing import render as cite
from app.document_ids import AmbiguousDocument, UnknownDocument, find_document, story_of
from app.web.access import Viewer
from app.web.links import arsenal_href, document_href, external_url
from app.web.reading import (
    download_name,
    entity_rows,
    payload_suffix,
    served_content_type,
    text_segments,
    title_segments,
    tracked_and_other,
)
from app.web.templating import render
from app.web.unavailable import IndexUnreachableAs503, log_unreachable
from app.web.workbench import Workbench, workbench
from captures.warc import StoredRecord
from exports.shareable import shareable
from index.query import Hit
from schema.document import Capture, Document

log = logging.getLogger(__name__)

router = APIRouter()

#: how a preserved page is shown: no script, no origin of its own (no cookies, no storage, no
#: requests as the app), no forms, popups or navigation of the app's window, nothing fetched
#: (inline styles and data: images only, so it still looks like itself)
CAPTURE_POLICY = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
CAPTURE_HEADERS = {
    "Content-Security-Policy": CAPTURE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}
#: a language tag worth putting in a lang attribute (anything else, "und" included, is left out)
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
CITATION_LABELS = {"text": "Plain text", "markdown": "Markdown", "bibtex": "BibTeX", "csl-json": "CSL-JSON"}


class DocumentNotShown(Exception):
    """Why a document page cannot be shown, as the page to answer with instead."""

    def __init__(self, response: Response) -> None:
        super().__init__()
        self.response = response


def lookup(request: Request, given: str) -> Document:
    """The document `given` names (id or unique prefix), or the page saying why there is none:
    404 for an unknown id, a list of the candidates for a prefix several ids share."""
    with IndexUnreachableAs503():
        try:
            return find_document(workbench(request).backend, given)
        except UnknownDocument:
            raise DocumentNotShown(
                render(
                    request,
                    "error.html",
                    {"title": "No such document", "message": f"No document has an id starting “{given}”."},
                    404,
                )
            ) from None
        except AmbiguousDocument as ambiguous:
            raise DocumentNotShown(
                render(
                    request,
                    "document_candidates.html",
                    {
                        "given": given,
                        "candidates": [(shareable(found), document_href(found.id)) for found in ambiguous.candidates],
                        "more": ambiguous.more,
                    },
                    300,
                )
            ) from None


@router.get("/doc/{doc_id}", include_in_schema=False)
def document_page(request: Request, doc_id: str, user: Viewer) -> Response:
    try:
        found = lookup(request, doc_id)
    except DocumentNotShown as refused:
        return refused.response
    if found.id != doc_id:  # a prefix: the page's address names the document for good
        return RedirectResponse(document_href(found.id), status_code=303)
    bench = workbench(request)
    document = shareable(found)
    try:
        story = story_of(bench.backend, document)
    except ConnectionError as exc:  # the page without its story rather than no page
        log_unreachable(exc)
        story = []
    return render(request, "document.html", page_context(bench, document, story))


def page_context(bench: Workbench, document: Document, story: list[Hit]) -> dict[str, Any]:
    language = document.language if _LANGUAGE_TAG.fullmatch(document.language) and document.language != "und" else ""
    entities, other_names = tracked_and_other(entity_rows(document.entities))
    return {
        "document": document,
        "href": document_href(document.id),
        "title_segments": title_segments(document),
        "text_segments": text_segments(document),
        "entities": entities,
        "other_names": other_names,
        "external_url": external_url(document.url),
        "language": language,
        "story": [(hit, document_href(hit.id)) for hit in story],
        "versions": list(enumerate(document.versions, start=1)),
        "capture_kept": _kept(bench, document.capture),
        "versions_kept": [_kept(bench, version) for version in document.versions],
        "citations": [(style, CITATION_LABELS[style], cite(document, style)) for style in STYLES],
        "arsenal_href": arsenal_href,
    }


def _kept(bench: Workbench, capture: Capture | None) -> bool:
    """Whether the capture store still holds the record (retention may have deleted its file)."""
    return capture is not None and bench.captures().catalog.record(capture.record_id) is not None


# -- the capture -------------------------------------------------------------------------------


def requested_capture(request: Request, doc_id: str, version: int) -> tuple[Document, Capture]:
    """The document `doc_id` names and its capture as indexed (version 0) or of its Nth earlier
    version, or the page saying there is none (DocumentNotShown)."""
    document = lookup(request, doc_id)
    try:
        capture = document.capture_at(version)
    except IndexError:
        count = len(document.versions)
        message = f"This document has {count} earlier version{'s' if count != 1 else ''}, not {version}."
        raise DocumentNotShown(_capture_missing(request, document, message)) from None
    if capture is None:
        message = (
            "No copy of this document was preserved: it was collected before captures were kept, "
            "or with captures turned off (OSINT_CAPTURES=0)."
        )
        raise DocumentNotShown(_capture_missing(request, document, message))
    return document, capture


def _capture_missing(request: Request, document: Document, message: str, status: int = 404) -> Response:
    context = {"document": document, "href": document_href(document.id), "message": message}
    return render(request, "capture_missing.html", context, status)


def _gone(request: Request, document: Document) -> Response:
    message = "The preserved copy is no longer in the capture store (its WARC file was removed by retention)."
    return _capture_missing(request, document, message)


def stored_payload(bench: Workbench, capture: Capture) -> StoredRecord | None:
    """The record holding the capture's payload (the original, for a revisit), or None when gone."""
    try:
        found = bench.captures().payload_record(capture.record_id)
    except OSError:  # listed, but its file is gone
        return None
    return found[1] if found is not None else None


def _http_header(record: StoredRecord, name: str) -> str:
    value = record.http_headers.get_header(name) if record.http_headers is not None else None
    return str(value or "")


@router.get("/doc/{doc_id}/capture", include_in_schema=False)
def capture_view(
    request: Request, doc_id: str, user: Viewer, version: Annotated[int, Query(ge=0, le=100_000)] = 0
) -> Response:
    """The preserved page or PDF as it was served, its content encoding undone, sandboxed."""
    try:
        document, capture = requested_capture(request, doc_id, version)
    except DocumentNotShown as refused:
        return refused.response
    bench = workbench(request)
    record = stored_payload(bench, capture)
    if record is None:
        return _gone(request, document)
    try:
        body = record.decoded_payload()
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        log.warning("capture %s of %s does not decode: %s", capture.record_id, document.id, exc)
        message = "The preserved copy cannot be decoded for viewing; download it as it was served instead."
        return _capture_missing(request, document, message, 500)
    content_type = served_content_type(_http_header(record, "Content-Type"), document.content_type)
    name = download_name(document, payload_suffix(content_type))
    headers = {**CAPTURE_HEADERS, "Content-Type": content_type, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(body, headers=headers)


@router.get("/doc/{doc_id}/capture/download", include_in_schema=False)
def capture_download(
    request: Request,
    doc_id: str,
    user: Viewer,
    version: Annotated[int, Query(ge=0, le=100_000)] = 0,
    part: Annotated[
        Literal["payload", "warc"], Query(description="the payload as served, or the WARC record")
    ] = "payload",
) -> Response:
    """The payload exactly as served (content encoding kept: the bytes the SHA-256 is of), or the
    document's WARC record as stored (uncompressed, as `osint capture get` prints it)."""
    try:
        document, capture = requested_capture(request, doc_id, version)
    except DocumentNotShown as refused:
        return refused.response
    bench = workbench(request)
    if part == "warc":
        store = bench.captures()
        entry = store.catalog.record(capture.record_id)
        try:
            body = store.read(entry).block if entry is not None else None
        except OSError:
            body = None
        if body is None:
            return _gone(request, document)
        name = download_name(document, ".warc")
        media = "application/warc"
    else:
        record = stored_payload(bench, capture)
        if record is None:
            return _gone(request, document)
        body = record.payload
        content_type = _http_header(record, "Content-Type") or document.content_type
        name = download_name(document, payload_suffix(content_type, _http_header(record, "Content-Encoding")))
        media = "application/octet-stream"  # as is: a gzip-encoded page stays gzip, as its digest says
    headers = {**CAPTURE_HEADERS, "Content-Type": media, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, headers=headers)


# -- JSON --------------------------------------------------------------------------------------


class DocumentDetail(Document):
    """A document with every field, as `osint show --json` prints it: the id asked for, and the
    other documents of its story (syndicated copies), newest first."""

    requested_id: str
    story: list[Hit]


@router.get(
    "/api/documents/{doc_id}",
    response_model=DocumentDetail,
    summary="One document",
    responses={404: {"description": "No document has an id starting so"}, 409: {"description": "Several do"}},
)
def document_json(request: Request, doc_id: str, user: Viewer) -> DocumentDetail:
    """Every field of one document (its text, entities, capture and earlier versions) and its
    story. `doc_id` is the id or a prefix only one id has; a prefix several share answers 409
    with the candidates."""
    backend = workbench(request).backend
    with IndexUnreachableAs503():
        try:
            document = shareable(find_document(backend, doc_id))
            story = story_of(backend, document)
        except UnknownDocument:
            raise HTTPException(404, f"no document has an id starting {doc_id!r}") from None
        except AmbiguousDocument as ambiguous:
            detail = {
                "message": f"{doc_id!r} starts the ids of several documents; give more of the id",
                "candidates": [found.id for found in ambiguous.candidates],
                "more": ambiguous.more,
            }
            raise HTTPException(409, detail) from None
    return DocumentDetail.model_validate({**document.model_dump(), "requested_id": doc_id, "story": story})
