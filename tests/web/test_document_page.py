"""The document page (/doc/{id}), its capture view and downloads, and /api/documents/{id}, through
the real app (FastAPI's TestClient) over a real SQLite index and a real capture store written in
the test's data directory: the captures are recorded as a crawl records them, and the documents
point at them as the crawler sets them."""

from __future__ import annotations

import gzip
import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.web.application import create_app
from app.web.routes.documents import CAPTURE_POLICY
from app.web.unavailable import UNAVAILABLE
from captures.store import CaptureStore, Exchange
from index.backend import IndexBackend, open_backend
from index.sqlite.backend import SqliteBackend
from schema.document import Capture, Document
from settings.config import load_config
from tests.citing_documents import LETTER, LETTER_COPY, WEB_PAGE, mention

T0 = datetime(2024, 3, 6, 10, 15, 2, tzinfo=UTC)
PDF_NOW = b"%PDF-1.4\n% the panel's letter, as served today\n%%EOF\n"
PDF_BEFORE = b"%PDF-1.4\n% the panel's letter, a day earlier\n%%EOF\n"
HOSTILE_HTML = (
    b'<html><head><meta http-equiv="refresh" content="0;url=https://evil.example/">'
    b"<script>alert('capture')</script></head>"
    b"<body><p>Seized Kornet launchers</p><img src=x onerror=alert(1)></body></html>"
)
HOSTILE_TITLE = 'Kornet sale <script>alert("t")</script> <img src=x onerror=alert(2)>'
HOSTILE_TEXT = (
    'Seller offered Kornet launchers <img src=x onerror=alert(3)> near the "><script>alert(4)</script> border.\n'
    'Details: <a href="javascript:alert(5)">click</a>'
)


def exchange(url: str, body: bytes, content_type: str, at: datetime, encoding: str | None = None) -> Exchange:
    headers = [("Content-Type", content_type)] + ([("Content-Encoding", encoding)] if encoding else [])
    return Exchange(
        url=url,
        status=200,
        body=body,
        response_headers=headers,
        fetched_at=at,
        ip="192.0.2.44",
        request_headers=[("Host", urlsplit(url).netloc)],
        reason="OK",
    )


@dataclass
class Bench:
    client: TestClient
    backend: IndexBackend  # the app's own
    letter: Document
    copy: Document
    hostile: Document
    uncaptured: Document
    gone: Document


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    store = CaptureStore(config.captures_dir)
    try:
        before = store.record_exchange(exchange(LETTER.url, PDF_BEFORE, "application/pdf", T0 - timedelta(days=1)))
        now = store.record_exchange(exchange(LETTER.url, PDF_NOW, "application/pdf", T0))
        # the wire's copy served the very same bytes: a revisit, whose payload is the letter's
        revisit = store.record_exchange(exchange(LETTER_COPY.url, PDF_NOW, "application/pdf", T0 + timedelta(hours=1)))
        hostile_url = "https://hostile.example.org/sale"
        zipped = gzip.compress(HOSTILE_HTML)
        hostile_capture = store.record_exchange(
            exchange(hostile_url, zipped, "text/html; charset=utf-8", T0, encoding="gzip")
        )
    finally:
        store.close()
    assert revisit.record_id != now.record_id
    letter = LETTER.model_copy(
        update={"capture": now, "versions": [before.model_copy(update={"content_hash": "b" * 64})]}
    )
    copy = LETTER_COPY.model_copy(update={"capture": revisit})
    hostile = Document.new(
        hostile_url,
        url="javascript:alert(6)",
        title=HOSTILE_TITLE,
        text=HOSTILE_TEXT,
        authors=["<b>Mallory</b>"],
        source_id="<script>alert(7)</script>",
        language="en",
        capture=hostile_capture,
        entities=[mention(HOSTILE_TEXT, "WEAPON", "Kornet", "9M133 Kornet", kind="model", origin="RU")],
        weapons=["9M133 Kornet"],
    ).with_hash()
    gone = WEB_PAGE.model_copy(
        update={
            "id": "90e" + "0" * 29,
            "capture": Capture(
                warc="OSINT-20200101000000000000-1-00001.warc.gz",
                offset=0,
                length=100,
                record_id="<urn:uuid:00000000-0000-4000-8000-000000000000>",
                payload_sha256="0" * 64,
                fetched_at=T0,
            ),
        }
    )
    with SqliteBackend(config.data_dir / "index.sqlite3") as backend:
        backend.upsert([letter, copy, hostile, WEB_PAGE, gone])
    app = create_app(config)
    with TestClient(app) as client:
        yield Bench(client, app.state.workbench.backend, letter, copy, hostile, WEB_PAGE, gone)


