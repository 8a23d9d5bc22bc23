"""From what the analyst typed to a SearchRequest: parse, then name filter values canonically
("country:Iran" → IR, "weapon:ak47" → AK-47, "group:ISIS" → Islamic State)."""

from __future__ import annotations

from typing import Any

from index.query import SearchRequest, SearchResult, canonical_query
from network.redaction import redact_url


def build_request(text: str, **options: Any) -> SearchRequest:
    """`options` are SearchRequest fields; the model validates them (a ValueError when it refuses one)."""
    return SearchRequest(query=canonical_query(text), **options)


def without_credentials(result: SearchResult) -> SearchResult:
    """Hits as readers see them (terminal, page and JSON): a source URL may carry user:password@ (a private feed)."""
    return result.model_copy(
        update={"hits": [hit.model_copy(update={"url": redact_url(hit.url)}) for hit in result.hits]}
    )
