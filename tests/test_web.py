"""The search page over a real SQLite index, served by uvicorn on 127.0.0.1 as `osint serve` runs it."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from index.sqlite.backend import SqliteBackend
from schema.document import Document
from tests.serving import http_get, serve_workbench


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "index.sqlite3"
    with SqliteBackend(path) as backend:
        backend.upsert(
            [
                Document.new(
                    "https://hostile.example.org/a",
                    title='Kornet sale <script>alert("t")</script>',
                    text="Seller offered Kornet launchers <img src=x onerror=alert(1)> in Idlib.",
                    language="en",
                    source_id="forum",
                    weapons=["9M133 Kornet"],
                    countries=["SY"],
                    published=datetime(2025, 3, 1, tzinfo=UTC),
                ),
                Document.new("javascript:alert(2)", title="Odd link", text="Kornet mentioned again.", language="en"),
            ]
        )
    with SqliteBackend(path) as backend, serve_workbench(backend) as base_url:
        yield base_url


def test_results_are_escaped_and_scripts_forbidden(site):
    status, headers, page = http_get(f"{site}/?q=kornet")
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy and "unsafe" not in policy
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<img" not in page
    assert "<mark>Kornet</mark>" in page
    assert 'href="javascript:' not in page and "href='javascript:" not in page


def test_facets_link_to_narrowed_searches(site):
    _, _, page = http_get(f"{site}/?q=kornet")
    links = [html.unescape(href) for href in re.findall(r'class="facet-include" href="(/\?[^"]*)"', page)]
    filters = [parse_qs(urlsplit(link).query).get("f", []) for link in links]
    assert ["weapon:9M133 Kornet"] in filters
    status, _, narrowed = http_get(site + links[filters.index(["weapon:9M133 Kornet"])])
    assert status == 200 and re.search(r"\b1 document\b", narrowed)


def test_bad_queries_get_a_message_not_a_trace(site):
    status, _, page = http_get(f"{site}/?q={quote('colour:red')}")
    assert status == 400 and "unknown field colour:" in page and "Traceback" not in page


def test_json_api(site):
    status, headers, body = http_get(f"{site}/api/search?q=kornet")
    result = json.loads(body)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert result["total"] == 2 and {"hits", "facets", "histogram"} <= result.keys()


def test_document_urls_are_shown_without_credentials(tmp_path):
    """A page from a private source (user:password@ in its URL): the search page and the API show
    where it came from, never the password."""
    path = tmp_path / "private.sqlite3"
    with SqliteBackend(path) as backend:
        backend.upsert(
            [
                Document.new(
                    "https://reader:hunter2@private.example/report",
                    title="Kornet report",
                    text="Kornet launchers were offered in the private channel.",
                    language="en",
                )
            ]
        )
        with serve_workbench(backend) as base_url:
            _, _, page = http_get(f"{base_url}/?q=kornet")
            _, _, body = http_get(f"{base_url}/api/search?q=kornet")
    assert "https://***@private.example/report" in page and "hunter2" not in page
    assert json.loads(body)["hits"][0]["url"] == "https://***@private.example/report"
