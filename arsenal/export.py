"""An arsenal profile as files: CSV for spreadsheets, GraphML for Gephi (and yEd, Cytoscape,
networkx).

CSV: one row per weapon × origin country (a weapon with no known origin has one row with the
origin empty), the documents behind that pair at each strength, and the weapon's dates,
relation types and suppliers. Written as the search export writes its CSV
(exports.csv_export.CsvFile): a cell a spreadsheet would evaluate as a formula starts with an
apostrophe; UTF-8 with a byte order mark, RFC 4180 quoting.

GraphML, directed, following the weapons: origin country → weapon (`kind` origin), supplier →
weapon (`kind` supply), weapon → group (`kind` arsenal). Node ids are `<type>:<name>`; a
country is one node whether it made or supplied a weapon (its `roles` say which). `weight` is
the number of documents behind an edge at its `strength`: sentence documents where there are any,
else co-occurrence documents; `documents` and `cooccurrence_documents` give both. Names lose the
characters XML cannot carry (exports.xml_text).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import IO
from xml.etree import ElementTree

from arsenal.profile import ArsenalProfile, WeaponRow
from exports.csv_export import CsvFile, iso_utc
from exports.xml_text import xml_text
from schema.countries import country_label

CSV_COLUMNS: tuple[str, ...] = (
    "group",
    "weapon",
    "weapon_kind",
    "category",
    "origin",
    "origin_name",
    "documents",
    "cooccurrence_documents",
    "strength",
    "first_seen",
    "last_seen",
    "relation_types",
    "suppliers",
    "new",
)
VALUE_SEPARATOR = "; "

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
#: (id, for, attr.name, attr.type) of every GraphML attribute, declared once in the header
GRAPHML_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("n_type", "node", "type", "string"),
    ("n_label", "node", "label", "string"),
    ("n_roles", "node", "roles", "string"),
    ("n_documents", "node", "documents", "int"),
    ("n_cooccurrence", "node", "cooccurrence_documents", "int"),
    ("n_first", "node", "first_seen", "string"),
    ("n_last", "node", "last_seen", "string"),
    ("n_new", "node", "new", "boolean"),
    ("e_kind", "edge", "kind", "string"),
    ("e_strength", "edge", "strength", "string"),
    ("e_weight", "edge", "weight", "double"),
    ("e_documents", "edge", "documents", "int"),
    ("e_cooccurrence", "edge", "cooccurrence_documents", "int"),
)
#: supplier kind -> node type (a country supplier is the same node as the country of origin)
_SUPPLIER_TYPES = {"country": "country", "group": "armed_group", "company": "company"}


# -- CSV ---------------------------------------------------------------------------------------


def csv_rows(profile: ArsenalProfile) -> Iterator[list[str]]:
    """The data rows, CSV_COLUMNS order, not yet neutralised."""
    for weapon in profile.weapons:
        for origin in weapon.origins or [""]:
            documents = weapon.origin_documents.get(origin, 0) if origin else weapon.documents
            cooccurring = (
                weapon.origin_cooccurrence_documents.get(origin, 0) if origin else weapon.cooccurrence_documents
            )
            yield [
                profile.request.group,
                weapon.weapon,
                weapon.weapon_kind,
                weapon.category,
                origin,
                country_label(origin) if origin else "",
                str(documents),
                str(cooccurring),
                "sentence" if documents else "cooccurrence",
                iso_utc(weapon.first_seen),
                iso_utc(weapon.last_seen),
                VALUE_SEPARATOR.join(f"{name} ({count})" for name, count in weapon.relation_types.items()),
                VALUE_SEPARATOR.join(weapon.suppliers),
                "yes" if weapon.new else "",
            ]


def write_csv(profile: ArsenalProfile, stream: IO[bytes]) -> int:
    """The profile's CSV file into `stream`; the bytes written."""
    file = CsvFile(CSV_COLUMNS)
    for row in csv_rows(profile):
        file.write_row(row)
    data = file.drain()
    stream.write(data)
    return len(data)


# -- GraphML -----------------------------------------------------------------------------------


