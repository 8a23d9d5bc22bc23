"""The alerts pages (/alerts, /alerts/new, /alerts/{name} with test and remove) and their JSON
(/api/alerts), through the real app (FastAPI's TestClient) over a real SQLite index, a real alert
store and a real ledger in the test's data directory: alerts are made through the form, runs are
recorded through the ledger's API, deliveries go to a JSONL file or are refused by the delivery
guard, as after a crawl."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from alerts.model import Target
from alerts.store import AlertStore
from app.web.alert_forms import FILE_TARGET_NEEDS_ADMIN, MAX_QUERY, find_alert, shown_error, shown_target
from app.web.application import create_app
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from settings.config import Config, load_config
from state.ledger import Ledger
from tests.web.forms import form_token, post_form

HOSTILE_TITLE = 'Mortar rounds <script>alert("title")</script> <img src=x onerror=alert(1)>'
HOSTILE_QUERY = 'mortar "<script>alert(2)</script>"'
PASSWORD = "a long enough password"
#: a chat webhook keeps its secret in the path and query (a loopback host: the guard refuses it, no network)
CHAT_WEBHOOK = "webhook:http://127.0.0.1:9/services/T0DESK/B0ARMS/pathsecret?token=querysecret"

LORRY = Document.new(
    "https://gazette.example.org/news/lorry.html",
    title="Mortar rounds found in a lorry",
    text="Customs officers found mortar rounds hidden under sacks of grain in a lorry.",
    source_id="gazette",
    language="en",
)
MANIFEST = Document.new(
    "https://gazette.example.org/news/manifest.html",
    title="Mortar tubes listed in a cargo manifest",
    text="A cargo manifest listed mortar tubes as agricultural pipes.",
    source_id="gazette",
    language="en",
)
RIFLES = Document.new(
    "https://gazette.example.org/news/rifles.html",
    title="Rifle magazines seized at the border",
    text="Border guards seized rifle magazines from a bus.",
    source_id="gazette",
    language="en",
)
LATER = Document.new(
    "javascript:alert(3)",
    title=HOSTILE_TITLE,
    text="Mortar sights were offered for sale on a forum.",
    source_id="forum",
    language="en",
)


@dataclass
class Bench:
    client: TestClient
    config: Config
    out: Path  # a JSONL target's file, outside the data directory

    def token(self, path: str = "/alerts/new") -> str:
        return form_token(self.client, path)

    def post(self, path: str, **fields: str) -> httpx.Response:
        return post_form(self.client, path, "/alerts/new", **fields)

    def create(self, name: str, query: str, *targets: str, backfill: bool = False) -> httpx.Response:
        fields = {"name": name, "query": query, "targets": "\n".join(targets)}
        if backfill:
            fields["backfill"] = "true"
        return self.post("/alerts", **fields)

    @property
    def store(self) -> AlertStore:
        found: AlertStore = self.client.app.state.workbench.alerts  # type: ignore[attr-defined]
        return found


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    with SqliteBackend(config.data_dir / "index.sqlite3") as backend:
        backend.upsert([LORRY, MANIFEST, RIFLES])
    with TestClient(create_app(config), base_url="http://127.0.0.1", headers={"Accept": "text/html"}) as client:
        yield Bench(client, config, tmp_path / "alerts" / "out.jsonl")


def links(text: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', text)]


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    """A browser session for `name`, through the login form."""
    signed_in = post_form(client, "/login", "/login", name=name, password=password)
    assert signed_in.status_code == 303, signed_in.text


def bearer(bench: Bench, name: str) -> dict[str, str]:
    users = bench.client.app.state.workbench.users  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {users.new_token(name)}", "Accept": "application/json"}


def add_users(bench: Bench) -> None:
    """An admin, an editor and a viewer: from now on every page needs a login."""
    users = bench.client.app.state.workbench.users  # type: ignore[attr-defined]
    for name, role in (("ada", "admin"), ("erin", "editor"), ("vera", "viewer")):
        users.add(name, role, PASSWORD)


def main_of(page: str) -> str:
    """The page's own content (the layout's <head> loads the app's scripts)."""
    return page.split("<main", 1)[1]


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="{field}-error">(.*?)</span>', page, re.S)
    assert found is not None, f"no error beside {field}"
    return html.unescape(found[1])


