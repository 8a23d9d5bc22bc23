"""Saved queries match exactly what the same search finds: aliases in filters included."""

from __future__ import annotations

from alerts.matching import match_alerts
from alerts.model import Alert, Target
from app.searching import build_request
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
        searched = backend.search(build_request(query))
        assert [hit.url for hit in matched["iran-ak"]] == [hit.url for hit in searched.hits] == ["https://e.org/a"]


def test_alert_query_resolves_every_entity_filter_like_search():
    query = "drones actor:rebels group:ISIS country:Iran -weapon:ak47 lang:en"
    alert = Alert(name="rebels", query=query, targets=[Target.parse("jsonl:/tmp/alerts.jsonl")])
    assert [(f.name, f.values) for f in alert.search_query().filters] == [
        ("actor", ["rebel"]),
        ("group", ["Islamic State"]),
        ("country", ["IR"]),
        ("weapon", ["AK-47"]),
        ("lang", ["en"]),
    ]
    assert alert.search_query() == build_request(query).query
