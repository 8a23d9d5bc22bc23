"""The co-occurrence graph of a result set: which weapons, armed groups and countries are named
in the same documents, as GraphML or GEXF for Gephi, Cytoscape, yEd or networkx.

Nodes are `weapon:<name>`, `armed_group:<name>` and `country:<value>` (the names and codes the
index stores), with `type` (weapon, armed_group, country), `label` (a country's name with its
ISO code, "Syria (SY)") and `document_count` (the documents of the result set naming it).

An edge joins two entities of different types named in one document: weapon–armed group,
weapon–country and armed group–country, undirected. `weight` is the number of documents naming
both, `document_ids` those documents' ids, space-separated, so every edge can be traced back to
its evidence (`osint search` or the CSV/JSONL export). Entities of the same type are not joined:
the question the graph answers is who is seen with which weapons where, and a regional report
naming a dozen countries would otherwise add sixty-six country–country edges that answer none of it.

The graph is built while the documents stream past and only written at the end: it holds the
entities and, per edge, the document ids, never the documents. Names and ids lose the characters
XML cannot carry (exports.xml_text) before they enter the graph, so both files stay well-formed
whatever a crawled name holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import combinations

import networkx as nx

from exports.chunks import line_chunks
from exports.xml_text import xml_text
from schema.countries import country_label
from schema.document import Document

#: node type -> the Document field naming entities of that type
NODE_TYPES: dict[str, str] = {"weapon": "weapons", "armed_group": "armed_groups", "country": "countries"}
#: lines of the serialised graph written at a time
_LINES_PER_CHUNK = 500


def cooccurrence_graph(documents: Iterable[Document]) -> nx.Graph[str]:
    """The graph of `documents`, ready to write: each edge's document ids joined into one
    attribute (GraphML and GEXF hold scalars), every name and id text XML can carry."""
    graph: nx.Graph[str] = nx.Graph()
    for document in documents:
        _add_document(graph, document)
    for _, _, data in graph.edges(data=True):
        data["document_ids"] = xml_text(" ".join(data["document_ids"]))
    return graph


def _add_document(graph: nx.Graph[str], document: Document) -> None:
    named = [
        (f"{kind}:{value}", kind, value)
        for kind, field in NODE_TYPES.items()
        for value in map(xml_text, getattr(document, field))
    ]
    for node, kind, value in named:
        if node not in graph:
            graph.add_node(
                node, type=kind, label=country_label(value) if kind == "country" else value, document_count=0
            )
        graph.nodes[node]["document_count"] += 1
    for (first, first_kind, _), (second, second_kind, _) in combinations(named, 2):
        if first_kind == second_kind:
            continue
        if graph.has_edge(first, second):
            edge = graph.edges[first, second]
            edge["weight"] += 1
            edge["document_ids"].append(document.id)
        else:
            graph.add_edge(first, second, weight=1, document_ids=[document.id])


def _serialised(generate: Callable[[nx.Graph[str]], Iterable[str]], documents: Iterable[Document]) -> Iterator[bytes]:
    yield from line_chunks(generate(cooccurrence_graph(documents)), _LINES_PER_CHUNK)


def graphml_chunks(documents: Iterable[Document]) -> Iterator[bytes]:
    return _serialised(nx.generate_graphml, documents)


def gexf_chunks(documents: Iterable[Document]) -> Iterator[bytes]:
    return _serialised(nx.generate_gexf, documents)
