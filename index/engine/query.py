"""Render a parsed SearchRequest as an engine search body, and read the answer back.

Nothing the analyst typed reaches the engine as query syntax: each term becomes its own
``simple_query_string`` with explicit fields and only the PHRASE, PREFIX and WHITESPACE
operators, the term quoted (a phrase) or, for ``word*``, a bare prefix of word characters
(index/query.py strips everything else). Filters are ``terms`` queries on the lowercase
keyword subfields; ``Query.ids`` is a ``terms`` filter on ``id``. No ``query_string``, no regex,
no leading wildcards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from index.cursor import COLLAPSED, collapsed_offset, sort_after
from index.engine.mapping import SEARCH_FIELDS
from index.query import Hit, Query, SearchRequest, SearchResult, Term

SNIPPET_CHARS = 240
_HISTOGRAM_FORMATS = {"day": "yyyy-MM-dd", "week": "yyyy-MM-dd", "month": "yyyy-MM", "year": "yyyy"}
_HIT_SOURCE = ["id", "url", "title", "title_*", "published", "language", "source_id", "kind"]


def _term_query(term: Term) -> dict[str, Any]:
    words = " ".join(term.text.replace('"', " ").replace("\\", " ").split())
    query = f"{words}*" if term.prefix and not term.phrase else f'"{words}"'
    return {
        "simple_query_string": {
            "query": query,
            "fields": SEARCH_FIELDS,
            "flags": "PHRASE|PREFIX|WHITESPACE",
            "default_operator": "and",
            "lenient": True,
        }
    }


def render_query(query: Query) -> dict[str, Any]:
    """The engine query for a parsed Query: searches and saved alerts (the percolator) both use it."""
    if query.ids == []:
        return {"match_none": {}}
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    filters: list[dict[str, Any]] = []
    for group in query.all_of:
        clauses = [_term_query(term) for term in group]
        must.append(clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}})
    must_not.extend(_term_query(term) for term in query.none_of)
    for item in query.filters:
        values = [value.lower() for value in item.values]
        clause = {
            "bool": {"should": [{"terms": {f"{field}.lc": values}} for field in item.fields], "minimum_should_match": 1}
        }
        (must_not if item.negated else filters).append(clause)
    if query.since or query.until:
        bounds = {}
        if query.since:
            bounds["gte"] = query.since.isoformat()
        if query.until:
            bounds["lte"] = query.until.isoformat()
        filters.append({"range": {"published": bounds}})
    if query.ids is not None:
        filters.append({"terms": {"id": query.ids}})
    if not (must or must_not or filters):
        return {"match_all": {}}
    body: dict[str, Any] = {}
    if must:
        body["must"] = must
    if must_not:
        body["must_not"] = must_not
    if filters:
        body["filter"] = filters
    return {"bool": body}


def render_search(request: SearchRequest) -> dict[str, Any]:
    """The search body. One extra hit is asked for, to know whether a next page exists."""
    by_relevance = request.sort == "relevance" and request.query.has_text  # no words, no relevance
    sort: list[Any] = [{"_score": "desc"}] if by_relevance else [{"published": {"order": "desc", "missing": "_last"}}]
    sort.append({"id": "asc"})
    body: dict[str, Any] = {
        "query": render_query(request.query),
        "size": request.size + 1 if request.size else 0,
        "sort": sort,
        "track_total_hits": True,
        "_source": _HIT_SOURCE,
        "aggs": {},
    }
    if by_relevance:
        body["track_scores"] = True
    if request.collapse_stories:
        # The engines refuse collapse with search_after: collapsed pages are numbered instead
        # (a cursor ["collapsed", offset]), which reaches as deep as index.max_result_window.
        body["from"] = _collapsed_offset(request)
    elif request.search_after:
        body["search_after"] = list(
            sort_after(request.search_after, "relevance" if by_relevance else "date", undated=False)
        )
    if request.size:
        body["highlight"] = {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                name: {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1, "no_match_size": SNIPPET_CHARS}
                for name in ("text", "text_*")
            },
        }
    if request.collapse_stories:
        body["collapse"] = {"field": "story_key"}  # the total still counts documents
    for name, field in request.facets.items():
        body["aggs"][f"facet:{name}"] = {
            "terms": {"field": field, "size": request.facet_size, "order": [{"_count": "desc"}, {"_key": "asc"}]}
        }
    if request.histogram:
        body["aggs"]["_histogram"] = {
            "date_histogram": {
                "field": "published",
                "calendar_interval": request.histogram,
                "format": _HISTOGRAM_FORMATS[request.histogram],
                "min_doc_count": 1,
            }
        }
    if not body["aggs"]:
        del body["aggs"]
    return body


def _collapsed_offset(request: SearchRequest) -> int:
    return collapsed_offset(request.search_after) if request.search_after else 0


def _snippet(hit: dict[str, Any]) -> str:
    """The best highlighted fragment: one with a match first, then the start of the text."""
    fragments: list[str] = [
        fragment for name, values in sorted(hit.get("highlight", {}).items()) for fragment in values
    ]
    for fragment in fragments:
        if "<mark>" in fragment:
            return fragment
    return fragments[0] if fragments else ""


def _title(source: dict[str, Any]) -> str:
    title: str
    if "title" in source:
        title = source["title"]
    else:
        title = next((value for key, value in source.items() if key.startswith("title_")), "")
    return title


def parse_search(request: SearchRequest, response: dict[str, Any]) -> SearchResult:
    raw_hits = response["hits"]["hits"]
    page, more = raw_hits[: request.size], len(raw_hits) > request.size
    hits = [
        Hit(
            id=hit["_source"]["id"],
            url=hit["_source"].get("url", ""),
            title=_title(hit["_source"]),
            snippet=_snippet(hit),
            score=float(hit.get("_score") or 0.0),
            published=datetime.fromisoformat(hit["_source"]["published"]) if hit["_source"].get("published") else None,
            language=hit["_source"].get("language", "und"),
            source_id=hit["_source"].get("source_id", ""),
            kind=hit["_source"].get("kind", ""),
        )
        for hit in page
    ]
    aggregations = response.get("aggregations", {})
    total = response["hits"]["total"]["value"]
    facets = {
        name: [
            (bucket["key"], bucket["doc_count"]) for bucket in aggregations.get(f"facet:{name}", {}).get("buckets", [])
        ]
        for name in request.facets
    }
    histogram = [
        (bucket["key_as_string"], bucket["doc_count"])
        for bucket in aggregations.get("_histogram", {}).get("buckets", [])
    ]
    return SearchResult(
        total=total,
        hits=hits,
        facets=facets,
        histogram=histogram,
        next_cursor=_next_cursor(request, page) if more and page else None,
    )


def _next_cursor(request: SearchRequest, page: list[dict[str, Any]]) -> list[Any]:
    if request.collapse_stories:
        return [COLLAPSED, _collapsed_offset(request) + len(page)]
    return list(page[-1]["sort"])
