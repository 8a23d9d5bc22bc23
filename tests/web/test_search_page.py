"""The search page (`/`) and the export download (`/export`) through the real app (FastAPI's
TestClient) over a real SQLite index in the test's data directory: following the links the page
offers (facets, chips, histogram bars, pages) as an analyst clicks them, hostile documents shown
inert, and the errors a reader can cause or meet."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import networkx as nx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.web.application import create_app
from exports.formats import FORMATS
from index.backend import open_backend
from index.sqlite.backend import SqliteBackend
from schema.document import Document, PageSpan
from settings.config import load_config

PAGE_ONE = (
    "Annex 4 of the monitoring group's report lists the items inspected at the port during the third week of "
    "the mission, the containers opened, the seals found broken and resealed, the manifests compared with the "
    "cargo, and the statements of the crews, the agents and the harbour master taken on the quay.\n"
)
PAGE_TWO = "The inspectors recorded Kornet launcher tubes with their serial numbers removed.\n"
HOSTILE_TITLE = 'Kornet deal <script>alert("title")</script><img src=x onerror=alert(1)>'
CONVOYS = 23  # documents only `convoy` finds: three pages of ten


def kornet_documents() -> list[Document]:
    return [
        Document.new(
            "https://wire.example.org/kornet-idlib",
            title="Kornet launchers reported near Idlib",
            text="Fighters displayed two Kornet launchers at a checkpoint outside Idlib on Saturday.",
            language="en",
            source_id="wire",
            weapons=["9M133 Kornet"],
            weapon_origins=["RU"],
            countries=["SY"],
            published=datetime(2024, 3, 2, 9, tzinfo=UTC),
            story_id="story-idlib",
        ),
        Document.new(
            "https://mirror.example.org/kornet-idlib-copy",
            title="Kornet launchers reported near Idlib (syndicated)",
            text="Fighters displayed two Kornet launchers at a checkpoint outside Idlib, the wire reported.",
            language="en",
            source_id="mirror",
            weapons=["9M133 Kornet"],
            countries=["SY"],
            published=datetime(2024, 3, 3, 9, tzinfo=UTC),
            story_id="story-idlib",
        ),
        Document.new(
            "https://monitor.example.net/shipment",
            title="Shipment of Kornet missiles intercepted",
            text="Customs officers intercepted a shipment of Kornet missiles declared as pump parts.",
            language="en",
            source_id="monitor",
            weapons=["9M133 Kornet"],
            countries=["IR", "YE"],
            published=datetime(2024, 3, 15, 9, tzinfo=UTC),
        ),
        Document.new(
            "https://ru.example.org/kornet",
            title="Комплекс Корнет замечен у границы",
            text="Местные жители сообщили о комплексе Kornet у границы.",
            language="ru",
            source_id="ru-news",
            weapons=["9M133 Kornet"],
            countries=["SY"],
            published=datetime(2024, 3, 20, 9, tzinfo=UTC),
        ),
        Document.new(
            "https://hostile.example.org/deal",
            url="javascript:alert(2)",
            title=HOSTILE_TITLE,
            text='Seller offered Kornet launchers <img src=x onerror=alert(3)> "><script>alert(4)</script>.',
            language="en",
            source_id="forum",
            weapons=["9M133 Kornet"],
            countries=["IR"],
            published=datetime(2024, 3, 25, 9, tzinfo=UTC),
        ),
        Document.new(
            "https://reader:hunter2@private.example/kornet-report",
            title="Private Kornet report",
            text="The private channel discussed Kornet prices.",
            language="en",
            source_id="private",
            weapons=["9M133 Kornet"],
            published=datetime(2024, 3, 28, 9, tzinfo=UTC),
        ),
        Document.new(
            "https://panel.example.org/annex-4.pdf",
            title="Annex 4: items inspected",
            text=PAGE_ONE + PAGE_TWO,
            kind="document",
            content_type="application/pdf",
            language="en",
            source_id="panel",
            weapons=["9M133 Kornet"],
            countries=["YE"],
            pages=[
                PageSpan(page=1, start=0, end=len(PAGE_ONE)),
                PageSpan(page=2, start=len(PAGE_ONE), end=len(PAGE_ONE + PAGE_TWO)),
            ],
            published=datetime(2024, 3, 30, 9, tzinfo=UTC),
        ),
        Document.new(
            "https://blog.example.com/undated-kornet",
            title="An undated note on the Kornet",
            text="A note on the Kornet without a date.",
            language="en",
            source_id="blog",
            weapons=["9M133 Kornet"],
        ),
    ]


def convoy_documents() -> list[Document]:
    start = datetime(2023, 1, 10, 12, tzinfo=UTC)
    return [
        Document.new(
            f"https://log.example.org/convoy/{number}",
            title=f"Convoy log entry {number}",
            text=f"A convoy of {number + 3} trucks passed the river crossing.",
            language="en",
            source_id="log",
            published=start + timedelta(days=16 * number),
        )
        for number in range(CONVOYS)
    ]


@dataclass
class Workbench:
    client: TestClient
    data_dir: Path


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    with SqliteBackend(config.data_dir / "index.sqlite3") as backend:
        backend.upsert(kornet_documents() + convoy_documents())
    with TestClient(create_app(config)) as client:
        yield Workbench(client, config.data_dir)


class Links(HTMLParser):
    """Every <a> of a page: its attributes and text (what a reader sees and follows)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[dict[str, str], str]] = []
        self._open: list[tuple[dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append(({name: value or "" for name, value in attrs}, []))

    def handle_data(self, data: str) -> None:
        for _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            attrs, text = self._open.pop()
            self.links.append((attrs, " ".join(" ".join(text).split())))


def links(page: str) -> list[tuple[dict[str, str], str]]:
    parser = Links()
    parser.feed(page)
    return parser.links


def link(page: str, text: str | None = None, **attrs: str) -> str:
    """The href of the one link whose text starts with `text` and that has `attrs`."""
    found = [
        found_attrs["href"]
        for found_attrs, found_text in links(page)
        if (text is None or found_text.startswith(text))
        and all(found_attrs.get(name.rstrip("_")) == value for name, value in attrs.items())
    ]
    assert len(found) == 1, (text, attrs, found)
    return found[0]


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def results_count(page: str) -> str:
    heading = re.search(r'<h2 id="results-title"[^>]*>(.*?)</h2>', page, re.DOTALL)
    assert heading is not None
    return text_of(heading[1])


def hit_titles(page: str) -> list[str]:
    return [text_of(title) for title in re.findall(r'<h3 class="hit-title">(.*?)</h3>', page, re.DOTALL)]


def get(bench: Workbench, href: str, status: int = 200) -> str:
    response = bench.client.get(href)
    assert response.status_code == status, response.text
    text: str = response.text
    return text


def params(href: str) -> dict[str, list[str]]:
    pairs: dict[str, list[str]] = {}
    for name, value in parse_qsl(urlsplit(href).query, keep_blank_values=True):
        pairs.setdefault(name, []).append(value)
    return pairs


# -- what the page shows -----------------------------------------------------------------------


def test_hits_link_into_the_workbench_and_hostile_text_stays_text(bench: Workbench) -> None:
    page = get(bench, "/?q=kornet")
    assert results_count(page) == "Results 1–8 of 8"
    assert "<mark>Kornet</mark>" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;title&#34;)" in page
    assert "<img" not in page
    for attrs, _ in links(page):
        href = attrs.get("href", "")
        assert not href.lower().startswith(("javascript:", "data:")), href
        if href.startswith("http"):  # the live site: only marked, unfollowed links
            assert attrs["class"] == "external" and attrs["rel"] == "noopener noreferrer nofollow"
    titles = [(attrs["href"], text) for attrs, text in links(page) if attrs["href"].startswith("/doc/")]
    assert len(titles) == 8 and (f"/doc/{kornet_documents()[4].id}", HOSTILE_TITLE) in titles
    assert "javascript:alert(2)" in text_of(page)  # the hostile source address, as text
    # the CSP holds: no inline script, style attribute or event handler anywhere
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"<[^>]*\sstyle=", page)
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page)


