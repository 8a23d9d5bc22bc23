"""The analyst query parser: any text is a Query or a QuerySyntaxError, quickly, and any parsed
query runs on a real SQLite index without an FTS5 syntax error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.query import (
    DATE_FILTERS,
    FILTER_FIELDS,
    MAX_QUERY_CHARS,
    Near,
    QuerySyntaxError,
    SearchRequest,
    canonical_query,
    is_text,
    parse_query,
    walk,
)
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from tests.properties.bounds import cpu_bound

PARSE_CPU_SECONDS = 0.5
SEARCH_CPU_SECONDS = 2.0

_WORDS = st.sampled_from(
    [
        "rifles",
        "AK-47",
        "Kornet",
        "OR",
        "AND",
        "NOT",
        "NEAR",
        "+",
        "-",
        "*",
        "ak*",
        "a*",
        "-mortar",
        "title",
        "{title text}",
        "^",
        "(",
        ")",
        "\\",
        "'",
        "’",
        ".",
        "..",
        "Иран",
        "صاروخ",
        "🙂",
    ]
)
_FILTER_NAMES = st.sampled_from([*FILTER_FIELDS, *DATE_FILTERS, "colour", "Country", "SINCE"])
_FILTER_VALUES = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"\d{1,5}(-\d{1,3}){0,3}", fullmatch=True),  # dates, good and bad
    st.sampled_from(["Iran", "ir,sy", "ak47", "isis", '"two words"', '"unclosed', ",", " , "]),
)
_FILTERS = st.builds(
    lambda negated, name, value: f"{'-' if negated else ''}{name}:{value}", st.booleans(), _FILTER_NAMES, _FILTER_VALUES
)
_PHRASES = st.builds(
    lambda negated, words, closed: ("-" if negated else "") + '"' + words + ('"' if closed else ""),
    st.booleans(),
    st.text(max_size=20),
    st.booleans(),
)
_TOKENS = st.one_of(_WORDS, _FILTERS, _PHRASES, st.text(min_size=1, max_size=10))
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(_TOKENS, max_size=20).map(" ".join),
    st.lists(_WORDS, min_size=60, max_size=80).map(" ".join),  # around MAX_TERMS
    st.integers(MAX_QUERY_CHARS - 2, MAX_QUERY_CHARS + 2).map(lambda n: "a" * n),
)


@settings(max_examples=400)
@given(QUERIES)
def test_any_text_parses_or_is_a_query_syntax_error(text: str) -> None:
    with cpu_bound(PARSE_CPU_SECONDS, f"parse_query({text!r:.80})"):
        try:
            query = parse_query(text)
        except QuerySyntaxError as exc:
            assert str(exc)  # a message for the analyst
            return
    terms = sum(len(node.words) if isinstance(node, Near) else 1 for node, _ in walk(query.where) if is_text(node))
    assert terms <= 64


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteBackend]:
    path: Path = tmp_path_factory.mktemp("index") / "index.sqlite3"
    with SqliteBackend(path) as opened:
        opened.upsert(
            [
                Document.new(
                    "https://news.example.org/1",
                    title="Kornet rifles",
                    text="AK-47 rifles and Kornet launchers seen in Iran.",
                    language="en",
                    countries=["IR"],
                    weapons=["AK-47"],
                ),
                Document.new(
                    "https://news.example.org/2",
                    title="صاروخ",
                    text="Иран: title text NEAR rifles OR mortars.",
                    language="ru",
                ),
            ]
        )
        canonical_query("country:Iran weapon:ak47")  # load the gazetteers outside the time bound
        yield opened


@settings(max_examples=150)
@given(QUERIES, st.sampled_from(["relevance", "date"]), st.booleans())
def test_any_parsed_query_runs_on_sqlite(backend: SqliteBackend, text: str, sort: str, collapse: bool) -> None:
    try:
        query = canonical_query(text)
    except QuerySyntaxError:
        return
    with cpu_bound(SEARCH_CPU_SECONDS, f"search {text!r:.80}"):
        result = backend.search(SearchRequest(query=query, sort=sort, collapse_stories=collapse, histogram="month"))
    assert result.total >= len(result.hits)
