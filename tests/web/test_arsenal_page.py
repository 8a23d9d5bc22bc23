"""The arsenal profile pages (/arsenal, /arsenal/{group}, its evidence, its CSV and GraphML
downloads) and their JSON (/api/arsenal/...), through the real app (FastAPI's TestClient) over a
real SQLite index holding documents built as the crawler stores them (tests/web/arsenal_data.py):
following the links the pages offer as an analyst clicks them, down to the cited sentences."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import networkx as nx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from app.web.application import create_app
from app.web.arsenal_view import EVIDENCE_PER_PAGE
from index.backend import open_backend
from index.sqlite.backend import SqliteBackend
from settings.config import load_config
from tests.web.arsenal_data import (
    ALL,
    BURKAN_LETTER,
    BURKAN_SENTENCE,
    HOSTILE_SENTENCE,
    HOSTILE_TITLE,
    KORNET_SENTENCE,
    SUPPLY_SENTENCE,
    kornet_reports,
)

PAGED = EVIDENCE_PER_PAGE + 5  # Hezbollah's Kornet sentences: two pages of evidence
PASSWORD = "a long enough password"


@dataclass
class Bench:
    client: TestClient
    app: object


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path_factory.mktemp("arsenal") / "data")})
    config.data_dir.mkdir(parents=True)
    with SqliteBackend(config.data_dir / "index.sqlite3") as backend:
        assert backend.upsert([*ALL, *kornet_reports(PAGED)]).indexed == len(ALL) + PAGED
    app = create_app(config)
    with TestClient(app) as client:
        yield Bench(client, app)


def get(bench: Bench, path: str, status: int = 200) -> lxml.html.HtmlElement:
    response = bench.client.get(path, follow_redirects=False)
    assert response.status_code == status, (path, response.status_code, response.text[:2000])
    assert "Traceback" not in response.text
    return lxml.html.document_fromstring(response.text)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def weapon_rows(page: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """Weapon -> its row's cells, as read."""
    rows = page.xpath('//table[contains(@class, "weapons")]/tbody/tr')
    return {
        text(row.xpath("./th")[0]).split(" (")[0].removesuffix(" new"): [text(cell) for cell in row.xpath("./td")]
        for row in rows
    }


def headings(page: lxml.html.HtmlElement) -> list[str]:
    return [text(cell) for cell in page.xpath('//table[contains(@class, "weapons")]/thead//th')]


def link(page: lxml.html.HtmlElement, xpath: str) -> str:
    found = page.xpath(xpath)
    assert len(found) == 1, (xpath, [lxml.html.tostring(item) for item in found])
    href: str = found[0].get("href")
    return href


def evidence_sentences(page: lxml.html.HtmlElement) -> list[str]:
    return [text(quote) for quote in page.xpath('//li[contains(@class, "evidence-item")]//blockquote')]


def evidence_total(page: lxml.html.HtmlElement) -> int:
    return int(page.xpath('//p[@class="evidence-count"]/strong')[0].text.replace(",", ""))


# -- choosing a group --------------------------------------------------------------------------


def test_the_form_offers_the_groups_the_index_holds(bench: Bench) -> None:
    page = get(bench, "/arsenal")
    assert page.xpath('//datalist[@id="known-groups"]/option/@value') == ["Hezbollah", "Houthis", "al-Shabaab"]
    assert page.xpath('//input[@id="group"]/@list') == ["known-groups"]
    assert "/arsenal/al-Shabaab" in page.xpath('//ul[@class="group-list"]//a/@href')
    assert page.xpath('//nav//a[@aria-current="page"]/text()') == ["Arsenals"]


