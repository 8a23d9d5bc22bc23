"""From what the analyst typed to an export's bytes: the query prepared exactly as `osint search`
prepares it (app/searching.py), every matching document streamed from the index in date order
(IndexBackend.iter_matching), encoded in one of the formats of exports/formats.py.

`export_chunks` is the one streaming path: the CLI writes its chunks to a file or to standard
output, the web app sends them as the response body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import NamedTuple

from app.searching import prepare_search
from exports.formats import FORMATS, ExportFormat
from index.backend import IndexBackend
from index.query import Near, Query, SearchRequest
from schema.document import Document

#: documents between two progress reports (a report per document would cost more than the CSV row)
PROGRESS_EVERY = 100


class UnknownFormat(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown export format {name!r}: use one of {', '.join(FORMATS)}")


class PreparedExport(NamedTuple):
    format: ExportFormat
    query: Query
    words: list[str]  # the search words, where snippets start
    warnings: list[str]  # filter values nothing is known by, for the analyst


def prepare_export(text: str, format_name: str, expand: bool = False) -> PreparedExport:
    """Raises QuerySyntaxError for a query that does not parse and UnknownFormat for a format
    that does not exist, both meant for the analyst."""
    if format_name not in FORMATS:
        raise UnknownFormat(format_name)
    prepared = prepare_search(text, expand=expand)
    query = prepared.request.query
    return PreparedExport(FORMATS[format_name], query, search_words(query), prepared.warnings)


def search_words(query: Query) -> list[str]:
    """The words that can make a document match (not those under NOT)."""
    words: list[str] = []
    for node in query.text_nodes():
        words.extend(node.words if isinstance(node, Near) else [node.text])
    return words


def matching_count(backend: IndexBackend, prepared: PreparedExport) -> int:
    """How many documents the export will hold (for a progress bar): a search without hits or facets."""
    return backend.search(SearchRequest(query=prepared.query, size=0, facets={})).total


def counting(documents: Iterable[Document], report: Callable[[int], None]) -> Iterator[Document]:
    """`documents`, with `report(documents so far)` every PROGRESS_EVERY documents and at the end."""
    count = 0
    for count, document in enumerate(documents, 1):
        yield document
        if count % PROGRESS_EVERY == 0:
            report(count)
    report(count)


def export_chunks(
    backend: IndexBackend, prepared: PreparedExport, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export file's bytes, in chunks, produced as the documents stream from the index;
    `progress(documents so far)` is called as they do."""
    documents: Iterable[Document] = backend.iter_matching(prepared.query)
    if progress is not None:
        documents = counting(documents, progress)
    return prepared.format.encode(documents, prepared.words)


def export_filename(export_format: ExportFormat, moment: datetime | None = None) -> str:
    """`osint-export-20250301-120000.csv`: what a download is saved as (ASCII, no path, no quotes)."""
    moment = moment or datetime.now(UTC)
    return f"osint-export-{moment.astimezone(UTC):%Y%m%d-%H%M%S}.{export_format.extension}"
