"""CSV: one row per document, for spreadsheets.

Columns (COLUMNS, in this order): id, url, title, published, fetched (ISO 8601, UTC; published
empty when undated), language, source (the watchlist source id), watchlist, kind, weapons,
weapon_categories, weapon_origins, countries, armed_groups (several values joined with "; "),
capture_sha256 and capture_warc (the preserved copy the text was extracted from: the payload's
SHA-256 and the WARC file under the captures directory; empty when none was kept), snippet
(about forty words of plain text around the first search word, else from the start).

Crawled text is hostile, and a spreadsheet evaluates a cell that starts with "=", "+", "-" or "@"
(and, in some, a tab or carriage return) as a formula: `=HYPERLINK(...)` in a page title would
run when the analyst opens the file. Every such cell gets a leading apostrophe (OWASP's "CSV
injection" advice), which spreadsheets show as text and do not display. The file is UTF-8 with
a byte order mark, so that spreadsheets do not read Arabic or Cyrillic titles as Latin-1, with
RFC 4180 quoting and line ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from exports.shareable import shareable
from exports.snippet import plain_snippet, words_pattern
from schema.document import Document

COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "title",
    "published",
    "fetched",
    "language",
    "source",
    "watchlist",
    "kind",
    "weapons",
    "weapon_categories",
    "weapon_origins",
    "countries",
    "armed_groups",
    "capture_sha256",
    "capture_warc",
    "snippet",
)
VALUE_SEPARATOR = "; "
#: what makes a spreadsheet read a cell as a formula (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: rows encoded at a time: one write per some tens of kilobytes, not per row
_ROWS_PER_CHUNK = 200


def neutralised(cell: str) -> str:
    """`cell` as text a spreadsheet will not evaluate."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _moment(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else ""


def row(document: Document, pattern: re.Pattern[str] | None = None) -> list[str]:
    """The cells of `document`'s row, in COLUMNS order, neutralised; the snippet around the first
    match of `pattern` (snippet.words_pattern of the search words), if any."""
    document = shareable(document)
    capture = document.capture
    cells = [
        document.id,
        document.url,
        document.title,
        _moment(document.published),
        _moment(document.fetched),
        document.language,
        document.source_id,
        document.watchlist,
        document.kind,
        VALUE_SEPARATOR.join(document.weapons),
        VALUE_SEPARATOR.join(document.weapon_categories),
        VALUE_SEPARATOR.join(document.weapon_origins),
        VALUE_SEPARATOR.join(document.countries),
        VALUE_SEPARATOR.join(document.armed_groups),
        capture.payload_sha256 if capture else "",
        capture.warc if capture else "",
        plain_snippet(document.text, pattern),
    ]
    return [neutralised(cell) for cell in cells]


def csv_chunks(documents: Iterable[Document], words: Sequence[str] = ()) -> Iterator[bytes]:
    """The CSV file, header first, as UTF-8 byte chunks of a few hundred rows; snippets start
    near the first of `words` (the search words) a text contains."""
    pattern = words_pattern(words)
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # the excel dialect: RFC 4180 quoting, CRLF line ends
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for count, document in enumerate(documents, 1):
        writer.writerow(row(document, pattern))
        if count % _ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    chunk = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return chunk
