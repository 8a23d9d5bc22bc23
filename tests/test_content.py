"""HTML -> main text and metadata, on original fixture pages and hostile markup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from extractors import MAX_TEXT_CHARS, Extraction, ExtractionError, extract
from extractors.content import extract_html, main_container_text
from extractors.dates import parse_date
from extractors.links import MAX_LINKS
from tests.properties.bounds import cpu_bound

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def load(name: str, url: str | None = None, **kwargs: object) -> Extraction:
    body = (FIXTURES / name).read_bytes()
    return extract(body, url=url or f"https://site.example/{name}", entities=False, **kwargs)


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def test_news_article_main_text_without_boilerplate() -> None:
    ex = load("news_article.html", url="https://ledger.example.org/world/story?id=7#comments")
    assert ex.method == "trafilatura"
    assert ex.text.startswith("Customs officers at Port Harlow intercepted")
    assert "registered office" in ex.text and "last legally held" in ex.text
    for boilerplate in ("Reader123", "fraud case", "All rights reserved", "cookies", "Related stories", "Politics"):
        assert boilerplate not in ex.text
    assert "tracking-pixel-loaded" not in ex.text and "font-family" not in ex.text
    assert not ex.text.startswith("Container of rifles")  # the title is not repeated in the text


def test_news_article_metadata_prefers_json_ld() -> None:
    ex = load("news_article.html", url="https://ledger.example.org/world/story?id=7#comments")
    assert ex.title == "Container of rifles intercepted at Port Harlow"  # JSON-LD headline beats og:title
    assert ex.authors == ["Mara Okafor", "Tom Ellery"]
    assert ex.published == utc(2024, 3, 5, 8, 30)  # JSON-LD beats article:published_time
    assert ex.modified == utc(2024, 3, 6, 13, 0)
    assert ex.published.tzinfo is UTC
    assert (
        ex.canonical_url == "https://ledger.example.org/world/2024/03/05/container-rifles-port-harlow?utm_source=feed"
    )
    assert ex.declared_language == "en"
    assert ex.language == "en"


def test_news_article_links_are_absolute_distinct_and_http_only() -> None:
    ex = load("news_article.html", url="https://ledger.example.org/world/story?id=7")
    assert ex.links[:4] == [
        "https://ledger.example.org/",
        "https://ledger.example.org/world",
        "https://ledger.example.org/politics",
        "https://ledger.example.org/business",
    ]
    assert "https://customs.example.gov/statements/2024-031" in ex.links
    assert "https://ngo.example.net/reports/maritime-routes.pdf" in ex.links
    assert len(ex.links) == len(set(ex.links))
    assert all(link.startswith(("http://", "https://")) for link in ex.links)


def test_press_release_with_only_meta_tags() -> None:
    ex = load("press_release.html")
    assert ex.title == "Ministry suspends three arms export licences pending review"  # og:title
    assert ex.authors == ["Press Office, Ministry of Trade"]
    assert ex.published == utc(2023, 11, 14)  # DC.date
    assert ex.declared_language == "en"  # og:locale en_GB
    assert ex.canonical_url == "https://site.example/press_release.html"
    assert "end-user assurances" in ex.text
    assert "Press releases" not in ex.text  # layout-table menu dropped
    assert "|" not in ex.text  # the layout table is not rendered as table cells


def test_data_tables_keep_one_line_per_row() -> None:
    body = (
        b"<html><body><article><p>The table lists the weapons recovered by the monitoring team during the "
        b"inspection of three depots in the northern province last year.</p><table>"
        b"<tr><th>Weapon</th><th>Quantity</th><th>Origin</th></tr>"
        b"<tr><td>Type 56 rifle</td><td>112</td><td>China</td></tr>"
        b"<tr><td>RPG-7 launcher</td><td>9</td><td>Bulgaria</td></tr></table>"
        b"<p>Most items carried removed serial numbers.</p></article></body></html>"
    )
    lines = extract(body, url="https://x.example/", entities=False).text.split("\n")
    rows = [line for line in lines if "Type 56 rifle" in line or "RPG-7 launcher" in line]
    assert len(rows) == 2
    assert "112" in rows[0] and "China" in rows[0] and "Bulgaria" in rows[1]


def test_forum_post_short_page_is_not_empty_and_dated_from_the_page() -> None:
    ex = load("forum_post.html")
    assert "Anyone recognise these lot markings?" in ex.text
    assert ex.published == utc(2024, 2, 14)  # "Posted: 14 Feb 2024" in the page text
    assert ex.title.startswith("Thread: Markings on recovered launcher tubes")


def test_french_page() -> None:
    ex = load("french.html")
    assert (ex.language, ex.declared_language) == ("fr", "fr")
    assert ex.language_confidence > 0.9
    assert ex.published == utc(2024, 4, 18, 5, 45)
    assert ex.authors == ["Claire Vasseur"]
    assert "intermédiaires financiers" in ex.text


def test_script_never_reaches_text_and_title_stays_literal() -> None:
    ex = load("script_injection.html")
    assert ex.title == "Depot inventory <script>alert(1)</script> leaked"
    assert "mortar rounds" in ex.text and "disposal certificates" in ex.text
    assert "alert" not in ex.text and "<script" not in ex.text
    assert "secret" not in ex.text  # script, style, noscript, template, hidden, comment, handlers


@pytest.mark.parametrize(
    ("fixture", "charset", "language", "phrase"),
    [
        ("arabic_windows1256.html", "windows-1256", "ar", "البنادق الهجومية"),
        ("russian_koi8r.html", "koi8-r", "ru", "партию автоматов"),
    ],
)
def test_legacy_encodings_declared_and_undeclared(fixture: str, charset: str, language: str, phrase: str) -> None:
    body = (FIXTURES / fixture).read_bytes()
    declaration = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'.encode()
    assert declaration in body
    variants = {
        "meta": dict(body=body),
        "header": dict(body=body.replace(declaration, b""), content_type=f"text/html; charset={charset}"),
        "encoding": dict(body=body.replace(declaration, b""), encoding=charset),
        "undeclared": dict(body=body.replace(declaration, b"")),
        "mislabelled": dict(body=body, content_type="text/html; charset=utf-8"),
    }
    texts = set()
    for variant in variants.values():
        ex = extract(url="https://site.example/", entities=False, **variant)  # type: ignore[arg-type]
        assert phrase in ex.text, variant
        assert ex.language == language
        texts.add(ex.text)
    assert len(texts) == 1


def test_utf16_with_bom_and_charset_parameter() -> None:
    html = "<html><body><p>Шесть ящиков с патронами найдены на складе в порту.</p></body></html>"
    ex = extract("\ufeff".encode("utf-16-le") + html.encode("utf-16-le"), url="https://x.example/", entities=False)
    assert "ящиков с патронами" in ex.text
    ex = extract(
        html.encode("utf-16-le"), url="https://x.example/", content_type="text/html; charset=utf-16le", entities=False
    )
    assert "ящиков с патронами" in ex.text


def test_canonical_url_rules() -> None:
    def canonical(head: str, url: str = "https://news.example/a/b?x=1#frag") -> str:
        body = f"<html><head>{head}</head><body><p>Convoy of trucks reached the depot at dawn.</p></body></html>"
        return extract(body.encode(), url=url, entities=False).canonical_url

    assert canonical('<link rel="canonical" href="../c#top">') == "https://news.example/c"
    assert canonical('<link rel="Canonical Alternate" href="//cdn.example/z">') == "https://cdn.example/z"
    assert canonical('<link rel="canonical" href="javascript:alert(1)">') == "https://news.example/a/b?x=1"
    assert canonical('<link rel="canonical" href="ftp://files.example/a">') == "https://news.example/a/b?x=1"
    assert canonical("") == "https://news.example/a/b?x=1"


def test_links_respect_base_skip_non_http_and_are_capped() -> None:
    anchors = "".join(f'<a href="p{i}">{i}</a> <a href="p{i}#again">dup</a> ' for i in range(MAX_LINKS + 50))
    body = (
        '<html><head><base href="https://mirror.example/docs/"></head><body>'
        '<a href="mailto:a@b.example">m</a><a href="javascript:x()">j</a><a href="tel:123">t</a>'
        f"<p>Lists of seized items follow below the summary table.</p>{anchors}</body></html>"
    )
    ex = extract(body.encode(), url="https://site.example/index.html", entities=False)
    assert len(ex.links) == MAX_LINKS
    assert ex.links[0] == "https://mirror.example/docs/p0"
    assert len(set(ex.links)) == MAX_LINKS


def test_scholarly_citation_meta_tags() -> None:
    body = (
        b'<html><head><meta name="citation_title" content="Diversion of small arms in the Great Lakes region">'
        b'<meta name="citation_author" content="A. Researcher"><meta name="citation_author" content="B. Analyst">'
        b'<meta name="citation_date" content="2021/06/30"><meta http-equiv="content-language" content="en-US, fr">'
        b"</head><body><p>Abstract: this paper traces rifles recovered from armed groups.</p></body></html>"
    )
    ex = extract(body, url="http://[malformed/paper#abstract", entities=False)
    assert ex.title == "Diversion of small arms in the Great Lakes region"
    assert ex.authors == ["A. Researcher", "B. Analyst"]
    assert ex.published == utc(2021, 6, 30)
    assert ex.declared_language == "en"
    assert ex.canonical_url == "http://[malformed/paper"


def test_title_falls_back_to_page_title_and_strips_site_suffix() -> None:
    body = (
        b"<html><head><title>Mortar rounds found in school | Daily Example</title></head>"
        b"<body><h1>Mortar rounds found in school</h1><p>Police said the rounds were old.</p></body></html>"
    )
    ex = extract(body, url="https://x.example/", entities=False)
    assert ex.title == "Mortar rounds found in school"
    assert "Mortar rounds found in school" not in ex.text


def test_time_element_date_when_no_metadata() -> None:
    body = (
        b"<html><body><article><p>Report filed by our correspondent on the weapons cache.</p>"
        b'<time datetime="2022-07-09T18:00:00-04:00">9 July</time></article></body></html>'
    )
    assert extract(body, url="https://x.example/", entities=False).published == utc(2022, 7, 9, 22, 0)


def test_xhtml_with_xml_declaration_dated_from_url() -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de">'
        b"<head><title>Grenze</title></head><body><div><p>Die Waffenlieferung wurde an der Grenze gestoppt, "
        b"teilte die Polizei am Morgen mit.</p></div></body></html>"
    )
    ex = extract(body, url="https://x.example/2023/05/03/grenze", content_type="application/xhtml+xml", entities=False)
    assert (ex.declared_language, ex.language) == ("de", "de")
    assert ex.text.startswith("Die Waffenlieferung")
    assert ex.published == utc(2023, 5, 3)


def test_main_container_heuristic() -> None:
    soup = BeautifulSoup(
        "<body><nav>Home World</nav><div class='sidebar'><p>Subscribe now to our newsletter for weekly updates</p></div>"
        "<div id='story'><p>First paragraph of the report on diverted ammunition.</p><p>Second paragraph.</p></div>"
        "<div class='comments'><p>Comment one that is quite long and chatty and goes on for a while.</p></div></body>",
        "lxml",
    )
    assert main_container_text(soup) == "First paragraph of the report on diverted ammunition.\nSecond paragraph."
    soup = BeautifulSoup(
        "<body><header>Site</header><main><p>Inside main.</p></main><footer>Foot</footer></body>", "lxml"
    )
    assert main_container_text(soup) == "Inside main."


def test_short_pages_keep_their_visible_text() -> None:
    page = extract_html(
        "<html><body><span>Convoy sighted</span> <b>near the crossing</b></body></html>", "https://x.example/"
    )
    assert page.text == "Convoy sighted near the crossing"
    assert page.method == "trafilatura"


def test_malformed_and_deeply_nested_markup() -> None:
    malformed = b"<html><body><p>Unclosed <b>bold <i>italic <div>rifles were found <table><tr><td>in crates</p></b>"
    ex = extract(malformed, url="https://x.example/", entities=False)
    assert "rifles were found" in ex.text and "in crates" in ex.text
    deep = b"<div>" * 20_000 + b"cache of grenades under the floor" + b"</div>" * 20_000
    assert "cache of grenades" in extract(deep, url="https://x.example/", entities=False).text


def test_huge_page_in_bounded_time() -> None:
    paragraph = "<p>Shipment {} of rifles was logged at the northern warehouse by inspectors on duty.</p>\n"
    script = "<script>var bundle = '" + "x" * 3_000_000 + "';</script>"
    article = "".join(paragraph.format(i) for i in range(40_000))
    body = f"<html><head>{script}</head><body><article>{article}</article></body></html>".encode()
    with cpu_bound(20, "a 7 MB page"):  # about 3 s on an idle core
        ex = extract(body, url="https://x.example/", entities=False)
    assert ex.text.startswith("Shipment 0 of rifles")  # the oversized script did not push the article out


def test_huge_plain_text_is_capped() -> None:
    body = ("Line about a shipment of spare parts and rifles.\n" * 300_000).encode()  # 15 MB
    with cpu_bound(20, "15 MB of plain text"):
        ex = extract(body, url="https://x.example/dump.txt", content_type="text/plain", entities=False)
    assert len(ex.text) <= MAX_TEXT_CHARS
    assert ex.language == "en"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", "text/html", "empty"),
        (b"  \r\n\t ", "text/html", "empty"),
        (
            b"<html><head><title>App</title><script>boot()</script></head><body><div id='x'></div></body></html>",
            "text/html",
            "empty",
        ),
        (b"\x00\x01\x02\x03binary\x00payload" * 100, "text/html", "binary_content"),
        (bytes(range(1, 32)) * 200, "text/html", "binary_content"),  # control bytes, no NUL
        (b"\x89PNG\r\n\x1a\n" + b"IHDR" * 50, "text/html", "binary_content"),
        (b"GIF89a" + b"x" * 100, "image/gif", "unsupported_type"),
        (b"body { color: red; } /* stylesheet with words in comments */", "text/css", "unsupported_type"),
        (b'{"rifles": 40, "note": "json is data, not a page"}', "application/json", "unsupported_type"),
        (b"PK\x03\x04" + b"\x00" * 100, "application/zip", "unsupported_type"),
        (b"\x7fELF\x02\x01\x01\x00" * 20, "application/octet-stream", "unsupported_type"),
    ],
)
def test_hostile_bodies_raise_one_documented_error(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(body, url="https://x.example/", content_type=content_type, entities=False)
    assert caught.value.reason == reason


def test_content_type_sniffing() -> None:
    html = extract(
        b"<!DOCTYPE html><p>Arms cache found in the old mill.</p>",
        url="https://x.example/",
        content_type="application/octet-stream",
        entities=False,
    )
    assert html.content_type == "text/html" and html.text == "Arms cache found in the old mill."
    plain = extract(
        b"Arms cache found.\r\n\r\nSecond   line.",
        url="https://x.example/t.txt#x",
        content_type="text/plain",
        entities=False,
    )
    assert plain.method == "plain"
    assert plain.text == "Arms cache found.\nSecond line."
    assert plain.canonical_url == "https://x.example/t.txt"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05T10:00:00+02:00", utc(2024, 3, 5, 8)),
        ("2024-03-05", utc(2024, 3, 5)),
        ("20240305", utc(2024, 3, 5)),
        ("Tue, 05 Mar 2024 10:00:00 GMT", utc(2024, 3, 5, 10)),
        ("March 5, 2024", utc(2024, 3, 5)),
        ("5 March 2024 10:00 EST", utc(2024, 3, 5, 15)),
        ("0001-01-01", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_date_returns_aware_utc(raw: str, expected: datetime | None) -> None:
    assert parse_date(raw) == expected


def test_a_date_in_the_text_of_a_big_page_with_an_xml_declaration() -> None:
    # htmldate reads a page past HTMLDATE_MAX_CHARS from the markup as parsed: the XML declaration
    # dropped (lxml refuses a str that declares an encoding), so the date in its text is found.
    filler = "<p>" + "inventory line " * 40_000 + "</p>"
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>Rifles seized at the port, first reported '
        f"2023-04-05 by the harbour office.</p>{filler}</body></html>"
    ).encode()
    assert extract(body, url="https://x.example/a", entities=False).published == utc(2023, 4, 5)