def test_source_addresses_lose_their_credentials(bench: Workbench) -> None:
    page = get(bench, "/?q=private")
    assert "https://***@private.example/kornet-report" in page and "hunter2" not in page


def test_a_source_address_that_does_not_parse_is_text_not_a_500(bench: Workbench) -> None:
    broken = Document.new(
        "https://broken.example.org/quartermaster",
        url="http://[bad/quartermaster",  # urlsplit raises ValueError on it
        title="Quartermaster ledger",
        text="The quartermaster ledger lists crates.",
        language="en",
        source_id="broken",
    )
    with SqliteBackend(bench.data_dir / "index.sqlite3") as backend:
        backend.upsert([broken])
    page = get(bench, "/?q=quartermaster")
    assert results_count(page) == "Results 1–1 of 1" and "http://[bad/quartermaster" in text_of(page)
    assert not [attrs for attrs, _ in links(page) if attrs.get("class") == "external"]


def test_a_pdf_hit_names_its_page_and_every_hit_its_particulars(bench: Workbench) -> None:
    page = get(bench, "/?q=" + "serial numbers")
    meta = re.search(r'<p class="hit-meta[^"]*">(.*?)</p>', page, re.DOTALL)
    assert meta is not None and text_of(meta[1]) == "2024-03-30 · en · panel · document · page 2"
    undated = get(bench, "/?q=undated")
    assert "undated · en · blog" in text_of(undated)


