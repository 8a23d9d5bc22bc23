"""A copyright year is never a publication date; the real date cues of a page still are."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors import extract
from extractors.dates import without_copyright_years

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
FOOTER = "<footer><p>&copy; 2026 Harbour Watch. Copyright 2026 the authors.</p></footer>"
ARTICLE = (
    "<p>Customs officers opened the container after a tip from the port authority and found forty "
    "rifles packed under bales of used clothing, according to the inspection log.</p>"
)


def published(
    head: str = "", body: str = ARTICLE, url: str = "https://harbour.example/board/report.html"
) -> datetime | None:
    page = (
        f"<html lang='en'><head><title>Report</title>{head}</head><body><article>{body}</article>{FOOTER}</body></html>"
    )
    return extract(page.encode(), url=url, content_type="text/html", entities=False).published


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_an_index_page_whose_only_date_cue_is_its_copyright_footer_has_no_published_date() -> None:
    page = (FIXTURES / "index_copyright_footer.html").read_bytes()
    extraction = extract(page, url="https://harbour.example/board/", content_type="text/html", entities=False)
    assert extraction.title == "Topics"
    assert extraction.published is None


@pytest.mark.parametrize(
    "footer",
    [
        "© 2026 Harbour Watch",
        "Copyright 2026 Harbour Watch",
        "(c) Harbour Watch, 2026",
        "Copyright © 2019–2026 Harbour Watch",
        "© 2019, 2026",
    ],
)
def test_every_form_of_copyright_notice_is_ignored(footer: str) -> None:
    page = f"<html><body><h1>Topics</h1>{ARTICLE}<footer>{footer}</footer></body></html>"
    assert (
        extract(page.encode(), url="https://harbour.example/", content_type="text/html", entities=False).published
        is None
    )


def test_a_schema_org_copyright_year_is_not_a_publication_date() -> None:
    assert published('<meta itemprop="copyrightYear" content="2026">') is None


@pytest.mark.parametrize(
    ("head", "body", "url", "expected"),
    [
        (
            '<meta property="article:published_time" content="2024-03-05T08:30:00Z">',
            ARTICLE,
            None,
            utc(2024, 3, 5, 8, 30),
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Report", '
            '"datePublished": "2023-11-14T06:00:00Z"}</script>',
            ARTICLE,
            None,
            utc(2023, 11, 14, 6),
        ),
        ("", f'<time datetime="2025-02-10T21:14:00Z">10 February</time>{ARTICLE}', None, utc(2025, 2, 10, 21, 14)),
        ("", ARTICLE, "https://harbour.example/news/2024/09/22/container-rifles", utc(2024, 9, 22)),
        ("", f"<p>Posted on 2024-03-05 by the harbour desk.</p>{ARTICLE}", None, utc(2024, 3, 5)),
        ("", f"<p>The harbour desk wrote this on 5 March 2024.</p>{ARTICLE}", None, utc(2024, 3, 5)),
    ],
)
def test_real_date_cues_still_date_a_page_with_a_copyright_footer(
    head: str, body: str, url: str | None, expected: datetime
) -> None:
    assert published(head, body, url or "https://harbour.example/board/report.html") == expected


def test_only_the_copyright_notice_is_removed_from_text() -> None:
    assert (
        without_copyright_years("© 2026 Harbour Watch. Tips: 1234 Quay Road") == " Harbour Watch. Tips: 1234 Quay Road"
    )
    assert without_copyright_years("Published 5 March 2024") == "Published 5 March 2024"
