"""Render a parsed SearchRequest as an engine search body, and read the answer back.

Nothing the analyst typed reaches the engine as query syntax: the query tree (index/query.py)
becomes bool queries. Each word is its own ``simple_query_string`` with explicit fields and only
the PHRASE, PREFIX and WHITESPACE operators, the word quoted or, for ``word*``, a bare prefix of
word characters (index/syntax.py strips everything else); a plain word searches the exact fields
and the Snowball-stemmed ``*_<lang>`` fields, and a designation also its folded key. Fuzzy words
are ``fuzzy`` queries, proximity is ``intervals`` (all_of, unordered, max_gaps) per field.
Filters are ``terms`` queries on the lowercase keyword subfields, in filter context; ``Query.ids``
is a ``terms`` filter on ``id``. No ``query_string``, no regex, no leading wildcards.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from index.analysis import FUZZY_EXPANSIONS, designation_key, fold
from index.cursor import COLLAPSED, collapsed_offset, sort_after
from index.engine.mapping import LANGUAGE_SUFFIXES
from index.query import Filter, Hit, Near, Node, Not, Or, Query, SearchRequest, SearchResult, Term

SNIPPET_CHARS = 240
_HISTOGRAM_FORMATS = {"day": "yyyy-MM-dd", "week": "yyyy-MM-dd", "month": "yyyy-MM", "year": "yyyy"}
#: newest first, undated last, ties by id: searches sorted by date and exports (iter_matching)
DATE_SORT: list[Any] = [{"published": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
_HIT_SOURCE = ["id", "url", "title", "title_*", "published", "language", "source_id", "kind"]


#: text field scope -> (exact fields, stemmed fields)
_FIELDS: dict[str, tuple[list[str], list[str]]] = {
    "": (["title^2", "text"], ["title_*^2", "text_*"]),
    "title": (["title^2"], ["title_*^2"]),
    "text": (["text"], ["text_*"]),
    "author": (["authors.text"], []),
    "url": (["url.text"], []),
}
_NEAR_FIELDS: dict[str, list[str]] = {
    "": ["title", "text", *(f"{base}_{suffix}" for base in ("title", "text") for suffix in sorted(LANGUAGE_SUFFIXES))],
    "title": ["title", *(f"title_{suffix}" for suffix in sorted(LANGUAGE_SUFFIXES))],
    "text": ["text", *(f"text_{suffix}" for suffix in sorted(LANGUAGE_SUFFIXES))],
    "author": ["authors.text"],
    "url": ["url.text"],
}


def _words(text: str) -> str:
    return " ".join(text.replace('"', " ").replace("\\", " ").split())


def _simple(query: str, fields: list[str], flags: str = "PHRASE|WHITESPACE") -> dict[str, Any]:
    return {
        "simple_query_string": {
            "query": query,
            "fields": fields,
            "flags": flags,
            "default_operator": "and",
            "lenient": True,
        }
    }


def _any(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _term_query(term: Term) -> dict[str, Any]:
    exact, stemmed = _FIELDS[term.fields[0] if term.fields else ""]
    words = _words(term.text)
    if term.mode == "prefix":
        return _simple(f"{words}*", exact, "PREFIX|WHITESPACE")
    if term.mode == "fuzzy":
        value = fold(words)
        return _any(
            [
                {
                    "fuzzy": {
                        name.split("^")[0]: {
                            "value": value,
                            "fuzziness": term.edits if term.edits is not None else "AUTO",
                            "prefix_length": 1,
                            "max_expansions": FUZZY_EXPANSIONS,
                            "transpositions": True,
                        }
                    }
                }
                for name in exact
            ]
        )
    if term.mode != "word":
        return _simple(f'"{words}"', exact)
    clauses = [_simple(f'"{words}"', exact + stemmed)]
    key = designation_key(term.text)
    if key and not term.fields:
        clauses.append({"term": {"designations": key}})
    return _any(clauses)


def _near_query(near: Near) -> dict[str, Any]:
    rules = [{"match": {"query": _words(word), "max_gaps": 0, "ordered": True}} for word in near.words]
    return _any(
        [
            {"intervals": {name: {"all_of": {"intervals": rules, "max_gaps": near.distance, "ordered": False}}}}
            for name in _NEAR_FIELDS[near.fields[0] if near.fields else ""]
        ]
    )


def _filter_query(item: Filter) -> dict[str, Any]:
    values = [value.lower() for value in item.values]
    # in filter context: a filter decides what matches, never how it ranks
    return {"bool": {"filter": [_any([{"terms": {f"{field}.lc": values}} for field in item.fields])]}}


def render_node(node: Node) -> dict[str, Any]:
    if isinstance(node, Term):
        return _term_query(node)
    if isinstance(node, Near):
        return _near_query(node)
    if isinstance(node, Filter):
        return _filter_query(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [render_node(node.child)]}}
    if isinstance(node, Or):
        return _any([render_node(child) for child in node.children])
    positive = [render_node(child) for child in node.children if not isinstance(child, Not)]
    negative = [render_node(child.child) for child in node.children if isinstance(child, Not)]
    body: dict[str, Any] = {}
    if positive:
        body["must"] = positive
    if negative:
        body["must_not"] = negative
    return {"bool": body}


def render_query(query: Query) -> dict[str, Any]:
    """The engine query for a parsed Query: searches and saved alerts (the percolator) both use it."""
    if query.ids == []:
        return {"match_none": {}}
    filters: list[dict[str, Any]] = []
    if query.since or query.until:
        bounds = {}
        if query.since:
            bounds["gte"] = query.since.isoformat()
        if query.until:
            bounds["lte"] = query.until.isoformat()
        filters.append({"range": {"published": bounds}})
    if query.ids is not None:
        filters.append({"terms": {"id": query.ids}})
    if query.where is None and not filters:
        return {"match_all": {}}
    body: dict[str, Any] = {}
    if query.where is not None:
        body["must"] = [render_node(query.where)]
    if filters:
        body["filter"] = filters
    return {"bool": body}


def render_search(request: SearchRequest) -> dict[str, Any]:
    """The search body. One extra hit is asked for, to know whether a next page exists."""
    by_relevance = request.sort == "relevance" and request.query.has_text  # no words, no relevance
    sort: list[Any] = [{"_score": "desc"}, {"id": "asc"}] if by_relevance else [*DATE_SORT]
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