def crawl(config: Config, *documents: Document) -> str:
    """A finished run that indexed `documents` as new, recorded as a crawl records it."""
    with SqliteBackend(config.data_dir / "index.sqlite3") as backend:
        backend.upsert(list(documents))
    ledger = Ledger.in_data_dir(config.data_dir)
    try:
        run_id = ledger.start_run("east-africa", ["gazette"])
        for document in documents:
            ledger.record(
                run_id, document.url, document.source_id, "indexed", doc_id=document.id, fetched=True, change="new"
            )
        ledger.finish_run(run_id)
    finally:
        ledger.close()
    return run_id


# -- creating ----------------------------------------------------------------------------------


def test_the_form_comes_prefilled_from_a_search(bench: Bench) -> None:
    form = bench.client.get("/alerts/new", params={"q": HOSTILE_QUERY})
    assert form.status_code == 200
    assert f">{escape(HOSTILE_QUERY)}</textarea>" in form.text
    assert "<script>" not in main_of(form.text)


def test_mistakes_are_reported_beside_their_field_with_the_cli_messages_and_the_values_kept(bench: Bench) -> None:
    refused = bench.create("-bad name", '"unclosed', "carrier-pigeon")
    assert refused.status_code == 400
    with pytest.raises(ValueError) as target_problem:
        Target.parse("carrier-pigeon")
    assert field_error(refused.text, "targets") == str(target_problem.value)
    assert field_error(refused.text, "name").startswith("letters, digits, '.', '-' or '_'")
    assert field_error(refused.text, "query").startswith("query: ")
    assert 'value="-bad name"' in refused.text and ">&#34;unclosed</textarea>" in refused.text
    assert 'aria-invalid="true" aria-describedby="name-error name-help"' in refused.text

    inside = bench.create("inside", "mortar", f"jsonl:{bench.config.data_dir / 'crawl.sqlite3'}")
    assert inside.status_code == 400 and "inside the data directory" in field_error(inside.text, "targets")
    relative = bench.create("relative", "mortar", "file:alerts/out.jsonl")
    assert "absolute path" in field_error(relative.text, "targets")
    none = bench.create("none", "mortar")
    assert field_error(none.text, "targets").startswith("at least one target")
    assert bench.store.all() == []


def test_an_alert_is_created_listed_and_its_query_links_to_the_search(bench: Bench) -> None:
    created = bench.create("mortars", HOSTILE_QUERY, f"jsonl:{bench.out}", "webhook:https://hooks.example.org/a")
    assert created.status_code == 303 and created.headers["location"] == "/alerts/mortars?saved=1"
    saved = bench.store.get("mortars")
    assert saved.query == HOSTILE_QUERY and [str(t) for t in saved.targets] == [
        f"jsonl:{bench.out}",
        "webhook:https://hooks.example.org/a",
    ]
    assert "Alert mortars saved." in bench.client.get(created.headers["location"]).text

    listing = bench.client.get("/alerts").text
    assert "/alerts/mortars" in links(listing)
    assert "/?q=" + "mortar+%22%3Cscript%3Ealert%282%29%3C%2Fscript%3E%22" in links(listing)
    assert "<script>" not in main_of(listing) and escape(HOSTILE_QUERY) in listing
    assert f"jsonl:{bench.out}" in listing and listing.count("0 pending") == 2

    again = bench.create("mortars", "rifles", f"jsonl:{bench.out}")
    assert again.status_code == 400 and field_error(again.text, "name") == "an alert named 'mortars' exists already"


def test_a_backfill_delivers_what_the_index_holds_and_a_refused_target_keeps_it_pending(bench: Bench) -> None:
    webhook = "webhook:http://desk:s3cret-token@127.0.0.1:9/hook"  # credentials never shown
    created = bench.create("mortars", "mortar", f"jsonl:{bench.out}", webhook, backfill=True)
    assert created.status_code == 303
    delivered = [json.loads(line) for line in bench.out.read_text().splitlines()]
    assert sorted(line["title"] for line in delivered) == [LORRY.title, MANIFEST.title]

    page = bench.client.get("/alerts/mortars").text
    assert page.count('<span class="status-ok">delivered</span>') == 2
    assert page.count('<span class="status-bad">pending</span>') == 2  # the webhook's: a loopback address
    assert 'webhook:http://127.0.0.1:9/…</code> <span class="badge status-bad">2 pending' in page
    assert "refused" in page and "OSINT_ALLOW_PRIVATE_DELIVERY" in page
    assert f"/doc/{LORRY.id}" in links(page) and LORRY.url in links(page)
    listing = bench.client.get("/alerts").text
    assert "2 pending" in listing and "refused" in listing
    listed = bench.client.get("/api/alerts", headers={"Accept": "application/json"}).json()
    assert "s3cret" not in page + listing + json.dumps(listed)


