"""`extract` / `extract_text`: the extraction pipeline behind the `extractors` package API
(decode, HTML or PDF content, language, entities). Imported on first use of those names, since
it loads trafilatura, htmldate and pypdf."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from extractors.content import drop_leading_title, extract_html
from extractors.decoding import decode_body
from extractors.errors import ExtractionError
from extractors.fingerprint import text_fingerprint
from extractors.html_text import normalize_text
from extractors.language import detect_language, normalize_language
from extractors.links import page_url
from extractors.pdf import extract_pdf, is_pdf
from extractors.result import Extraction, LanguageResult
from extractors.timing import stage
from schema.entities import EXTRACTED_ENTITY_SETS

if TYPE_CHECKING:  # the engine itself is imported on first use (it loads gazetteers and spaCy)
    from extractors.entities import EntityResult

__all__ = ["MAX_TEXT_CHARS", "Resource", "extract", "extract_batch", "extract_text"]

#: Plain text beyond this many characters is dropped (HTML and PDF have their own bounds).
MAX_TEXT_CHARS = 2_000_000


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/xml", "application/xml"})
_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_SNIFFED_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})
#: Text types that are code, not prose.
_CODE_TYPES = frozenset({"text/css", "text/javascript", "text/ecmascript", "text/x-python", "text/x-c"})
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<p>", b"<div")


class Resource(NamedTuple):
    """One fetched resource: its bytes and what the fetch said about them (see `extract`)."""

    body: bytes
    url: str
    content_type: str = "text/html"
    encoding: str | None = None
    language_hint: str | None = None


def extract(
    body: bytes,
    *,
    url: str,
    content_type: str = "text/html",
    encoding: str | None = None,
    language_hint: str | None = None,
    entities: bool = True,
) -> Extraction:
    """Extract one fetched resource.

    `content_type` is the HTTP Content-Type (a charset parameter is honoured); PDF magic bytes
    win over it. `encoding` is the transport charset if known separately. `language_hint`
    (e.g. from the watchlist) takes precedence over the language the page declares; both only
    break ties for langdetect. Raises ExtractionError.
    """
    result = extract_batch([Resource(body, url, content_type, encoding, language_hint)], entities=entities)[0]
    if isinstance(result, ExtractionError):
        raise result
    return result


def extract_batch(resources: Sequence[Resource], *, entities: bool = True) -> list[Extraction | ExtractionError]:
    """`extract` over several resources, in order; a resource that yields no document gets its
    ExtractionError in its place (other errors are raised). Their entities go through one pass
    of the statistical model: `nlp.pipe` over a batch runs well ahead of one call per text."""
    read: list[_Read | ExtractionError] = []
    for resource in resources:
        try:
            read.append(_read(resource))
        except ExtractionError as exc:
            read.append(exc)
    finished = iter(_finish([item for item in read if isinstance(item, _Read)], entities=entities))
    return [item if isinstance(item, ExtractionError) else next(finished) for item in read]


def extract_text(text: str, language_hint: str | None = None, *, entities: bool = True) -> Extraction:
    """Plain text input (a .txt file, stdin): no URL, no title, method "plain"."""
    fields = {
        "text": normalize_text(text[:MAX_TEXT_CHARS]),
        "canonical_url": "",
        "method": "plain",
        "content_type": "text/plain",
    }
    return _finish([_identify("", fields, language_hint)], entities=entities)[0]


class _Read(NamedTuple):
    """A resource's content fields and language: all but its entities."""

    url: str
    fields: dict[str, Any]
    language: LanguageResult


def _read(resource: Resource) -> _Read:
    body, url, content_type, encoding, language_hint = resource
    if not body.strip():
        raise ExtractionError("empty", "no bytes")
    kind = _kind(body, content_type)
    if kind == "pdf":
        with stage("pdf"):
            fields = _pdf_fields(body, url)
    elif kind == "html":
        fields = _html_fields(body, url, content_type, encoding)
    else:
        with stage("decode"):
            decoded = decode_body(body, content_type=content_type, encoding=encoding, html=False)
            fields = {
                "text": normalize_text(decoded.text[:MAX_TEXT_CHARS]),
                "canonical_url": page_url(url),
                "method": "plain",
                "content_type": "text/plain",
                "encoding": decoded.encoding,
            }
    return _identify(url, fields, language_hint)


def _pdf_fields(body: bytes, url: str) -> dict[str, Any]:
    pdf = extract_pdf(body)
    return {
        "title": pdf.title,
        "text": pdf.text,
        "pages": pdf.pages,
        "authors": pdf.authors,
        "published": pdf.published,
        "modified": pdf.modified,
        "canonical_url": page_url(url),
        "declared_language": pdf.declared_language,
        "method": "pypdf",
        "content_type": "application/pdf",
    }


