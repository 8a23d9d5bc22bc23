"""Search over the embedded index: the Query structure rendered to FTS5 MATCH and SQL.

Only the structure from index/query.py is rendered, never the analyst's raw text: every term
becomes an FTS5 string (double-quoted, inner quotes doubled), and every filter value is a
bound SQL parameter. The matching set is materialised once per search into a temporary table,
from which the total, the facets, the histogram and the page of hits are read.

Hits: `title` is plain text, `snippet` escaped HTML with <mark> around matches (index/snippets.py);
`score` is -bm25 for relevance sorts and 0.0 when sorting by date (scoring is skipped). The
cursor is [score, id] or [published epoch ms | None, id] of the last hit; ties break on id.
With collapse_stories the hits are one per story (documents without story_id stand alone) and
`total` still counts documents.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any, Literal

import numpy as np

from index.cursor import sort_after
from index.query import Hit, Query, SearchRequest, SearchResult, Term
from index.snippets import CLOSE_SENTINEL, ELLIPSIS, OPEN_SENTINEL, SNIPPET_WORDS, leading_snippet, sentinels_to_html
from index.sqlite.schema import FACET_FIELDS, FACET_ID_DTYPE, epoch_ms, facet_key

#: bm25 column weights (title, text): a word in the title counts three times as much.
TITLE_WEIGHT, TEXT_WEIGHT = 3.0, 1.0

_ORDER = {
    "relevance": "m.score DESC, m.id ASC",
    "date": "m.published IS NULL, m.published DESC, m.id ASC",
}
_MATCHES_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS matches (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, published INTEGER, story TEXT NOT NULL, score REAL NOT NULL,
    facet_ids BLOB NOT NULL
)
"""


