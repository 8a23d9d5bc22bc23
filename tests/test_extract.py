"""The `extract()` orchestration with the real entity engine, and its fit with the index schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import REASONS, Extraction, ExtractionError, extract, extract_text
from extractors.entities import extract_entities
from schema.document import Document
from schema.entities import EXTRACTED_ENTITY_SETS as ENTITY_SETS
from schema.entities import Entity
from tests.pdf_samples import build_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
ENTITY_FIELDS = ENTITY_SETS

HEADLINE_ONLY_PAGE = """<html lang="en"><head><title>AK-47 rifles from Iraq resurface in depot audit</title></head>
<body><article><p>An audit of a regional depot found that forty rifles recorded as destroyed in 2019 were still
in storage, together with two RPG-7 launchers shipped through Libya. Officials said the discrepancy was an
accounting error and that an inquiry had been opened.</p></article></body></html>"""


def mentions(ex: Extraction, field: str | None) -> list[dict]:
    return [m for m in ex.entities if m["attributes"].get("field") == field]


def test_entities_on_text_have_offsets_into_text() -> None:
    ex = extract(HEADLINE_ONLY_PAGE.encode(), url="https://x.example/audit")
    body_mentions = mentions(ex, None)
    assert {m["canonical"] for m in body_mentions} >= {"RPG-7", "LY"}
    for mention in body_mentions:
        assert ex.text[mention["start"] : mention["end"]] == mention["text"]


def test_document_sets_match_the_engine_run_on_text_alone_when_the_title_adds_nothing() -> None:
    ex = extract((FIXTURES / "news_article.html").read_bytes(), url="https://ledger.example.org/a")
    direct = extract_entities(ex.text, ex.language)
    assert [m.model_dump() for m in direct.entities] == mentions(ex, None)
    for name in ENTITY_FIELDS:
        assert getattr(ex, name) == getattr(direct, name), name


def test_title_mentions_are_marked_and_merged_into_document_sets() -> None:
    ex = extract(HEADLINE_ONLY_PAGE.encode(), url="https://x.example/audit")
    assert "AK-47" not in ex.text and "Iraq" not in ex.text
    in_title = mentions(ex, "title")
    assert {m["canonical"] for m in in_title} >= {"AK-47", "IQ"}
    for mention in in_title:
        assert ex.title[mention["start"] : mention["end"]] == mention["text"]
    assert {"AK-47", "RPG-7"} <= set(ex.weapons)  # title and text
    assert {"IQ", "LY"} <= set(ex.countries)


def test_entities_can_be_skipped() -> None:
    ex = extract(HEADLINE_ONLY_PAGE.encode(), url="https://x.example/audit", entities=False)
    assert ex.entities == [] and all(getattr(ex, name) == [] for name in ENTITY_FIELDS)
    assert ex.text


def test_pdf_entity_offsets_fall_on_cited_pages() -> None:
    pages = (
        ("Ministry of Defence - note verbale", "Subject: transfer of RPG-7 launchers"),
        ("The launchers were last recorded in Libya in 2011.",),
    )
    ex = extract(
        build_pdf(pages, title="Note verbale 44/2024"), url="https://gov.example/n.pdf", content_type="application/pdf"
    )
    by_canonical = {m["canonical"]: m for m in mentions(ex, None)}
    assert ex.page_at(by_canonical["RPG-7"]["start"]) == 1
    assert ex.page_at(by_canonical["LY"]["start"]) == 2


def test_extract_text_for_plain_input() -> None:
    ex = extract_text("Border guards stopped a lorry carrying   mortar shells into Syria.\r\n", language_hint="en")
    assert (ex.url, ex.canonical_url, ex.method, ex.title) == ("", "", "plain", "")
    assert ex.text == "Border guards stopped a lorry carrying mortar shells into Syria."
    assert ex.language == "en"
    assert "SY" in ex.countries
    with pytest.raises(ExtractionError) as caught:
        extract_text(" \n\t ")
    assert caught.value.reason == "empty"


def test_caller_hint_beats_declared_language_only_for_ties() -> None:
    mixed = (
        b"<html lang='fr'><body><p>Convoy arrived at the port. Le convoi est arriv\xc3\xa9 au port.</p></body></html>"
    )
    assert extract(mixed, url="https://x.example/", entities=False).language == "fr"
    hinted = extract(mixed, url="https://x.example/", language_hint="en", entities=False)
    assert (hinted.language, hinted.declared_language) == ("en", "fr")


def test_extraction_builds_an_index_document() -> None:
    ex = extract(build_pdf(), url="https://gov.example/l.pdf", content_type="application/pdf")
    document = Document.new(
        ex.canonical_url,
        url=ex.url,
        content_type=ex.content_type,
        title=ex.title,
        text=ex.text,
        authors=ex.authors,
        links=ex.links,
        pages=[span.model_dump() for span in ex.pages],
        extraction_method=ex.method,
        language=ex.language,
        language_confidence=ex.language_confidence,
        published=ex.published,
        modified=ex.modified,
        entities=[Entity(**mention) for mention in ex.entities],
        **{name: getattr(ex, name) for name in ENTITY_FIELDS if name != "proposed_groups"},
    )
    assert document.page_at(ex.text.index("forty rifles")) == 2
    assert document.published == ex.published


def test_error_reasons_are_a_closed_set() -> None:
    assert {"empty", "binary_content", "broken_pdf", "unsupported_type"} <= REASONS
    with pytest.raises(ValueError):
        ExtractionError("something_else")
    error = ExtractionError("broken_pdf", "xref table damaged")
    assert (error.reason, error.detail, str(error)) == (
        "broken_pdf",
        "xref table damaged",
        "broken_pdf: xref table damaged",
    )


def test_a_pdf_title_taken_from_its_first_line_is_not_counted_twice():
    from tests.pdf_samples import build_pdf

    body = build_pdf(
        pages=(("RPG-7 launchers seized in Libya", "Customs officers found the launchers in a truck."),), title=None
    )
    extraction = extract(body, url="https://gov.example.org/letter.pdf", content_type="application/pdf")
    assert extraction.title == "RPG-7 launchers seized in Libya"
    spans = [(e["label"], e["canonical"], e["start"]) for e in extraction.entities]
    assert len(spans) == len(set(spans))
    assert not any(e["attributes"].get("field") == "title" for e in extraction.entities)
    assert "RPG-7" in extraction.weapons and "LY" in extraction.countries


def test_entity_imports_leave_the_content_libraries_unloaded() -> None:
    """`import extractors.entities` loads neither the HTML/PDF stack nor spaCy (gazetteer only);
    the package's names still import, lazily."""
    code = (
        "import sys\n"
        "import extractors.entities, schema.entities\n"
        "heavy = {'trafilatura', 'htmldate', 'pypdf', 'spacy', 'extractors.content', 'extractors.pdf'}\n"
        "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
        "from extractors import (MAX_TEXT_CHARS, REASONS, Extraction, ExtractionError, LanguageResult, PageSpan,\n"
        "                        detect_language, extract, extract_text)\n"
        "import extractors\n"
        "assert set(extractors.__all__) <= set(dir(extractors))\n"
        "assert extract_text('Kenyan police seized AK-47 rifles.').weapons == ['AK-47']\n"
    )
    env = {**os.environ, "OSINT_SPACY_MODEL": "none"}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1], env=env)
