"""`osint alert add --backfill`: documents already in the index that an alert's query matches are
delivered at once, through the same outbox as a run's matches, so nothing is ever sent twice.

The index is a real SQLite file written through the real backend; the CLI runs as the other alert
tests run it (tests/crawl/helpers.py); deliveries go to a JSONL file and a loopback webhook. A
backfill pages through the search with a page size of PAGE, so several pages are read.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import alerts.backfill
from alerts.delivery import delivery_id
from alerts.guard import DeliveryPolicy
from alerts.model import Alert, Target
from alerts.store import AlertExists, AlertStore, OutboxSummary
from index.backend import open_backend
from index.engine.mapping import concrete_index
from index.engine.percolator import percolator_index
from index.query import SearchRequest, SearchResult
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from settings.config import load_config
from state.ledger import Ledger
from tests.alert_receivers import Webhook
from tests.crawl.helpers import OsintCli

PAGE = 3
QUERY = "mortar* source:news"
DAY = datetime(2024, 3, 1, tzinfo=UTC)


def mortar(n: int, source: str = "news", dated: bool = True) -> Document:
    return Document.new(
        f"https://{source}.example.org/mortar-{n}.html",
        title=f"Mortar report {n}",
        text=f"Mortar rounds were seen near depot {n}, according to local officials.",
        source_id=source,
        language="en",
        published=DAY + timedelta(days=n) if dated else None,
    )


#: 8 matches (3 undated: the cursor pages past the dated ones into them), over 3 pages of PAGE
MATCHING = [mortar(n, dated=n % 3 != 0) for n in range(8)]
#: the words without the source, and the source without the words
OTHERS = [
    mortar(100, source="blog"),
    Document.new(
        "https://news.example.org/rifles.html",
        title="Rifles seized",
        text="Customs officers seized rifles at the border.",
        source_id="news",
        language="en",
        published=DAY,
    ),
]


@pytest.fixture
def webhook():
    with Webhook() as server:
        yield server


@pytest.fixture
def osint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> OsintCli:
    cli = OsintCli(tmp_path / "data", extract_workers=0)
    cli.env["OSINT_ALLOW_PRIVATE_DELIVERY"] = "127.0.0.1/32"  # the test's webhook
    monkeypatch.setattr(alerts.backfill, "PAGE_SIZE", PAGE)  # `alert` commands run in this process
    return cli


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[SearchRequest]:
    """Every search request the index backends are asked, in order."""
    seen: list[SearchRequest] = []
    original = SqliteBackend.search

    def search(self: SqliteBackend, request: SearchRequest) -> SearchResult:
        seen.append(request)
        return original(self, request)

    monkeypatch.setattr(SqliteBackend, "search", search)
    return seen


def write_index(osint: OsintCli, documents: list[Document]) -> None:
    with open_backend(osint.env["OSINT_INDEX_URL"]) as backend:
        result = backend.upsert(documents)
    assert result.failures == [] and result.indexed == len(documents)


def record_run(osint: OsintCli, changes: list[tuple[Document, str]]) -> str:
    """A finished run in the ledger that indexed `changes` ((document, "new" or "changed")), as a crawl records it."""
    ledger = Ledger.in_data_dir(osint.data_dir)
    try:
        run_id = ledger.start_run("test", ["news"])
        for document, change in changes:
            ledger.record(run_id, document.url, "news", "indexed", doc_id=document.id, fetched=True, change=change)
        ledger.finish_run(run_id)
    finally:
        ledger.close()
    return run_id


def jsonl_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def webhook_ids(webhook: Webhook) -> list[str]:
    return [doc["id"] for payload in webhook.received for doc in payload["documents"]]


def test_backfill_delivers_every_existing_match_once_and_runs_deliver_only_what_comes_later(
    osint: OsintCli, webhook: Webhook, tmp_path: Path, searches: list[SearchRequest]
):
    write_index(osint, MATCHING + OTHERS)
    jsonl = tmp_path / "out" / "mortars.jsonl"
    hook, file = f"webhook:{webhook.url}", f"jsonl:{jsonl}"
    expected = sorted(document.id for document in MATCHING)

    added = osint.json("alert", "add", "mortars", QUERY, "--notify", hook, "--notify", file, "--backfill")
    assert added["name"] == "mortars" and added["targets"] == [
        {"kind": "webhook", "address": webhook.url},
        {"kind": "jsonl", "address": str(jsonl)},
    ]
    assert added["backfill"] == {
        "matched": 8,
        "queued": 16,
        "delivered": {hook: 8, file: 8},
        "failed": {},
        "errors": {},
    }
    # the whole result set, page by page with the search cursor
    assert [request.size for request in searches] == [PAGE] * 3
    assert [request.search_after is None for request in searches] == [True, False, False]

    # the very payloads a run delivers (tests/test_alerts.py)
    assert sorted(webhook_ids(webhook)) == expected and len(webhook.received) == 1
    payload = webhook.received[0]
    assert payload["alert"] == "mortars" and payload["query"] == QUERY
    for doc in payload["documents"]:
        assert {"id", "url", "title", "published", "excerpt", "delivery_id"} <= set(doc)
        assert doc["delivery_id"] == delivery_id("mortars", doc["id"])
    assert sorted(jsonl_ids(jsonl)) == expected
    line = json.loads(jsonl.read_text().splitlines()[0])
    assert line["alert"] == "mortars" and line["query"] == QUERY

    # nothing left to deliver; what was delivered is counted
    tested = osint.json("alert", "test", "mortars")
    assert tested["new_matches"] == [] and tested["pending"] == {hook: [], file: []}
    assert tested["delivered"] == 16
    listed = osint.json("alert", "list")[0]
    assert listed["delivered"] == 16 and listed["pending"] == 0 and listed["last_error"] == ""

    # a run delivers nothing again
    ran = osint.json("alert", "run")
    assert [(result["alert"], result["matched"], result["delivered"]) for result in ran] == [("mortars", [], {})]
    assert len(webhook.received) == 1 and len(jsonl_ids(jsonl)) == 8

    # a run that indexes a new match, and a backfilled document again (changed): only the new one goes
    late, edited = mortar(50), MATCHING[1].model_copy(update={"text": "Mortar rounds, updated report."})
    write_index(osint, [late, edited])
    record_run(osint, [(late, "new"), (edited, "changed")])
    ran = osint.json("alert", "run")
    assert ran[0]["matched"] == [late.id] and ran[0]["delivered"] == {hook: 1, file: 1}
    assert webhook_ids(webhook)[8:] == [late.id] and jsonl_ids(jsonl)[8:] == [late.id]

    assert osint.json("alert", "run")[0]["delivered"] == {}
    assert len(webhook_ids(webhook)) == 9 and len(jsonl_ids(jsonl)) == 9


def test_a_target_that_fails_during_the_backfill_keeps_its_documents_pending_for_the_next_run(
    osint: OsintCli, webhook: Webhook, tmp_path: Path
):
    write_index(osint, MATCHING + OTHERS)
    jsonl = tmp_path / "out" / "mortars.jsonl"
    hook, file = f"webhook:{webhook.url}", f"jsonl:{jsonl}"
    webhook.status = 503

    added = osint.run("alert", "add", "mortars", QUERY, "--notify", hook, "--notify", file, "--backfill")
    assert added.returncode == 0  # as after a crawl or `alert run`: reported, retried, not fatal
    summary = added.stdout.splitlines()[-1]
    assert summary.startswith("Backfill: 8 documents already in the index match; delivered 8 to " + file)
    assert "failed, pending until the next run" in summary and f"8 to {hook}" in summary and "503" in summary
    assert "will retry" in added.stderr
    assert sorted(jsonl_ids(jsonl)) == sorted(document.id for document in MATCHING) and webhook.received == []

    tested = osint.json("alert", "test", "mortars")
    assert sorted(tested["pending"][hook]) == sorted(document.id for document in MATCHING)
    assert tested["pending"][file] == [] and tested["new_matches"] == [] and tested["delivered"] == 8
    text = osint.run("alert", "test", "mortars").stdout
    assert text.startswith("0 new matching documents from 0 runs; 8 more waiting for delivery; 8 deliveries made")
    listed = osint.json("alert", "list")[0]
    assert listed["pending"] == 8 and "503" in listed["last_error"]

    webhook.status = 204
    assert osint.json("alert", "run")[0]["delivered"] == {hook: 8}
    assert osint.json("alert", "run")[0]["delivered"] == {}
    assert sorted(webhook_ids(webhook)) == sorted(document.id for document in MATCHING)
    assert len(jsonl_ids(jsonl)) == 8


def test_a_backfill_that_finds_nothing_says_so(osint: OsintCli, tmp_path: Path):
    write_index(osint, OTHERS)
    jsonl = tmp_path / "out" / "mortars.jsonl"
    added = osint.run("alert", "add", "mortars", QUERY, "--notify", f"jsonl:{jsonl}", "--backfill")
    assert added.stdout.splitlines() == [
        f"Alert 'mortars' saved; it notifies jsonl:{jsonl}.",
        "Backfill: no document already in the index matches; nothing delivered.",
    ]
    assert not jsonl.exists()
    assert osint.json("alert", "test", "mortars")["delivered"] == 0


def test_bad_usage_with_backfill_exits_2_and_saves_and_sends_nothing(osint: OsintCli, tmp_path: Path):
    write_index(osint, MATCHING)
    jsonl = tmp_path / "out" / "x.jsonl"
    notify = ("--notify", f"jsonl:{jsonl}")
    for query, message in (('"unclosed mortar', "query"), ("mortar colour:red", "colour:")):
        bad = osint.run("alert", "add", "x", query, *notify, "--backfill", check=False)
        assert bad.returncode == 2 and message in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
    no_target = osint.run("alert", "add", "x", "mortar*", "--backfill", check=False)
    assert no_target.returncode == 2 and "--notify" in no_target.stderr
    relative = osint.run("alert", "add", "x", "mortar*", "--notify", "file:x.jsonl", "--backfill", check=False)
    assert relative.returncode == 2 and "absolute path" in relative.stderr
    assert osint.json("alert", "list") == [] and not jsonl.exists()

    osint.run("alert", "add", "x", "rifles", *notify)
    taken = osint.run("alert", "add", "x", "mortar*", *notify, "--backfill", check=False)
    assert taken.returncode == 2 and "exists already" in taken.stderr
    assert [(row["name"], row["query"], row["delivered"]) for row in osint.json("alert", "list")] == [
        ("x", "rifles", 0)
    ]
    assert not jsonl.exists()


def test_an_index_that_cannot_be_searched_saves_nothing(osint: OsintCli, tmp_path: Path, closed_port: int):
    osint.env["OSINT_INDEX_URL"] = f"http://127.0.0.1:{closed_port}"
    failed = osint.run(
        "alert", "add", "x", "mortar*", "--notify", f"jsonl:{tmp_path / 'x.jsonl'}", "--backfill", check=False
    )
    assert failed.returncode == 1 and "was not saved" in failed.stderr and "Traceback" not in failed.stderr
    assert osint.json("alert", "list") == []


def test_backfill_on_the_engine(osint: OsintCli, tmp_path: Path, engine_url: str):
    alias = f"test_{uuid.uuid4().hex}"
    osint.env["OSINT_INDEX_URL"] = f"{engine_url}?index={alias}"
    try:
        write_index(osint, MATCHING + OTHERS)
        jsonl = tmp_path / "out" / "mortars.jsonl"
        added = osint.json("alert", "add", "mortars", QUERY, "--notify", f"jsonl:{jsonl}", "--backfill")
        assert added["backfill"]["matched"] == 8 and added["backfill"]["delivered"] == {f"jsonl:{jsonl}": 8}
        assert sorted(jsonl_ids(jsonl)) == sorted(document.id for document in MATCHING)
        assert osint.json("alert", "run")[0]["delivered"] == {}
        assert len(jsonl_ids(jsonl)) == 8
    finally:
        with open_backend(osint.env["OSINT_INDEX_URL"]) as backend:
            for index in (concrete_index(alias), percolator_index(alias)):
                backend.client.request("DELETE", f"/{index}", missing_ok=True)


def test_the_outbox_counts_pending_documents_per_target_in_sql_and_lists_the_first_of_them(tmp_path: Path):

    store = AlertStore(tmp_path / "data")
    jsonl, email = Target.parse(f"jsonl:{tmp_path / 'out.jsonl'}"), Target.parse("email:desk@example.org")
    try:
        assert (
            store.add(Alert(name="mortars", query="mortar", targets=[jsonl, email]), backfill=["d1", "d2", "d3"]) == 6
        )
        store.mark_delivered("mortars", jsonl, ["d1", "d2", "d3"])
        store.mark_failed("mortars", email, ["d1"], "refused")
        assert store.pending_counts("mortars") == {str(email): 3}
        assert store.pending("mortars", email, limit=2) == store.pending("mortars", email)[:2] == ["d1", "d2"]
        summary = store.summary("mortars")
        assert summary == OutboxSummary(
            delivered=3, pending=3, last_delivered=summary.last_delivered, last_error="refused"
        )
        assert summary.last_delivered is not None
        assert store.pending_counts("nothing") == {}
    finally:
        store.close()


def test_a_taken_name_is_refused_before_the_index_is_searched(tmp_path: Path, searches: list[SearchRequest]):

    store = AlertStore(tmp_path / "data")
    alert = Alert(name="mortars", query="mortar", targets=[Target.parse("email:desk@example.org")])
    policy = DeliveryPolicy.from_config(load_config({"OSINT_DATA_DIR": str(tmp_path / "data")}))
    try:
        with SqliteBackend(tmp_path / "index.sqlite3") as backend:
            backend.upsert(MATCHING)
            alerts.backfill.refuse_taken_name(store, "mortars")  # free: nothing raised
            store.add(alert)
            with pytest.raises(AlertExists, match="an alert named 'mortars' exists already"):
                alerts.backfill.add_with_backfill(store, backend, alert, policy)
        assert searches == []
    finally:
        store.close()