# -- testing and removing ----------------------------------------------------------------------


def test_testing_shows_what_would_be_delivered_without_sending_it(bench: Bench) -> None:
    assert bench.create("mortars", "mortar", f"jsonl:{bench.out}").status_code == 303
    crawl(bench.config, LATER, RIFLES)
    tested = bench.post("/alerts/mortars/test")
    assert tested.status_code == 200
    result = tested.text[tested.text.index('id="test-result"') :]
    assert "1 new matching documents from 1 runs; 0 more waiting for delivery" in result
    assert escape(HOSTILE_TITLE) in result and "<script>" not in main_of(tested.text)
    assert f"/doc/{LATER.id}" in links(result)
    assert not [link for link in links(tested.text) if link.lower().startswith("javascript:")]
    assert RIFLES.title not in result
    assert not bench.out.exists()  # nothing sent
    assert bench.store.summary("mortars").pending == 0  # nothing queued


def test_an_alert_is_removed_after_a_confirmation(bench: Bench) -> None:
    assert bench.create("mortars", "mortar", f"jsonl:{bench.out}").status_code == 303
    confirm = bench.client.get("/alerts/mortars/delete")
    assert confirm.status_code == 200 and 'action="/alerts/mortars/delete"' in confirm.text
    removed = bench.post("/alerts/mortars/delete")
    assert removed.status_code == 303 and removed.headers["location"] == "/alerts?removed=mortars"
    assert bench.store.all() == []
    assert "Alert mortars removed." in bench.client.get(removed.headers["location"]).text
    assert bench.post("/alerts/mortars/delete").status_code == 404
    assert bench.client.get("/alerts/mortars").status_code == 404


def test_posts_need_the_csrf_token(bench: Bench) -> None:
    bench.token()  # the browser has its CSRF cookie, but the form below does not carry the token
    forged = bench.client.post("/alerts", data={"name": "x", "query": "mortar", "targets": f"jsonl:{bench.out}"})
    assert forged.status_code == 403 and bench.store.all() == []


# -- JSON --------------------------------------------------------------------------------------


