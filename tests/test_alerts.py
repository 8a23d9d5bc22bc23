"""Saved searches deliver each new matching document once: to a webhook served by the test and a JSONL file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from alerts.model import Alert, Target
from index.backend import open_backend
from index.engine.backend import EngineBackend
from index.engine.mapping import concrete_index
from index.engine.percolator import EnginePercolator, percolator_index
from tests.alert_receivers import Webhook
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.incremental.changing_site import ChangingSite, later


@pytest.fixture
def webhook():
    with Webhook() as server:
        yield server


@pytest.fixture
def osint(tmp_path: Path) -> OsintCli:
    cli = OsintCli(tmp_path / "data", extract_workers=0)
    cli.env["OSINT_ALLOW_PRIVATE_DELIVERY"] = "127.0.0.1/32"  # the test's webhook
    return cli


def test_new_matching_documents_are_delivered_once_and_only_once(webhook: Webhook, osint: OsintCli, tmp_path: Path):
    jsonl = tmp_path / "alerts" / "mortars.jsonl"
    with ChangingSite() as site:
        site.publish("/news/1.html", "Mortar rounds found in a lorry")
        site.publish("/news/2.html", "Mortar tubes listed in a cargo manifest")
        site.publish("/news/3.html", "Rifle magazines seized at the border")
        site.add_feed("/news/feed.xml", "/news/")
        watchlist = write_watchlist(
            tmp_path / "w.yaml", [{"id": "news", "kind": "feed", "urls": [site.server.url("/news/feed.xml")]}]
        )
        osint.run(
            "alert",
            "add",
            "mortars",
            "mortar* source:news",
            "--notify",
            f"webhook:{webhook.url}",
            "--notify",
            f"jsonl:{jsonl}",
        )

        osint.run("crawl", str(watchlist))
        assert sorted(webhook.documents()) == ["1.html", "2.html"]
        payload = webhook.received[0]
        assert payload["alert"] == "mortars" and payload["query"] == "mortar* source:news"
        assert {"id", "url", "title", "published", "excerpt", "delivery_id"} <= set(payload["documents"][0])
        lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
        assert sorted(line["url"].rsplit("/", 1)[-1] for line in lines) == ["1.html", "2.html"]
        assert osint.json("alert", "test", "mortars")["new_matches"] == []

        osint.run("crawl", str(watchlist))  # nothing new: nothing sent
        assert len(webhook.received) == 1

        site.publish("/news/4.html", "Mortar bombs diverted from a depot", later(1))
        site.edit("/news/1.html", edition=2, when=later(1))  # changed, but already delivered
        osint.run("crawl", str(watchlist))
        assert webhook.documents()[2:] == ["4.html"]

        webhook.status = 503  # the receiver is down: the document waits, the crawl goes on
        site.publish("/news/5.html", "Mortar sights offered for sale", later(2))
        crawl = osint.run("crawl", str(watchlist), "--json")
        assert json.loads(crawl.stdout)["indexed"] == 1 and "will retry" in crawl.stderr
        pending = osint.json("alert", "test", "mortars")["pending"]
        assert [len(ids) for ids in pending.values()] == [1, 0]  # the JSONL file got it
        listed = osint.json("alert", "list")[0]
        assert listed["pending"] == 1 and "503" in listed["last_error"]

        webhook.status = 204
        assert osint.json("alert", "run")[0]["delivered"] == {f"webhook:{webhook.url}": 1}
        assert osint.json("alert", "run")[0]["delivered"] == {}
        assert sorted(webhook.documents()) == ["1.html", "2.html", "4.html", "5.html"]
        assert len(jsonl.read_text().splitlines()) == 4
        ids = [doc["delivery_id"] for payload in webhook.received for doc in payload["documents"]]
        assert len(ids) == len(set(ids))


def test_alerts_on_the_engine_use_the_percolator(webhook: Webhook, osint: OsintCli, tmp_path: Path, engine_url: str):
    alias = f"test_{uuid.uuid4().hex}"
    osint.env["OSINT_INDEX_URL"] = f"{engine_url}?index={alias}"
    with ChangingSite() as site:
        site.publish("/news/1.html", "Mortar rounds found in a lorry")
        site.publish("/news/2.html", "Mortar tubes listed in a cargo manifest")
        site.publish("/news/3.html", "Rifle magazines seized at the border")
        site.add_feed("/news/feed.xml", "/news/")
        watchlist = write_watchlist(
            tmp_path / "w.yaml", [{"id": "news", "kind": "feed", "urls": [site.server.url("/news/feed.xml")]}]
        )
        osint.run("alert", "add", "mortars", "mortar* -tubes source:news", "--notify", f"webhook:{webhook.url}")

        crawl = osint.run("crawl", str(watchlist))
        assert webhook.documents() == ["1.html"], crawl.stderr
        with open_backend(osint.env["OSINT_INDEX_URL"]) as backend:
            assert isinstance(backend, EngineBackend)
            assert list(EnginePercolator(backend).registered()) == ["mortars"]

            site.publish("/news/4.html", "Mortar bombs diverted from a depot", later(1))
            site.edit("/news/1.html", edition=2, when=later(1))  # changed, but already delivered
            osint.run("crawl", str(watchlist))
            assert webhook.documents() == ["1.html", "4.html"]

            osint.run("alert", "remove", "mortars")
            osint.run("alert", "add", "rifles", "rifle*", "--notify", f"jsonl:{tmp_path / 'rifles.jsonl'}")
            assert osint.json("alert", "run")[0]["matched"] == []  # created after every run so far
            assert list(EnginePercolator(backend).registered()) == ["rifles"]
            for index in (concrete_index(alias), percolator_index(alias)):
                backend.client.request("DELETE", f"/{index}", missing_ok=True)


def test_alert_commands_check_their_input(osint: OsintCli, tmp_path: Path):
    assert osint.run("alert", "add", "x", '"unclosed', "--notify", "jsonl:/tmp/x.jsonl", check=False).returncode == 2
    assert osint.run("alert", "add", "x", "rifles", "--notify", "carrier-pigeon", check=False).returncode == 2
    assert osint.run("alert", "add", "x", "rifles", check=False).returncode == 2
    osint.run("alert", "add", "x", "rifles country:SY", "--notify", str(tmp_path / "x.jsonl"))
    assert osint.run("alert", "add", "x", "rifles", "--notify", str(tmp_path / "x.jsonl"), check=False).returncode == 2
    assert osint.run("alert", "test", "nope", check=False).returncode == 2
    assert [row["name"] for row in osint.json("alert", "list")] == ["x"]
    osint.run("alert", "remove", "x")
    assert osint.json("alert", "list") == []


def test_alert_add_writes_files_only_at_absolute_paths_outside_the_data_directory(osint: OsintCli, tmp_path: Path):
    outside = tmp_path / "alerts" / "out.jsonl"
    osint.run("alert", "add", "a", "rifles", "--notify", f"file:{outside}", "--notify", f"file://{outside}.2")
    assert osint.json("alert", "list")[0]["targets"] == [f"jsonl:{outside}", f"jsonl:{outside}.2"]

    relative = osint.run("alert", "add", "b", "rifles", "--notify", "file:alerts/out.jsonl", check=False)
    assert relative.returncode == 2 and "absolute path" in relative.stderr
    for inside in (f"jsonl:{osint.data_dir / 'crawl.sqlite3'}", f"file://{osint.data_dir}/alerts/out.jsonl"):
        refused = osint.run("alert", "add", "b", "rifles", "--notify", inside, check=False)
        assert refused.returncode == 2 and "inside the data directory" in refused.stderr, refused.stderr
    assert [row["name"] for row in osint.json("alert", "list")] == ["a"]


@pytest.mark.parametrize(
    "text, kind, address",
    [
        ("webhook:https://hooks.example.org/a", "webhook", "https://hooks.example.org/a"),
        ("https://hooks.example.org/a", "webhook", "https://hooks.example.org/a"),
        ("email:desk@example.org", "email", "desk@example.org"),
        ("desk@example.org", "email", "desk@example.org"),
        ("jsonl:/var/alerts/out.jsonl", "jsonl", "/var/alerts/out.jsonl"),
        ("/var/alerts/out.jsonl", "jsonl", "/var/alerts/out.jsonl"),
        ("file:/var/alerts/out.jsonl", "jsonl", "/var/alerts/out.jsonl"),
        ("file:///var/alerts/out.jsonl", "jsonl", "/var/alerts/out.jsonl"),
        ("file://localhost/var/alerts/my%20out.jsonl", "jsonl", "/var/alerts/my out.jsonl"),
    ],
)
def test_targets_parse(text: str, kind: str, address: str):
    assert Target.parse(text) == Target(kind=kind, address=address)


def test_bad_targets_and_queries_are_refused():
    for text in ("webhook:ftp://x", "email:not-an-address", "somewhere"):
        with pytest.raises(ValueError):
            Target.parse(text)
    with pytest.raises(ValueError):
        Alert(name="a", query="since:yesterday", targets=[Target.parse("/var/alerts/x.jsonl")])


@pytest.mark.parametrize(
    "text",
    ["x.jsonl", "jsonl:alerts/out.jsonl", "file:alerts/out.jsonl", "file:x.jsonl", "file://files.example.org/x.jsonl"],
)
def test_a_file_target_needs_a_local_absolute_path(text: str):
    with pytest.raises(ValueError, match=r"absolute path|local file"):
        Target.parse(text)
