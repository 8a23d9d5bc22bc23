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
from array import array
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import numpy as np
from rapidfuzz.distance import OSA

from index.analysis import FUZZY_EXPANSIONS, auto_edits, fold
from index.cursor import sort_after
from index.query import Hit, Query, SearchRequest, SearchResult
from index.snippets import CLOSE_SENTINEL, ELLIPSIS, OPEN_SENTINEL, SNIPPET_WORDS, leading_snippet, sentinels_to_html
from index.sqlite.highlight import Highlighter
from index.sqlite.render import FuzzyExpander, Plan, Renderer, plan, query_languages
from index.sqlite.schema import FACET_FIELDS, FACET_ID_DTYPE, FTS_COLUMNS, epoch_ms

#: bm25 weights of the FTS columns (schema.FTS_COLUMNS): a word in the title counts three times
#: as much as in the text, and an exact form twice as much as another inflection of it.
COLUMN_WEIGHTS = {
    "title": 3.0,
    "text": 1.0,
    "title_stem": 1.5,
    "text_stem": 0.5,
    "designations": 1.0,
    "author": 1.0,
    "url": 0.5,
}
BM25_WEIGHTS = ", ".join(str(COLUMN_WEIGHTS[column]) for column in FTS_COLUMNS)

_ORDER = {
    "relevance": "m.score DESC, m.id ASC",
    "date": "m.published IS NULL, m.published DESC, m.id ASC",
}
#: rowids fetched from SQLite at a time by matching_rowids
_ROWID_BATCH = 10_000
_VOCABULARY_TABLE = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocabulary USING fts5vocab(main, 'fts', 'col')"
_MATCHES_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS matches (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, published INTEGER, story TEXT NOT NULL, score REAL NOT NULL,
    facet_ids BLOB NOT NULL
)
"""


def _matching(plan: Plan, scored: bool) -> tuple[str, str, list[object]]:
    """(score expression, `FROM … WHERE …` over documents `d`, parameters): the documents `plan` matches."""
    clauses, params = list(plan.conditions), list(plan.params)
    if plan.match is not None:
        source = "fts JOIN documents d ON d.rowid = fts.rowid"
        # bm25 is the most expensive part of a search: skip it when sorting by date.
        score = f"-bm25(fts, {BM25_WEIGHTS})" if scored else "0.0"
        clauses.insert(0, "fts MATCH ?")
        params.insert(0, plan.match)
    else:
        source, score = "documents d", "0.0"
        if scored and plan.score_match is not None:  # words under OR with a filter still rank (_score_words)
            score = "coalesce((SELECT s.score FROM temp.scores s WHERE s.rowid = d.rowid), 0.0)"
    _dates_and_ids(plan, clauses, params)
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return score, f"FROM {source}{where}", params


def _matching_sql(plan: Plan, scored: bool) -> tuple[str, list[object]]:
    score, source, params = _matching(plan, scored)
    sql = (
        "INSERT INTO temp.matches (rowid, id, published, story, score, facet_ids)"
        f" SELECT d.rowid, d.id, d.published, COALESCE(d.story_id, d.id), {score}, d.facet_ids {source}"
    )
    return sql, params


def matching_rowids(connection: sqlite3.Connection, query: Query) -> array[int]:
    """The rowids of every document `query` matches, in date order (newest first, undated last,
    ties by id), found with the very plan a search runs: 8 bytes per match, so an export of a
    million documents holds 8 MB of them while the documents themselves are read in batches."""
    search_plan = plan(query, Renderer(query_languages(query, connection), _fuzzy_expander(connection)))
    _, source, params = _matching(search_plan, scored=False)
    # the order of _ORDER["date"], on documents `d`
    rows = connection.execute(f"SELECT d.rowid {source} ORDER BY d.published IS NULL, d.published DESC, d.id", params)
    rowids = array("q")
    while batch := rows.fetchmany(_ROWID_BATCH):
        rowids.extend(rowid for (rowid,) in batch)
    return rowids


def _score_words(connection: sqlite3.Connection, expression: str) -> None:
    """The scores of every document the query's words match, in one pass (a per-document bm25
    query would redo the statistics each time: quadratic in the matches)."""
    connection.execute(
        f"CREATE TEMP TABLE scores AS SELECT rowid, -bm25(fts, {BM25_WEIGHTS}) AS score FROM fts WHERE fts MATCH ?",
        (expression,),
    )
    connection.execute("CREATE UNIQUE INDEX temp.scores_by_rowid ON scores (rowid)")


def _dates_and_ids(plan: Plan, clauses: list[str], params: list[object]) -> None:
    query = plan.query
    if query.since is not None:
        clauses.append("d.published >= ?")
        params.append(epoch_ms(query.since))
    if query.until is not None:
        clauses.append("d.published <= ?")
        params.append(epoch_ms(query.until))
    if query.ids is not None:
        clauses.append(f"d.id IN ({', '.join('?' * len(query.ids))})" if query.ids else "0")
        params.extend(query.ids)


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
    renderer = Renderer(query_languages(query, connection), _fuzzy_expander(connection))
    search_plan = plan(query, renderer)
    try:
        if sort == "relevance" and search_plan.match is None and search_plan.score_match is not None:
            _score_words(connection, search_plan.score_match)
        connection.execute(*_matching_sql(search_plan, scored=sort == "relevance"))
        total = connection.execute("SELECT count(*) FROM temp.matches").fetchone()[0]
        result = SearchResult(total=total, hits=[])
        if request.facets and total:
            result.facets = _facets(connection, request)
        elif request.facets:
            result.facets = {name: [] for name in request.facets}
        if request.histogram and total:
            result.histogram = _histogram(connection, request.histogram)
        if request.size and total:
            _page(connection, request, sort, result, search_plan, renderer)
        return result
    finally:
        connection.execute("DELETE FROM temp.matches")
        connection.execute("DROP TABLE IF EXISTS temp.scores")


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
    connection: sqlite3.Connection,
    request: SearchRequest,
    sort: Literal["relevance", "date"],
    result: SearchResult,
    search_plan: Plan,
    renderer: Renderer,
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
    match = search_plan.match or search_plan.score_match
    highlighter = Highlighter(request.query, renderer.fuzzy_words) if match else None
    for rowid, doc_id, _, score, title, text, url, published, language, source_id, kind in rows[: request.size]:
        result.hits.append(
            Hit(
                id=doc_id,
                url=url,
                title=title,
                snippet=_snippet(connection, match, highlighter, rowid, text, language),
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


def _snippet(
    connection: sqlite3.Connection,
    match: str | None,
    highlighter: Highlighter | None,
    rowid: int,
    text: str,
    language: str,
) -> str:
    if match is None or highlighter is None:
        return leading_snippet(text)
    row = connection.execute(
        "SELECT snippet(fts, 1, ?, ?, ?, ?) FROM fts WHERE fts MATCH ? AND rowid = ?",
        (OPEN_SENTINEL, CLOSE_SENTINEL, ELLIPSIS, SNIPPET_WORDS, match, rowid),
    ).fetchone()
    if row and row[0] and OPEN_SENTINEL in row[0]:
        return sentinels_to_html(row[0])
    # The match is an inflection or a designation (stem columns), which FTS5 cannot mark in the text.
    return highlighter.snippet(text, language)


def _fuzzy_expander(connection: sqlite3.Connection) -> FuzzyExpander:
    def expand(word: str, edits: int | None, columns: Sequence[str], prefix: str) -> list[str]:
        folded = fold(word)
        if not folded:
            return []
        limit = edits if edits is not None else auto_edits(folded)
        start = prefix + folded[0]
        connection.execute(_VOCABULARY_TABLE)  # (only searches with a fuzzy word read the vocabulary)
        rows = connection.execute(
            "SELECT DISTINCT term FROM temp.vocabulary WHERE term >= ? AND term < ?"
            f" AND col IN ({', '.join('?' * len(columns))})",
            (start, start + "\U0010ffff", *columns),
        )
        close = [(OSA.distance(folded, term[len(prefix) :], score_cutoff=limit), term) for (term,) in rows]
        return [term for distance, term in sorted(close) if distance <= limit][:FUZZY_EXPANSIONS]

    return expand