def test_the_api_creates_and_lists_alerts_and_viewers_may_only_read(bench: Bench) -> None:
    add_users(bench)
    admin, viewer = bearer(bench, "ada"), bearer(bench, "vera")
    body = {"name": "mortars", "query": "mortar", "targets": [f"jsonl:{bench.out}"], "backfill": True}

    assert bench.client.post("/api/alerts", json=body, headers=viewer).status_code == 403
    created = bench.client.post("/api/alerts", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["backfill"]["matched"] == 2 and created.json()["delivered"] == 2
    refused = bench.client.post("/api/alerts", json={**body, "name": "x", "targets": ["carrier-pigeon"]}, headers=admin)
    assert refused.status_code == 400 and set(refused.json()["problems"]) == {"targets"}

    listed = bench.client.get("/api/alerts", headers=viewer).json()
    assert [(alert["name"], alert["pending_by_target"]) for alert in listed] == [("mortars", {f"jsonl:{bench.out}": 0})]
    assert {"/api/alerts"} <= set(bench.client.get("/api/openapi.json", headers=viewer).json()["paths"])


# -- what the web refuses or hides -------------------------------------------------------------


def test_webhook_targets_show_their_scheme_and_host_only_in_pages_errors_and_json(bench: Bench) -> None:
    email = "email:desk@example.org"
    created = bench.create("mortars", "mortar", CHAT_WEBHOOK, email, f"jsonl:{bench.out}", backfill=True)
    assert created.status_code == 303
    assert str(bench.store.get("mortars").targets[0]) == CHAT_WEBHOOK  # saved whole

    add_users(bench)
    sign_in(bench.client, "vera")
    page = bench.client.get("/alerts/mortars").text
    listing = bench.client.get("/alerts").text
    listed = bench.client.get("/api/alerts", headers=bearer(bench, "vera")).json()
    for shown in (page, listing, json.dumps(listed, ensure_ascii=False)):
        assert "pathsecret" not in shown and "querysecret" not in shown and "T0DESK" not in shown
    assert "<code>webhook:http://127.0.0.1:9/…</code>" in page
    assert "webhook:http://127.0.0.1:9/…: refused:" in page  # the delivery error names its target
    assert f"<code>{email}</code>" in page and f"<code>jsonl:{bench.out}</code>" in page
    assert listed[0]["targets"] == ["webhook:http://127.0.0.1:9/…", email, f"jsonl:{bench.out}"]
    assert listed[0]["pending_by_target"]["webhook:http://127.0.0.1:9/…"] == 2

    assert (
        shown_target("webhook:https://u:p@ss@hooks.example.org:8443/x?y=z")
        == "webhook:https://hooks.example.org:8443/…"
    )
    assert shown_target(Target.parse("https://hooks.example.org")) == "webhook:https://hooks.example.org/…"
    assert shown_error("failed for url 'https://hooks.example.org/T/B/secret'.") == (
        "failed for url 'https://hooks.example.org/…'."
    )


def test_only_an_admin_adds_a_jsonl_target_from_the_web(bench: Bench) -> None:
    add_users(bench)
    sign_in(bench.client, "erin")
    refused = bench.create("mortars", "mortar", f"jsonl:{bench.out}")
    assert refused.status_code == 400 and field_error(refused.text, "targets") == FILE_TARGET_NEEDS_ADMIN
    assert 'value="mortars"' in refused.text  # the form comes back filled in
    body = {"name": "mortars", "query": "mortar", "targets": [f"jsonl:{bench.out}"], "backfill": True}
    by_api = bench.client.post("/api/alerts", json=body, headers=bearer(bench, "erin"))
    assert by_api.status_code == 400 and by_api.json()["problems"] == {"targets": FILE_TARGET_NEEDS_ADMIN}
    assert bench.store.all() == [] and not bench.out.exists()

    assert bench.create("rifles", "rifle", "email:desk@example.org").status_code == 303  # other targets: fine
    assert bench.client.post("/api/alerts", json=body, headers=bearer(bench, "ada")).status_code == 201
    assert bench.out.exists() and find_alert(bench.store, "mortars") is not None
    assert find_alert(bench.store, "nothing-here") is None


def test_the_removed_notice_echoes_only_an_alert_name(bench: Bench) -> None:
    assert "Alert mortars-2.old removed." in bench.client.get("/alerts", params={"removed": "mortars-2.old"}).text
    for text in ("Your session expired: call +1 555 0100", "a" * 65, "mortars\n", "<b>x</b>"):
        page = bench.client.get("/alerts", params={"removed": text})
        assert page.status_code == 200 and "removed." not in page.text and "session expired" not in page.text


def test_too_long_fields_are_reported_beside_the_field(bench: Bench) -> None:
    long_name = "m" * 65
    refused = bench.create(long_name, "mortar", "email:desk@example.org")
    assert refused.status_code == 400 and "(at most 64)" in field_error(refused.text, "name")
    assert f'value="{long_name}"' in refused.text
    long_query = bench.create("mortars", "mortar " * MAX_QUERY, "email:desk@example.org")
    assert long_query.status_code == 400 and f"at most {MAX_QUERY:,} characters" in field_error(
        long_query.text, "query"
    )
    many = bench.create("mortars", "mortar", *[f"email:desk{n}@example.org" for n in range(300)])
    assert many.status_code == 400 and "characters of targets" in field_error(many.text, "targets")
    assert bench.store.all() == []


def test_the_openapi_schema_names_the_alert_models_plainly(bench: Bench) -> None:
    schemas = bench.client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"AlertIn", "AlertOut"} <= set(schemas)
    assert not [name for name in schemas if "alert_forms" in name]


def test_an_alerts_page_reads_each_document_from_the_index_once(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    webhook = "webhook:http://127.0.0.1:9/hook"  # refused (loopback): its documents stay pending
    assert bench.create("mortars", "mortar", webhook, backfill=True).status_code == 303
    read: list[str] = []
    original = SqliteBackend.get

    def get(self: SqliteBackend, document_id: str) -> Document | None:
        read.append(document_id)
        return original(self, document_id)

    monkeypatch.setattr(SqliteBackend, "get", get)
    page = bench.client.get("/alerts/mortars").text
    assert page.count('<span class="status-bad">pending</span>') == 2  # listed as pending and as recent deliveries
    assert sorted(read) == sorted({LORRY.id, MANIFEST.id})
