"""Arsenal alerts: an armed group linked, by a sentence, to a weapon category or an origin country
that no other document linked it to fires once, with its evidence.

The documents carry entity mentions and sentence relations as the relation extractor returns
them (built by tests/web/arsenal_data.py) and go into a real SQLite index; runs are recorded
through the real ledger, as a crawl records them; the CLI runs as the other alert tests run it
(tests/crawl/helpers.py); deliveries go to a real JSONL file, a loopback webhook and a loopback
SMTP sink, and the web form is driven through the real app.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from playwright.sync_api import expect

from alerts.arsenal_links import links_in
from alerts.delivery import FIELDS, delivery_id
from alerts.evaluate import evaluate_alerts
from alerts.store import AlertStore
from app.web.application import create_app
from index.backend import open_backend
from index.engine.backend import EngineBackend
from index.engine.mapping import concrete_index
from index.engine.percolator import EnginePercolator, percolator_index
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from settings.config import load_config
from state.ledger import Ledger
from tests.alert_receivers import SmtpSink, Webhook
from tests.crawl.helpers import OsintCli
from tests.serving import serve_workbench
from tests.web.arsenal_data import GROUP, Said, arsenal_document
from tests.web.browser import chromium
from tests.web.forms import post_form


def report(
    slug: str, sentences: list[Said | str], day: int, *, named: tuple[tuple[str, str, str], ...] = ()
) -> Document:
    """A monitor's report of `sentences`, published on `day` May 2024 (tests/web/arsenal_data.py builds it)."""
    return arsenal_document(
        f"https://monitor.example.org/reports/{slug}",
        f"Report {slug}",
        sentences,
        named=named,
        published=datetime(2024, 5, day, 8, 0, tzinfo=UTC),
    )


#: in the index before the alert: the group with assault rifles made in Russia
HISTORY = report(
    "history",
    [Said("Houthi fighters carried AK-47 rifles at the parade.", "AK-47", "AK-47", group_surface="Houthi")],
    1,
)
#: a new category (MANPADS); its origin (RU) is known
IGLA_SENTENCE = "The Houthis fired a 9K38 Igla at a surveillance drone."
IGLA = report(
    "igla",
    ["Officials described the incident on Monday.", Said(IGLA_SENTENCE, "9K38 Igla", "9K38 Igla", type="use")],
    10,
)
#: a new origin (CN); its category (assault rifle) is known
TYPE56_SENTENCE = "Ansar Allah units were armed with Type 56 rifles."
TYPE56 = report("type56", [Said(TYPE56_SENTENCE, "Type 56", "Type 56", group_surface="Ansar Allah")], 12)
#: the group and a weapon of a new category (MANPADS) and origin (US), in different sentences
COOCCURRENCE = report(
    "cooccurrence",
    ["The Houthis held a rally in Sanaa.", "Elsewhere, a FIM-92 Stinger was displayed in a museum."],
    11,
    named=(("ARMED_GROUP", "Houthis", GROUP), ("WEAPON", "FIM-92 Stinger", "FIM-92 Stinger")),
)
#: another group linked to a weapon of a category new to the Houthis (rocket launcher), in a
#: document that names the Houthis too
OTHER_GROUP = report(
    "other-group",
    [
        Said(
            "Al-Shabaab fighters fired an RPG-7 at the checkpoint.",
            "RPG-7",
            "RPG-7",
            type="use",
            group="al-Shabaab",
            group_surface="Al-Shabaab",
        ),
        "The Houthis condemned the attack.",
    ],
    11,
    named=(("ARMED_GROUP", "Houthis", GROUP),),
)


HOSTILE_SENTENCE = 'The Houthis <script>alert("sentence")</script> fired a 9K38 Igla <img src=x onerror=alert(1)>.'
HOSTILE = report("hostile", [Said(HOSTILE_SENTENCE, "9K38 Igla", "9K38 Igla", type="use")], 10).model_copy(
    update={"title": 'Igla <script>alert("title")</script> report'}
)


def record_run(data_dir: Path, changes: list[tuple[Document, str]]) -> str:
    """A finished run in the ledger that indexed `changes` ((document, "new" or "changed")), as a crawl records it."""
    ledger = Ledger.in_data_dir(data_dir)
    try:
        run_id = ledger.start_run("test", ["monitor"])
        for document, change in changes:
            ledger.record(run_id, document.url, "monitor", "indexed", doc_id=document.id, fetched=True, change=change)
        ledger.finish_run(run_id)
    finally:
        ledger.close()
    return run_id