def _html_fields(body: bytes, url: str, content_type: str, encoding: str | None) -> dict[str, Any]:
    with stage("decode"):
        decoded = decode_body(body, content_type=content_type, encoding=encoding, html=True)
    page = extract_html(decoded.text, url)
    return {
        "title": page.title,
        "text": page.text,
        "authors": page.authors,
        "published": page.published,
        "modified": page.modified,
        "canonical_url": page.canonical_url,
        "links": page.links,
        "declared_language": page.declared_language,
        "method": page.method,
        "content_type": "text/html",
        "encoding": decoded.encoding,
    }


def _identify(url: str, fields: dict[str, Any], language_hint: str | None) -> _Read:
    """The language of a resource with text; ExtractionError("empty") for one without."""
    text: str = fields["text"]
    if not text:
        raise ExtractionError("empty", "no visible text")
    title: str = fields.get("title", "")
    hint = normalize_language(language_hint) or fields.get("declared_language")
    with stage("language"):
        language = detect_language(f"{title}\n{text}" if title else text, hint=hint)
    return _Read(url, fields, language)


def _finish(read: list[_Read], *, entities: bool) -> list[Extraction]:
    found: list[dict[str, Any]] = [{} for _ in read]
    if entities and read:
        results = _entities(
            [(item.fields.get("title", ""), item.fields["text"], item.language.language) for item in read]
        )
        with stage("relations"):
            found = [
                _entity_fields(item.fields["text"], item.language.language, in_text, in_title)
                for item, (in_text, in_title) in zip(read, results, strict=True)
            ]
    with stage("fingerprint"):
        fingerprints = [text_fingerprint(item.fields["text"]) for item in read]
    return [
        Extraction(
            url=item.url,
            language=item.language.language,
            language_confidence=item.language.confidence,
            fingerprint=fingerprint,
            **item.fields,
            **extra,
        )
        for item, extra, fingerprint in zip(read, found, fingerprints, strict=True)
    ]


def _entities(documents: list[tuple[str, str, str]]) -> list[tuple[EntityResult, EntityResult]]:
    """The entities of each (title, text, language)'s text and title, all in one model pass."""
    # Imported here: the engine loads gazetteers and spaCy, which callers with entities=False skip.
    from extractors.entities import extract_many

    pairs: list[tuple[str, str]] = []
    for title, text, language in documents:
        # A title that is also the text's first line (PDFs keep it for page offsets) is read once.
        title = title if title and drop_leading_title(text, title) == text else ""
        pairs += [(text, language), (title, language)]
    with stage("gazetteer"):
        results = extract_many(pairs)
    return list(zip(results[::2], results[1::2], strict=True))


def _entity_fields(text: str, language: str, in_text: EntityResult, in_title: EntityResult) -> dict[str, Any]:
    """The extraction's entity fields: the mentions (those of the title marked so), the sets, and
    the text's relations and origin statements; a stated origin replaces the gazetteer's for its
    mention, in `weapon_origins` too."""
    from extractors.entities import weapon_origins
    from extractors.relations import extract_relations

    related = extract_relations(text, language, in_text.entities)
    titled = [m.model_copy(update={"attributes": {**m.attributes, "field": "title"}}) for m in in_title.entities]
    found: dict[str, Any] = {
        name: sorted(set(getattr(in_text, name)) | set(getattr(in_title, name))) for name in EXTRACTED_ENTITY_SETS
    }
    found["entities"] = [mention.model_dump() for mention in [*related.entities, *titled]]
    found["relations"] = [relation.model_dump() for relation in related.relations]
    found["origin_statements"] = [statement.model_dump() for statement in related.origin_statements]
    if related.origin_statements:
        found["weapon_origins"] = weapon_origins([*related.entities, *in_title.entities])
    return found


def _kind(body: bytes, content_type: str) -> str:
    mime = content_type.split(";", 1)[0].strip().lower()
    if is_pdf(body) or mime in _PDF_TYPES:
        return "pdf"
    if mime in _HTML_TYPES or mime.endswith("+xml"):
        return "html"
    if mime.startswith("text/") and mime not in _CODE_TYPES:
        return "text"
    if mime in _SNIFFED_TYPES:
        head = body[:1024].lstrip().lower()
        if any(marker in head for marker in _HTML_MARKERS):
            return "html"
        if b"\x00" not in body[:4096]:
            return "text"
    raise ExtractionError("unsupported_type", mime or "unknown")
