"""From what the analyst typed to a SearchRequest: parse, then name filter values canonically
("country:Iran" → IR, "weapon:ak47" → AK-47, "group:ISIS" → Islamic State)."""

from __future__ import annotations

from index.query import SearchRequest, canonical_query


def build_request(text: str, **options: object) -> SearchRequest:
    return SearchRequest(query=canonical_query(text), **options)
