"""Saved queries match exactly what the same search finds: aliases in filters included."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from alerts.matching import match_alerts
from alerts.model import Alert, Target
from app.searching import prepare_search
from index.query import Query, parse_query
from index.sqlite.backend import SqliteBackend
from schema.document import Document


def test_alert_filters_resolve_aliases_like_search(tmp_path):
    with SqliteBackend(tmp_path / "index.sqlite3") as backend:
        backend.upsert(
            [
                Document.new(
                    "https://e.org/a",
                    title="Rifles seized",
                    text="Kalashnikov rifles shipped from Iran.",
                    countries=["IR"],
                    weapons=["AK-47"],
                    armed_groups=["Islamic State"],
                ),
                Document.new("https://e.org/b", title="Other", text="Rifles seen in Iraq.", countries=["IQ"]),
            ]
        )
        query = "rifles country:Iran weapon:ak47 group:ISIS"
        alert = Alert(name="iran-ak", query=query, targets=[Target.parse(f"jsonl:{tmp_path / 'alerts.jsonl'}")])
        matched = match_alerts(
            backend, [alert], {"iran-ak": [Document.new("https://e.org/a").id, Document.new("https://e.org/b").id]}
        )
        searched = backend.search(prepare_search(query).request)
        assert [hit.url for hit in matched["iran-ak"]] == [hit.url for hit in searched.hits] == ["https://e.org/a"]


def test_alert_query_resolves_every_entity_filter_like_search():
    query = "drones actor:rebels group:ISIS country:Iran -weapon:ak47 lang:en"
    alert = Alert(name="rebels", query=query, targets=[Target.parse("jsonl:/tmp/alerts.jsonl")])
    assert [(f.name, f.values) for f in alert.search_query().filters()] == [
        ("actor", ["rebel"]),
        ("group", ["Islamic State"]),
        ("country", ["IR"]),
        ("weapon", ["AK-47"]),
        ("lang", ["en"]),
    ]
    assert alert.search_query() == prepare_search(query).request.query


def test_a_backend_without_a_percolator_searches_each_query_among_its_documents(tmp_path):
    """IndexBackend's default percolate(): the id-restricted search, per query; sync keeps nothing
    and builds no query."""
    first, second = (
        Document.new("https://e.org/1", text="Mortar rounds"),
        Document.new("https://e.org/2", text="Mortars"),
    )
    with SqliteBackend(tmp_path / "index.sqlite3") as backend:
        backend.upsert([first, second])
        queries = {"mortar": parse_query("mortar*"), "quiet": parse_query("mortar*"), "none": parse_query("rifles")}
        found = backend.percolate(queries, {"mortar": [first.id, second.id], "none": [first.id, second.id]})
        assert {name: sorted(hit.id for hit in hits) for name, hits in found.items()} == {
            "mortar": sorted([first.id, second.id]),
            "quiet": [],  # no documents of its own
            "none": [],
        }
        assert [hit.id for hit in backend.search_among(queries["mortar"], [second.id])] == [second.id]

        def unbuilt() -> Iterator[tuple[str, Query]]:
            raise AssertionError("the embedded index built a saved query it keeps nothing of")
            yield  # pragma: no cover

        backend.sync_saved_queries(unbuilt())


def test_alerts_import_no_backend_implementation():
    """Percolation is a backend method: alerts/ never imports the engine (or SQLite) backend."""
    code = (
        "import sys\n"
        "import alerts.evaluate, alerts.matching\n"
        "loaded = {m for m in sys.modules if m.startswith(('index.engine', 'index.sqlite'))}\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
