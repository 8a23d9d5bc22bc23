"""The index design on the real engine: alias over a versioned index from a template, mapping
upgrades without downtime, status, nested entities, safe highlighting, percolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.engine.bulk import make_action, send_chunk
from index.engine.mapping import MAPPING_VERSION, concrete_index
from index.query import SearchRequest, parse_query
from index.sqlite.backend import SqliteBackend
from schema.entities import Entity
from tests.engine_support import fresh_backend, ids, make_documents

pytestmark = pytest.mark.engine


def test_alias_points_at_a_versioned_index_made_from_the_template(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    backend.upsert(make_documents(3))
    aliases = backend.client.request("GET", f"/_alias/{backend.alias}")
    assert list(aliases) == [concrete_index(backend.alias)] == [f"{backend.alias}-v{MAPPING_VERSION}"]
    assert aliases[concrete_index(backend.alias)]["aliases"][backend.alias]["is_write_index"] is True
    template = backend.client.request("GET", f"/_index_template/{backend.alias}-template")["index_templates"][0]
    assert template["index_template"]["index_patterns"] == [f"{backend.alias}-v*"]
    mapping = backend.client.request("GET", f"/{concrete_index(backend.alias)}/_mapping")
    properties = mapping[concrete_index(backend.alias)]["mappings"]["properties"]
    assert properties["entities"]["type"] == "nested"
    assert properties["countries"]["fields"]["lc"]["normalizer"] == "lowercase"
    assert properties["text_ar"]["analyzer"] == "stem_ar"  # Snowball, as the embedded index stems (index/analysis.py)
    assert properties["text_fa"]["analyzer"] == "persian"
    assert backend.mapping_version() == MAPPING_VERSION


def test_status(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    backend.upsert(make_documents(4))
    status = backend.status()
    assert status.backend == "opensearch" and status.engine_version.startswith("2.")
    assert status.location == engine_url and status.cluster == "osint-engine"
    assert status.health in ("green", "yellow")
    assert (status.documents, status.mapping_version, status.spooled) == (4, MAPPING_VERSION, 0)
    assert concrete_index(backend.alias) in status.index


def test_old_mapping_is_upgraded_by_reindexing_behind_the_alias(engine_url: str, tmp_path: Path) -> None:
    """An index from an older release (mapping version 0) keeps serving until the alias swaps."""
    backend = fresh_backend(engine_url, tmp_path / "spool")
    old = f"{backend.alias}-v0"
    documents = make_documents(30)
    backend.client.request(
        "PUT",
        f"/{old}",
        {
            "settings": {"number_of_replicas": 0},
            # an earlier release: the id already a keyword, everything else left to dynamic mapping
            "mappings": {"_meta": {"mapping_version": 0}, "dynamic": True, "properties": {"id": {"type": "keyword"}}},
            "aliases": {backend.alias: {"is_write_index": True}},
        },
    )
    assert send_chunk(backend.client, [make_action(old, doc) for doc in documents], backend.retry).indexed == 30
    backend.client.request("POST", f"/{old}/_refresh")
    assert backend.status().mapping_version == 0
    assert backend.search(SearchRequest(query=parse_query("consignment"), size=0, facets={})).total == 30  # serving

    assert backend.upgrade() == 30  # (osint index upgrade)
    assert backend.mapping_version() == MAPPING_VERSION
    assert list(backend.client.request("GET", f"/_alias/{backend.alias}")) == [concrete_index(backend.alias)]
    assert sorted(ids(backend.iter_documents())) == sorted(ids(documents))
    assert backend.search(SearchRequest(query=parse_query("country:kenya"), size=0)).total == 15


def test_entities_are_nested_objects_and_facet_keywords(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    first, second = make_documents(2)
    first = first.model_copy(
        update={
            "weapons": ["AK-47"],
            "armed_groups": ["Islamic State"],
            "entities": [
                Entity(
                    label="WEAPON", text="AK-47", start=0, end=5, canonical="AK-47", attributes={"calibre": "7.62x39mm"}
                ),
                Entity(
                    label="ARMED_GROUP",
                    text="IS",
                    start=10,
                    end=12,
                    canonical="Islamic State",
                    attributes={"aliases": ["ISIS"]},
                ),
            ],
        }
    )
    second = second.model_copy(
        update={
            "weapons": ["AK-47"],
            "entities": [
                Entity(label="WEAPON", text="AK-47", start=0, end=5, canonical="AK-47", attributes={"calibre": 7.62})
            ],
        }
    )
    assert backend.upsert([first, second]).failures == []  # differing attribute types do not clash
    result = backend.search(SearchRequest(query=parse_query('weapon:ak-47 group:"islamic state"')))
    assert ids(result.hits) == [first.id]
    backend.refresh()
    nested = backend.client.request(
        "POST",
        f"/{backend.alias}/_search",
        {
            "size": 0,
            "query": {
                "nested": {
                    "path": "entities",
                    "query": {
                        "bool": {
                            "filter": [
                                {"term": {"entities.label": "ARMED_GROUP"}},
                                {"term": {"entities.canonical": "Islamic State"}},
                            ]
                        }
                    },
                }
            },
            "aggs": {
                "entities": {
                    "nested": {"path": "entities"},
                    "aggs": {"canonical": {"terms": {"field": "entities.canonical"}}},
                }
            },
        },
    )
    assert nested["hits"]["total"]["value"] == 1
    buckets = {b["key"]: b["doc_count"] for b in nested["aggregations"]["entities"]["canonical"]["buckets"]}
    assert buckets == {"AK-47": 1, "Islamic State": 1}
    facets = backend.search(SearchRequest(facets={"weapons": "weapons", "groups": "armed_groups"})).facets
    assert facets == {"weapons": [("AK-47", 2)], "groups": [("Islamic State", 1)]}
    assert backend.get(first.id) == first


def test_snippets_never_carry_crawled_markup(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    (document,) = make_documents(1)
    document = document.model_copy(
        update={
            "text": 'Seller wrote <img src=x onerror="alert(1)"> and <script>steal()</script> next to the rifles listing.',
        }
    )
    backend.upsert([document])
    for text in ("rifles", "steal", ""):
        (hit,) = backend.search(SearchRequest(query=parse_query(text))).hits
        bare = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare and ">" not in bare, hit.snippet
    (hit,) = backend.search(SearchRequest(query=parse_query("steal"))).hits
    assert "&lt;script&gt;<mark>steal</mark>" in hit.snippet


#: engine query syntax typed as text -> names of the documents the words alone match
#: (read as syntax instead, fuzzy/boosted words, an OR or a leading wildcard would match other documents)
ENGINE_SYNTAX_AS_TEXT = {
    "consign* /.*/": {"0", "1", "2", "log"},
    "port~2 officials^5": {"log"},
    '"logged consignment" (or) and': {"log"},  # lower-case operators with nothing to join are words
    "*ments": set(),
}


def test_query_text_is_never_engine_syntax(engine_url: str, tmp_path: Path) -> None:
    documents = {str(n): document for n, document in enumerate(make_documents(3))}
    documents["log"] = make_documents(1, prefix="log")[0].model_copy(
        update={
            "text": "At port 2 the duty officials 5 and 6 logged consignment papers or shipments at the quay.",
        }
    )
    names = {document.id: name for name, document in documents.items()}
    backend = fresh_backend(engine_url, tmp_path / "spool")
    assert backend.upsert(documents.values()).indexed == 4
    reference = SqliteBackend(tmp_path / "reference.sqlite3")
    assert reference.upsert(documents.values()).indexed == 4
    with pytest.raises(ValueError, match="unknown field a:"):  # refused before any backend sees it
        parse_query("a:b:c")
    try:
        for text, expected in ENGINE_SYNTAX_AS_TEXT.items():
            request = SearchRequest(query=parse_query(text), size=100)
            engine_hits = {names[hit.id] for hit in backend.search(request).hits}  # never a parse error
            sqlite_hits = {names[hit.id] for hit in reference.search(request).hits}
            assert engine_hits == sqlite_hits == expected, text
    finally:
        reference.close()
    assert backend.search(SearchRequest(query=parse_query("consign*"))).total == 4


def test_deep_paging_uses_search_after(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    documents = make_documents(120)
    backend.upsert(documents)
    seen: list[str] = []
    cursor = None
    while True:
        result = backend.search(
            SearchRequest(query=parse_query("consignment"), sort="date", size=25, search_after=cursor)
        )
        seen += ids(result.hits)
        cursor = result.next_cursor
        if cursor is None:
            break
        assert len(cursor) == 2  # (published, id): a search_after cursor, not an offset
    assert seen == ids(sorted(documents, key=lambda d: d.published, reverse=True))


def test_percolator_module_is_loaded(engine_url: str, tmp_path: Path) -> None:
    """Saved searches (alerts) are matched with the percolator, which the node must carry."""
    backend = fresh_backend(engine_url, tmp_path / "spool")
    index = f"{backend.alias}-alerts"
    backend.client.request(
        "PUT", f"/{index}", {"mappings": {"properties": {"query": {"type": "percolator"}, "text": {"type": "text"}}}}
    )
    backend.client.request(
        "PUT", f"/{index}/_doc/rifles", {"query": {"match": {"text": "rifles"}}}, params={"refresh": "true"}
    )
    answer = backend.client.request(
        "POST",
        f"/{index}/_search",
        {"query": {"percolate": {"field": "query", "document": {"text": "a crate of rifles"}}}},
    )
    assert [hit["_id"] for hit in answer["hits"]["hits"]] == ["rifles"]