def page_of(bench: Bench, document: Document) -> str:
    response = bench.client.get(f"/doc/{document.id}")
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


def hrefs(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', page)]


# -- the document page -------------------------------------------------------------------------


def test_the_page_shows_the_document_with_its_metadata(bench: Bench) -> None:
    page = page_of(bench, bench.letter)
    for expected in (
        "Letter dated 4 March 2024 from the Panel of Experts",
        "panel-letters",
        "east-africa",
        "application/pdf",
        "Amina Odhiambo, Tomas Lindqvist",
        "2024-03-04 08:30 UTC",  # published
        bench.letter.content_hash,
        bench.letter.id,
        "Annex. Serial numbers of the",  # page two's text
    ):
        assert html.escape(expected, quote=False) in page, expected
    assert '<a class="external" href="https://www.panel.example.org/letters/2024-17.pdf"' in page
    assert 'rel="noopener noreferrer nofollow"' in page


def test_mentions_are_marked_by_type_and_search_their_canonical_entity(bench: Bench) -> None:
    page = page_of(bench, bench.letter)
    text = page[page.index('<div class="document-text"') :]
    marks = re.findall(r'<mark class="(ent-[a-z]+)"[^>]*><a href="([^"]*)"[^>]*>([^<]*)</a></mark>', text)
    in_text = [(css, parse_qs(urlsplit(html.unescape(href)).query)["f"], shown) for css, href, shown in marks]
    assert in_text[:4] == [
        ("ent-weapon", ["weapon:AK-47"], "AK-47"),
        ("ent-country", ["country:KE"], "Kenya"),
        ("ent-weapon", ["weapon:RPG-7"], "RPG-7"),
        ("ent-group", ["group:Ambazonia Defence Forces"], "Ambazonia Defence Forces"),
    ]
    assert "/?f=weapon%3AAK-47" in hrefs(page)


def test_pdf_pages_are_marked_in_the_text(bench: Bench) -> None:
    page = page_of(bench, bench.letter)
    assert '<a class="page-marker" id="page-1" href="#page-1">— page 1 —</a>' in page
    second = page.index('id="page-2"')
    assert page.index("farm equipment") < second < page.index("Annex. Serial numbers")


def test_the_entity_table_shows_attributes(bench: Bench) -> None:
    page = page_of(bench, bench.letter)
    table = page[page.index('<table class="table entities"') : page.index("</table>")]
    rows = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    cells = [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row] for row in rows]
    assert cells[0] == [
        "Entity",
        "Type",
        "Mentions",
        "Origin",
        "Category",
        "Manufacturer",
        "Parent group",
        "Other",
        "Found by",
    ]
    assert cells[1:] == [  # weapons first, then groups, then countries: what an analyst traces
        ["AK-47", "weapon", "1", "Soviet Union", "assault rifle", "", "", "", "gazetteer"],
        ["RPG-7", "weapon", "1", "", "rocket launcher", "Bazalt", "", "", "gazetteer"],
        ["Ambazonia Defence Forces", "armed group", "1", "", "", "", "", "region: Cameroon", "gazetteer"],
        ["Kenya (KE)", "country", "1", "", "", "", "", "name: Kenya", "gazetteer"],
    ]
    assert "/?f=category%3Aassault+rifle" in hrefs(table)


def test_story_siblings_versions_provenance_and_citation(bench: Bench) -> None:
    page = page_of(bench, bench.letter)
    links = hrefs(page)
    assert f"/doc/{bench.copy.id}" in links and f"/doc/{bench.letter.id}" not in links  # a sibling, not itself
    assert "Panel letter traces rifles seized in Kenya" in page
    base = f"/doc/{bench.letter.id}"
    assert {f"{base}/capture", f"{base}/capture/download", f"{base}/capture/download?part=warc"} <= set(links)
    assert f"{base}/capture?version=1" in links and f"{base}/capture/download?version=1" in links
    capture = bench.letter.capture
    assert capture is not None
    assert capture.payload_sha256 in page and bench.letter.versions[0].payload_sha256 in page
    assert "192.0.2.44" in page and "2024-03-06 10:15 UTC" in page
    citation = re.search(r'<pre id="citation-text"[^>]*>(.*?)</pre>', page, re.S)
    assert citation is not None
    assert f"SHA-256 {capture.payload_sha256}" in html.unescape(citation[1])
    assert 'data-copy="#citation-text"' in page
    assert 'id="citation-bibtex"' in page and 'id="citation-csl-json"' in page


