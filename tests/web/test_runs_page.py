"""The run history (/runs), one run's report (/runs/{id}) with the URLs behind each count, and their
JSON (/api/runs), through the real app (FastAPI's TestClient) over a real ledger whose runs and
outcomes are recorded through its own API, as a crawl records them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.web.application import create_app
from app.web.run_view import RUNS_PER_PAGE, URLS_PER_PAGE, URLS_SHOWN
from settings.config import load_config
from state.ledger import Ledger

SITE = "https://gazette.example.org"
HOSTILE_URL = "javascript:alert('url')//<script>alert(1)</script>"
HOSTILE_REASON = "parse_error<script>alert(2)</script>"
SECRET_URL = "https://reader:hunter2@feeds.example.org/private.xml"
FAILED_PAGES = URLS_SHOWN + 130  # more than one page of a count's full list


@dataclass
class Runs:
    client: TestClient
    report_id: str  # the run with every kind of outcome
    older: list[str]  # other runs, oldest first


def record_report_run(ledger: Ledger) -> str:
    run_id = ledger.start_run("east-africa", ["gazette", "feeds"], run_id="20240306T101500Z-report")
    ledger.record(run_id, f"{SITE}/arms/1.html", "gazette", "indexed", doc_id="d0c1", fetched=True, change="new")
    ledger.record(run_id, f"{SITE}/arms/2.html", "gazette", "indexed", doc_id="d0c2", fetched=True, change="changed")
    ledger.record(run_id, f"{SITE}/arms/3.html", "gazette", "unchanged", reason="not_modified", fetched=True)
    ledger.record(run_id, HOSTILE_URL, "gazette", "skipped", reason=HOSTILE_REASON, detail="<b>bold</b> detail")
    ledger.record(run_id, SECRET_URL, "feeds", "followed", fetched=True)
    for number in range(FAILED_PAGES):
        ledger.record(run_id, f"{SITE}/gone/{number:03}.html", "feeds", "failed", reason="http_404", fetched=True)
    ledger.finish_run(run_id)
    return run_id


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[Runs]:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    ledger = Ledger.in_data_dir(config.data_dir)
    try:
        older = []
        for number in range(RUNS_PER_PAGE + 2):  # the report's run is the newest: 28 runs, two pages
            run_id = ledger.start_run("horn", ["gazette"], run_id=f"20240101T0000{number:02}Z-older")
            ledger.record(run_id, f"{SITE}/index.html", "gazette", "unchanged", reason="not_modified")
            ledger.finish_run(run_id)
            older.append(run_id)
        report_id = record_report_run(ledger)
    finally:
        ledger.close()
    with TestClient(create_app(config), base_url="http://127.0.0.1", headers={"Accept": "text/html"}) as client:
        yield Runs(client, report_id, older)


def page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


def links(text: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', text)]


def details(text: str, label: str) -> str:
    """The <details> block of the count named `label` (the first one: the run-wide count)."""
    found = re.search(r"<details class=\"count\">\s*<summary>" + re.escape(label) + r" <.*?</details>", text, re.S)
    assert found is not None, f"no count {label!r}"
    return found[0]


# -- the history -------------------------------------------------------------------------------


def test_the_history_lists_runs_newest_first_with_their_counts_a_page_at_a_time(runs: Runs) -> None:
    first = page(runs.client, "/runs")
    listed = re.findall(r'<a href="/runs/([^"]+)">', first)
    assert listed[0] == runs.report_id and len(listed) == RUNS_PER_PAGE
    assert listed[1:] == list(reversed(runs.older))[: RUNS_PER_PAGE - 1]
    at = first.index(runs.report_id)
    row = first[first.rindex("<tr>", 0, at) : first.index("</tr>", at)]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    # watchlist, sources, started, finished, status, indexed, unchanged, skipped, failed, followed, URLs
    assert cells[1:3] == ["east-africa", "gazette, feeds"]
    assert cells[5:] == ["finished", "2", "1", "1", f"{FAILED_PAGES}", "1", f"{FAILED_PAGES + 5}"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", cells[3])
    assert "/runs?page=2" in links(first) and 'rel="prev"' not in first

    second = page(runs.client, "/runs?page=2")
    assert re.findall(r'<a href="/runs/([^"]+)">', second) == runs.older[:3][::-1]
    assert "/runs" in links(second) and 'rel="next"' not in second
    assert "No runs on this page" in page(runs.client, "/runs?page=9")


def test_an_empty_history_says_how_runs_come_about(tmp_path: Path) -> None:
    with TestClient(
        create_app(load_config({"OSINT_DATA_DIR": str(tmp_path / "d")})), base_url="http://127.0.0.1"
    ) as client:
        assert "No run yet" in page(client, "/runs")


# -- one run's report --------------------------------------------------------------------------


def test_the_report_counts_by_outcome_reason_and_source_with_the_urls_behind_each(runs: Runs) -> None:
    report = page(runs.client, f"/runs/{runs.report_id}")
    for label, count in (("indexed", 2), ("unchanged", 1), ("skipped", 1), ("failed", FAILED_PAGES), ("followed", 1)):
        assert f'{label} <span class="badge">{count:,}</span>' in report
    indexed = details(report, "indexed")
    assert f"{SITE}/arms/1.html" in indexed and f"{SITE}/arms/2.html" in indexed
    assert "/doc/d0c1" in links(indexed) and "/doc/d0c2" in links(indexed)
    assert 'rel="noopener noreferrer nofollow"' in indexed and 'class="external"' in indexed
    assert "not_modified" in details(report, "unchanged · not_modified")
    assert "new documents" in report and "changed documents" in report

    per_source = report[report.index('id="by-source"') :]
    feeds = per_source[per_source.index(">feeds <") : per_source.index(">gazette <")]  # sources in name order
    gazette = per_source[per_source.index(">gazette <") :]
    assert 'indexed <span class="badge">2</span>' in gazette and "failed" not in gazette
    assert f'failed <span class="badge">{FAILED_PAGES}</span>' in feeds and "indexed" not in feeds


def test_a_large_count_lists_its_first_urls_and_links_to_all_of_them_page_by_page(runs: Runs) -> None:
    failed = details(page(runs.client, f"/runs/{runs.report_id}"), "failed")
    assert failed.count("<li>") == URLS_SHOWN
    more = f"and {FAILED_PAGES - URLS_SHOWN} more"
    assert more in failed
    everything = next(link for link in links(failed) if "/urls?" in link)
    assert everything == f"/runs/{runs.report_id}/urls?outcome=failed"

    first = page(runs.client, everything)
    assert f"<strong>{FAILED_PAGES}</strong> URLs, page 1 of 2" in first
    assert first.count(f'<code class="url">{SITE}/gone/') == URLS_PER_PAGE and f"{SITE}/gone/000.html" in first
    second_href = next(link for link in links(first) if "page=2" in link)
    second = page(runs.client, second_href)
    assert (
        second.count(f'<code class="url">{SITE}/gone/') == FAILED_PAGES - URLS_PER_PAGE
        and f"{SITE}/gone/149.html" in second
    )
    assert f'start="{URLS_PER_PAGE + 1}"' in second

    by_source = page(runs.client, f"/runs/{runs.report_id}/urls?source=gazette&outcome=unchanged&reason=not_modified")
    assert "<strong>1</strong> URL" in by_source and f"{SITE}/arms/3.html" in by_source


def test_hostile_urls_and_reasons_are_shown_escaped_and_never_linked(runs: Runs) -> None:
    report = page(runs.client, f"/runs/{runs.report_id}")
    assert "<script>" not in report and "<b>bold</b>" not in report
    assert html.escape(HOSTILE_REASON, quote=False) in report
    assert "&lt;b&gt;bold&lt;/b&gt; detail" in report
    assert not [link for link in links(report) if link.lower().startswith("javascript:")]
    for href in re.findall(r'<a class="external" href="([^"]*)"', report):
        assert href.startswith(("http://", "https://"))
    listed = page(runs.client, f"/runs/{runs.report_id}/urls?reason={HOSTILE_REASON}")
    assert "<strong>1</strong> URL" in listed and "<script>" not in listed


def test_credentials_in_urls_never_reach_the_page_or_the_json(runs: Runs) -> None:
    report = page(runs.client, f"/runs/{runs.report_id}")
    assert "hunter2" not in report and "https://***@feeds.example.org/private.xml" in report
    detail = runs.client.get(f"/api/runs/{runs.report_id}").json()
    assert "hunter2" not in str(detail)


def test_an_unknown_run_is_a_404_page_and_a_404_in_the_api(runs: Runs) -> None:
    missing = runs.client.get("/runs/20990101T000000Z-nope")
    assert missing.status_code == 404 and "No such run" in missing.text and "20990101T000000Z-nope" in missing.text
    assert runs.client.get("/runs/<script>x/urls").status_code == 404
    assert runs.client.get("/api/runs/20990101T000000Z-nope").json() == {"detail": "no run '20990101T000000Z-nope'"}


# -- JSON ----------------------------------------------------------------------------------------


def test_the_api_lists_runs_and_gives_a_report_with_every_outcome(runs: Runs) -> None:
    listed = runs.client.get("/api/runs?limit=3").json()
    assert [run["run_id"] for run in listed] == [runs.report_id, *reversed(runs.older[-2:])]
    assert [run["run_id"] for run in runs.client.get("/api/runs?limit=2&offset=27").json()] == [runs.older[0]]
    assert runs.client.get("/api/runs?limit=0").status_code == 422

    detail = runs.client.get(f"/api/runs/{runs.report_id}").json()
    assert detail["failed"] == FAILED_PAGES and detail["reasons_by_outcome"]["failed"] == {"http_404": FAILED_PAGES}
    assert detail["documents"] == {"new": [f"{SITE}/arms/1.html"], "changed": [f"{SITE}/arms/2.html"]}
    assert len(detail["outcomes"]) == detail["urls"] == FAILED_PAGES + 5
    indexed = next(row for row in detail["outcomes"] if row["doc_id"] == "d0c1")
    assert indexed == {
        "url": f"{SITE}/arms/1.html",
        "source_id": "gazette",
        "outcome": "indexed",
        "reason": "",
        "detail": "",
        "doc_id": "d0c1",
        "fetched": True,
        "change": "new",
    }
    schema = runs.client.get("/api/openapi.json").json()
    assert {"/api/runs", "/api/runs/{run_id}"} <= set(schema["paths"])


def test_huge_numbers_in_the_query_are_refused_not_a_server_error(runs: Runs) -> None:
    huge = 10**20  # past SQLite's 64-bit integers
    assert runs.client.get(f"/api/runs?offset={huge}", headers={"Accept": "application/json"}).status_code == 422
    assert runs.client.get(f"/api/runs?limit={huge}", headers={"Accept": "application/json"}).status_code == 422
    assert runs.client.get(f"/runs?page={huge}").status_code == 400
    assert runs.client.get(f"/runs/{runs.report_id}/urls?outcome=failed&page={huge}").status_code == 400
    assert runs.client.get("/api/runs?offset=1000000000").json() == []  # the largest offset taken


def test_the_openapi_schema_names_the_run_models_plainly(runs: Runs) -> None:
    schemas = runs.client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"RunDetail", "RunOutcomeRow"} <= set(schemas)
    assert not [name for name in schemas if "run_view" in name]


# -- the ledger's reads behind the pages ---------------------------------------------------------


def test_the_ledger_filters_counts_and_pages_a_runs_outcomes_in_sql(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "crawl.sqlite3")
    try:
        run_id = record_report_run(ledger)
        everything = list(ledger.outcomes(run_id))
        assert len(everything) == ledger.count_outcomes(run_id) == FAILED_PAGES + 5
        failed = [row for row in everything if row["outcome"] == "failed"]
        assert list(ledger.outcomes(run_id, outcome="failed", limit=10, offset=5)) == failed[5:15]
        assert ledger.count_outcomes(run_id, source="feeds", outcome="failed", reason="http_404") == FAILED_PAGES
        assert [row["url"] for row in ledger.outcomes(run_id, outcome="indexed", change="changed")] == [
            f"{SITE}/arms/2.html"
        ]
        assert ledger.count_outcomes(run_id, source="gazette", reason="") == 2  # the indexed ones gave no reason
        assert ledger.count_outcomes(run_id, outcome="nothing") == 0
        assert ledger.reason_counts(run_id) == [
            ("feeds", "failed", "http_404", FAILED_PAGES),
            ("gazette", "skipped", HOSTILE_REASON, 1),
            ("gazette", "unchanged", "not_modified", 1),
        ]
        with pytest.raises(ValueError):
            list(ledger.outcomes(run_id, offset=5))
    finally:
        ledger.close()
