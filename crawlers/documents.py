"""Turn a fetched resource and its extraction into the one Document schema."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawlers.items import FetchedResource
from extractors.links import page_url
from index.document import ENTITY_SETS, Document, Entity


def _same_site(url: str, other: str) -> bool:
    host, other_host = urlsplit(url).hostname or "", urlsplit(other).hostname or ""
    return host == other_host or host.endswith("." + other_host) or other_host.endswith("." + host)


def canonical_url_for(item: FetchedResource, declared: str | None) -> str:
    """A page may name its canonical URL, but only on its own site: a hostile page must not
    overwrite another site's document by claiming its URL."""
    if declared and _same_site(item.url, declared):
        return declared
    return page_url(item.url)


def build_document(item: FetchedResource, extraction: Any) -> Document:
    hints = item.hints or {}
    entity_sets = {name: list(getattr(extraction, name)) for name in ENTITY_SETS}
    entities = [Entity(**(e if isinstance(e, dict) else e.model_dump())) for e in extraction.entities]
    document = Document.new(
        canonical_url_for(item, extraction.canonical_url),
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
        pages=[p if isinstance(p, dict) else p.model_dump() for p in extraction.pages],
        extraction_method=extraction.method,
        language=extraction.language,
        language_confidence=extraction.language_confidence,
        published=extraction.published or hints.get("published"),
        modified=extraction.modified,
        entities=entities,
        **entity_sets,
    )
    return document.with_hash()