def test_a_document_without_a_capture_says_so(bench: Bench) -> None:
    page = page_of(bench, bench.uncaptured)
    assert "No copy was preserved" in page and "/capture" not in page
    response = bench.client.get(f"/doc/{bench.uncaptured.id}/capture")
    assert response.status_code == 404 and "No copy of this document was preserved" in response.text
    assert (
        "Content-Security-Policy" in response.headers and "sandbox" not in response.headers["Content-Security-Policy"]
    )


def test_a_capture_retention_removed_is_a_404_page(bench: Bench) -> None:
    page = page_of(bench, bench.gone)
    assert "no longer in the capture store" in page
    for path in ("/capture", "/capture/download", "/capture/download?part=warc"):
        response = bench.client.get(f"/doc/{bench.gone.id}{path}")
        assert response.status_code == 404 and "no longer in the capture store" in response.text, path


def test_a_hostile_document_is_shown_as_text(bench: Bench) -> None:
    page = page_of(bench, bench.hostile)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page  # the title, as written
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page and "&lt;script&gt;alert(7)&lt;/script&gt;" in page
    assert not any(href.lower().lstrip().startswith("javascript:") for href in hrefs(page))
    assert "external" not in re.findall(r'<a class="([^"]*)"', page)  # its URL is no web address
    assert re.search(r"<[^>]+\son[a-z]+=", page) is None  # no event handler attribute anywhere
    assert re.search(r"<[^>]+\sstyle=", page) is None  # no inline style (the CSP forbids them)
    assert "<script>" not in page.replace('<script src="/static/', "")
    assert "script-src 'self'" in bench.client.get(f"/doc/{bench.hostile.id}").headers["Content-Security-Policy"]


def test_a_source_address_that_does_not_parse_is_text_not_a_link(bench: Bench) -> None:
    broken = WEB_PAGE.model_copy(update={"id": "b0c" + "0" * 29, "url": "https://user:secret@[bad/report"})
    bench.backend.upsert([broken])
    page = page_of(bench, broken)
    assert "external" not in re.findall(r'<a class="([^"]*)"', page) and "secret" not in page


def test_an_unreachable_index_is_a_503_page_and_json(tmp_path: Path, closed_port: int) -> None:
    config = load_config({"OSINT_DATA_DIR": str(tmp_path / "data")})
    with (
        open_backend(f"http://127.0.0.1:{closed_port}") as backend,
        TestClient(create_app(config, backend)) as client,
    ):
        page = client.get(f"/doc/{LETTER.id}", headers={"Accept": "text/html"})
        capture = client.get(f"/doc/{LETTER.id}/capture", headers={"Accept": "text/html"})
        api = client.get(f"/api/documents/{LETTER.id}")
    for response in (page, capture):
        assert response.status_code == 503 and UNAVAILABLE in html.unescape(response.text)
        assert response.headers["content-type"].startswith("text/html") and str(closed_port) not in response.text
    assert api.status_code == 503 and api.json() == {"detail": UNAVAILABLE}


