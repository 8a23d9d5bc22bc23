"""Each text is also searchable with the analyzer of its language: queries match its morphology."""

from __future__ import annotations

import pytest

from index.engine.mapping import LANGUAGE_ANALYZERS, from_source, language_suffix, to_source
from index.query import SearchRequest, parse_query
from schema.document import Document
from tests.engine_support import fresh_backend

#: language -> (text, a query word in another inflection than any word of the text)
SAMPLES: dict[str, tuple[str, str]] = {
    "ar": ("ضبطت السلطات شحنة من الأسلحة في الميناء", "أسلحة"),
    "en": ("Customs officers smuggled rifles through the harbour", "smuggling"),
    "fr": ("Les douaniers ont saisi des fusils dans le port", "fusil"),
    "de": ("Der Zoll beschlagnahmte Gewehre im Hafen", "gewehr"),
    "fa": ("گمرک محموله‌ای را در کشتی کشف کرد", "كشتي"),  # Arabic kaf and yeh in the query
    "ru": ("Таможня задержала партию автоматов в порту", "автомат"),
    "es": ("La aduana incautó pistolas en el puerto", "pistola"),
    "tr": ("Gümrük limanda silahları ele geçirdi", "silah"),
}


@pytest.fixture(scope="module")
def multilingual(engine_url: str, tmp_path_factory: pytest.TempPathFactory):
    backend = fresh_backend(engine_url, tmp_path_factory.mktemp("spool"))
    documents = {
        language: Document.new(
            f"https://news.example.org/{language}", title=f"Report {language}", text=text, language=language
        )
        for language, (text, _) in SAMPLES.items()
    }
    documents["und"] = Document.new(
        "https://news.example.org/und", title="Untitled", text="Qzxv consignment noted", language="und"
    )
    result = backend.upsert(documents.values())
    assert result.indexed == len(documents)
    yield backend, documents
    backend.close()


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_query_matches_another_inflection(multilingual, language: str) -> None:
    backend, documents = multilingual
    _, word = SAMPLES[language]
    hits = backend.search(SearchRequest(query=parse_query(word))).hits
    assert [hit.id for hit in hits] == [documents[language].id]
    assert "<mark>" in hits[0].snippet


#: language -> a word of its SAMPLES text exactly as written there (found by the standard analyzer too)
VERBATIM = {"ar": "السلطات", "en": "rifles", "ru": "таможня", "tr": "limanda"}


def _standard_fields_total(backend, word: str) -> int:
    answer = backend.client.request(
        "POST",
        f"/{backend.alias}/_search",
        {"query": {"simple_query_string": {"query": f'"{word}"', "fields": ["text", "title"], "flags": "PHRASE"}}},
    )
    return answer["hits"]["total"]["value"]


def test_the_standard_analyzer_alone_would_not_match(multilingual) -> None:
    """Without the language fields these queries find nothing: the analyzers do the work."""
    backend, _ = multilingual
    for language in ("ar", "en", "ru", "tr"):
        _, word = SAMPLES[language]
        assert _standard_fields_total(backend, word) == 0, language
        # control: the same query on the same fields does find a word of the text as written,
        # so the zero above is the analyzer's doing, not empty or unsearched fields
        assert VERBATIM[language] in SAMPLES[language][0].lower()
        assert _standard_fields_total(backend, VERBATIM[language]) == 1, language


def test_undetected_language_uses_the_standard_fields(multilingual) -> None:
    backend, documents = multilingual
    (hit,) = backend.search(SearchRequest(query=parse_query("qzxv"))).hits
    assert hit.id == documents["und"].id
    assert backend.get(documents["und"].id) == documents["und"]


def test_text_is_stored_once_and_read_back_whole() -> None:
    document = Document.new("https://news.example.org/x", title="Заголовок", text="Текст статьи", language="ru")
    source = to_source(document)
    assert "text" not in source and source["text_ru"] == "Текст статьи" and source["title_ru"] == "Заголовок"
    assert from_source(source) == document
    assert language_suffix("zh-cn") == "cjk" and language_suffix("pt-BR") == "pt" and language_suffix("und") is None
    assert {"ar", "en", "fr", "de", "fa", "ru", "es", "tr"} <= set(LANGUAGE_ANALYZERS)
