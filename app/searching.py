"""From what the analyst typed to a SearchRequest: parse, then name filter values canonically
("country:Iran" → IR, "weapon:ak47" → AK-47, "group:ISIS" → Islamic State)."""

from __future__ import annotations

from index.query import Query, SearchRequest, parse_query


def canonical_query(text: str) -> Query:
    from extractors.entities import canonicalize_filter

    return parse_query(text).resolved(canonicalize_filter)


def build_request(text: str, **options: object) -> SearchRequest:
    return SearchRequest(query=canonical_query(text), **options)
