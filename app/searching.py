"""From what the analyst typed to a SearchRequest: parse, warn about filter values nothing is known
by, name the others canonically ("country:Iran" → IR, "weapon:ak47" → AK-47, "group:ISIS" →
Islamic State), and, when asked, expand words to the entities they name."""

from __future__ import annotations

from typing import Any, NamedTuple

from app.page_numbers import add_pages
from extractors.entities.expansion import entity_filters
from extractors.entities.filters import is_entity_filter, resolve_filter, unknown_value_warning
from index.backend import IndexBackend
from index.query import SearchRequest, SearchResult, parse_query
from index.syntax import unparse
from network.redaction import redact_url


class PreparedSearch(NamedTuple):
    request: SearchRequest
    warnings: list[str]
    explain: str | None  # the query as run, when it was expanded

    def annotate(self, result: SearchResult) -> SearchResult:
        return result.model_copy(update={"warnings": self.warnings, "explain": self.explain})

    def shown(self, backend: IndexBackend, result: SearchResult) -> SearchResult:
        """`result` as readers see it (terminal, page, JSON): PDF page numbers of the hits, URLs
        without credentials, and the warnings and explanation of this query."""
        return self.annotate(without_credentials(add_pages(backend, result)))

    def run(self, backend: IndexBackend) -> SearchResult:
        return self.shown(backend, backend.search(self.request))


def prepare_search(text: str, expand: bool = False, **options: Any) -> PreparedSearch:
    """`options` are SearchRequest fields; the model validates them (a ValueError when it refuses one)."""
    query = parse_query(text)
    warnings: list[str] = []
    stored: dict[tuple[str, str], str] = {}
    for item in query.filters():
        for value in item.values:
            known = resolve_filter(item.name, value)
            stored[(item.name, value)] = known or value
            if known is None and is_entity_filter(item.name):
                warnings.append(unknown_value_warning(item.name, value))
    if stored:
        query = query.resolved(lambda name, value: stored[(name, value)])
    explain = None
    if expand:
        query = query.expanded(entity_filters)
        explain = unparse(query)
    return PreparedSearch(SearchRequest(query=query, **options), list(dict.fromkeys(warnings)), explain)


def without_credentials(result: SearchResult) -> SearchResult:
    """Hits as readers see them (terminal, page and JSON): a source URL may carry user:password@ (a private feed)."""
    return result.model_copy(
        update={"hits": [hit.model_copy(update={"url": redact_url(hit.url)}) for hit in result.hits]}
    )