def crawl(osint: OsintCli, *documents: Document, change: str = "new") -> str:
    """A run that indexed `documents`: in the index, and in the ledger."""
    osint.index(*documents)
    return record_run(osint.data_dir, [(document, change) for document in documents])


def jsonl_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def found(lines: list[dict]) -> list[tuple[str, str, str]]:
    """(what is new, its value, the document id) of each delivered finding."""
    return [(line["arsenal"]["new"], line["arsenal"]["value"], line["id"]) for line in lines]


@pytest.fixture
def osint(tmp_path: Path) -> OsintCli:
    cli = OsintCli(tmp_path / "data", extract_workers=0)
    cli.env["OSINT_ALLOW_PRIVATE_DELIVERY"] = "127.0.0.1/32"  # the test's webhook and SMTP sink
    return cli


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as server:
        yield server


def test_a_new_category_and_a_new_origin_fire_once_each_with_their_evidence(
    osint: OsintCli, webhook: Webhook, tmp_path: Path
):
    osint.index(HISTORY)
    out = tmp_path / "out" / "houthis.jsonl"
    hook, file = f"webhook:{webhook.url}", f"jsonl:{out}"
    osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", hook, "--target", file)

    run = crawl(osint, IGLA)
    ran = osint.json("alert", "run")
    assert [(link["facet"], link["value"], link["doc_id"]) for link in ran[0]["new_links"]] == [
        ("category", "MANPADS", IGLA.id)
    ]
    assert ran[0]["delivered"] == {hook: 1, file: 1}

    (line,) = jsonl_lines(out)
    assert (line["alert"], line["kind"], line["group"]) == ("houthis", "arsenal", GROUP) and "query" not in line
    assert (line["url"], line["published"], line["title"]) == (IGLA.url, "2024-05-10T08:00:00Z", IGLA.title)
    assert line["delivery_id"] == delivery_id("houthis", "category:MANPADS")
    new = line["arsenal"]
    assert (new["group"], new["new"], new["value"], new["weapon"], new["relation"]) == (
        GROUP,
        "category",
        "MANPADS",
        "9K38 Igla",
        "use",
    )
    assert new["sentence"] == IGLA_SENTENCE and IGLA.text[new["start"] : new["end"]] == IGLA_SENTENCE
    (payload,) = webhook.received
    assert list(payload) == ["alert", "kind", "group", "sent", "documents"]
    assert payload["documents"] == [
        {key: value for key, value in line.items() if key not in ("alert", "kind", "group")}
    ]

    second = crawl(osint, TYPE56)  # "Ansar Allah" is the group's alias: the relation names it canonically
    osint.run("alert", "run")
    assert found(jsonl_lines(out)) == [("category", "MANPADS", IGLA.id), ("origin", "CN", TYPE56.id)]
    assert jsonl_lines(out)[1]["arsenal"]["sentence"] == TYPE56_SENTENCE
    assert len(webhook.received) == 2

    shown = osint.json("alert", "show", "houthis")
    assert (shown["kind"], shown["group"], shown["delivered"], shown["pending"]) == ("arsenal", GROUP, 4, 0)
    assert sorted((link["known_from"], link["facet"], link["value"]) for link in shown["links"]) == [
        ("baseline", "category", "assault rifle"),
        ("baseline", "origin", "RU"),
        ("run", "category", "MANPADS"),
        ("run", "origin", "CN"),
    ]
    assert {link["run_id"] for link in shown["links"] if link["known_from"] == "run"} == {run, second}


def test_known_links_co_occurrence_and_other_groups_fire_nothing(osint: OsintCli, tmp_path: Path):
    osint.index(HISTORY)
    out = tmp_path / "out" / "houthis.jsonl"
    osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", f"jsonl:{out}")

    known = report(
        "known", [Said("Houthi guards were armed with AK-47 rifles.", "AK-47", "AK-47", group_surface="Houthi")], 9
    )
    crawl(osint, known, COOCCURRENCE, OTHER_GROUP)
    ran = osint.json("alert", "run")
    assert ran[0]["new_links"] == [] and ran[0]["queued"] == 0
    assert not out.exists()
    assert osint.json("alert", "test", "houthis")["new_links"] == []
    # the other group's alert does see its own link
    osint.run("alert", "add", "shabaab", "--arsenal", "al-Shabaab", "--notify", f"jsonl:{out}")
    shown = osint.json("alert", "show", "shabaab")
    assert [(link["known_from"], link["value"]) for link in shown["links"]] == [
        ("baseline", "rocket launcher"),
        ("baseline", "RU"),
    ]