def test_facets_include_exclude_and_combine(bench: Workbench) -> None:
    page = get(bench, "/?q=kornet")
    assert "Syria (SY)" in page and "Iran (IR)" in page and "Russian Federation (RU)" in page
    syria = get(bench, link(page, "Syria (SY)", class_="facet-include"))
    assert results_count(syria) == "Results 1–3 of 3"
    chips = [text_of(chip) for chip in re.findall(r'<li class="chip[^"]*">(.*?)</li>', syria, re.DOTALL)]
    assert chips == ["country: Syria (SY) × Remove filter country: Syria (SY)"]
    assert 'aria-current="true">Syria (SY)' in syria
    # a second country, though no Syrian document names Iran: either of them
    countries = re.search(r'<section class="facet" aria-labelledby="facet-countries">.*?</section>', syria, re.DOTALL)
    assert countries is not None
    assert [text for attrs, text in links(countries[0]) if attrs.get("class") == "facet-include"] == [
        "Syria (SY) (applied; select to remove)",
        "Iran (IR) (show only these)",
        "Yemen (YE) (show only these)",
    ]
    either = get(bench, link(syria, "Iran (IR)", class_="facet-include"))
    assert results_count(either) == "Results 1–5 of 5"
    # Iran applied: its link takes it off again
    assert results_count(get(bench, link(either, "Iran (IR)", class_="facet-include"))) == "Results 1–3 of 3"
    # leave out Russian-language documents
    english = get(bench, link(syria, None, class_="facet-exclude", title="Leave out ru"))
    assert results_count(english) == "Results 1–2 of 2"
    assert "not lang: ru" in text_of(english)


def test_chips_remove_their_filter_and_clear_all_removes_every_one(bench: Workbench) -> None:
    start = "/?q=kornet+country:Iran&f=lang:en&x=source:forum&since=2024-03-10"
    page = get(bench, start)
    assert results_count(page) == "Results 1–1 of 1"  # the shipment
    removes = {text: attrs["href"] for attrs, text in links(page) if text.startswith("× Remove filter")}
    assert set(removes) == {
        "× Remove filter lang: en",
        "× Remove filter not source: forum",
        "× Remove filter since 2024-03-10",
        "× Remove filter country: Iran (IR)",
    }
    # the typed filter comes out of the query box
    without_iran = removes["× Remove filter country: Iran (IR)"]
    assert params(without_iran)["q"] == ["kornet"] and params(without_iran)["f"] == ["lang:en"]
    assert results_count(get(bench, without_iran)) == "Results 1–3 of 3"  # shipment, private report, annex
    assert results_count(get(bench, removes["× Remove filter not source: forum"])) == "Results 1–2 of 2"
    everything = link(page, "Clear all")
    assert params(everything) == {"q": ["kornet"]}