def test_a_group_is_found_by_any_alias_and_the_address_names_it_for_good(bench: Bench) -> None:
    sent = bench.client.get("/arsenal", params={"group": "Ansar Allah", "since": "2024"}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/arsenal/Houthis?since=2024"
    alias = bench.client.get("/arsenal/ansar%20allah/evidence?weapon=AK-47", follow_redirects=False)
    assert alias.status_code == 303 and alias.headers["location"] == "/arsenal/Houthis/evidence?weapon=AK-47"


def test_an_unknown_group_is_marked_on_the_form_with_a_suggestion(bench: Bench) -> None:
    page = get(bench, "/arsenal?group=Houthiz", status=400)
    field = page.xpath('//input[@id="group"]')[0]
    assert field.get("aria-invalid") == "true" and "group-error" in field.get("aria-describedby")
    assert field.get("value") == "Houthiz"
    error = page.xpath('//*[@id="group-error"]')[0]
    assert "No armed group is known as “Houthiz”" in text(error)
    assert error.xpath(".//a/@href") == ["/arsenal/Houthis"]
    missing = get(bench, "/arsenal/The%20Nobody%20Brigade", status=404)
    assert "No armed group is known as “The Nobody Brigade”" in text(missing.xpath('//*[@id="group-error"]')[0])
    assert missing.xpath('//form[@action="/arsenal"]')  # the form to try another name


# -- the profile -------------------------------------------------------------------------------


def test_the_profile_counts_documents_by_strength_with_dates(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis")
    assert headings(page)[:5] == [
        "Weapon",
        "Category",
        "Origins",
        "Sentence documents",
        "Co-occurrence only (weaker)",
    ]
    rows = weapon_rows(page)
    assert list(rows) == ["AK-47", "9M133 Kornet", "Burkan-2H", "Type 56"]  # most documents first
    assert rows["AK-47"][:6] == ["assault rifle", "Russian Federation (RU)", "1", "1", "2024-06-20", "2024-06-25"]
    assert rows["Type 56"][2:4] == ["1", "0"] and rows["Type 56"][-1] == "Iran (IR)"  # the supplier
    assert rows["Burkan-2H"][1] == "Iran (IR)" and rows["Burkan-2H"][-2] == "use (1)"
    figures = {
        text(item.xpath("./dt")[0]): text(item.xpath("./dd")[0]) for item in page.xpath('//dl[@class="figures"]/div')
    }
    assert figures["Documents linking Houthis to a weapon in a sentence"] == "3"
    assert figures["Documents only naming both (co-occurrence, weaker)"] == "1"
    assert figures["First seen"] == "2024-01-10" and figures["Last seen"] == "2024-06-25"
    assert "RPG-7" not in text(page)  # al-Shabaab's weapon


def test_the_weaker_link_is_marked_and_explained(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis")
    ak = page.xpath('//table[contains(@class, "weapons")]/tbody/tr[1]/td[4]/a')[0]
    assert ak.get("class") == "count count-cooccurrence"
    assert parse_qs(urlsplit(ak.get("href")).query)["strength"] == ["cooccurrence"]
    legend = text(page.xpath('//div[@class="legend"]')[0])
    assert "only name both" in legend and "weaker" in legend
    russia = page.xpath('//section[@aria-labelledby="origins-title"]//tr[th[contains(., "(RU)")]]')[0]
    parts = russia.xpath('.//a[contains(@class, "bar-link")]')
    assert [part.get("class") for part in parts] == ["bar-link bar-sentence", "bar-link bar-cooccurrence"]
    assert [text(part) for part in parts] == ["2", "+1"]
    assert "co-occurrence, weaker" in parts[1].get("aria-label")


def test_bars_are_drawn_to_scale_without_inline_style(bench: Bench) -> None:
    response = bench.client.get("/arsenal/Houthis")
    assert "style=" not in response.text and "<script" not in response.text.split("</head>")[1]
    page = lxml.html.document_fromstring(response.text)
    origins = page.xpath('//section[@aria-labelledby="origins-title"]//tbody/tr')
    widths = {text(row.xpath("./th")[0]): [int(w) for w in row.xpath(".//svg/@width")] for row in origins}
    assert widths == {"Russian Federation (RU)": [160, 80], "China (CN)": [80], "Iran (IR)": [80]}


def test_every_number_opens_its_evidence(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis")
    numbers = page.xpath('//a[contains(@href, "/evidence")]')
    assert len(numbers) >= 20
    for number in numbers:
        evidence = get(bench, number.get("href"))
        shown = re.sub(r"\D", "", text(number))
        if shown and number.get("class", "").startswith(("count", "bar-link")):
            # a sentence number counts documents, its evidence the sentences: at least as many
            assert evidence_total(evidence) >= int(shown), number.get("href")
        else:
            assert evidence_total(evidence) >= 1, number.get("href")


def test_the_evidence_behind_a_number(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis")
    supplier = link(page, '//section[@aria-labelledby="suppliers-title"]//a[contains(@class, "bar-sentence")]')
    assert evidence_sentences(get(bench, supplier)) == [SUPPLY_SENTENCE]
    iran = link(
        page,
        '//section[@aria-labelledby="origins-title"]//tr[th[contains(., "(IR)")]]//a[contains(@class, "bar-sentence")]',
    )
    assert evidence_sentences(get(bench, iran)) == [BURKAN_SENTENCE]
    kornet = link(page, '//table[contains(@class, "weapons")]//tr[th[contains(., "Kornet")]]/td[3]/a')
    assert evidence_sentences(get(bench, kornet)) == [KORNET_SENTENCE]
    route = link(page, '//table[contains(@class, "routes")]//a')
    assert evidence_sentences(get(bench, route)) == [SUPPLY_SENTENCE]


def test_each_sentence_is_cited(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis/evidence?weapon=Burkan-2H")
    item = page.xpath('//li[contains(@class, "evidence-item")]')[0]
    assert evidence_total(page) == 1 and "use" in text(item.xpath('.//p[contains(@class, "relation")]')[0])
    title = item.xpath('.//a[@class="doc-title"]')[0]
    assert title.get("href") == f"/doc/{BURKAN_LETTER.id}#page-2" and text(title) == BURKAN_LETTER.title
    assert item.xpath('.//a[@class="external"]/@href') == [BURKAN_LETTER.url]
    facts = {text(entry.xpath("./dt")[0]): text(entry.xpath("./dd")[0]) for entry in item.xpath(".//dl/div")}
    assert facts["Published"] == "2024-06-02 08:00 UTC" and facts["Page"] == "2"
    assert facts["SHA-256"] == BURKAN_LETTER.capture.payload_sha256
    assert item.xpath('.//a[text()="preserved copy"]/@href') == [f"/doc/{BURKAN_LETTER.id}/capture"]
    document = bench.client.get(title.get("href").split("#")[0])
    assert document.status_code == 200 and 'id="page-2"' in document.text  # the anchor the link names


def test_a_cooccurrence_is_cited_as_the_weaker_link_it_is(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis/evidence?weapon=AK-47&strength=cooccurrence")
    items = page.xpath('//li[contains(@class, "evidence-item")]')
    assert len(items) == 1 and "evidence-cooccurrence" in items[0].get("class")
    assert "no sentence links them" in text(items[0]) and not items[0].xpath(".//blockquote")
    assert text(items[0].xpath('.//a[@class="doc-title"]')[0]) == "Weapons market report"


def test_evidence_comes_a_page_at_a_time(bench: Bench) -> None:
    first = get(bench, "/arsenal/Hezbollah/evidence?weapon=9M133+Kornet")
    assert evidence_total(first) == PAGED and len(evidence_sentences(first)) == EVIDENCE_PER_PAGE
    assert evidence_sentences(first)[0] == f"Hezbollah fired a 9M133 Kornet at outpost {PAGED}."  # newest first
    second = get(bench, link(first, '//nav[@class="pager"]/a[@rel="next"]'))
    assert len(evidence_sentences(second)) == PAGED - EVIDENCE_PER_PAGE
    assert second.xpath('//ol[@class="evidence"]/@start') == [str(EVIDENCE_PER_PAGE + 1)]
    assert not second.xpath('//a[@rel="next"]')
    assert evidence_sentences(get(bench, link(second, '//a[@rel="prev"]'))) == evidence_sentences(first)
    beyond = get(bench, "/arsenal/Hezbollah/evidence?weapon=9M133+Kornet&page=9")
    assert "There is no page 9" in text(beyond)


@pytest.mark.parametrize(
    "query",
    ["strength=strong", "page=0", "page=abc", "page=99999999999999999999", "since=yesterday", "weapon=" + "x" * 300],
)
def test_a_bad_evidence_link_is_a_400_naming_the_problem(bench: Bench, query: str) -> None:
    page = get(bench, f"/arsenal/Houthis/evidence?{query}", status=400)
    problem = text(page.xpath('//div[@class="form-problems"]')[0])
    assert query.split("=")[0] in problem
    assert page.xpath('//a[text()="Back to the profile of Houthis"]/@href') == ["/arsenal/Houthis"]


def test_a_group_no_document_links_to_a_weapon_has_an_empty_profile(bench: Bench) -> None:
    page = get(bench, "/arsenal/Abu%20Sayyaf")  # the gazetteer knows it, no document names it
    assert "No document links Abu Sayyaf to a weapon." in text(page.xpath('//p[@class="notice"]')[0])
    assert not page.xpath('//table[contains(@class, "weapons")]')
    narrowed = get(bench, "/arsenal/Houthis?since=2030&cooccurrence=0")
    assert "No document in this selection links Houthis to a weapon in a sentence." in text(narrowed)
    nothing = get(bench, "/arsenal/Houthis/evidence?weapon=RPG-7")
    assert evidence_total(nothing) == 0 and "No evidence matches" in text(nothing)


# -- filters and the period comparison ---------------------------------------------------------


def test_filters_narrow_the_profile_and_its_links(bench: Bench) -> None:
    recent = get(bench, "/arsenal/Houthis?since=2024-06")
    assert list(weapon_rows(recent)) == ["AK-47", "Burkan-2H"]
    assert recent.xpath('//input[@id="since"]/@value') == ["2024-06"]
    ak = link(recent, '//table[contains(@class, "weapons")]//tr[th[contains(., "AK-47")]]/td[3]/a')
    assert parse_qs(urlsplit(ak).query) == {"since": ["2024-06"], "weapon": ["AK-47"], "strength": ["sentence"]}
    panel = get(bench, "/arsenal/Houthis?source=panel&source=wire")
    assert list(weapon_rows(panel)) == ["Burkan-2H", "AK-47"]
    assert sorted(panel.xpath('//select[@id="source"]/option[@selected]/@value')) == ["panel", "wire"]
    sentences_only = get(bench, "/arsenal/Houthis?cooccurrence=0")
    assert "Co-occurrence only (weaker)" not in headings(sentences_only)
    assert weapon_rows(sentences_only)["AK-47"][2:4] == ["1", "2024-06-25"]  # the co-occurrence of the 20th gone


def test_what_is_new_since_a_date_is_marked(bench: Bench) -> None:
    page = get(bench, "/arsenal/Houthis?new_since=2024-06-01")
    new = [text(row.xpath("./th/mark")[0]) for row in page.xpath('//tr[@class="is-new"]')]
    assert new == ["AK-47", "Burkan-2H"]
    assert page.xpath('//tr[@class="is-new"]//span[@class="badge badge-new"]/text()') == ["new", "new"]
    figures = {
        text(item.xpath("./dt")[0]): text(item.xpath("./dd")[0]) for item in page.xpath('//dl[@class="figures"]/div')
    }
    assert figures["New since 2024-06-01"] == "2 weapons"
    recent = link(get(bench, "/arsenal/Houthis?source=wire&new_since=2024-01-01"), '//p[@class="compare"]/a')
    assert parse_qs(urlsplit(recent).query) == {"source": ["wire"], "new_within": ["90"]}
    assert not get(bench, "/arsenal/Houthis?new_within=1").xpath('//tr[@class="is-new"]')  # the documents are of 2024
    assert len(get(bench, "/arsenal/Houthis?new_within=36500").xpath('//tr[@class="is-new"]')) == 4


def test_the_period_to_compare_is_written_as_on_the_command_line(bench: Bench) -> None:
    assert len(get(bench, "/arsenal/Houthis?new_within=5200w").xpath('//tr[@class="is-new"]')) == 4
    assert len(get(bench, "/arsenal/Houthis?new_within=36500d").xpath('//tr[@class="is-new"]')) == 4
    offered = get(bench, "/arsenal/Houthis?new_within=13w").xpath('//p[@class="compare"]/a')
    assert [text(anchor) for anchor in offered] == ["What is new in the last 90 days?"]
    for same in ("90", "90d", "90 D"):  # the profile already answers the question the link would ask
        assert not get(bench, f"/arsenal/Houthis?new_within={same}").xpath('//p[@class="compare"]')
    weeks = bench.client.get("/api/arsenal/Houthis", params={"new_within": "5200w"})
    assert weeks.status_code == 200 and all(row["new"] for row in weeks.json()["weapons"])


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("since=last+week", ["since"]),
        ("since=2024-06&until=2024-01", ["until"]),
        ("until=2024-13", ["until"]),
        ("new_within=ninety", ["new_within"]),
        ("new_within=0", ["new_within"]),
        ("new_within=0w", ["new_within"]),
        ("new_within=5215w", ["new_within"]),
        ("new_within=90&new_since=2024-01-01", ["new_within"]),
        ("new_since=2024-02-30", ["new_since"]),
        ("cooccurrence=2", ["cooccurrence"]),
        ("since=x&new_within=-3", ["since", "new_within"]),
    ],
)
def test_unusable_filters_are_marked_on_the_form(bench: Bench, query: str, fields: list[str]) -> None:
    page = get(bench, f"/arsenal/Houthis?{query}", status=400)
    assert sorted(page.xpath('//*[@aria-invalid="true"]/@id')) == sorted(fields)
    for name in fields:
        described = page.xpath(f'//*[@id="{name}"]/@aria-describedby')[0]
        assert f"{name}-error" in described and text(page.xpath(f'//*[@id="{name}-error"]')[0])
    assert page.xpath('//p[@class="error"][@role="alert"]') and not page.xpath('//table[contains(@class, "weapons")]')


# -- hostile content ---------------------------------------------------------------------------


def test_crawled_text_is_shown_inert(bench: Bench) -> None:
    for path in ("/arsenal/Houthis/evidence?weapon=AK-47", "/arsenal/Houthis/evidence", "/arsenal/Houthis"):
        response = bench.client.get(path)
        assert response.status_code == 200
        body = response.text
        assert (
            "<script>alert" not in body
            and "<img src=x" not in body
            and "javascript:" not in body.lower().replace('<code class="url">javascript:', "")
        )
        assert 'href="javascript' not in body.lower()
    page = get(bench, "/arsenal/Houthis/evidence?weapon=AK-47&strength=sentence")
    assert evidence_sentences(page) == [HOSTILE_SENTENCE]  # shown as text, exactly as written
    item = page.xpath('//li[contains(@class, "evidence-item")]')[0]
    assert text(item.xpath('.//a[@class="doc-title"]')[0]) == HOSTILE_TITLE
    assert not item.xpath('.//a[@class="external"]')  # a javascript: address is never a link
    assert text(item.xpath('.//code[@class="url"]')[0]) == "javascript:alert('url')"
    assert str(escape(HOSTILE_SENTENCE)) in bench.client.get("/arsenal/Houthis/evidence?weapon=AK-47").text


# -- the links to a profile from where a group is shown ----------------------------------------


def test_the_search_facets_and_the_document_page_link_to_the_profile(bench: Bench) -> None:
    search = get(bench, "/?q=rifles")
    assert "/arsenal/Houthis" in search.xpath(
        '//section[@aria-labelledby="facet-armed_groups"]//a[@class="arsenal-link"]/@href'
    )
    document = get(bench, f"/doc/{BURKAN_LETTER.id}")
    assert document.xpath('//p[contains(@class, "arsenal-links")]/a/@href') == ["/arsenal/Houthis"]


# -- downloads ---------------------------------------------------------------------------------


def test_the_csv_download_honours_the_filters(bench: Bench) -> None:
    response = bench.client.get("/arsenal/Houthis.csv?source=monitor")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="arsenal-houthis.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["weapon"], row["origin"], row["documents"]) for row in rows] == [
        ("9M133 Kornet", "RU", "1"),
        ("Type 56", "CN", "1"),
    ]
    assert {row["group"] for row in rows} == {"Houthis"}


def test_the_graphml_download_opens_as_a_graph(bench: Bench, tmp_path: Path) -> None:
    response = bench.client.get("/arsenal/Houthis.graphml")
    assert response.status_code == 200 and response.headers["content-type"] == "application/graphml+xml"
    assert response.headers["content-disposition"] == 'attachment; filename="arsenal-houthis.graphml"'
    saved = tmp_path / "arsenal.graphml"
    saved.write_bytes(response.content)
    graph = nx.read_graphml(saved)
    assert {"armed_group:Houthis", "weapon:AK-47", "weapon:Burkan-2H", "country:IR"} <= set(graph.nodes)
    assert graph.edges["weapon:AK-47", "armed_group:Houthis"]["documents"] == 1
    assert graph.has_edge("country:IR", "weapon:Type 56")  # the supplier


def test_a_download_with_unusable_filters_is_a_400(bench: Bench) -> None:
    response = bench.client.get("/arsenal/Houthis.csv?since=soon")
    assert response.status_code == 400 and "content-disposition" not in response.headers


# -- JSON --------------------------------------------------------------------------------------


def test_the_profile_as_json(bench: Bench) -> None:
    response = bench.client.get("/api/arsenal/Ansar%20Allah", params={"since": "2024-06", "new_since": "2024-06-21"})
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["group"] == "Houthis" and profile["documents"] == 2
    weapons = {row["weapon"]: row for row in profile["weapons"]}
    assert set(weapons) == {"AK-47", "Burkan-2H"}
    assert weapons["AK-47"]["cooccurrence_documents"] == 1 and weapons["AK-47"]["new"] is False
    assert bench.client.get("/api/arsenal/Houthis", params={"cooccurrence": "0"}).json()["cooccurrence_documents"] == 0


def test_the_evidence_as_json(bench: Bench) -> None:
    response = bench.client.get("/api/arsenal/Houthis/evidence", params={"origin": "IR"})
    assert response.status_code == 200
    found = response.json()
    assert found["total"] == 1 and found["evidence"][0]["sentence"] == BURKAN_SENTENCE
    assert found["evidence"][0]["capture_sha256"] == BURKAN_LETTER.capture.payload_sha256
    paged = bench.client.get("/api/arsenal/Hezbollah/evidence", params={"limit": 10, "offset": 25}).json()
    assert paged["total"] == PAGED and len(paged["evidence"]) == PAGED - 25


def test_json_errors(bench: Bench) -> None:
    unknown = bench.client.get("/api/arsenal/Houthiz")
    assert unknown.status_code == 404 and "did you mean Houthis" in unknown.json()["detail"]
    unusable = bench.client.get("/api/arsenal/Houthis", params={"since": "soon", "new_within": "x"})
    assert unusable.status_code == 422 and set(unusable.json()["detail"]) == {"since", "new_within"}
    assert bench.client.get("/api/arsenal/Houthis/evidence", params={"strength": "strong"}).status_code == 422


def test_the_api_is_described_in_openapi(bench: Bench) -> None:
    schema = bench.client.get("/api/openapi.json").json()
    profile = schema["paths"]["/api/arsenal/{group}"]["get"]
    assert {parameter["name"] for parameter in profile["parameters"]} >= {
        "group",
        "since",
        "until",
        "source",
        "new_within",
        "new_since",
        "cooccurrence",
    }
    evidence = schema["paths"]["/api/arsenal/{group}/evidence"]["get"]
    assert {"weapon", "origin", "category", "supplier", "strength", "limit", "offset"} <= {
        parameter["name"] for parameter in evidence["parameters"]
    }
    assert "/arsenal/{group}" not in schema["paths"]  # the pages are not API
    endpoints = bench.client.get("/api", headers={"Accept": "text/html"}).text
    assert "/api/arsenal/{group}/evidence" in endpoints


# -- access and failures -----------------------------------------------------------------------


def test_with_users_the_profile_needs_a_login_and_the_api_a_token(tmp_path: Path) -> None:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    config.data_dir.mkdir(parents=True)
    with SqliteBackend(config.data_dir / "index.sqlite3") as backend:
        backend.upsert(ALL)
    app = create_app(config)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        app.state.workbench.users.add("vera", "viewer", PASSWORD)
        page = client.get("/arsenal/Houthis?since=2024", headers={"Accept": "text/html"}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Farsenal%2FHouthis%3Fsince%3D2024"
        for path in ("/api/arsenal/Houthis", "/api/arsenal/Houthis/evidence", "/arsenal/Houthis.csv"):
            assert client.get(path, headers={"Accept": "application/json"}).status_code == 401, path
        token = app.state.workbench.users.new_token("vera")
        answer = client.get("/api/arsenal/Houthis", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["documents"] == 3


def test_an_unreachable_index_is_a_503(tmp_path: Path, closed_port: int) -> None:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    with (
        open_backend(f"http://127.0.0.1:{closed_port}") as backend,
        TestClient(create_app(config, backend)) as client,
    ):
        for path in (
            "/arsenal",
            "/arsenal/Houthis",
            "/arsenal/Houthis/evidence",
            "/arsenal/Houthis.csv",
            "/api/arsenal/Houthis",
        ):
            response = client.get(path)
            assert response.status_code == 503, path
            assert "unreachable" in response.text and str(closed_port) not in response.text
