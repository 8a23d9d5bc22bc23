"""The query language gives the same documents on both backends: the multilingual morphology and
syntax corpus (tests/contract/search_corpus.py) loaded once per backend, every case run on each."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from index.backend import IndexBackend, open_backend
from index.query import SearchRequest, parse_query
from schema.document import Document
from tests.contract.search_corpus import CASES, DOCUMENTS, CorpusDocument


def _document(item: CorpusDocument) -> Document:
    published = datetime.fromisoformat(item.published).replace(tzinfo=UTC) if item.published else None
    return Document.new(
        item.url or f"https://corpus.example.org/{item.name}",
        title=item.title,
        text=item.text,
        language=item.language,
        authors=list(item.authors),
        published=published,
    )


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite"), pytest.param("engine", marks=pytest.mark.engine)],
)
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[IndexBackend, dict[str, str]]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'index.sqlite3'}"
    else:
        base = request.getfixturevalue("engine_url")
        url = f"{base}{'&' if '?' in base else '?'}index=corpus_{uuid.uuid4().hex}"
    documents = {item.name: _document(item) for item in DOCUMENTS}
    with open_backend(url) as backend:
        result = backend.upsert(documents.values())
        assert result.failures == [] and result.indexed == len(documents)
        backend.refresh()
        yield backend, {document.id: name for name, document in documents.items()}


def test_the_corpus_is_as_large_as_promised() -> None:
    languages = {item.language for item in DOCUMENTS}
    assert languages == {"en", "fr", "es", "ru", "ar"} and len(DOCUMENTS) >= 55 and len(CASES) >= 80
    names = {item.name for item in DOCUMENTS}
    assert all(case.expected <= names for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.query for case in CASES])
def test_every_case_finds_exactly_its_documents(corpus: tuple[IndexBackend, dict[str, str]], case) -> None:
    backend, names = corpus
    result = backend.search(SearchRequest(query=parse_query(case.query), size=100, facets={}))
    found = {names[hit.id] for hit in result.hits}
    assert found == set(case.expected), f"{case.query!r}: {case.why}"
    assert result.total == len(found)