def test_the_histogram_bars_narrow_the_dates(bench: Workbench) -> None:
    page = get(bench, "/?q=kornet")
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL)
    assert svg is not None and 'role="group"' in svg[0] and "<title" in svg[0]
    bars = {attrs["aria-label"]: attrs["href"] for attrs, _ in links(svg[0])}
    # March 2024, day by day: a bar for each day with documents
    assert list(bars) == [
        "2024-03-02: 1 document",
        "2024-03-03: 1 document",
        "2024-03-15: 1 document",
        "2024-03-20: 1 document",
        "2024-03-25: 1 document",
        "2024-03-28: 1 document",
        "2024-03-30: 1 document",
    ]
    narrowed = get(bench, bars["2024-03-15: 1 document"])
    assert hit_titles(narrowed) == ["Shipment of Kornet missiles intercepted"]
    assert "since 2024-03-15" in text_of(narrowed) and "until 2024-03-15" in text_of(narrowed)
    # the same numbers for screen readers
    table = re.search(r'<table class="visually-hidden">(.*?)</table>', page, re.DOTALL)
    assert table is not None and "2024-03-20 1" in text_of(table[1])
    # two years of convoys: by month
    convoys = get(bench, "/?q=convoy")
    chart = re.search(r"<svg.*?</svg>", convoys, re.DOTALL)
    assert chart is not None
    month_bars = [attrs for attrs, _ in links(chart[0])]
    assert month_bars[0]["aria-label"].startswith("2023-01: ")
    assert params(month_bars[0]["href"])["since"] == ["2023-01-01"] and params(month_bars[0]["href"])["until"] == [
        "2023-01-31"
    ]


def test_next_and_previous_walk_every_result_once(bench: Workbench) -> None:
    href: str | None = "/?q=convoy&sort=date"
    seen: list[str] = []
    pages: list[str] = []
    counts: list[str] = []
    while href is not None:
        page = get(bench, href)
        pages.append(href)
        counts.append(results_count(page))
        seen.extend(hit_titles(page))
        following = [attrs["href"] for attrs, _ in links(page) if attrs.get("rel") == "next"]
        href = following[0] if following else None
    assert counts == ["Results 1–10 of 23", "Results 11–20 of 23", "Results 21–23 of 23"]
    assert seen == [f"Convoy log entry {number}" for number in reversed(range(CONVOYS))]
    last = get(bench, pages[-1])
    back = link(last, "← Previous")
    assert hit_titles(get(bench, back)) == seen[10:20]
    assert hit_titles(get(bench, link(get(bench, back), "← Previous"))) == seen[:10]


def test_sort_and_story_collapse(bench: Workbench) -> None:
    page = get(bench, "/?q=idlib")
    assert len(hit_titles(page)) == 2
    newest = get(bench, link(page, "Newest first"))
    assert hit_titles(newest)[0] == "Kornet launchers reported near Idlib (syndicated)"
    collapsed = get(bench, "/?q=idlib&collapse=1")
    assert len(hit_titles(collapsed)) == 1 and "one hit per story" in results_count(collapsed)
    assert 'name="collapse" value="1" checked' in collapsed


def test_the_form_keeps_the_filters_and_the_help_lists_the_syntax(bench: Workbench) -> None:
    page = get(bench, "/?q=kornet&f=country:SY&since=2024-03-01")
    form = re.search(r'<form method="get" action="/" role="search".*?</form>', page, re.DOTALL)
    assert form is not None
    assert '<input type="hidden" name="f" value="country:SY">' in form[0]
    assert '<input type="hidden" name="since" value="2024-03-01">' in form[0]
    assert '<label for="q">' in form[0] and 'id="q" name="q"' in form[0]
    help_panel = re.search(r'<details class="search-help">.*?</details>', page, re.DOTALL)
    assert help_panel is not None
    for example in ("NEAR(kornet sudan, 10)", "country:Iran", "since:2024-05", "-airsoft", "launch*"):
        assert example in html.unescape(help_panel[0])


def test_unknown_filter_values_warn_and_expansion_shows_the_query_as_run(bench: Workbench) -> None:
    page = get(bench, "/?q=weapon:Kornett")
    assert "no known weapon" in html.unescape(page) and "did you mean" in page
    expanded = get(bench, "/?q=Kalashnikov&expand=1")
    assert "Searched as:" in expanded


def test_save_as_alert_and_export_carry_the_query_as_run(bench: Workbench) -> None:
    page = get(bench, "/?q=kornet&f=country:SY&f=country:IR&x=lang:ru")
    query = "kornet country:(SY OR IR) -lang:ru"
    assert params(link(page, "Save as alert")) == {"q": [query]}
    exported = link(page, "CSV")
    assert params(exported) == {"q": [query], "format": ["csv"]}
    response = bench.client.get(exported)
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"), newline="")))
    assert len(rows) == 4 and results_count(page) == "Results 1–4 of 4"