def test_the_baseline_is_what_the_index_knows_when_the_alert_is_saved(osint: OsintCli, tmp_path: Path):
    osint.index(HISTORY)
    early, late = tmp_path / "early.jsonl", tmp_path / "late.jsonl"
    added = osint.json("alert", "add", "early", "--arsenal", "Ansar Allah", "--notify", f"jsonl:{early}")
    assert added["group"] == GROUP and added["kind"] == "arsenal" and added["query"] == ""
    assert [(link["facet"], link["value"], link["doc_id"]) for link in added["baseline"]] == [
        ("category", "assault rifle", HISTORY.id),
        ("origin", "RU", HISTORY.id),
    ]
    assert osint.json("alert", "run")[0]["new_links"] == []  # history fires nothing

    crawl(osint, IGLA)
    osint.run("alert", "add", "late", "--arsenal", GROUP, "--notify", f"jsonl:{late}")  # MANPADS is its history
    crawl(osint, TYPE56)
    results = {result["alert"]: result for result in osint.json("alert", "run")}
    assert [link["value"] for link in results["early"]["new_links"]] == ["MANPADS", "CN"]
    assert [link["value"] for link in results["late"]["new_links"]] == ["CN"]
    assert found(jsonl_lines(early)) == [("category", "MANPADS", IGLA.id), ("origin", "CN", TYPE56.id)]
    assert found(jsonl_lines(late)) == [("origin", "CN", TYPE56.id)]


def test_a_recrawled_document_and_a_later_one_saying_the_same_do_not_fire_again(osint: OsintCli, tmp_path: Path):
    osint.index(HISTORY)
    out = tmp_path / "houthis.jsonl"
    osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", f"jsonl:{out}")
    crawl(osint, IGLA)
    osint.run("alert", "run")
    assert found(jsonl_lines(out)) == [("category", "MANPADS", IGLA.id)]

    edited = IGLA.model_copy(update={"title": "Report igla (updated)"})
    crawl(osint, edited, change="changed")
    again = report(
        "igla-again",
        [Said("A 9K38 Igla was fired by the Houthis again.", "9K38 Igla", "9K38 Igla", type="use")],
        20,
    )
    crawl(osint, again)
    assert osint.json("alert", "test", "houthis")["new_links"] == []
    assert osint.json("alert", "run")[0]["new_links"] == []
    assert len(jsonl_lines(out)) == 1


def test_two_documents_bringing_one_new_link_fire_once_with_the_earliest(osint: OsintCli, tmp_path: Path):
    out = tmp_path / "houthis.jsonl"
    osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", f"jsonl:{out}")
    later = report(
        "stinger-later",
        [Said("The Houthis fired a FIM-92 Stinger.", "FIM-92 Stinger", "FIM-92 Stinger", type="use")],
        25,
    )
    earlier = report(
        "stinger-earlier",
        [Said("Houthis had a FIM-92 Stinger in a depot.", "FIM-92 Stinger", "FIM-92 Stinger")],
        5,
    )
    crawl(osint, later, earlier)
    osint.run("alert", "run")
    assert found(jsonl_lines(out)) == [("category", "MANPADS", earlier.id), ("origin", "US", earlier.id)]


def test_an_origin_a_document_states_overrides_the_gazetteers_as_in_the_arsenal_profile():
    """Within one document, a stated origin replaces the gazetteer's for that weapon (as
    arsenal/links.py reads it): the alert links CN, with the sentence stating it, and never RU."""
    carried = "Houthi fighters carried AK-47 rifles at the parade."
    stated = "The Houthis received Chinese-made AK-47 rifles by sea."
    document = report(
        "stated-origin",
        [Said(carried, "AK-47", "AK-47", group_surface="Houthi"), Said(stated, "AK-47", "AK-47", origin="CN")],
        6,
    ).linked()
    assert [(link.key, link.relation.sentence, link.dated) for link in links_in(document, GROUP)] == [
        ("category:assault rifle", carried, datetime(2024, 5, 6, 8, 0, tzinfo=UTC)),
        ("origin:CN", stated, datetime(2024, 5, 6, 8, 0, tzinfo=UTC)),
    ]