def fts_string(term: Term) -> str:
    """One term as an FTS5 string. The tokenizer splits it, so "ak-47" becomes the phrase ak 47."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + "*" if term.prefix else quoted


def _any_of(terms: list[Term]) -> str:
    return "(" + " OR ".join(fts_string(term) for term in terms) + ")"


def match_expression(query: Query) -> str | None:
    """The FTS5 MATCH expression for a query with search words (None without)."""
    if not query.all_of:
        return None
    expression = " AND ".join(_any_of(group) for group in query.all_of)
    if query.none_of:
        expression = f"({expression}) NOT {_any_of(query.none_of)}"
    return expression


def _filter_sql(query: Query) -> tuple[list[str], list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for flt in query.filters:
        fields, values = flt.fields, [facet_key(value) for value in flt.values]
        placeholders = ", ".join("?" * len(fields)), ", ".join("?" * len(values))
        operator = "NOT IN" if flt.negated else "IN"
        clauses.append(
            f"d.rowid {operator} (SELECT f.doc_id FROM facets f WHERE f.value_id IN (SELECT id FROM facet_values"
            f" WHERE field IN ({placeholders[0]}) AND value_lower IN ({placeholders[1]})))"
        )
        params.extend([*fields, *values])
    if query.since is not None:
        clauses.append("d.published >= ?")
        params.append(epoch_ms(query.since))
    if query.until is not None:
        clauses.append("d.published <= ?")
        params.append(epoch_ms(query.until))
    if query.ids is not None:
        clauses.append(f"d.id IN ({', '.join('?' * len(query.ids))})" if query.ids else "0")
        params.extend(query.ids)
    return clauses, params


def _matching_sql(query: Query, scored: bool) -> tuple[str, list[object]]:
    clauses, params = _filter_sql(query)
    match = match_expression(query)
    if match is not None:
        source = "fts JOIN documents d ON d.rowid = fts.rowid"
        # bm25 is the most expensive part of a search: skip it when sorting by date.
        score = f"-bm25(fts, {TITLE_WEIGHT}, {TEXT_WEIGHT})" if scored else "0.0"
        clauses.insert(0, "fts MATCH ?")
        params.insert(0, match)
    else:
        source, score = "documents d", "0.0"
        if query.none_of:  # FTS5 NOT needs a positive side: exclude the matches of the negatives
            clauses.append("d.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            params.append(" OR ".join(fts_string(term) for term in query.none_of))
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    sql = (
        "INSERT INTO temp.matches (rowid, id, published, story, score, facet_ids)"
        f" SELECT d.rowid, d.id, d.published, COALESCE(d.story_id, d.id), {score}, d.facet_ids FROM {source}{where}"
    )
    return sql, params


def _cursor_sql(sort: Literal["relevance", "date"], cursor: list[Any] | None) -> tuple[str, list[object]]:
    if cursor is None:
        return "", []
    # checked (index/cursor.py) before binding: an integer beyond 64 bits is an OverflowError in sqlite3
    value, last_id = sort_after(cursor, sort, undated=True)
    if sort == "relevance":
        return " AND (m.score < ? OR (m.score = ? AND m.id > ?))", [value, value, last_id]
    if value is None:
        return " AND (m.published IS NULL AND m.id > ?)", [last_id]
    return " AND (m.published < ? OR m.published IS NULL OR (m.published = ? AND m.id > ?))", [value, value, last_id]


def run_search(connection: sqlite3.Connection, request: SearchRequest) -> SearchResult:
    unknown = sorted(set(request.facets.values()) - set(FACET_FIELDS))
    if unknown:
        raise ValueError(f"cannot facet on {', '.join(unknown)} (facetable: {', '.join(FACET_FIELDS)})")
    query = request.query
    sort = request.sort if query.has_text else "date"  # without words there is no relevance
    # The caller holds a read transaction: one snapshot for every statement of this search.
    connection.execute(_MATCHES_TABLE)
    try:
        connection.execute(*_matching_sql(query, scored=sort == "relevance"))
        total = connection.execute("SELECT count(*) FROM temp.matches").fetchone()[0]
        result = SearchResult(total=total, hits=[])
        if request.facets and total:
            result.facets = _facets(connection, request)
        elif request.facets:
            result.facets = {name: [] for name in request.facets}
        if request.histogram and total:
            result.histogram = _histogram(connection, request.histogram)
        if request.size and total:
            _page(connection, request, sort, result)
        return result
    finally:
        connection.execute("DELETE FROM temp.matches")


def _facets(connection: sqlite3.Connection, request: SearchRequest) -> dict[str, list[tuple[str, int]]]:
    # A bincount over the matching documents' packed id lists is an order of magnitude faster
    # than a SQL GROUP BY over the postings (no sorter, one row read per matching document).
    packed = b"".join(row[0] for row in connection.execute("SELECT facet_ids FROM temp.matches"))
    counts = np.bincount(np.frombuffer(packed, dtype=FACET_ID_DTYPE))
    fields = sorted(set(request.facets.values()))
    labels = connection.execute(
        f"SELECT id, field, value FROM facet_values WHERE field IN ({', '.join('?' * len(fields))})", fields
    ).fetchall()
    by_field: dict[str, list[tuple[str, int]]] = {field: [] for field in fields}
    for value_id, field, value in labels:
        count = int(counts[value_id]) if value_id < len(counts) else 0
        if count:
            by_field[field].append((value, count))
    return {
        name: sorted(by_field[field], key=lambda item: (-item[1], item[0]))[: request.facet_size]
        for name, field in request.facets.items()
    }


def _histogram(connection: sqlite3.Connection, interval: str) -> list[tuple[str, int]]:
    """Non-empty buckets keyed by their first day: 2024-03-05 (day, week from Monday), 2024-03, 2024."""
    rows = connection.execute("SELECT published FROM temp.matches WHERE published IS NOT NULL")
    moments = np.fromiter((row[0] for row in rows), dtype=np.int64).astype("datetime64[ms]")
    if interval == "week":
        days = moments.astype("datetime64[D]").astype(np.int64)
        keys = (((days + 3) // 7) * 7 - 3).astype("datetime64[D]")  # 1970-01-01 was a Thursday
    else:
        keys = moments.astype({"day": "datetime64[D]", "month": "datetime64[M]", "year": "datetime64[Y]"}[interval])
    buckets, counts = np.unique(keys, return_counts=True)
    return [(str(bucket), int(count)) for bucket, count in zip(buckets, counts, strict=True)]


def _page(
    connection: sqlite3.Connection, request: SearchRequest, sort: Literal["relevance", "date"], result: SearchResult
) -> None:
    order = _ORDER[sort]
    cursor_sql, params = _cursor_sql(sort, request.search_after)
    source = "temp.matches"
    if request.collapse_stories:  # the best-ranked document of each story stands for it
        source = (
            f"(SELECT m.*, row_number() OVER (PARTITION BY m.story ORDER BY {order}) AS story_rank FROM temp.matches m)"
        )
        cursor_sql = " AND m.story_rank = 1" + cursor_sql
    rows = connection.execute(
        f"SELECT m.rowid, m.id, m.published, m.score, c.title, c.text,"
        " json_extract(c.body, '$.url'), json_extract(c.body, '$.published'), json_extract(c.body, '$.language'),"
        " json_extract(c.body, '$.source_id'), json_extract(c.body, '$.kind')"
        f" FROM (SELECT m.* FROM {source} m WHERE 1{cursor_sql} ORDER BY {order} LIMIT ?) m"
        f" JOIN contents c ON c.rowid = m.rowid ORDER BY {order}",
        [*params, request.size + 1],
    ).fetchall()
    match = match_expression(request.query)
    for rowid, doc_id, _, score, title, text, url, published, language, source_id, kind in rows[: request.size]:
        result.hits.append(
            Hit(
                id=doc_id,
                url=url,
                title=title,
                snippet=_snippet(connection, match, rowid, text),
                score=score,
                published=datetime.fromisoformat(published) if published else None,
                language=language,
                source_id=source_id,
                kind=kind,
            )
        )
    if len(rows) > request.size:
        last = rows[request.size - 1]
        result.next_cursor = [last[3], last[1]] if sort == "relevance" else [last[2], last[1]]


def _snippet(connection: sqlite3.Connection, match: str | None, rowid: int, text: str) -> str:
    if match is None:
        return leading_snippet(text)
    row = connection.execute(
        "SELECT snippet(fts, 1, ?, ?, ?, ?) FROM fts WHERE fts MATCH ? AND rowid = ?",
        (OPEN_SENTINEL, CLOSE_SENTINEL, ELLIPSIS, SNIPPET_WORDS, match, rowid),
    ).fetchone()
    return sentinels_to_html(row[0]) if row and row[0] else leading_snippet(text)
