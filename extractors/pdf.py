"""PDF -> text with page spans (so a hit can be cited by page) and document metadata.

Pages are joined with a blank line; `pages[i]` records where page i+1's text sits in `text`.
Metadata comes from the document information dictionary (title, author, creation and
modification dates) and the catalog's /Lang; a PDF without a title gets its first text line.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pypdf import DocumentInformation, PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError
from pypdf.generic import DictionaryObject

from extractors.dates import parse_date, to_utc
from extractors.errors import ExtractionError
from extractors.html_text import clean_inline, normalize_text
from extractors.language import normalize_language
from extractors.result import PageSpan

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
#: Pages after this many are not extracted; bounds time on huge scanned bundles.
MAX_PAGES = 2_000
#: Extraction stops once the text reaches this many characters.
MAX_TEXT_CHARS = 2_000_000
MAX_TITLE_CHARS = 300
PAGE_SEPARATOR = "\n\n"
#: Values that PDF producers write when the author left the field blank.
PLACEHOLDERS = frozenset({"untitled", "untitled document", "anonymous", "unknown", "none", "author", "user"})
_OFFICE_PREFIXES = ("Microsoft Word - ", "Microsoft PowerPoint - ", "Microsoft Excel - ")


@dataclass
class PdfContent:
    text: str
    pages: list[PageSpan]
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    declared_language: str | None = None


def is_pdf(body: bytes) -> bool:
    # The header may follow a little junk; readers accept it within the first kilobyte.
    return PDF_MAGIC in body[:1024]


def extract_pdf(body: bytes) -> PdfContent:
    """Raises ExtractionError("broken_pdf") or ("encrypted_pdf"); `text` may be empty (scans)."""
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not _decrypt_with_empty_password(reader):
            raise ExtractionError("encrypted_pdf", "password required")
        text, pages = _page_texts(reader)
        info = _info(reader)
    except ExtractionError:
        raise
    except FileNotDecryptedError as exc:
        raise ExtractionError("encrypted_pdf", str(exc)) from exc
    except (
        PdfReadError,
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
        NotImplementedError,
    ) as exc:
        # pypdf surfaces damaged files as a spread of exception types
        raise ExtractionError("broken_pdf", f"{type(exc).__name__}: {exc}") from exc
    title = info.get("title") or _first_line(text)
    return PdfContent(
        text=text,
        pages=pages,
        title=title,
        authors=[info["author"]] if info.get("author") else [],
        published=info.get("published"),
        modified=info.get("modified"),
        declared_language=info.get("language"),
    )


def _decrypt_with_empty_password(reader: PdfReader) -> bool:
    # Many government PDFs are "encrypted" only to forbid printing, with an empty user password.
    try:
        return bool(reader.decrypt(""))
    except (PdfReadError, PyPdfError, NotImplementedError):
        return False


def _page_texts(reader: PdfReader) -> tuple[str, list[PageSpan]]:
    parts: list[str] = []
    spans: list[PageSpan] = []
    offset = 0
    for number, page in enumerate(reader.pages, start=1):
        if number > MAX_PAGES or offset >= MAX_TEXT_CHARS:
            logger.info("PDF truncated at page %d of %d", number - 1, len(reader.pages))
            break
        page_text = normalize_text(page.extract_text() or "")
        if not page_text:
            continue
        if parts:
            parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        parts.append(page_text)
        spans.append(PageSpan(page=number, start=offset, end=offset + len(page_text)))
        offset += len(page_text)
    return "".join(parts), spans


def _info(reader: PdfReader) -> dict[str, Any]:
    found: dict[str, Any] = {}
    metadata = reader.metadata
    if metadata is not None:
        title = _info_text(metadata.title)
        for prefix in _OFFICE_PREFIXES:
            title = title.removeprefix(prefix)
        found["title"] = title[:MAX_TITLE_CHARS]
        found["author"] = _info_text(metadata.author)
        found["published"] = _pdf_date(metadata, "creation")
        found["modified"] = _pdf_date(metadata, "modification")
    lang = _catalog(reader).get("/Lang") if "/Root" in reader.trailer else None
    found["language"] = normalize_language(str(lang)) if lang else None
    return found


def _catalog(reader: PdfReader) -> DictionaryObject:
    root = reader.trailer["/Root"]
    if not isinstance(root, DictionaryObject):  # a damaged file: extract_pdf reports it as broken_pdf
        raise PdfReadError(f"/Root is {type(root).__name__}, not a dictionary")
    return root


def _info_text(value: object) -> str:
    text = clean_inline(str(value or ""))
    return "" if text.casefold() in PLACEHOLDERS else text


def _pdf_date(metadata: DocumentInformation, which: str) -> datetime | None:
    try:
        value = getattr(metadata, f"{which}_date")
    except (ValueError, TypeError):  # malformed "D:..." strings; try a lenient parse of the raw value
        return parse_date(str(getattr(metadata, f"{which}_date_raw") or "").removeprefix("D:")[:14])
    return to_utc(value) if value is not None else None


def _first_line(text: str) -> str:
    first = text.split("\n", 1)[0].strip()
    return first if len(first) <= MAX_TITLE_CHARS else ""