def test_an_id_prefix_redirects_and_an_ambiguous_one_lists_the_candidates(bench: Bench) -> None:
    response = bench.client.get(f"/doc/{bench.letter.id[:10]}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/doc/{bench.letter.id}"
    first, second = Document.new("https://a.example/1"), Document.new("https://a.example/2")
    ids = ["abc" + "1" * 29, "abc" + "2" * 29]
    bench.backend.upsert(
        [
            first.model_copy(update={"id": ids[0], "title": "First <i>one</i>"}),
            second.model_copy(update={"id": ids[1], "title": "Second one"}),
        ]
    )
    ambiguous = bench.client.get("/doc/abc")
    assert ambiguous.status_code == 300
    assert {f"/doc/{ids[0]}", f"/doc/{ids[1]}"} <= set(hrefs(ambiguous.text))
    assert "First &lt;i&gt;one&lt;/i&gt;" in ambiguous.text
    unknown = bench.client.get("/doc/ffffffff")
    assert unknown.status_code == 404 and "No document has an id starting" in unknown.text


# -- the capture -------------------------------------------------------------------------------


def test_the_capture_is_served_from_the_store_sandboxed(bench: Bench) -> None:
    response = bench.client.get(f"/doc/{bench.hostile.id}/capture")
    assert response.status_code == 200
    assert response.content == HOSTILE_HTML  # the content encoding undone, nothing else changed
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CAPTURE_POLICY
    policy = [part.strip() for part in CAPTURE_POLICY.split(";")]
    assert policy[0] == "sandbox" and "default-src 'none'" in policy  # no allow-scripts, no allow-same-origin
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-encoding" not in response.headers
    assert response.headers["content-disposition"].startswith("inline;")


def test_a_pdf_capture_is_served_as_a_pdf_and_a_revisit_reads_its_original(bench: Bench) -> None:
    letter = bench.client.get(f"/doc/{bench.letter.id}/capture")
    assert letter.content == PDF_NOW and letter.headers["content-type"] == "application/pdf"
    assert letter.headers["content-security-policy"] == CAPTURE_POLICY
    copy = bench.client.get(f"/doc/{bench.copy.id}/capture")
    assert copy.status_code == 200 and copy.content == PDF_NOW


def test_earlier_versions_are_served_by_number(bench: Bench) -> None:
    before = bench.client.get(f"/doc/{bench.letter.id}/capture", params={"version": 1})
    assert before.status_code == 200 and before.content == PDF_BEFORE
    too_far = bench.client.get(f"/doc/{bench.letter.id}/capture", params={"version": 2})
    assert too_far.status_code == 404 and "has 1 earlier version, not 2" in too_far.text
    negative = bench.client.get(f"/doc/{bench.letter.id}/capture?version=-1", headers={"Accept": "text/html"})
    assert negative.status_code == 400 and "version" in negative.text


def test_downloads_are_the_payload_as_served_and_the_warc_record(bench: Bench) -> None:
    capture = bench.hostile.capture
    assert capture is not None
    payload = bench.client.get(f"/doc/{bench.hostile.id}/capture/download")
    assert payload.status_code == 200
    assert hashlib.sha256(payload.content).hexdigest() == capture.payload_sha256  # as served: still gzip
    assert gzip.decompress(payload.content) == HOSTILE_HTML
    disposition = payload.headers["content-disposition"]
    assert disposition == f'attachment; filename="document-{bench.hostile.id[:16]}.html.gz"'
    assert payload.headers["content-type"] == "application/octet-stream"
    assert payload.headers["content-security-policy"] == CAPTURE_POLICY
    record = bench.client.get(f"/doc/{bench.letter.id}/capture/download", params={"part": "warc"})
    assert record.status_code == 200 and record.headers["content-type"] == "application/warc"
    assert record.content.startswith(b"WARC/1.1\r\n") and PDF_NOW in record.content
    assert bench.letter.capture is not None
    assert f"WARC-Record-ID: {bench.letter.capture.record_id}".encode() in record.content
    assert record.headers["content-disposition"].endswith('.warc"')
    older = bench.client.get(f"/doc/{bench.letter.id}/capture/download", params={"version": 1})
    assert older.content == PDF_BEFORE and older.headers["content-disposition"].endswith('.pdf"')


# -- JSON --------------------------------------------------------------------------------------


def test_the_api_answers_what_osint_show_json_prints(bench: Bench) -> None:
    given = bench.letter.id[:10]
    shown = bench.client.get(f"/api/documents/{given}").json()
    assert shown.pop("requested_id") == given
    assert [hit["id"] for hit in shown.pop("story")] == [bench.copy.id]
    assert Document.model_validate(shown) == bench.letter
    missing = bench.client.get("/api/documents/ffffffff")
    assert missing.status_code == 404 and "no document has an id starting" in missing.json()["detail"]
    schema = bench.client.get("/api/openapi.json").json()
    assert "/api/documents/{doc_id}" in schema["paths"]
    assert "DocumentDetail" in schema["components"]["schemas"]


def test_the_api_lists_the_candidates_of_an_ambiguous_prefix(bench: Bench) -> None:
    ids = ["dd" + "1" * 30, "dd" + "2" * 30]
    bench.backend.upsert(
        [Document.new(f"https://b.example/{index}").model_copy(update={"id": id_}) for index, id_ in enumerate(ids)]
    )
    conflict = bench.client.get("/api/documents/dd")
    assert conflict.status_code == 409
    assert conflict.json()["detail"]["candidates"] == ids
