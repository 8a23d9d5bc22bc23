"""Paging cursors come back from users as text: a bad one is a clear refusal (exit 2 on the command
line, 400 on the web), never an OverflowError or RecursionError; a good one still pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from index.cursor import CursorError, parse_cursor
from index.query import QuerySyntaxError, SearchRequest, parse_query
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from tests.serving import http_get, serve_workbench

BAD_CURSORS = {
    "integer beyond 64 bits": '[100000000000000000000000000,"a"]',
    "3,000 nested lists": "[" * 3000,
    "3,000 nested, closed": "[" * 3000 + "]" * 3000,
    "NaN": '[NaN,"a"]',
    "infinite float": '[1e999,"a"]',
    "three items": '[1,"a",2]',
    "an object": '{"after": 1}',
    "a list as sort value": '[[1],"a"]',
    "a bool as sort value": '[true,"a"]',
    "a number as id": "[1.5, 3]",
    "a control character in the id": '[1.5,"a\\u0000"]',
    "a lone surrogate in the id": '[1.5,"\\ud800"]',
    "an empty id": '[1.5,""]',
    "negative collapsed offset": '["collapsed",-1]',
    "collapsed cursor without --collapse": '["collapsed",10]',
    "undated cursor for a relevance search": '[null,"a"]',
    "not JSON": "not-json",
    "an integer of 5,000 digits": "[" + "9" * 5000 + ',"a"]',
}


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "index.sqlite3"
    path.parent.mkdir()
    with SqliteBackend(path) as backend:
        backend.upsert(
            [
                Document.new(
                    f"https://news.example.org/{n}", title=f"Rifles {n}", text="rifles seized " * (n + 1), language="en"
                )
                for n in range(5)
            ]
        )
    return path


def test_the_cursor_of_a_page_brings_the_next_one(index_path: Path) -> None:
    with SqliteBackend(index_path) as backend:
        first = backend.search(SearchRequest(query=parse_query("rifles"), size=2))
        text = json.dumps(first.next_cursor)
        second = backend.search(SearchRequest(query=parse_query("rifles"), size=2, search_after=parse_cursor(text)))
    assert len(second.hits) == 2 and not {hit.id for hit in first.hits} & {hit.id for hit in second.hits}


@pytest.mark.parametrize("text", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_a_bad_cursor_is_a_query_error_before_or_in_the_backend(index_path: Path, text: str) -> None:
    with pytest.raises(QuerySyntaxError), SqliteBackend(index_path) as backend:
        backend.search(SearchRequest(query=parse_query("rifles"), search_after=parse_cursor(text)))


#: one subprocess each: the cases of the issue, and one only the backend can refuse
CLI_CASES = ["integer beyond 64 bits", "3,000 nested lists", "undated cursor for a relevance search"]


@pytest.mark.parametrize("case", CLI_CASES)
def test_search_after_a_bad_cursor_exits_2(osint, index_path: Path, case: str) -> None:
    result = osint.run("search", "rifles", "--after", BAD_CURSORS[case], check=False)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Invalid value for --after" in result.stderr


@pytest.fixture
def web(index_path: Path) -> Iterator[str]:
    with SqliteBackend(index_path) as backend, serve_workbench(backend) as base_url:
        yield base_url


@pytest.mark.parametrize("text", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
def test_the_web_answers_400_to_a_bad_cursor(web: str, text: str) -> None:
    status, _, body = http_get(f"{web}/api/search?{urlencode({'q': 'rifles', 'after': text})}")
    assert status == 400 and json.loads(body)["detail"]
    status, _, _ = http_get(f"{web}/?{urlencode({'q': 'rifles', 'after': text})}")
    assert status == 400


def test_cursor_errors_are_query_errors() -> None:
    """The command line and the web turn QuerySyntaxError into exit 2 and 400 already."""
    assert issubclass(CursorError, QuerySyntaxError)