def test_a_link_another_document_holds_already_is_known_not_new(osint: OsintCli, tmp_path: Path):
    """A document indexed after the baseline by no run the alert reads (a crawl that began before
    the alert was saved, an import) counts as history: the first run document saying the same
    does not fire."""
    out = tmp_path / "houthis.jsonl"
    osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", f"jsonl:{out}")
    osint.index(IGLA)  # in the index, brought by no run the alert looks at
    again = report(
        "igla-again",
        [Said("A 9K38 Igla was fired by the Houthis again.", "9K38 Igla", "9K38 Igla", type="use")],
        20,
    )
    crawl(osint, again)
    assert osint.json("alert", "run")[0]["new_links"] == []
    assert not out.exists()
    shown = osint.json("alert", "show", "houthis")
    assert [(link["known_from"], link["value"], link["doc_id"]) for link in shown["links"]] == [
        ("index", "MANPADS", IGLA.id),
        ("index", "RU", IGLA.id),
    ]


def test_a_finding_is_e_mailed_with_what_is_new_and_the_sentence(osint: OsintCli):
    osint.index(HISTORY)
    with SmtpSink() as sink:
        osint.env.update({"OSINT_SMTP_HOST": "127.0.0.1", "OSINT_SMTP_PORT": str(sink.port)})
        osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", "email:desk@example.org")
        crawl(osint, IGLA)
        assert osint.json("alert", "run")[0]["delivered"] == {"email:desk@example.org": 1}
    (message,) = sink.messages
    assert message["Subject"] == "[osint] houthis: 1 new arsenal link for Houthis"
    body = message.get_payload(decode=True).decode()
    assert "new weapon category: MANPADS (9K38 Igla, use)" in body
    assert IGLA_SENTENCE in body and IGLA.url in body and "2024-05-10" in body


def test_a_search_alert_evaluated_alongside_delivers_exactly_as_before(osint: OsintCli, tmp_path: Path):
    out, search_out = tmp_path / "houthis.jsonl", tmp_path / "igla.jsonl"
    osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", f"jsonl:{out}")
    osint.run("alert", "add", "igla", "surveillance drone", "--notify", f"jsonl:{search_out}")
    crawl(osint, IGLA)
    osint.run("alert", "run")
    (line,) = jsonl_lines(search_out)
    fields = [name for name in Document.model_fields if name in FIELDS]
    assert list(line) == ["alert", "query", *fields, "excerpt", "delivery_id"]
    assert line["delivery_id"] == delivery_id("igla", IGLA.id)
    assert [value for _, value, _ in found(jsonl_lines(out))] == ["MANPADS", "RU"]


def test_arsenal_alerts_on_the_engine_read_links_and_stay_out_of_the_percolator(
    osint: OsintCli, tmp_path: Path, engine_url: str
):
    alias = f"test_{uuid.uuid4().hex}"
    osint.env["OSINT_INDEX_URL"] = f"{engine_url}?index={alias}"
    out = tmp_path / "houthis.jsonl"
    try:
        osint.index(HISTORY)
        osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", f"jsonl:{out}")
        osint.run("alert", "add", "igla", "surveillance drone", "--notify", f"jsonl:{tmp_path / 'igla.jsonl'}")
        crawl(osint, IGLA, COOCCURRENCE, OTHER_GROUP)
        osint.run("alert", "run")
        assert found(jsonl_lines(out)) == [("category", "MANPADS", IGLA.id)]
        assert len(jsonl_lines(tmp_path / "igla.jsonl")) == 1
        with open_backend(osint.env["OSINT_INDEX_URL"]) as backend:
            assert isinstance(backend, EngineBackend)
            assert list(EnginePercolator(backend).registered()) == ["igla"]
    finally:
        with open_backend(osint.env["OSINT_INDEX_URL"]) as backend:
            for index in (concrete_index(alias), percolator_index(alias)):
                backend.client.request("DELETE", f"/{index}", missing_ok=True)


