"""The export formats by name: what each is called, its file extension and media type, and how
documents become its bytes.

Every format is a generator of byte chunks rather than a writer into a stream, so the one code
path serves a file (`osint export`), standard output and an HTTP response streamed as it is
produced (the web app), with no thread and no whole file in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from exports.csv_export import csv_chunks
from exports.jsonl_export import jsonl_chunks
from schema.document import Document

#: documents, search words (for snippets) -> the file's bytes, in chunks
Encoder = Callable[[Iterable[Document], Sequence[str]], Iterator[bytes]]


# followthemoney and networkx take most of a second to import: only an export in their format
# pays for it, not every `osint` command (the CLI lists this module's formats in its help)
def _ftm(documents: Iterable[Document], _words: Sequence[str]) -> Iterator[bytes]:
    from exports.ftm_export import ftm_chunks

    return ftm_chunks(documents)


def _graphml(documents: Iterable[Document], _words: Sequence[str]) -> Iterator[bytes]:
    from exports.graph_export import graphml_chunks

    return graphml_chunks(documents)


def _gexf(documents: Iterable[Document], _words: Sequence[str]) -> Iterator[bytes]:
    from exports.graph_export import gexf_chunks

    return gexf_chunks(documents)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    media_type: str
    description: str
    encode: Encoder


FORMATS: dict[str, ExportFormat] = {
    item.name: item
    for item in (
        ExportFormat("csv", "csv", "text/csv; charset=utf-8", "one row per document, for spreadsheets", csv_chunks),
        ExportFormat(
            "jsonl",
            "jsonl",
            "application/x-ndjson",
            "one Document (the shared schema) per line",
            lambda documents, _: jsonl_chunks(documents),
        ),
        ExportFormat(
            "ftm",
            "ftm.json",
            "application/x-ndjson",
            "Follow the Money entities, one per line (Aleph)",
            _ftm,
        ),
        ExportFormat(
            "graphml",
            "graphml",
            "application/graphml+xml",
            "weapon, armed group and country co-occurrence graph",
            _graphml,
        ),
        ExportFormat(
            "gexf",
            "gexf",
            "application/gexf+xml",
            "the co-occurrence graph for Gephi",
            _gexf,
        ),
    )
}


def write_export(chunks: Iterable[bytes], stream: BinaryIO) -> int:
    """Write `chunks` to `stream`; the number of bytes written."""
    written = 0
    for chunk in chunks:
        stream.write(chunk)
        written += len(chunk)
    return written
