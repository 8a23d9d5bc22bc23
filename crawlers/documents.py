"""Turn a fetched resource and its extraction into the one Document schema."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawlers.items import FetchedResource, ListingHints
from extractors.links import page_identity
from extractors.result import Extraction
from schema.document import Document
from schema.entities import DOCUMENT_ENTITY_SETS, Entity
from schema.relations import OriginStatement, Relation

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the scheme's default port filled in; None for a malformed URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port out of range, a malformed IPv6 literal
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    return (scheme, host, port if port is not None else _DEFAULT_PORTS.get(scheme)) if host else None


def same_site(url: str, other: str) -> bool:
    """Same scheme, host and port (a default port written out or not). Nothing looser: two ports
    of one host are often two sources (two services), and a parent or sibling domain is often
    another owner's (shared hosting, user pages)."""
    origin = _origin(url)
    return origin is not None and origin == _origin(other)


def canonical_url_for(item: FetchedResource, declared: str | None) -> str:
    """A page may name its canonical URL, but only on its own site: a hostile page must not
    overwrite another site's document by claiming its URL."""
    if declared and same_site(item.url, declared):
        return declared
    return page_identity(item.url)


def foreign_canonical(item: FetchedResource, declared: str | None) -> str:
    """The canonical URL the page declared on another site (recorded, not adopted), or ''."""
    return declared if declared and declared != page_identity(item.url) and not same_site(item.url, declared) else ""


def canonical_note(document: Document) -> str:
    """The crawl ledger's note for a document whose page declared another site's URL canonical."""
    if not document.declared_canonical:
        return ""
    return f"declared canonical {document.declared_canonical} is on another site: not adopted"


def build_document(item: FetchedResource, extraction: Extraction) -> Document:
    """The Document for a fetched resource: the extraction's text, metadata and entities (its
    `proposed_groups` are not stored), with the feed or sitemap entry's title and date where the
    page has none."""
    hints: ListingHints = item.hints or ListingHints()  # a spider may hand over none
    entity_sets: dict[str, list[str]] = {name: list(getattr(extraction, name)) for name in DOCUMENT_ENTITY_SETS}
    entities = [Entity.model_validate(mention) for mention in extraction.entities]
    document = Document.new(
        canonical_url_for(item, extraction.canonical_url),
        declared_canonical=foreign_canonical(item, extraction.canonical_url),
        url=item.url,
        source_id=item.source_id,
        watchlist=item.watchlist,
        kind=item.kind,
        tags=item.tags,
        content_type=extraction.content_type or item.content_type,
        title=extraction.title or hints.get("title") or "",
        text=extraction.text,
        authors=extraction.authors,
        links=extraction.links,
        pages=[span.model_copy() for span in extraction.pages],
        extraction_method=extraction.method,
        language=extraction.language,
        language_confidence=extraction.language_confidence,
        published=extraction.published or hints.get("published"),
        modified=extraction.modified,
        entities=entities,
        relations=[Relation.model_validate(relation) for relation in extraction.relations],
        origin_statements=[OriginStatement.model_validate(statement) for statement in extraction.origin_statements],
        capture=item.capture,
        **entity_sets,
    )
    return document.with_hash()
