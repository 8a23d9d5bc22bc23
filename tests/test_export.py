"""`osint export` and the web app's `/export`: every document a search matches, in each format,
through the real CLI and the real server, over a real embedded index."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pytest

from exports.csv_export import COLUMNS
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from tests.crawl.helpers import OsintCli

KORNET = Document.new(
    "https://news.example.org/kornet",
    title="Kornet launchers seen with Islamic State fighters in Iraq",
    text="Photographs show 9M133 Kornet launchers and AK-47 rifles held by Islamic State fighters near Mosul.",
    language="en",
    source_id="iraq-news",
    published=datetime(2025, 3, 1, tzinfo=UTC),
    weapons=["9M133 Kornet", "AK-47"],
    armed_groups=["Islamic State"],
    countries=["IQ"],
)
RIFLES = Document.new(
    "https://news.example.org/rifles",
    title='=HYPERLINK("http://evil.example","Rifles seized")',
    text="Customs seized AK-47 rifles bound for Syria.",
    language="en",
    source_id="customs",
    published=datetime(2025, 2, 1, tzinfo=UTC),
    weapons=["AK-47"],
    countries=["SY"],
)
UNDATED = Document.new(
    "https://forum.example.org/t/9",
    title="Forum: AK-47 prices",
    text="Prices for AK-47 rifles went up again.",
    language="en",
    source_id="forum",
    weapons=["AK-47"],
)
DOCUMENTS = [KORNET, RIFLES, UNDATED]  # in date order: newest first, undated last


@pytest.fixture
def indexed(osint: OsintCli) -> OsintCli:
    osint.index(*DOCUMENTS)
    return osint


def test_csv_export_to_a_file(indexed: OsintCli, tmp_path: Path) -> None:
    target = tmp_path / "rifles.csv"
    summary = indexed.json("export", "rifles", "--format", "csv", "-o", str(target))
    assert summary == {"format": "csv", "documents": 3, "path": str(target.resolve()), "bytes": target.stat().st_size}
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"), newline="")))
    assert [row["id"] for row in rows] == [document.id for document in DOCUMENTS]
    assert rows[1]["title"] == "'" + RIFLES.title  # never a formula
    assert rows[0]["weapons"] == "9M133 Kornet; AK-47" and rows[0]["armed_groups"] == "Islamic State"
    assert "rifles" in rows[0]["snippet"]
    assert not (tmp_path / "rifles.csv.part").exists()


def test_the_query_is_prepared_as_a_search_is(indexed: OsintCli, tmp_path: Path) -> None:
    """Filter values by any alias, with warnings for unknown ones; --expand too."""
    target = tmp_path / "out.jsonl"
    for query in ("weapon:kornet country:Iraq", "group:ISIS", "weapon:ak47 -country:syria", "since:2025-02-15"):
        indexed.run("export", query, "--format", "jsonl", "-o", str(target))
        exported = [Document.model_validate_json(line).id for line in target.read_text().splitlines()]
        searched = [hit["id"] for hit in indexed.json("search", query, "--sort", "date", "--size", "100")["hits"]]
        assert exported == searched and exported, query
    result = indexed.run("export", "weapon:Kornett", "-o", str(target))
    assert "did you mean 9M133 Kornet?" in result.stderr and target.read_text("utf-8-sig").count("\n") == 1
    indexed.run("export", "Kalashnikov", "--expand", "--format", "jsonl", "-o", str(target))
    assert len(target.read_text().splitlines()) == 3  # the word names the AK family: AK-47 documents match


def test_jsonl_to_standard_output_reads_back(indexed: OsintCli) -> None:
    result = indexed.run("export", "", "--format", "jsonl", "-o", "-")
    assert [Document.model_validate_json(line) for line in result.stdout.splitlines()] == DOCUMENTS
    assert "Exported 3 documents" in result.stderr


def test_ftm_and_graph_exports(indexed: OsintCli, tmp_path: Path) -> None:
    indexed.run("export", "", "--format", "ftm", "-o", str(tmp_path / "all.ftm.json"))
    schemata = [json.loads(line)["schema"] for line in (tmp_path / "all.ftm.json").read_text().splitlines()]
    assert schemata.count("Article") == 3 and schemata.count("Asset") == 2 and schemata.count("Organization") == 1
    for name in ("graphml", "gexf"):
        path = tmp_path / f"all.{name}"
        assert indexed.json("export", "", "--format", name, "-o", str(path))["documents"] == 3
        graph = (nx.read_graphml if name == "graphml" else nx.read_gexf)(path)
        assert graph.edges["weapon:AK-47", "country:IQ"]["document_ids"] == KORNET.id
        assert graph.edges["weapon:AK-47", "country:SY"]["document_ids"] == RIFLES.id
        assert graph.nodes["weapon:AK-47"]["document_count"] == 3
        assert graph.nodes["country:SY"]["label"] == "Syria (SY)"


def test_an_export_of_nothing(indexed: OsintCli, tmp_path: Path) -> None:
    target = tmp_path / "none.csv"
    assert indexed.json("export", "zeppelin", "-o", str(target))["documents"] == 0
    assert target.read_text("utf-8-sig").splitlines() == [",".join(COLUMNS)]  # the header alone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf", "-o", "x.pdf"], "'pdf' is not one of"),
        (["colour:red", "-o", "x.csv"], "unknown field colour:"),
        (['"unclosed', "-o", "x.csv"], "query:"),
        (["--json", "-o", "-"], "give -o a file"),
        (["rifles"], "Missing option '-o'"),
    ],
)
def test_bad_usage_exits_2_with_a_message(indexed: OsintCli, args: list[str], message: str) -> None:
    result = indexed.run("export", *args, check=False)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_failed_export_leaves_no_file(indexed: OsintCli, tmp_path: Path) -> None:
    """A document that cannot be read, after hundreds that were written: the file asked for keeps
    what it had, and nothing half-written is left beside it."""
    index = indexed.data_dir / "index.sqlite3"
    with SqliteBackend(index) as backend:
        backend.upsert(
            Document.new(
                f"https://bulk.example.org/{number}",
                title=f"Bulk {number}",
                text="Rifles again.",
                published=datetime(2025, 4, 1, tzinfo=UTC),  # exported before the undated one
            )
            for number in range(600)
        )
    with sqlite3.connect(index) as connection:  # the undated document (exported last) made unreadable
        connection.execute(
            "UPDATE contents SET body = '{\"broken\": 1}' WHERE rowid = (SELECT rowid FROM documents WHERE id = ?)",
            (UNDATED.id,),
        )
    connection.close()
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "out.csv"
    target.write_text("an earlier export")
    result = indexed.run("export", "", "-o", str(target), check=False)
    assert result.returncode == 1
    assert target.read_text() == "an earlier export"
    assert [path.name for path in exports.iterdir()] == ["out.csv"]
    result = indexed.run("export", "", "-o", str(exports / "missing" / "out.csv"), check=False)
    assert result.returncode == 1 and "cannot write" in result.stderr and not (exports / "missing").exists()


def test_an_unreachable_index_fails_cleanly(osint: OsintCli, tmp_path: Path, closed_port: int) -> None:
    osint.env["OSINT_INDEX_URL"] = f"http://127.0.0.1:{closed_port}"
    result = osint.run("export", "rifles", "-o", str(tmp_path / "out.csv"), check=False)
    assert result.returncode == 1 and "the index cannot be read" in result.stderr
    assert list(tmp_path.iterdir()) == []
