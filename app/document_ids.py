"""A document named as git names a commit: by its whole id or by any prefix only it has
(`find_document`), and the command-line form of it (`load_document`: bad usage, exit 2, when the
name fits no document or several); and the other documents of its story (`story_of`)."""

from __future__ import annotations

import click

from app.output import safe
from index.backend import IndexBackend
from index.query import Filter, Hit, Query, SearchRequest
from network.redaction import redact_url
from schema.document import Document

#: candidates listed when a prefix is ambiguous
SHOWN_CANDIDATES = 10
#: sibling documents listed for a story (syndicated copies rarely number more)
STORY_SIZE = 100


class UnknownDocument(LookupError):
    def __init__(self, given: str) -> None:
        self.given = given
        super().__init__(f"no document has an id starting {given!r}")


class AmbiguousDocument(LookupError):
    def __init__(self, given: str, candidates: list[Document], more: bool) -> None:
        self.given = given
        self.candidates = candidates  # the first SHOWN_CANDIDATES, by id
        self.more = more  # whether more documents than these share the prefix
        super().__init__(f"{given!r} starts the ids of several documents")


def find_document(backend: IndexBackend, given: str) -> Document:
    """The document whose id is `given`, else the one document whose id starts with it.
    An exact id wins over longer ids it is a prefix of (ids need not all be the same length)."""
    if not given or not given.isprintable():  # (undecodable argv bytes arrive as lone surrogates)
        raise UnknownDocument(given)  # an id is printable text
    exact = backend.get(given)
    if exact is not None:
        return exact
    ids = backend.ids_with_prefix(given, limit=SHOWN_CANDIDATES + 1)
    if not ids:
        raise UnknownDocument(given)
    documents = [document for document in map(backend.get, ids[:SHOWN_CANDIDATES]) if document is not None]
    if len(ids) > 1:
        raise AmbiguousDocument(given, documents, more=len(ids) > SHOWN_CANDIDATES)
    if not documents:  # deleted between the two reads
        raise UnknownDocument(given)
    return documents[0]


def load_document(backend: IndexBackend, given: str) -> Document:
    """The document ID names (whole or a unique prefix), or bad usage (exit 2) as for any other
    argument naming nothing, like `osint runs show` with an unknown run."""
    try:
        return find_document(backend, given)
    except UnknownDocument:
        raise click.BadParameter(
            f"no document has an id starting {safe(given)!r} (ids are in `osint search --json`)", param_hint="ID"
        ) from None
    except AmbiguousDocument as ambiguous:
        lines = [f"{safe(given)!r} starts the ids of several documents; give more of the id:"]
        lines += [f"  {safe(document.id)}  {safe(document.title) or '(untitled)'}" for document in ambiguous.candidates]
        if ambiguous.more:
            lines.append("  …")
        raise click.BadParameter("\n".join(lines), param_hint="ID") from None


def story_of(backend: IndexBackend, document: Document) -> list[Hit]:
    """The other documents of the document's story (syndicated copies), newest first."""
    if not document.story_id:
        return []
    request = SearchRequest(
        query=Query(where=Filter(name="story", values=[document.story_id])), sort="date", size=STORY_SIZE, facets={}
    )
    return [
        hit.model_copy(update={"url": redact_url(hit.url)})
        for hit in backend.search(request).hits
        if hit.id != document.id
    ]
