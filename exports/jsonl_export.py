"""JSON lines: one Document per line, in the schema every stage shares (schema/document.py), so
`Document.model_validate_json(line)` reads each back; only credentials in URLs are left out
(exports/shareable.py). For re-indexing elsewhere, scripts, and anything the CSV columns omit
(the full text, entity mentions with their offsets, every capture)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from exports.chunks import line_chunks
from exports.shareable import shareable
from schema.document import Document

#: documents encoded at a time: one write per some tens of kilobytes, not per document
_LINES_PER_CHUNK = 50


def jsonl_chunks(documents: Iterable[Document]) -> Iterator[bytes]:
    yield from line_chunks((shareable(document).model_dump_json() for document in documents), _LINES_PER_CHUNK)