def test_alert_commands_add_list_show_and_remove_an_arsenal_alert(osint: OsintCli, tmp_path: Path):
    out = f"jsonl:{tmp_path / 'out.jsonl'}"
    unknown = osint.run("alert", "add", "x", "--arsenal", "Houthy Rebelz", "--notify", out, check=False)
    assert unknown.returncode == 2 and "--arsenal" in unknown.stderr and "no known armed group" in unknown.stderr
    both = osint.run("alert", "add", "x", "rifles", "--arsenal", GROUP, "--notify", out, check=False)
    assert both.returncode == 2 and "takes no QUERY" in both.stderr
    backfill = osint.run("alert", "add", "x", "--arsenal", GROUP, "--notify", out, "--backfill", check=False)
    assert backfill.returncode == 2 and "--backfill" in backfill.stderr
    assert osint.run("alert", "add", "x", "--notify", out, check=False).returncode == 2
    assert osint.json("alert", "list") == []

    added = osint.run("alert", "add", "houthis", "--arsenal", "Ansar Allah", "--notify", out)
    assert (
        "the arsenal of Houthis" in added.stdout and "Baseline (never delivered): 0 weapon categories" in added.stdout
    )
    osint.run("alert", "add", "rifles", "rifles", "--notify", out)
    listed = osint.json("alert", "list")
    assert [(row["name"], row["kind"], row["query"], row["group"]) for row in listed] == [
        ("houthis", "arsenal", "", GROUP),
        ("rifles", "search", "rifles", ""),
    ]
    assert "arsenal" in osint.run("alert", "list").stdout
    shown = osint.run("alert", "show", "houthis").stdout
    assert "Kind:      arsenal" in shown and "Group:     Houthis" in shown
    assert "Query:     rifles" in osint.run("alert", "show", "rifles").stdout
    assert osint.run("alert", "show", "nope", check=False).returncode == 2

    taken = osint.run("alert", "add", "houthis", "--arsenal", GROUP, "--notify", out, check=False)
    assert taken.returncode == 2 and "exists already" in taken.stderr
    osint.run("alert", "remove", "houthis")
    assert [row["name"] for row in osint.json("alert", "list")] == ["rifles"]
    store = AlertStore(osint.data_dir)
    try:
        assert store.links("houthis") == []
    finally:
        store.close()


def test_an_alert_store_of_version_1_keeps_its_alerts_as_search_alerts(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "alerts.sqlite3") as old:
        old.executescript(
            """
            CREATE TABLE schema_versions (store TEXT PRIMARY KEY, version INTEGER NOT NULL);
            INSERT INTO schema_versions VALUES ('alerts', 1);
            CREATE TABLE alerts (name TEXT PRIMARY KEY, query TEXT NOT NULL, targets TEXT NOT NULL, created TEXT NOT NULL);
            CREATE TABLE alert_runs (alert TEXT, run_id TEXT, PRIMARY KEY (alert, run_id));
            CREATE TABLE deliveries (alert TEXT, doc_id TEXT, target TEXT, run_id TEXT NOT NULL DEFAULT '',
              status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
              last_error TEXT NOT NULL DEFAULT '', queued TEXT NOT NULL, delivered TEXT,
              PRIMARY KEY (alert, doc_id, target));
            INSERT INTO alerts VALUES ('rifles', 'rifles', '[{"kind": "email", "address": "desk@example.org"}]',
              '2024-01-01T00:00:00+00:00');
            """
        )
    old.close()
    store = AlertStore(data)
    try:
        (alert,) = store.all()
        assert (alert.name, alert.kind, alert.query, alert.group) == ("rifles", "search", "rifles", "")
        assert store.links("rifles") == [] and store.known_keys("rifles") == set()
    finally:
        store.close()


# -- the web form ------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    osint = OsintCli(config.data_dir)
    osint.index(HISTORY)
    with TestClient(create_app(config), base_url="http://127.0.0.1", headers={"Accept": "text/html"}) as served:
        yield served


def create(client: TestClient, **fields: str) -> Any:
    return post_form(client, "/alerts", "/alerts/new", **fields)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="{field}-error">(.*?)</span>', page, re.S)
    assert found is not None, f"no error beside {field}"
    return found[1]


