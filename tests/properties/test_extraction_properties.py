"""Charset decoding and content extraction on whatever a hostile or broken site serves: every
call returns, or raises ExtractionError with one of its documented reasons, within a CPU bound."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extractors import REASONS, Extraction, ExtractionError, extract, extract_text
from extractors.charset import guess_encoding, implausibility
from extractors.decoding import decode_body
from tests.properties.bounds import cpu_bound

DECODE_CPU_SECONDS = 1.0
EXTRACT_CPU_SECONDS = 5.0

_ENCODINGS = [
    "utf-8",
    "utf-16",
    "utf-16-be",
    "utf-32",
    "cp1251",
    "cp1256",
    "koi8_r",
    "latin-1",
    "shift_jis",
    "gb18030",
    "euc_kr",
]
_DECLARED = st.one_of(
    st.none(),
    st.sampled_from([*_ENCODINGS, "x-unknown", "", "utf-7", "utf8;q=1", "base64", "rot13", "hex"]),
    st.text(max_size=12),
)
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "text/html",
            "text/html; charset=cp1251",
            "text/html; charset=utf-16",
            "text/html; charset=nonsense",
            "application/xhtml+xml",
            "text/xml",
            "application/rss+xml",
            "text/plain",
            "text/plain; charset=koi8-r",
            "application/pdf",
            "application/octet-stream",
            "",
            "image/png",
            "text/css",
            "TEXT/HTML;;charset=",
        ]
    ),
    st.text(max_size=30),
)
_MARKUP = st.sampled_from(
    [
        "<!DOCTYPE html>",
        "<html lang='ar' dir='rtl'>",
        "<html lang='&#x110000;'>",
        "<head>",
        "<title>",
        "</title>",
        "<body>",
        "<meta charset='cp1251'>",
        "<meta charset='utf-16'>",
        "<meta http-equiv='Content-Type' content='text/html; charset=koi8-r'>",
        "<?xml version='1.0' encoding='shift_jis'?>",
        "<link rel='canonical' href='http://[::1'>",
        "<link rel=canonical href=//x>",
        "<base href='javascript:alert(1)'>",
        "<a href='http://a.example/%zz'>link</a>",
        "<a href='\x00'>",
        "<script>var x = '</p>';</script>",
        "<style>p{}</style>",
        "<p>",
        "</p>",
        "<br>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "&#99999999999;",
        "&#x0;",
        "&bogus;",
        "<time datetime='2024-13-45T99:99'>",
        "<meta property='article:published_time' content='99999-01-01'>",
        "<meta name='date' content='0000-00-00'>",
        "<meta name='author' content='" + "A" * 500 + "'>",
        "<svg><script>x</script></svg>",
        "<math><mi>x</mi></math>",
        "<table><tr><td>",
        "<article>",
        "</article>",
        "<h1>",
        "</h1>",
        "© 2026",
        "\u202e",
        "\ufeff",
        "Kalashnikov rifles and RPG-7 launchers seized in Mombasa.",
        "Иран поставил ракеты.",
        "صواريخ كورنيت في إدلب.",
    ]
)
_NESTED = st.integers(0, 3000).map(
    lambda depth: "<div>" * depth + "<p>Rifles seized at the border.</p>" + "</div>" * depth
)
HTML_TEXT = st.one_of(st.lists(st.one_of(_MARKUP, st.text(max_size=20)), max_size=40).map("".join), _NESTED)
BODIES = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda text, encoding: text.encode(encoding, "replace"), HTML_TEXT, st.sampled_from(_ENCODINGS)),
    st.binary(max_size=500).map(lambda tail: b"%PDF-1.4\n" + tail),
    st.binary(max_size=200).map(lambda tail: b"\xef\xbb\xbf" + tail),  # a UTF-8 byte-order mark, then anything
)


@settings(max_examples=200)
@given(BODIES, st.one_of(st.none(), CONTENT_TYPES), _DECLARED, st.booleans())
@example(
    b"<p>rifles</p>", "text/html; charset=base64", None, True
)  # a codec, but not a text encoding (was LookupError)
@example(b"<p>rifles</p>", "text/html", "undefined", True)  # a text codec that decodes nothing (was UnicodeError)
def test_decoding_returns_text_or_refuses_binary(
    body: bytes, content_type: str | None, encoding: str | None, html: bool
) -> None:
    with cpu_bound(DECODE_CPU_SECONDS, f"decode_body({body[:60]!r}, {content_type!r}, {encoding!r})"):
        try:
            decoded = decode_body(body, content_type=content_type, encoding=encoding, html=html)
        except ExtractionError as exc:
            assert exc.reason == "binary_content"
            return
    assert isinstance(decoded.text, str) and decoded.encoding


@settings(max_examples=200)
@given(st.binary(max_size=3000))
def test_any_bytes_get_a_guessed_encoding(body: bytes) -> None:
    with cpu_bound(DECODE_CPU_SECONDS, f"guess_encoding({body[:60]!r})"):
        encoding = guess_encoding(body)
    body.decode(encoding, "replace")  # a codec Python knows


@settings(max_examples=200)
@given(st.text(max_size=500))
def test_any_text_has_a_plausibility(text: str) -> None:
    with cpu_bound(DECODE_CPU_SECONDS, f"implausibility({text[:60]!r})"):
        assert implausibility(text) >= 0.0


@pytest.fixture(scope="module")
def warmed_up() -> Iterator[None]:
    """Gazetteers, spaCy, trafilatura and dateparser's per-locale patterns (compiled at the first
    date htmldate cannot read itself: seconds of CPU, once per process) loaded before any call is timed."""
    extract(
        b"<html lang='ar'><body><time datetime='2024-13-45T99:99'>x</time><p>Warm-up: AK-47 rifles seen in Iraq.</p>"
        b"</body></html>",
        url="https://example.org/",
    )
    yield


@settings(max_examples=80)
@given(
    BODIES,
    CONTENT_TYPES,
    _DECLARED,
    st.sampled_from(
        [
            "https://news.example.org/a/b.html",
            "",
            "not a url",
            "http://[::1",
            "https://xn--80ak6aa92e.com/%zz?q=\u0000#frag",
        ]
    ),
    st.one_of(st.none(), st.sampled_from(["en", "ar", "xx", "", "EN-us"])),
)
def test_extract_returns_an_extraction_or_a_documented_error(
    warmed_up: None, body: bytes, content_type: str, encoding: str | None, url: str, language_hint: str | None
) -> None:
    with cpu_bound(EXTRACT_CPU_SECONDS, f"extract({body[:60]!r}, {content_type!r})"):
        try:
            result = extract(body, url=url, content_type=content_type, encoding=encoding, language_hint=language_hint)
        except ExtractionError as exc:
            assert exc.reason in REASONS
            return
    assert isinstance(result, Extraction) and result.text


@settings(max_examples=60)
@given(st.one_of(HTML_TEXT, st.text(max_size=2000)))
@example("AK\x8047 rifles")  # a C1 control inside a mention: its text was the sanitised "AK 47"
def test_extract_text_on_any_text(warmed_up: None, text: str) -> None:
    with cpu_bound(EXTRACT_CPU_SECONDS, f"extract_text({text[:60]!r})"):
        try:
            result = extract_text(text)
        except ExtractionError as exc:
            assert exc.reason == "empty"
            return
    for entity in result.entities:
        if entity.get("attributes", {}).get("field") != "title":
            assert result.text[entity["start"] : entity["end"]] == entity["text"]