def test_a_viewer_cannot_save_an_alert_but_can_export(bench: Workbench) -> None:
    app = bench.client.app
    assert isinstance(app, FastAPI)
    users = app.state.workbench.users
    users.add("vera", "viewer", "a long enough passphrase")
    headers = {"Authorization": f"Bearer {users.new_token('vera')}"}
    page = bench.client.get("/?q=kornet", headers=headers)
    assert page.status_code == 200 and "Save as alert" not in page.text and "Export:" in page.text
    signed_out = bench.client.get("/?q=kornet", headers={"Accept": "text/html"}, follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    assert bench.client.get(link(page.text, "CSV"), headers=headers).status_code == 200


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=colour:red", "near column 1: unknown field colour: (known: weapon:,"),
        ("q=(kornet", "near column 1: unclosed parenthesis"),
        ("q=kornet&f=colour:red", "&#39;colour:red&#39; is not a filter"),
        ("q=kornet&since=soon", "since expects a date like 2024-05-17"),
        ("q=kornet&after=[1,2,3]", "That page link is no longer valid"),
        ("q=kornet&after=nonsense", "That page link is no longer valid"),
        ("q=kornet&after=[1,%22a%22]&trail=[[[[", "That page link is no longer valid"),
        ("q=kornet&sort=date&after=[0.5,%22a%22]", "That page link is no longer valid"),  # a relevance cursor
    ],
)
def test_a_bad_query_or_link_is_a_400_with_the_message_by_the_box(bench: Workbench, query: str, message: str) -> None:
    page = get(bench, f"/?{query}", status=400)
    assert f'<p class="error" role="alert" id="q-error">{message}' in page
    assert 'aria-invalid="true" aria-describedby="q-error"' in page
    assert "Traceback" not in page


def test_a_bad_filter_in_the_url_can_be_removed(bench: Workbench) -> None:
    page = get(bench, "/?q=kornet&f=colour:red", status=400)
    assert results_count(get(bench, link(page, "× Remove filter colour: red"))) == "Results 1–8 of 8"


def test_an_unreachable_index_is_a_503_with_a_friendly_message(tmp_path: Path, closed_port: int) -> None:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    with (
        open_backend(f"http://127.0.0.1:{closed_port}") as backend,
        TestClient(create_app(config, backend)) as client,
    ):
        page = client.get("/?q=kornet")
        download = client.get("/export?q=kornet")
    assert page.status_code == 503 and "The search index is unreachable right now" in page.text
    assert str(closed_port) not in page.text and 'id="q" name="q"' in page.text
    assert download.status_code == 503 and "unreachable" in download.text
    assert "content-disposition" not in download.headers and str(closed_port) not in download.text


# -- /export -----------------------------------------------------------------------------------


def test_export_is_an_attachment_in_each_format(bench: Workbench) -> None:
    expected = {document.id for document in kornet_documents() if document.countries}
    for name, export_format in FORMATS.items():
        response = bench.client.get("/export", params={"q": "kornet country:SY,IR,YE", "format": name})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == export_format.media_type
        assert re.fullmatch(
            rf'attachment; filename="osint-export-\d{{8}}-\d{{6}}\.{re.escape(export_format.extension)}"',
            response.headers["content-disposition"],
        )
        assert response.headers["x-content-type-options"] == "nosniff"
        if name == "csv":
            rows = csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"), newline=""))
            assert {row["id"] for row in rows} == expected
        elif name == "jsonl":
            assert {Document.model_validate_json(line).id for line in response.text.splitlines()} == expected
        elif name == "ftm":
            assert all(json.loads(line)["schema"] for line in response.text.splitlines())
        elif name == "graphml":
            graph = nx.read_graphml(io.BytesIO(response.content))
            assert graph.nodes["country:SY"]["label"] == "Syria (SY)"


def test_export_defaults_to_csv_of_everything(bench: Workbench) -> None:
    response = bench.client.get("/export")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert len(response.text.splitlines()) == 1 + len(kornet_documents()) + CONVOYS


@pytest.mark.parametrize(
    ("query", "message"),
    [("format=pdf", "unknown export format 'pdf'"), ("q=colour:red", "unknown field colour:")],
)
def test_export_refuses_bad_requests(bench: Workbench, query: str, message: str) -> None:
    response = bench.client.get(f"/export?{query}")
    assert response.status_code == 400 and message in response.text
    assert "content-disposition" not in response.headers