def test_the_web_form_creates_an_arsenal_alert_with_its_baseline(client: TestClient, tmp_path: Path):
    store: AlertStore = client.app.state.workbench.alerts  # type: ignore[attr-defined]
    form = client.get("/alerts/new").text
    assert 'type="radio" name="kind" value="arsenal"' in form and 'name="group"' in form

    unknown = create(client, name="houthis", kind="arsenal", group="Houthy Rebelz", targets="email:desk@example.org")
    assert unknown.status_code == 400 and "no known armed group" in field_error(unknown.text, "group")
    assert 'value="Houthy Rebelz"' in unknown.text and 'value="arsenal" checked' in unknown.text
    empty = create(client, name="houthis", kind="arsenal", group="", targets="email:desk@example.org")
    assert field_error(empty.text, "group") == "an arsenal alert needs an armed group"
    backfill = create(
        client, name="houthis", kind="arsenal", group=GROUP, targets="email:desk@example.org", backfill="true"
    )
    assert "no backfill" in field_error(backfill.text, "backfill")
    odd = create(client, name="houthis", kind="sideways", targets="email:desk@example.org")
    assert "not a kind of alert" in field_error(odd.text, "kind")
    no_query = create(client, name="rifles", kind="search", query=" ", targets="email:desk@example.org")
    assert field_error(no_query.text, "query") == "query: a search alert needs a query"
    assert store.all() == []

    # the query typed before choosing the arsenal kind does not count
    created = create(
        client, name="houthis", kind="arsenal", query="ignored", group="Ansar Allah", targets="email:desk@example.org"
    )
    assert created.status_code == 303 and created.headers["location"] == "/alerts/houthis?saved=1"
    saved = store.get("houthis")
    assert (saved.kind, saved.group, saved.query) == ("arsenal", GROUP, "")
    assert {link.link.key for link in store.links("houthis")} == {"category:assault rifle", "origin:RU"}

    page = client.get("/alerts/houthis").text
    assert "<dt>Kind</dt><dd>arsenal</dd>" in page and 'href="/arsenal/Houthis"' in page
    assert "assault rifle" in page and "Russia" in page
    listing = client.get("/alerts").text
    assert "<td>arsenal</td>" in listing and "arsenal of Houthis" in listing

    record_run(store.data_dir, [])  # a run with nothing new; then one that brings a finding
    OsintCli(store.data_dir).index(HOSTILE)
    record_run(store.data_dir, [(HOSTILE, "new")])
    tested = post_form(client, "/alerts/houthis/test", "/alerts/new")
    result = tested.text[tested.text.index('id="test-result"') :]
    assert "1 new links from 2 runs" in result and "new weapon category: MANPADS (9K38 Igla, use)" in result
    listed = client.get("/api/alerts", headers={"Accept": "application/json"}).json()
    assert [(alert["name"], alert["kind"], alert["group"]) for alert in listed] == [("houthis", "arsenal", GROUP)]

    bench = client.app.state.workbench  # type: ignore[attr-defined]
    evaluate_alerts(store, bench.ledger, bench.backend)  # found and queued (the e-mail cannot go: no SMTP server)
    page = client.get("/alerts/houthis").text
    main = page.split("<main", 1)[1]
    assert "<script>" not in main and "<img src=x" not in main
    assert str(escape(HOSTILE_SENTENCE)) in main and str(escape(HOSTILE.title)) in main
    assert "1 pending" in main


@pytest.mark.browser
def test_an_arsenal_alert_is_made_in_the_browser(tmp_path: Path):
    data = tmp_path / "data"
    with SqliteBackend(data / "index.sqlite3") as backend, serve_workbench(backend, data) as base_url:
        backend.upsert([HISTORY])
        with chromium(base_url) as browser:
            page = browser.page
            browser.goto("/alerts/new")
            page.get_by_label("Name").fill("houthis")
            page.get_by_role("radio", name=re.compile("Arsenal")).check()
            page.get_by_label(re.compile("Armed group")).fill("Ansar Allah")
            page.get_by_label(re.compile("Targets")).fill("email:desk@example.org")
            page.get_by_role("button", name="Save alert").click()
            expect(page.get_by_role("heading", name="Alert houthis")).to_be_visible()
            expect(page.locator("dl.facts").first).to_contain_text("arsenal")
            expect(page.locator("dl.facts").first).to_contain_text("Houthis")
            browser.screenshot("alert-arsenal")
            browser.goto("/alerts")
            expect(page.get_by_role("link", name="arsenal of Houthis")).to_be_visible()

            backend.upsert([IGLA])
            record_run(data, [(IGLA, "new")])
            store, ledger = AlertStore(data), Ledger.in_data_dir(data)
            try:
                (result,) = evaluate_alerts(store, ledger, backend)
            finally:
                store.close()
                ledger.close()
            assert [link.key for link in result.new_links] == ["category:MANPADS"]
            browser.goto("/alerts/houthis")
            findings = page.get_by_role("table").first
            expect(findings).to_contain_text("MANPADS")
            expect(findings).to_contain_text(IGLA_SENTENCE)
            browser.screenshot("alert-arsenal-finding")
            assert browser.problems() == []
