"""Exports of a real crawl: a local site crawled through the CLI, Scrapy and the extractors into
the embedded index, then exported in every format and read back with each format's own reader."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from followthemoney import model

from app.site_server import Route, SiteServer
from exports.csv_export import COLUMNS
from schema.document import Document
from tests.crawl.helpers import OsintCli, write_watchlist

PAGES = {
    "/kornet.html": (
        "Kornet missiles with Islamic State fighters in Iraq",
        "Islamic State fighters near Mosul in Iraq were photographed with 9M133 Kornet anti-tank missiles, "
        "according to researchers who examined the launch tubes and their markings.",
    ),
    "/rifles.html": (
        "Rifles seized on the Syrian border",
        "Customs officers in Syria seized a truck carrying AK-47 rifles hidden under a load of cement bags, "
        "the ministry said in a statement on Tuesday.",
    ),
    "/market.html": (
        "Market prices of surplus equipment",
        "Prices of surplus boots and tents went up again this month, traders told our reporter.",
    ),
}


def _page(title: str, text: str, links: str = "") -> Route:
    body = (
        f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{text}</p><p>{text}</p></article><nav>{links}</nav></body></html>"
    ).encode()
    return lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, body)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[OsintCli, Path]:
    tmp = tmp_path_factory.mktemp("export-crawl")
    links = " ".join(f"<a href='{path}'>report {number}</a>" for number, path in enumerate(PAGES, 1))
    routes = {"/": _page("Arms monitor", "Latest reports from the arms monitor.", links)}
    routes.update({path: _page(title, text) for path, (title, text) in PAGES.items()})
    osint = OsintCli(tmp / "data", extract_workers=0)
    with SiteServer(routes=routes) as site:
        watchlist = write_watchlist(
            tmp / "site.yaml", [{"id": "monitor", "kind": "site", "urls": [site.url("/")], "scope": {"max_depth": 1}}]
        )
        report = osint.json("crawl", str(watchlist))
    assert report["indexed"] == 1 + len(PAGES), report
    exports = tmp / "exports"
    exports.mkdir()
    return osint, exports


def _export(osint: OsintCli, exports: Path, name: str, query: str = "") -> Path:
    path = exports / f"all.{name}"
    summary = osint.json("export", query, "--format", name, "-o", str(path))
    assert summary["bytes"] == path.stat().st_size
    return path


def _by_title(documents: list[Document], start: str) -> Document:
    return next(document for document in documents if document.title.startswith(start))


def test_jsonl_holds_every_crawled_document(crawled: tuple[OsintCli, Path]) -> None:
    osint, exports = crawled
    documents = [
        Document.model_validate_json(line) for line in _export(osint, exports, "jsonl").read_text().splitlines()
    ]
    assert len(documents) == 1 + len(PAGES)
    kornet = _by_title(documents, "Kornet missiles")
    assert "9M133 Kornet" in kornet.weapons and "Islamic State" in kornet.armed_groups and "IQ" in kornet.countries
    rifles = _by_title(documents, "Rifles seized")
    assert "AK-47" in rifles.weapons and "SY" in rifles.countries
    searched = [hit["id"] for hit in osint.json("search", "", "--sort", "date", "--size", "100")["hits"]]
    assert [document.id for document in documents] == searched  # the date order of a search


def test_csv_rows_of_the_crawl(crawled: tuple[OsintCli, Path]) -> None:
    osint, exports = crawled
    rows = list(csv.DictReader(io.StringIO(_export(osint, exports, "csv", "weapon:kornet").read_text("utf-8-sig"))))
    assert len(rows) == 1 and tuple(rows[0]) == COLUMNS
    (row,) = rows
    assert row["title"] == "Kornet missiles with Islamic State fighters in Iraq"
    assert "9M133 Kornet" in row["weapons"].split("; ") and "IQ" in row["countries"].split("; ")
    assert row["source"] == "monitor" and row["kind"] == "site" and row["language"] == "en"
    assert row["url"].endswith("/kornet.html") and row["fetched"]
    assert "Kornet" in row["snippet"] and "<" not in row["snippet"]
    document = Document.model_validate_json(osint.run("export", "weapon:kornet", "--format", "jsonl", "-o", "-").stdout)
    if document.capture is not None:  # the crawl kept the page's bytes: the row cites them
        assert (row["capture_sha256"], row["capture_warc"]) == (document.capture.payload_sha256, document.capture.warc)


def test_ftm_entities_of_the_crawl_are_valid(crawled: tuple[OsintCli, Path]) -> None:
    osint, exports = crawled
    entities = [json.loads(line) for line in _export(osint, exports, "ftm").read_text().splitlines()]
    ids = set()
    for data in entities:
        proxy = model.get_proxy(data, cleaned=False)
        proxy.schema.validate(data)
        assert set(data["properties"]) <= set(proxy.schema.properties)
        ids.add(data["id"])
    links = [data for data in entities if data["schema"] == "Documentation"]
    assert links and all({link["properties"]["document"][0], link["properties"]["entity"][0]} <= ids for link in links)
    names = {
        data["properties"]["name"][0]: data["schema"]
        for data in entities
        if data["schema"] != "Documentation" and "name" in data["properties"]
    }
    assert names["9M133 Kornet"] == "Asset" and names["Islamic State"] == "Organization"
    kornet = next(data for data in entities if data["properties"].get("title") == [PAGES["/kornet.html"][0]])
    assert "iq" in kornet["properties"]["detectedCountry"]


@pytest.mark.parametrize("name", ["graphml", "gexf"])
def test_the_cooccurrence_graph_of_the_crawl(crawled: tuple[OsintCli, Path], name: str) -> None:
    osint, exports = crawled
    documents = {
        document.title: document
        for document in map(
            Document.model_validate_json, osint.run("export", "", "--format", "jsonl", "-o", "-").stdout.splitlines()
        )
    }
    path = _export(osint, exports, name)
    graph = (nx.read_graphml if name == "graphml" else nx.read_gexf)(path)
    kornet = documents[PAGES["/kornet.html"][0]].id
    rifles = documents[PAGES["/rifles.html"][0]].id
    assert graph.edges["weapon:9M133 Kornet", "armed_group:Islamic State"]["document_ids"] == kornet
    assert graph.edges["weapon:9M133 Kornet", "country:IQ"]["weight"] == 1
    assert graph.edges["armed_group:Islamic State", "country:IQ"]["document_ids"] == kornet
    assert rifles in graph.edges["weapon:AK-47", "country:SY"]["document_ids"].split(" ")
    assert graph.nodes["country:IQ"]["label"] == "Iraq (IQ)" and graph.nodes["country:SY"]["type"] == "country"
    # every edge is the documents naming both of its ends, and nothing else
    for first, second, data in graph.edges(data=True):
        naming = {
            document.id for document in documents.values() if all(_names(document, node) for node in (first, second))
        }
        assert set(data["document_ids"].split(" ")) == naming and int(data["weight"]) == len(naming)


def _names(document: Document, node: str) -> bool:
    kind, _, value = node.partition(":")
    return (
        value in {"weapon": document.weapons, "armed_group": document.armed_groups, "country": document.countries}[kind]
    )