class ProfileGraph:
    """Nodes and edges by id, in the order first met."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []

    def node(self, node_type: str, name: str, role: str, label: str = "") -> str:
        node_id = f"{node_type}:{name}"
        data = self.nodes.setdefault(node_id, {"n_type": node_type, "n_label": label or name, "n_roles": ""})
        roles = data["n_roles"].split()
        if role not in roles:
            data["n_roles"] = " ".join([*roles, role])
        return node_id

    def edge(self, source: str, target: str, kind: str, documents: int, cooccurring: int) -> None:
        strength = "sentence" if documents else "cooccurrence"
        self.edges.append(
            (
                source,
                target,
                {
                    "e_kind": kind,
                    "e_strength": strength,
                    "e_weight": str(documents or cooccurring),
                    "e_documents": str(documents),
                    "e_cooccurrence": str(cooccurring),
                },
            )
        )


def _counts(
    data: dict[str, str], documents: int, cooccurring: int, first: datetime | None, last: datetime | None, new: bool
) -> None:
    data.update(
        n_documents=str(documents),
        n_cooccurrence=str(cooccurring),
        n_first=iso_utc(first),
        n_last=iso_utc(last),
        n_new="true" if new else "false",
    )


def profile_graph(profile: ArsenalProfile) -> ProfileGraph:
    """The profile's nodes and edges, each node's counts those of its row in the profile."""
    graph = ProfileGraph()
    group = graph.node("armed_group", profile.request.group, "group")
    _counts(
        graph.nodes[group],
        profile.documents,
        profile.cooccurrence_documents,
        profile.first_seen,
        profile.last_seen,
        False,
    )
    for row in profile.weapons:
        weapon = _weapon_node(graph, row)
        graph.edge(weapon, group, "arsenal", row.documents, row.cooccurrence_documents)
        for origin in row.origins:
            origin_node = graph.node("country", origin, "origin", country_label(origin))
            graph.edge(
                origin_node,
                weapon,
                "origin",
                row.origin_documents.get(origin, 0),
                row.origin_cooccurrence_documents.get(origin, 0),
            )
    for country in profile.origins:
        data = graph.nodes[f"country:{country.key}"]
        _counts(
            data, country.documents, country.cooccurrence_documents, country.first_seen, country.last_seen, country.new
        )
    supplier_nodes: dict[str, str] = {}
    for supplier in profile.suppliers:
        node_type = _SUPPLIER_TYPES.get(supplier.kind, "supplier")
        node = supplier_nodes[supplier.key] = graph.node(
            node_type, supplier.key, "supplier", country_label(supplier.key) if node_type == "country" else ""
        )
        if "n_documents" not in graph.nodes[node]:  # a country's counts as an origin come first
            _counts(graph.nodes[node], supplier.documents, 0, supplier.first_seen, supplier.last_seen, supplier.new)
    for route in profile.routes:  # every route's supplier and weapon are rows of the profile
        graph.edge(supplier_nodes[route.supplier], f"weapon:{route.weapon}", "supply", route.documents, 0)
    return graph


def _weapon_node(graph: ProfileGraph, row: WeaponRow) -> str:
    node = graph.node("weapon", row.weapon, "weapon")
    _counts(graph.nodes[node], row.documents, row.cooccurrence_documents, row.first_seen, row.last_seen, row.new)
    return node


def write_graphml(profile: ArsenalProfile, stream: IO[bytes]) -> int:
    """The profile's GraphML file into `stream`; the bytes written."""
    graph = profile_graph(profile)
    root = ElementTree.Element("graphml", xmlns=GRAPHML_NS)
    for key_id, domain, name, value_type in GRAPHML_KEYS:
        ElementTree.SubElement(root, "key", {"id": key_id, "for": domain, "attr.name": name, "attr.type": value_type})
    body = ElementTree.SubElement(root, "graph", id="arsenal", edgedefault="directed")
    for node_id, data in graph.nodes.items():
        _data(ElementTree.SubElement(body, "node", id=xml_text(node_id)), data)
    for number, (source, target, data) in enumerate(graph.edges):
        _data(
            ElementTree.SubElement(body, "edge", id=f"e{number}", source=xml_text(source), target=xml_text(target)),
            data,
        )
    ElementTree.indent(root)
    buffer = io.BytesIO()
    ElementTree.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    written = buffer.getvalue() + b"\n"
    stream.write(written)
    return len(written)


def _data(element: ElementTree.Element, data: dict[str, str]) -> None:
    for key, value in data.items():
        ElementTree.SubElement(element, "data", key=key).text = xml_text(value)
