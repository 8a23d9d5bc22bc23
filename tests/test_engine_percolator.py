"""Alerts on the real engine: saved queries registered in the percolator match the same new
documents as the id-restricted query on SQLite, fire once, and go when the alert goes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.evaluate import evaluate_alerts
from alerts.matching import match_alerts
from alerts.model import Alert, Target
from alerts.store import AlertStore
from extractors.entities import canonicalize_filter
from index.backend import IndexBackend, open_backend
from index.engine import percolator as engine_percolator
from index.engine.backend import EngineBackend
from index.engine.mapping import concrete_index
from index.engine.percolator import EnginePercolator, percolator_index
from schema.document import Document
from schema.entities import Entity
from state.ledger import Ledger
from tests.contract.contract_documents import FIXTURE_DOCUMENTS

SIGHTING = Document.new(
    "https://news.example.org/sighting",
    title="Technicals with mounted DShK guns seen near Kufra",
    text="Residents of Kufra described a convoy of pickup trucks with DShK heavy machine guns heading south.",
    published=datetime(2024, 3, 7, 8, tzinfo=UTC),
    language="en",
    source_id="coastwatch",
    weapons=["DShK"],
    countries=["LY"],
    entities=[
        Entity(label="WEAPON", text="DShK", start=52, end=56, canonical="DShK"),
        Entity(label="COUNTRY", text="Kufra", start=13, end=18, canonical="Libya", attributes={"place": "Kufra"}),
    ],
    tags=["sighting"],
).with_hash()
# Stored entity values are canonical, as the crawler stores them (the contract fixtures use names).
DOCUMENTS = {
    **{
        name: document.model_copy(update={"countries": [canonicalize_filter("country", c) for c in document.countries]})
        for name, document in FIXTURE_DOCUMENTS.items()
    },
    "sighting": SIGHTING,
}
NAMES = {document.id: name for name, document in DOCUMENTS.items()}

#: saved queries -> what they match among every document (checked on SQLite and the engine)
SAVED = {
    "words": ("rifles container", {"mombasa", "mombasa_copy"}),
    "phrase": ('"port of Mombasa"', {"mombasa", "mombasa_copy"}),
    "either": ("carbine OR mortar", {"forum", "hostile"}),
    "without": ("rifles -Kalashnikov", {"mombasa", "mombasa_copy"}),
    "without-phrase": ('rifles -"transit port"', {"mombasa_copy", "report"}),
    "only-negative": ("-rifles -carbine tag:seizure", {"russian", "arabic", "french"}),
    "prefix": ("ammun*", {"report"}),
    "folded": ("FRONTIÈRE", {"french"}),
    "arabic": ("البنادق", {"arabic"}),
    "russian": ("автоматов Калашникова", {"russian"}),
    "country": ("country:libya", {"report", "arabic", "sighting"}),
    "weapon-not-kenya": ("weapon:ak-47,dshk -country:kenya", {"report", "russian", "sighting"}),
    "group-and-word": ('group:"Rapid Support Forces" transfer', {"ministry"}),
    "category-implied": ('category:"light weapon"', {"ministry"}),
    "since": ("since:2024", {"mombasa", "mombasa_copy", "russian", "arabic", "sighting"}),
    "range": ("since:2023-09-12 until:2024-01-10", {"hostile", "ministry", "russian"}),
    "until-and-filter": ("tag:seizure until:2023-05", {"french"}),
    "late-seizure": ("seizure since:2024-03-06", set()),
    "everything-new": ("", set(DOCUMENTS)),
    # the whole query language (issue 10): inflections, designations, grouping, proximity, fuzzy
    "inflection": ("carbines", {"forum"}),
    "russian-case": ("автомат", {"russian"}),
    "designation": ("AK47", {"mombasa", "mombasa_copy"}),
    "grouping": ("(carbine OR mortar) AND (stock OR brokers) NOT coast", {"hostile"}),
    "proximity": ('"customs mombasa"~3', {"mombasa"}),
    "fuzzy": ("mombassa~", {"mombasa", "mombasa_copy"}),
    "field": ("title:carbine", {"forum"}),
    "filter-or-word": ("carbine OR lang:fr", {"forum", "french"}),
}


def _load(backend: IndexBackend) -> IndexBackend:
    result = backend.upsert(DOCUMENTS.values())
    assert result.failures == [] and result.indexed == len(DOCUMENTS)
    backend.refresh()
    return backend


@pytest.fixture
def engine(engine_url: str) -> Iterator[EngineBackend]:
    backend = open_backend(f"{engine_url}?index=test_{uuid.uuid4().hex}")
    assert isinstance(backend, EngineBackend)
    yield backend
    for index in (concrete_index(backend.alias), percolator_index(backend.alias)):
        backend.client.request("DELETE", f"/{index}", missing_ok=True)
    backend.close()


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[IndexBackend]:
    with open_backend(f"sqlite:///{tmp_path / 'index.sqlite3'}") as backend:
        yield backend


def _alert(name: str, query: str, jsonl: Path | None = None) -> Alert:
    target = Target(kind="jsonl", address=str(jsonl or Path("unused.jsonl")))
    return Alert(name=name, query=query, targets=[target], created=datetime(2020, 1, 1, tzinfo=UTC))


def _ids(hits) -> list[str]:
    return [hit.id for hit in hits]


@pytest.mark.parametrize("batch", [200, 3])  # 3: the documents go in several percolate requests
def test_percolation_matches_the_query_path(
    engine: EngineBackend, sqlite: IndexBackend, batch: int, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(engine_percolator, "BATCH_DOCUMENTS", batch)
    _load(engine)
    _load(sqlite)
    alerts = [_alert(name, query) for name, (query, _) in SAVED.items()]
    every = [document.id for document in DOCUMENTS.values()] + ["0" * 32]  # and one deleted meanwhile
    new = {alert.name: every for alert in alerts}
    new["words"] = [DOCUMENTS["mombasa"].id]  # each alert sees only its own new documents
    new["since"] = [DOCUMENTS[name].id for name in ("russian", "sighting", "forum")]

    percolated = match_alerts(engine, alerts, new)
    assert sorted(EnginePercolator(engine).registered()) == sorted(SAVED)  # the percolator did the matching
    on_sqlite = match_alerts(sqlite, alerts, new)
    searched = {alert.name: engine.search_among(alert.search_query(), new[alert.name]) for alert in alerts}
    for name, (query, expected) in SAVED.items():
        wanted = {NAMES[doc_id] for doc_id in new[name] if doc_id in NAMES}
        assert {NAMES[doc_id] for doc_id in _ids(percolated[name])} == expected & wanted, query
        assert _ids(percolated[name]) == _ids(on_sqlite[name]) == _ids(searched[name]), query  # same order too
    (sighting,) = [hit for hit in percolated["country"] if hit.id == SIGHTING.id]
    assert (sighting.url, sighting.title, sighting.published) == (SIGHTING.url, SIGHTING.title, SIGHTING.published)


def test_an_alert_fires_once_and_only_once(engine: EngineBackend, tmp_path: Path):
    _load(engine)
    store, ledger = AlertStore(tmp_path / "data"), Ledger.in_data_dir(tmp_path / "data")  # alerts never write in it
    jsonl = tmp_path / "out" / "libya.jsonl"
    store.add(_alert("libya", "country:libya -tag:tracing", jsonl))
    store.add(_alert("mortars", "mortar* since:2023", tmp_path / "out" / "mortars.jsonl"))

    def crawl(*names: str) -> None:
        run = ledger.start_run("test", ["coastwatch"])
        for name in names:
            ledger.record(
                run, DOCUMENTS[name].url, "coastwatch", "indexed", doc_id=DOCUMENTS[name].id, fetched=True, change="new"
            )
        ledger.finish_run(run)

    def delivered() -> list[str]:
        return [NAMES[json.loads(line)["id"]] for line in jsonl.read_text().splitlines()] if jsonl.exists() else []

    crawl("arabic", "report", "mombasa")
    results = {result.alert: result for result in evaluate_alerts(store, ledger, engine)}
    assert sorted(NAMES[hit.id] for hit in results["libya"].matched) == ["arabic"]
    assert results["mortars"].matched == [] and results["mortars"].runs
    assert delivered() == ["arabic"]

    results = {result.alert: result for result in evaluate_alerts(store, ledger, engine)}
    assert results["libya"].matched == [] and results["libya"].runs == []
    assert delivered() == ["arabic"]

    crawl("sighting", "arabic", "hostile")  # "arabic" again (changed): already delivered
    results = {result.alert: result for result in evaluate_alerts(store, ledger, engine)}
    assert [NAMES[hit.id] for hit in results["libya"].matched] == ["sighting"]
    assert [NAMES[hit.id] for hit in results["mortars"].matched] == ["hostile"]
    assert delivered() == ["arabic", "sighting"]
    assert evaluate_alerts(store, ledger, engine)[0].matched == []
    assert delivered() == ["arabic", "sighting"]
    store.close()
    ledger.close()


def test_removed_and_changed_alerts_leave_the_percolator(engine: EngineBackend, tmp_path: Path):
    _load(engine)
    store, ledger = AlertStore(tmp_path), Ledger.in_data_dir(tmp_path)
    percolator = EnginePercolator(engine)
    store.add(_alert("rifles", "rifles"))
    store.add(_alert("mortars", "mortar"))
    evaluate_alerts(store, ledger, engine)
    before = percolator.registered()
    assert sorted(before) == ["mortars", "rifles"]

    store.remove("mortars")
    store.remove("rifles")
    store.add(_alert("rifles", "rifles -country:kenya"))  # same name, another query
    evaluate_alerts(store, ledger, engine)
    after = percolator.registered()
    assert sorted(after) == ["rifles"] and after["rifles"] != before["rifles"]
    every = [document.id for document in DOCUMENTS.values()]
    assert {NAMES[hit.id] for hit in match_alerts(engine, store.all(), {"rifles": every})["rifles"]} == {"report"}
    count = engine.client.request("GET", f"/{percolator.index}/_count")["count"]
    assert count == 1

    store.remove("rifles")
    evaluate_alerts(store, ledger, engine)
    assert percolator.registered() == {}
    store.close()
    ledger.close()


def test_a_percolator_index_from_an_older_mapping_is_rebuilt(engine: EngineBackend):
    _load(engine)
    index = percolator_index(engine.alias)
    engine.client.request(
        "PUT", f"/{index}", {"mappings": {"properties": {"query": {"type": "percolator"}, "text": {"type": "text"}}}}
    )
    alert = _alert("libya", "country:libya")
    matched = match_alerts(engine, [alert], {"libya": [document.id for document in DOCUMENTS.values()]})
    assert {NAMES[hit.id] for hit in matched["libya"]} == {"report", "arabic", "sighting"}
    mapping = engine.client.request("GET", f"/{index}/_mapping")[index]["mappings"]
    assert mapping["properties"]["countries"]["fields"]["lc"]["type"] == "keyword"
