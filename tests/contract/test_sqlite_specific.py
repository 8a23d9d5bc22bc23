"""What the embedded backend promises beyond the shared contract: its file, its schema version,
concurrent readers during writes, rejected documents, and safe rendering of hostile queries."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from index.backend import open_backend
from index.cursor import CursorError
from index.query import SearchRequest, parse_query
from index.sqlite.backend import SqliteBackend
from index.sqlite.render import Renderer, fts_string
from index.sqlite.schema import MAPPING_VERSION, SchemaVersionError
from schema.document import Document
from settings.config import load_config
from tests.contract.contract_documents import FIXTURE_DOCUMENTS


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "index.sqlite3"


def _search(backend: SqliteBackend, text: str) -> set[str]:
    return {hit.id for hit in backend.search(SearchRequest(query=parse_query(text), size=100)).hits}


def test_default_url_uses_the_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSINT_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.delenv("OSINT_INDEX_URL", raising=False)
    with open_backend(load_config().index_url) as backend:
        status = backend.status()
    assert (status.backend, status.index, status.mapping_version) == ("sqlite", "documents", MAPPING_VERSION)
    assert Path(status.location) == (tmp_path / "store" / "index.sqlite3").resolve()


def test_documents_survive_reopening_in_wal_mode(path: Path) -> None:
    with SqliteBackend(path) as backend:
        backend.upsert(FIXTURE_DOCUMENTS.values())
    with SqliteBackend(path) as backend:
        assert backend.count() == len(FIXTURE_DOCUMENTS)
        assert backend.status().documents == len(FIXTURE_DOCUMENTS)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == MAPPING_VERSION
    connection.close()


def test_a_newer_schema_is_refused(path: Path) -> None:
    SqliteBackend(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {MAPPING_VERSION + 1}")
    connection.close()
    with pytest.raises(SchemaVersionError):
        SqliteBackend(path)


def test_searches_proceed_while_another_process_writes(path: Path) -> None:
    reader = SqliteBackend(path)
    reader.upsert([FIXTURE_DOCUMENTS["mombasa"]])
    # A second connection (as the crawler process would hold) keeps a write transaction open.
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE documents SET story_id = 'pending'")
    finished = threading.Event()
    results: list[set[str]] = []

    def search() -> None:
        results.append(_search(reader, "mombasa"))
        finished.set()

    thread = threading.Thread(target=search)
    thread.start()
    assert finished.wait(timeout=10), "a search waited for the writer"
    thread.join()
    assert results == [{FIXTURE_DOCUMENTS["mombasa"].id}]
    writer.execute("ROLLBACK")
    writer.close()
    reader.close()


def test_two_backends_on_one_file_see_each_others_writes(path: Path) -> None:
    with SqliteBackend(path) as crawler, SqliteBackend(path) as web:
        crawler.upsert([FIXTURE_DOCUMENTS["forum"]])
        assert _search(web, "carbine") == {FIXTURE_DOCUMENTS["forum"].id}
        web.upsert([FIXTURE_DOCUMENTS["forum"].model_copy(update={"text": "Listing withdrawn."})])
        assert _search(crawler, "carbine") == {FIXTURE_DOCUMENTS["forum"].id}  # still in the title
        assert _search(crawler, "paperwork") == set()


def test_an_unstorable_document_fails_alone(path: Path) -> None:
    broken = Document.new("https://news.example.org/broken", title="Broken", text="half a surrogate \ud800 here")
    with SqliteBackend(path) as backend:
        result = backend.upsert([FIXTURE_DOCUMENTS["mombasa"], broken, FIXTURE_DOCUMENTS["forum"]])
        assert result.indexed == 2
        assert [(failure.id, failure.reason, failure.retryable) for failure in result.failures] == [
            (broken.id, "invalid_document", False)
        ]
        assert backend.count() == 2 and backend.get(broken.id) is None
        assert _search(backend, "carbine") == {FIXTURE_DOCUMENTS["forum"].id}


def test_terms_are_rendered_as_fts5_strings() -> None:
    renderer = Renderer(["en", "ru"], lambda word, edits, columns, prefix: [prefix + word])
    assert fts_string('say "hi"') == '"say ""hi"""'
    assert renderer.fts(parse_query("ak-47*").where) == '{title text}: "ak-47"*'
    # a word: its exact form and its stem for each language (none for a language whose stemmer
    # cannot touch the word's script), with no column filter: no other column holds such tokens
    assert renderer.fts(parse_query('rifles OR carbines "port of" -mortar').where) == (
        '(((("rifles" OR "en_rifl") OR ("carbines" OR "en_carbin")) AND {title text}: "port of")'
        ' NOT ("mortar" OR "en_mortar"))'
    )
    assert renderer.fts(parse_query("автоматы").where) == '("автоматы" OR "ru_автомат")'
    assert renderer.fts(parse_query("ak-47").where) == '("ak-47" OR "en_ak en_47" OR designations: "ak47")'
    assert renderer.fts(parse_query("title:rifles").where) == '({title}: "rifles" OR {title_stem}: "en_rifl")'
    assert renderer.fts(parse_query('author:"Jane Doe" url:example~').where) == (
        '({author}: "a_jane a_doe" AND {url}: "u_example")'
    )
    # FTS5 counts the middle words of a NEAR group; the analyst's distance does not
    assert renderer.fts(parse_query("NEAR(kornet sudan ak, 2)").where) == (
        '({title text}: NEAR("kornet" "sudan" "ak", 3) OR {title_stem text_stem}: NEAR("en_kornet" "en_sudan" "en_ak", 3))'
    )


RIFLES = {"mombasa", "mombasa_copy", "report"}  # the documents with the word "rifles"


FTS5_SYNTAX_AS_TEXT = [
    ("^rifles", RIFLES),  # not FTS5's start-of-column anchor
    ("NEAR rifles", set()),  # the word "near", not FTS5's NEAR group
    ("title rifles", set()),  # the word "title", not a column filter
    ("{title text}", set()),  # the words "title" and "text", not a column set
    ("rifles*^", RIFLES),
]


@pytest.mark.parametrize(("text", "expected"), FTS5_SYNTAX_AS_TEXT, ids=[text for text, _ in FTS5_SYNTAX_AS_TEXT])
def test_fts5_syntax_typed_by_the_analyst_is_only_text(path: Path, text: str, expected: set[str]) -> None:
    names = {document.id: name for name, document in FIXTURE_DOCUMENTS.items()}
    with SqliteBackend(path) as backend:
        backend.upsert(FIXTURE_DOCUMENTS.values())
        # must not raise an FTS5 syntax error, and finds what the words alone find
        assert {names[hit_id] for hit_id in _search(backend, text)} == expected


def test_a_foreign_cursor_is_refused(path: Path) -> None:
    with SqliteBackend(path) as backend:
        backend.upsert(FIXTURE_DOCUMENTS.values())
        for cursor in (["x", "y"], [1.0], [True, "id"], [None, 3]):
            with pytest.raises(CursorError):
                backend.search(SearchRequest(query=parse_query("rifles"), search_after=cursor))
