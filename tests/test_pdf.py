"""PDF -> text, metadata and page spans, on reportlab-generated government letters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption

from extractors import ExtractionError, extract
from extractors.pdf import extract_pdf
from tests.pdf_samples import LETTER_AUTHOR, LETTER_PAGES, LETTER_TITLE, build_pdf


def test_letter_text_metadata_and_page_spans() -> None:
    url = "https://gov.example/letters/el-2023-118.pdf#page=2"
    ex = extract(build_pdf(), url=url, content_type="application/pdf", entities=False)
    assert (ex.method, ex.content_type, ex.encoding) == ("pypdf", "application/pdf", None)
    assert ex.title == LETTER_TITLE
    assert ex.authors == [LETTER_AUTHOR]
    assert ex.published == datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    assert ex.declared_language == "en"
    assert ex.language == "en"
    assert ex.canonical_url == "https://gov.example/letters/el-2023-118.pdf"
    assert [span.page for span in ex.pages] == [1, 2, 3]
    for span, lines in zip(ex.pages, LETTER_PAGES, strict=True):
        assert ex.text[span.start : span.end] == "\n".join(lines)
    assert all(a.end < b.start for a, b in zip(ex.pages, ex.pages[1:], strict=False))
    assert ex.pages[-1].end == len(ex.text)


def test_a_hit_can_be_cited_by_page() -> None:
    ex = extract(build_pdf(), url="https://gov.example/l.pdf", content_type="application/pdf", entities=False)
    assert ex.page_at(ex.text.index("forty rifles")) == 2
    assert ex.page_at(ex.text.index("Yours faithfully")) == 3
    assert ex.page_at(ex.text.index("Ref. EL/2023/118")) == 1
    separator = ex.pages[0].end  # the blank line between pages belongs to no page
    assert ex.page_at(separator) is None


def test_pdf_is_sniffed_by_magic_bytes_whatever_the_content_type() -> None:
    ex = extract(
        build_pdf(), url="https://gov.example/get?id=3", content_type="text/html; charset=utf-8", entities=False
    )
    assert ex.method == "pypdf" and "forty rifles" in ex.text


def test_blank_pages_keep_their_numbers_out_of_the_spans() -> None:
    pages = (LETTER_PAGES[0], (), LETTER_PAGES[2])
    ex = extract(build_pdf(pages), url="https://gov.example/l.pdf", content_type="application/pdf", entities=False)
    assert [span.page for span in ex.pages] == [1, 3]


def test_placeholder_metadata_is_ignored_and_title_falls_back_to_first_line() -> None:
    content = extract_pdf(build_pdf(title=None, author=None, lang=None))  # reportlab writes "untitled"/"anonymous"
    assert content.title == "DIRECTORATE OF EXPORT CONTROLS"
    assert content.authors == []
    assert content.declared_language is None


def test_pdf_without_text_is_empty() -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(build_pdf(((), ())), url="https://gov.example/scan.pdf", content_type="application/pdf", entities=False)
    assert caught.value.reason == "empty"


@pytest.mark.parametrize(
    "body",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
        b"not a pdf at all",
        build_pdf()[:1500],
        build_pdf()[: len(build_pdf()) // 2],
    ],
    ids=["garbage", "no-header", "head-only", "truncated"],
)
def test_broken_pdf(body: bytes) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(body, url="https://gov.example/b.pdf", content_type="application/pdf", entities=False)
    assert caught.value.reason == "broken_pdf"


def test_encrypted_pdf_needing_a_password() -> None:
    body = build_pdf(encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(ExtractionError) as caught:
        extract(body, url="https://gov.example/e.pdf", content_type="application/pdf", entities=False)
    assert caught.value.reason == "encrypted_pdf"


def test_pdf_encrypted_only_against_printing_is_read() -> None:
    body = build_pdf(encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0))
    ex = extract(body, url="https://gov.example/e.pdf", content_type="application/pdf", entities=False)
    assert "forty rifles" in ex.text and ex.title == LETTER_TITLE
