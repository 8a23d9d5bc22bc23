"""JSON lines: one Document per line, in the schema every stage shares (schema/document.py), so
`Document.model_validate_json(line)` reads each back; only credentials in URLs are left out
(exports/shareable.py). For re-indexing elsewhere, scripts, and anything the CSV columns omit
(the full text, entity mentions with their offsets, every capture)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from exports.shareable import shareable
from schema.document import Document

#: documents encoded at a time: one write per some tens of kilobytes, not per document
_LINES_PER_CHUNK = 50


def jsonl_chunks(documents: Iterable[Document]) -> Iterator[bytes]:
    lines: list[str] = []
    for document in documents:
        lines.append(shareable(document).model_dump_json())
        if len(lines) == _LINES_PER_CHUNK:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")
