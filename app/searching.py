"""From what the analyst typed to a SearchRequest: parse, then name filter values canonically
("country:Iran" → IR, "weapon:ak47" → AK-47, "group:ISIS" → Islamic State)."""

from __future__ import annotations

from index.query import Query, SearchRequest, parse_query

#: filters whose values are entity names the gazetteer can canonicalise
_ENTITY_FILTERS = {"weapon", "category", "origin", "country", "group", "state"}


def canonical_query(text: str) -> Query:
    from extractors.entities import canonicalize_filter

    query = parse_query(text)
    for query_filter in query.filters:
        if query_filter.name in _ENTITY_FILTERS:
            query_filter.values = [canonicalize_filter(query_filter.name, value) for value in query_filter.values]
    return query


def build_request(text: str, **options: object) -> SearchRequest:
    return SearchRequest(query=canonical_query(text), **options)
