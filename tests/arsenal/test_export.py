"""An arsenal profile as CSV (one row per weapon × origin) and as GraphML a graph tool can read."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime

from arsenal.export import CSV_COLUMNS, GRAPHML_NS, write_csv, write_graphml
from arsenal.profile import ProfileRequest, profile_of
from tests.arsenal.documents import GROUP, Named, Said, article, at

NS = {"g": GRAPHML_NS}


def sample_profile(supplier: str = "IR", supplier_kind: str = "country"):
    documents = [
        article(
            "shipped",
            [
                Said(
                    "Type 56 rifles were shipped to the Houthis.",
                    "Type 56",
                    "Type 56",
                    "supply_to",
                    "to_group",
                    supplier=supplier,
                    supplier_kind=supplier_kind,
                ),
                Named("AK-47 rifles were on sale nearby.", "AK-47", "AK-47"),
            ],
            published=at(2024, 3, 4),
        ),
        article(
            "made-in-china",
            [Said("The Houthis used AK-47 rifles made in China.", "AK-47", "AK-47", "use", origin="CN")],
            published=at(2024, 5, 1),
        ),
        article(
            "missile",
            [Said("The Houthis launched a Burkan-2H.", "Burkan-2H", "Burkan-2H", "use")],
            published=at(2023, 1, 1),
        ),
    ]
    request = ProfileRequest(group=GROUP, new_since=datetime(2024, 4, 1, tzinfo=UTC))
    return profile_of([document.linked() for document in documents], request)


def test_csv_has_a_row_per_weapon_and_origin_with_counts_at_each_strength():
    stream = io.BytesIO()
    written = write_csv(sample_profile(), stream)
    data = stream.getvalue()
    assert written == len(data) and data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    table = {(row["weapon"], row["origin"]): row for row in rows}
    assert set(table) == {("Type 56", "CN"), ("AK-47", "CN"), ("AK-47", "RU"), ("Burkan-2H", "IR")}
    assert {key: (row["documents"], row["cooccurrence_documents"], row["strength"]) for key, row in table.items()} == {
        ("Type 56", "CN"): ("1", "0", "sentence"),
        ("AK-47", "CN"): ("1", "0", "sentence"),
        ("AK-47", "RU"): ("0", "1", "cooccurrence"),  # the mere mention, with the gazetteer's origin
        ("Burkan-2H", "IR"): ("1", "0", "sentence"),
    }
    shipped = table["Type 56", "CN"]
    assert (shipped["group"], shipped["origin_name"], shipped["suppliers"]) == (GROUP, "China (CN)", "IR")
    assert (shipped["relation_types"], shipped["first_seen"], shipped["new"]) == (
        "supply_to (1)",
        "2024-03-04T08:00:00+00:00",
        "",
    )
    assert table["AK-47", "CN"]["new"] == "" and table["Burkan-2H", "IR"]["new"] == ""
    assert data.count(b"\r\n") == len(rows) + 1


def test_csv_cells_a_spreadsheet_would_evaluate_are_neutralised():
    stream = io.BytesIO()
    write_csv(sample_profile(supplier='=HYPERLINK("http://evil")', supplier_kind="company"), stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    shipped = next(row for row in rows if row["weapon"] == "Type 56")
    assert shipped["suppliers"] == '\'=HYPERLINK("http://evil")'


def _graph(profile) -> ElementTree.Element:
    stream = io.BytesIO()
    write_graphml(profile, stream)
    root = ElementTree.fromstring(stream.getvalue())  # well-formed, or this raises
    assert root.tag == f"{{{GRAPHML_NS}}}graphml"
    return root


def _data(element: ElementTree.Element, names: dict[str, str]) -> dict[str, str]:
    return {names[data.get("key", "")]: data.text or "" for data in element.findall("g:data", NS)}


def test_graphml_has_group_weapon_origin_and_supplier_nodes_and_declared_keys():
    root = _graph(sample_profile())
    keys = {key.get("id"): key for key in root.findall("g:key", NS)}
    names = {key_id: key.get("attr.name", "") for key_id, key in keys.items()}
    graph = root.find("g:graph", NS)
    assert graph is not None and graph.get("edgedefault") == "directed"
    nodes = {node.get("id"): _data(node, names) for node in graph.findall("g:node", NS)}
    edges = [(edge.get("source"), edge.get("target"), _data(edge, names)) for edge in graph.findall("g:edge", NS)]
    for kind in ("node", "edge"):  # every attribute is declared, for its kind of element
        used = {data.get("key") for element in graph.findall(f"g:{kind}", NS) for data in element.findall("g:data", NS)}
        assert used and all(keys[key].get("for") == kind for key in used)
    assert set(nodes) == {
        "armed_group:Houthis",
        "weapon:Type 56",
        "weapon:AK-47",
        "weapon:Burkan-2H",
        "country:CN",
        "country:RU",
        "country:IR",
    }
    assert nodes["country:IR"]["roles"] == "origin supplier"  # one node: it made the Burkan and supplied rifles
    assert nodes["country:CN"]["label"] == "China (CN)"
    assert (nodes["weapon:AK-47"]["documents"], nodes["weapon:AK-47"]["cooccurrence_documents"]) == ("1", "1")
    assert nodes["weapon:AK-47"]["new"] == "false" and nodes["weapon:Burkan-2H"]["type"] == "weapon"
    assert all(source in nodes and target in nodes for source, target, _ in edges)
    by_pair = {(source, target): data for source, target, data in edges}
    assert by_pair["weapon:AK-47", "armed_group:Houthis"] == {
        "kind": "arsenal",
        "strength": "sentence",
        "weight": "1",
        "documents": "1",
        "cooccurrence_documents": "1",
    }
    assert by_pair["country:RU", "weapon:AK-47"]["strength"] == "cooccurrence"
    assert by_pair["country:IR", "weapon:Type 56"]["kind"] == "supply"
    assert len({edge.get("id") for edge in graph.findall("g:edge", NS)}) == len(edges)


def test_graphml_stays_well_formed_with_hostile_names():
    hostile = 'Acme <&> "Arms"\x01\x1b[31m Ltd'
    root = _graph(sample_profile(supplier=hostile, supplier_kind="company"))
    ids = [node.get("id") for node in root.iter(f"{{{GRAPHML_NS}}}node")]
    assert 'company:Acme <&> "Arms"[31m Ltd' in ids  # markup escaped, characters XML cannot hold removed
