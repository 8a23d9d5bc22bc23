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


def iso_utc(value: datetime | None) -> str:
    """`value` as an ISO 8601 cell in UTC; empty for no date."""
    return value.astimezone(UTC).isoformat() if value is not None else ""


class CsvFile:
    """A CSV file for spreadsheets as it is written: a byte order mark, the header, then rows with
    every cell neutralised, in the excel dialect (RFC 4180 quoting, CRLF line ends)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)
        self._buffer.write("\ufeff")
        self._writer.writerow(columns)

    def write_row(self, cells: Iterable[str]) -> None:
        self._writer.writerow([neutralised(cell) for cell in cells])

    def drain(self) -> bytes:
        """What was written since the last drain, as UTF-8."""
        chunk = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        return chunk


def row(document: Document, pattern: re.Pattern[str] | None = None) -> list[str]:
    """The cells of `document`'s row, in COLUMNS order, not yet neutralised; the snippet around
    the first match of `pattern` (snippet.words_pattern of the search words), if any."""
    document = shareable(document)
    capture = document.capture
    return [
        document.id,
        document.url,
        document.title,
        iso_utc(document.published),
        iso_utc(document.fetched),
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


def csv_chunks(documents: Iterable[Document], words: Sequence[str] = ()) -> Iterator[bytes]:
    """The CSV file, header first, as UTF-8 byte chunks of a few hundred rows; snippets start
    near the first of `words` (the search words) a text contains."""
    pattern = words_pattern(words)
    file = CsvFile(COLUMNS)
    for count, document in enumerate(documents, 1):
        file.write_row(row(document, pattern))
        if count % _ROWS_PER_CHUNK == 0:
            yield file.drain()
    yield file.drain()
