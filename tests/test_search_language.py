"""The search language as an analyst meets it on the command line and in the embedded index:
warnings with suggestions, --expand with what it ran, errors with their column, the help, the
upgrade of an index written before morphology, and snippets for inflected matches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from index.query import SearchRequest, parse_query
from index.sqlite.backend import SqliteBackend
from index.sqlite.schema import _DDL, MAPPING_VERSION, _split_statements, pack_ids
from schema.document import Document

SEIZURE = Document.new(
    "https://news.example.org/seizure",
    title="Kalashnikovs seized at the border",
    text="Customs officers seized twelve Kalashnikov rifles and an RPG-7 launcher from the Islamic State cell.",
    language="en",
    weapons=["AK-47", "RPG-7"],
    armed_groups=["Islamic State"],
)
OTHER = Document.new(
    "https://news.example.org/other",
    title="Convoy report",
    text="A convoy carried AKM rifles north; the report names ISIS fighters.",
    language="en",
    weapons=["AK-47"],
    armed_groups=["Islamic State"],
)


def test_an_unknown_filter_value_warns_and_suggests(osint):
    osint.index(SEIZURE, OTHER)
    answer = osint.json("search", "weapon:Kornett country:Narnia", "--json")
    assert answer["total"] == 0
    assert answer["warnings"] == [
        "no known weapon 'Kornett'; did you mean 9M133 Kornet?",
        "no known country 'Narnia'",
    ]
    shown = osint.run("search", "weapon:Kornett")
    assert shown.returncode == 0 and "did you mean 9M133 Kornet?" in shown.stderr
    assert osint.json("search", "weapon:Kalashnikov", "--json")["warnings"] == []  # an alias is known


def test_expand_matches_the_entities_words_name_and_says_so(osint):
    osint.index(SEIZURE, OTHER)
    plain = osint.json("search", "Kalashnikov", "--json")
    assert [hit["url"] for hit in plain["hits"]] == [SEIZURE.url] and plain["explain"] is None
    expanded = osint.json("search", "Kalashnikov", "--expand", "--json")
    assert {hit["url"] for hit in expanded["hits"]} == {SEIZURE.url, OTHER.url}
    assert expanded["explain"].startswith("Kalashnikov OR weapon:(AK-47 OR AK-74")
    group = osint.json("search", "ISIS", "--expand", "--json")
    assert group["explain"] == 'ISIS OR group:"Islamic State"' and group["total"] == 2


def test_a_query_error_points_at_its_column(osint):
    result = osint.run("search", "(rifles OR carbines) AND (Sudan", check=False)
    assert result.returncode == 2
    assert "near column 26: unclosed parenthesis" in result.stderr


def test_the_help_shows_the_whole_syntax(osint):
    shown = osint.run("search", "--help").stdout
    for example in ('"kornet sudan"~10', "kornett~", "=rifle", "NOT airsoft", "AK47", "author:", "weapon:(Strela-2"):
        assert example in shown, example


def test_an_index_written_before_morphology_is_upgraded_in_place(tmp_path: Path):
    path = tmp_path / "index.sqlite3"
    old = sqlite3.connect(path)  # version 1, as an earlier release wrote it
    for statement in _split_statements(_DDL):
        old.execute(statement)
    old.execute("INSERT INTO facet_values (id, field, value, value_lower) VALUES (1, 'language', 'en', 'en')")
    old.execute("INSERT INTO facets (value_id, doc_id) VALUES (1, 1)")
    old.execute(
        "INSERT INTO documents (rowid, id, published, story_id, facet_ids) VALUES (1, ?, NULL, NULL, ?)",
        [SEIZURE.id, pack_ids([1])],
    )
    old.execute(
        "INSERT INTO contents (rowid, title, text, body) VALUES (1, ?, ?, ?)",
        [SEIZURE.title, SEIZURE.text, SEIZURE.model_dump_json(exclude={"title", "text"})],
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    with SqliteBackend(path) as backend:
        assert backend.status().mapping_version == MAPPING_VERSION == 3
        for text in ("launchers", "Kalashnikov", "RPG7", "url:seizure", "=launcher"):
            assert backend.search(SearchRequest(query=parse_query(text))).total == 1, text
        assert backend.search(SearchRequest(query=parse_query("=launchers"))).total == 0


def test_index_upgrade_reports_the_mapping_version(osint):
    osint.index(SEIZURE)
    assert osint.json("index", "upgrade", "--json")["mapping_version"] == MAPPING_VERSION


def test_an_inflected_match_is_marked_in_the_snippet(tmp_path: Path):
    russian = Document.new(
        "https://news.example.org/ru",
        title="Задержание",
        text="Пограничники задержали грузовик с автоматами и гранатами <script>.",
        language="ru",
    )
    with SqliteBackend(tmp_path / "index.sqlite3") as backend:
        backend.upsert([russian, SEIZURE])
        (hit,) = backend.search(SearchRequest(query=parse_query("автомат"))).hits
        assert "<mark>автоматами</mark>" in hit.snippet and "&lt;script&gt;" in hit.snippet
        (hit,) = backend.search(SearchRequest(query=parse_query("RPG7 launchers"))).hits
        assert "<mark>RPG-7</mark>" in hit.snippet or "<mark>RPG</mark>" in hit.snippet
        assert "<mark>launcher</mark>" in hit.snippet
