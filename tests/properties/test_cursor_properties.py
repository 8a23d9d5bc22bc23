"""Paging cursors: any text is a cursor or a CursorError; any accepted cursor is either used or
refused with a QuerySyntaxError by both backends (SQLite for real, the engine's request body
rendered), and what goes to the engine is plain JSON (no NaN, no integer beyond 64 bits)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.cursor import COLLAPSED, CursorError, parse_cursor
from index.engine.query import render_search
from index.query import QuerySyntaxError, SearchRequest, parse_query
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from tests.properties.bounds import cpu_bound

CPU_SECONDS = 0.5

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)
_SORT_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**63) - 2, max_value=-(2**63) + 2),
    st.integers(min_value=2**63 - 2, max_value=2**63 + 2),
    st.floats(),
    st.just(COLLAPSED),
    st.text(max_size=5),
)
_CURSOR_LIKE = st.tuples(_SORT_VALUES, st.one_of(st.text(max_size=210), st.integers(), st.none())).map(list)
CURSOR_TEXTS = st.one_of(
    st.text(max_size=300),
    _JSON.map(lambda value: json.dumps(value)),  # NaN and Infinity included: json.dumps writes them
    _CURSOR_LIKE.map(lambda value: json.dumps(value)),
    st.integers(0, 400).map(lambda depth: "[" * depth + "]" * depth),
)


@settings(max_examples=400)
@given(CURSOR_TEXTS)
def test_any_text_is_a_cursor_or_a_cursor_error(text: str) -> None:
    with cpu_bound(CPU_SECONDS, f"parse_cursor({text!r:.80})"):
        try:
            cursor = parse_cursor(text)
        except CursorError as exc:
            assert str(exc)
            return
    assert isinstance(cursor, list) and len(cursor) == 2


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteBackend]:
    path: Path = tmp_path_factory.mktemp("index") / "index.sqlite3"
    with SqliteBackend(path) as opened:
        opened.upsert(
            [
                Document.new(f"https://news.example.org/{n}", title=f"Rifles {n}", text="rifles " * (n + 1))
                for n in range(4)
            ]
        )
        yield opened


@settings(max_examples=300)
@given(CURSOR_TEXTS, st.sampled_from(["relevance", "date"]), st.booleans(), st.sampled_from(["rifles", ""]))
def test_an_accepted_cursor_is_used_or_refused_by_both_backends(
    backend: SqliteBackend, text: str, sort: str, collapse: bool, words: str
) -> None:
    try:
        cursor = parse_cursor(text)
    except CursorError:
        return
    request = SearchRequest(query=parse_query(words), sort=sort, size=2, search_after=cursor, collapse_stories=collapse)
    with cpu_bound(CPU_SECONDS, f"search after {text!r:.80}"):
        with contextlib.suppress(QuerySyntaxError):
            backend.search(request)
        try:
            body = render_search(request)
        except QuerySyntaxError:
            return
    json.dumps(body, allow_nan=False)
    for value in body.get("search_after", []):
        assert not isinstance(value, int) or -(2**63) <= value < 2**63
