"""The IndexBackend contract, run unchanged against every backend (see conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from index.backend import IndexBackend
from index.query import FILTER_FIELDS, SearchRequest, SearchResult, parse_query
from schema.document import Document
from tests.contract.contract_documents import FIXTURE_DOCUMENTS

ALL = set(FIXTURE_DOCUMENTS)


def search(backend: IndexBackend, text: str, **options: object) -> SearchResult:
    options.setdefault("size", 100)
    return backend.search(SearchRequest(query=parse_query(text), **options))


def found(backend: IndexBackend, text: str, **options: object) -> set[str]:
    names = ordered(backend, text, **options)
    assert len(names) == len(set(names)), f"duplicate hits for {text!r}"
    return set(names)


def ordered(backend: IndexBackend, text: str, **options: object) -> list[str]:
    return [_name(hit.id) for hit in search(backend, text, **options).hits]


def _name(document_id: str) -> str:
    return next(name for name, document in FIXTURE_DOCUMENTS.items() if document.id == document_id)


# --- storage -------------------------------------------------------------------------------


def test_index_and_get(loaded: IndexBackend, documents: list[Document]) -> None:
    assert loaded.count() == len(documents)
    for document in documents:
        assert loaded.get(document.id) == document
    assert loaded.get("0" * 32) is None
    status = loaded.status()
    assert status.documents == len(documents) and status.mapping_version >= 1


def test_upsert_same_id_replaces(loaded: IndexBackend) -> None:
    original = FIXTURE_DOCUMENTS["forum"]
    recrawled = original.model_copy(
        update={"title": "Carbine listing removed", "text": "The moderators removed the listing."}
    )
    result = loaded.upsert([recrawled])
    loaded.refresh()
    assert result.indexed == 1 and result.failures == []
    assert loaded.count() == len(FIXTURE_DOCUMENTS)
    assert loaded.get(original.id) == recrawled
    assert found(loaded, "moderators") == {"forum"}
    assert found(loaded, "paperwork") == set()


def test_delete(loaded: IndexBackend) -> None:
    gone = [FIXTURE_DOCUMENTS["forum"].id, FIXTURE_DOCUMENTS["hostile"].id, "f" * 32]
    assert loaded.delete(gone) == 2
    loaded.refresh()
    assert loaded.count() == len(FIXTURE_DOCUMENTS) - 2
    assert loaded.get(gone[0]) is None
    assert found(loaded, "carbine") == set()
    assert search(loaded, "tag:marketplace").total == 0


def test_iter_documents(loaded: IndexBackend, documents: list[Document]) -> None:
    listed = list(loaded.iter_documents(batch_size=4))
    assert sorted(listed, key=lambda d: d.id) == sorted(documents, key=lambda d: d.id)


def exported(backend: IndexBackend, text: str, batch_size: int = 3) -> list[str]:
    return [_name(document.id) for document in backend.iter_matching(parse_query(text), batch_size=batch_size)]


def test_iter_matching_is_the_date_sorted_search_in_full(loaded: IndexBackend, documents: list[Document]) -> None:
    by_id = {document.id: document for document in documents}
    everything = list(loaded.iter_matching(parse_query(""), batch_size=2))
    assert everything == [by_id[hit.id] for hit in search(loaded, "", sort="date").hits]  # whole documents
    assert _name(everything[0].id) == "mombasa_copy" and _name(everything[-1].id) == "forum"  # undated last
    for text in (
        "rifles",  # words
        '"port of Mombasa"',
        "carbine OR ammunition",
        "-rifles",  # a lone exclusion
        "tag:seizure",  # filters
        "country:libya,kenya -weapon:ak-47",
        "lang:en -tag:seizure",
        "since:2023-09-12 until:2024-01-10",  # dates
        "rifles OR country:niger",  # words under OR with a filter
    ):
        expected = ordered(loaded, text, sort="date")
        assert expected, text
        assert exported(loaded, text) == expected, text
        assert exported(loaded, text, batch_size=1) == expected, text
        assert exported(loaded, text, batch_size=500) == expected, text


def test_iter_matching_honours_ids(loaded: IndexBackend) -> None:
    some = [FIXTURE_DOCUMENTS[name].id for name in ("forum", "report", "mombasa", "russian")]
    matching = loaded.iter_matching(parse_query("-country:kenya").model_copy(update={"ids": some}), batch_size=1)
    assert [_name(document.id) for document in matching] == ["russian", "report", "forum"]
    assert list(loaded.iter_matching(parse_query("").model_copy(update={"ids": []}))) == []


def test_iter_matching_of_nothing(
    loaded: IndexBackend, backend_kind: str, make_backend: Callable[..., IndexBackend]
) -> None:
    assert exported(loaded, "zeppelin") == []
    assert exported(loaded, "rifles until:2000") == []
    assert list(make_backend(backend_kind).iter_matching(parse_query(""))) == []  # an empty index


def test_iter_matching_pages_through_ties_and_undated(backend: IndexBackend) -> None:
    base = datetime(2024, 5, 1, tzinfo=UTC)
    documents = [
        Document.new(
            f"https://news.example.org/convoy-{number}",
            title=f"Convoy report {number}",
            text="Convoy of trucks spotted near the border",
            # five dates and undated documents among 23: batches end inside runs of equal dates
            published=None if number % 7 == 0 else base.replace(day=number % 5 + 1),
        )
        for number in range(23)
    ]
    backend.upsert(documents)
    backend.refresh()
    dated = sorted((d for d in documents if d.published), key=lambda d: (-d.published.timestamp(), d.id))  # type: ignore[union-attr]
    undated = sorted((d for d in documents if d.published is None), key=lambda d: d.id)
    for batch_size in (1, 4, 7, 23, 100):
        assert list(backend.iter_matching(parse_query("convoy"), batch_size=batch_size)) == dated + undated


@pytest.mark.parametrize("target_kind", ["sqlite", "engine"])
def test_migration_between_backends(
    loaded: IndexBackend, make_backend: Callable[[str], IndexBackend], target_kind: str, documents: list[Document]
) -> None:
    target = make_backend(target_kind)
    result = target.upsert(loaded.iter_documents(batch_size=3))
    target.refresh()
    assert result.indexed == len(documents) and result.failures == []
    assert sorted(target.iter_documents(), key=lambda d: d.id) == sorted(documents, key=lambda d: d.id)
    for text in ("rifles", "country:libya", "партия", "since:2024"):
        assert found(target, text) == found(loaded, text)


# --- query syntax --------------------------------------------------------------------------


def test_words_are_all_required(loaded: IndexBackend) -> None:
    assert found(loaded, "rifles") == {"mombasa", "mombasa_copy", "report"}
    assert found(loaded, "rifles container") == {"mombasa", "mombasa_copy"}
    assert found(loaded, "rifles zeppelin") == set()


def test_phrase(loaded: IndexBackend) -> None:
    assert found(loaded, '"port of Mombasa"') == {"mombasa", "mombasa_copy"}
    assert found(loaded, '"Mombasa port"') == {"mombasa"}  # only the first title has this order
    assert found(loaded, '"port Mombasa of"') == set()


def test_or(loaded: IndexBackend) -> None:
    assert found(loaded, "carbine OR mortar") == {"forum", "hostile"}
    assert found(loaded, "stock carbine OR mortar") == {"forum"}


def test_exclusion(loaded: IndexBackend) -> None:
    assert found(loaded, "rifles -Kalashnikov") == {"mombasa", "mombasa_copy"}
    assert found(loaded, 'rifles -"transit port"') == {"mombasa_copy", "report"}


def test_exclusion_without_positive_words(loaded: IndexBackend) -> None:
    assert found(loaded, "-rifles") == ALL - {"mombasa", "mombasa_copy", "report"}
    assert found(loaded, "-rifles -carbine country:kenya") == set()


def test_prefix(loaded: IndexBackend) -> None:
    assert found(loaded, "ammun*") == {"report"}
    assert found(loaded, "armour*") == {"ministry"}


def test_hyphenated_designation(loaded: IndexBackend) -> None:
    assert found(loaded, "ak-47") == {"mombasa", "mombasa_copy"}
    assert found(loaded, "RPG-7 launchers") == {"ministry"}


def test_diacritics_and_case_are_ignored(loaded: IndexBackend) -> None:
    assert found(loaded, "frontiere cereales") == {"french"}
    assert found(loaded, "FRONTIÈRE") == {"french"}


def test_arabic_and_russian_are_searchable(loaded: IndexBackend) -> None:
    assert found(loaded, "طرابلس") == {"arabic"}
    assert found(loaded, "البنادق") == {"arabic"}
    assert found(loaded, "автоматов Калашникова") == {"russian"}
    assert found(loaded, "ГРУЗОВИК") == {"russian"}
    assert found(loaded, '"автоматов партией"') == set()


def _oracle(name: str, values: list[str]) -> set[str]:
    wanted = {value.casefold() for value in values}
    matches = set()
    for doc_name, document in FIXTURE_DOCUMENTS.items():
        for field in FILTER_FIELDS[name]:
            raw = getattr(document, field)
            present = raw if isinstance(raw, list) else [raw]
            if wanted & {value.casefold() for value in present if value}:
                matches.add(doc_name)
    return matches


FILTER_CASES = [
    ("weapon", "ak-47"),
    ("category", "LIGHT WEAPON"),  # only an implied category
    ("category", "assault rifle"),
    ("origin", "soviet union"),
    ("country", "libya"),
    ("state", "yugoslavia"),
    ("group", "rapid support forces"),
    ("actor", "ministry of defence"),
    ("lang", "RU"),
    ("source", "Wirefeed"),
    ("watchlist", "Sahel"),
    ("kind", "document"),
    ("tag", "seizure"),
    ("story", "STORY-MOMBASA"),
]


def test_filter_cases_cover_every_filter() -> None:
    assert {name for name, _ in FILTER_CASES} == set(FILTER_FIELDS)


@pytest.mark.parametrize(("name", "value"), FILTER_CASES)
def test_each_filter_matches_case_insensitively(loaded: IndexBackend, name: str, value: str) -> None:
    expected = _oracle(name, [value])
    assert expected, "the fixture must exercise this filter"
    assert found(loaded, f'{name}:"{value}"') == expected
    assert found(loaded, f'-{name}:"{value}"') == ALL - expected


def test_filter_values(loaded: IndexBackend) -> None:
    assert found(loaded, "country:mali,niger") == {"report", "french"}
    assert found(loaded, "country:libya country:mali") == {"report"}
    assert found(loaded, "rifles -country:kenya") == {"report"}
    assert found(loaded, 'group:"Rapid Support Forces" transfer') == {"ministry"}
    assert found(loaded, "country:atlantis") == set()


def test_since_until(loaded: IndexBackend) -> None:
    assert found(loaded, "since:2024") == {"mombasa", "mombasa_copy", "russian", "arabic"}
    assert found(loaded, "until:2023-05") == {"report", "french"}
    assert found(loaded, "since:2023-09-12 until:2024-01-10") == {"hostile", "ministry", "russian"}
    assert found(loaded, "seizure since:2024-03-06") == set()
    assert found(loaded, "tag:seizure since:2024-03-06") == {"mombasa_copy"}


def test_until_includes_the_whole_last_day(backend: IndexBackend) -> None:
    late = Document.new(
        "https://e.org/late",
        title="Late filing",
        text="Filed just before midnight.",
        published=datetime(2024, 5, 31, 23, 59, 59, 500_000, tzinfo=UTC),
    )
    backend.upsert([late])
    backend.refresh()
    assert [hit.id for hit in search(backend, "until:2024-05-31").hits] == [late.id]
    assert search(backend, "since:2024-06").total == 0


def _restricted(backend: IndexBackend, text: str, names: list[str]) -> SearchResult:
    query = parse_query(text).model_copy(update={"ids": [FIXTURE_DOCUMENTS[name].id for name in names]})
    return backend.search(SearchRequest(query=query, size=100))


def test_ids_restrict_results(loaded: IndexBackend) -> None:
    some = ["mombasa", "report", "forum", "russian"]
    result = _restricted(loaded, "", some)
    assert {_name(hit.id) for hit in result.hits} == set(some) and result.total == 4
    assert result.facets["countries"] == [("Kenya", 1), ("Libya", 1), ("Mali", 1), ("Russia", 1)]
    cases = {
        "rifles": {"mombasa", "report"},
        '"port of Mombasa"': {"mombasa"},
        "carbine OR ammunition": {"forum", "report"},
        "rifles -country:kenya": {"report"},
        "-rifles": {"forum", "russian"},
        "weapon:ak-47 since:2024": {"mombasa", "russian"},
        "tag:seizure until:2024-02": {"russian"},
        "mortar": set(),  # matches "hostile", which is not among the ids
    }
    for text, expected in cases.items():
        assert {_name(hit.id) for hit in _restricted(loaded, text, some).hits} == expected, text
    assert {_name(hit.id) for hit in _restricted(loaded, "rifles", ["mombasa_copy"]).hits} == {"mombasa_copy"}


def test_empty_ids_match_nothing(loaded: IndexBackend) -> None:
    for text in ("", "rifles", "-rifles", "country:kenya"):
        result = _restricted(loaded, text, [])
        assert (result.total, result.hits) == (0, []), text
        assert result.facets["countries"] == []
    query = parse_query("rifles").model_copy(update={"ids": ["0" * 32]})  # an id nothing has
    assert loaded.search(SearchRequest(query=query)).total == 0


# --- results -------------------------------------------------------------------------------


def test_empty_query_with_filters_returns_all_matches_by_date(loaded: IndexBackend) -> None:
    assert ordered(loaded, "tag:seizure") == ["mombasa_copy", "mombasa", "arabic", "russian", "french"]
    result = search(loaded, "")
    assert result.total == len(FIXTURE_DOCUMENTS)
    assert [_name(hit.id) for hit in result.hits][-1] == "forum"  # undated documents last


def test_sort_by_date(loaded: IndexBackend) -> None:
    assert ordered(loaded, "rifles", sort="date") == ["mombasa_copy", "mombasa", "report"]
    assert ordered(loaded, "stock OR armoured OR ammunition", sort="date") == ["ministry", "report", "forum"]


def test_relevance_weights_title(loaded: IndexBackend) -> None:
    # "statement" is in one title and, once, in another document's text
    hits = search(loaded, "statement").hits
    assert [_name(hit.id) for hit in hits] == ["ministry", "mombasa"]
    assert hits[0].score > hits[1].score


def test_hit_fields(loaded: IndexBackend) -> None:
    (hit,) = search(loaded, "paperwork").hits
    document = FIXTURE_DOCUMENTS["forum"]
    assert (hit.id, hit.url, hit.title, hit.language, hit.source_id, hit.kind) == (
        document.id,
        document.url,
        document.title,
        "en",
        "forum-arms",
        "page",
    )
    assert hit.published is None
    (hit,) = search(loaded, "ministry transfer armoured").hits
    assert hit.published == datetime(2023, 11, 20, 9, tzinfo=UTC)


def test_snippet_marks_hits(loaded: IndexBackend) -> None:
    (hit,) = search(loaded, "paperwork").hits
    assert "<mark>paperwork</mark>" in hit.snippet
    (hit,) = search(loaded, "автоматов").hits
    assert "<mark>автоматов</mark>" in hit.snippet
    assert len(search(loaded, "rifles").hits[0].snippet.split()) <= 45


def test_snippet_and_title_of_hostile_content(loaded: IndexBackend) -> None:
    for text in ("arms fair", "mortar", "tag:marketplace", "alert"):
        hits = {_name(hit.id): hit for hit in search(loaded, text).hits}
        hit = hits["hostile"]
        assert "<script" not in hit.snippet and "<img" not in hit.snippet
        assert hit.title == "<script>alert(1)</script> Arms fair notes"  # plain text, escaped where shown
    (hit,) = search(loaded, "alert fair").hits
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>" in hit.snippet
    stripped = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_facet_counts(loaded: IndexBackend) -> None:
    result = search(loaded, "rifles OR ammunition OR munitions")
    assert result.total == 4
    assert result.facets["weapons"] == [("AK-47", 3)]
    assert result.facets["countries"] == [("Kenya", 2), ("Libya", 1), ("Mali", 1), ("Niger", 1)]
    assert result.facets["weapon_categories"] == [("assault rifle", 4), ("ammunition", 2)]
    assert result.facets["language"] == [("en", 3), ("fr", 1)]
    assert result.facets["armed_groups"] == [("JNIM", 1)]


def test_facets_cover_all_matches_and_respect_size(loaded: IndexBackend) -> None:
    result = search(loaded, "", size=1, facet_size=2, facets={"tags": "tags", "source": "source_id"})
    assert result.total == len(FIXTURE_DOCUMENTS) and len(result.hits) == 1
    assert result.facets == {
        "tags": [("seizure", 5), ("marketplace", 2)],
        "source": [("forum-arms", 2), ("ar-news", 1)],
    }
    assert search(loaded, "zeppelin").facets["countries"] == []


def test_histogram(loaded: IndexBackend) -> None:
    assert search(loaded, "tag:seizure", histogram="month").histogram == [
        ("2023-05", 1),
        ("2024-01", 1),
        ("2024-02", 1),
        ("2024-03", 2),
    ]
    assert search(loaded, "", histogram="year").histogram == [("2022", 1), ("2023", 3), ("2024", 4)]
    # weeks start on Monday and are keyed by that day
    assert search(loaded, "tag:seizure", histogram="week").histogram == [
        ("2023-05-01", 1),
        ("2024-01-08", 1),
        ("2024-01-29", 1),
        ("2024-03-04", 2),
    ]
    assert search(loaded, "country:kenya", histogram="day").histogram == [("2024-03-05", 1), ("2024-03-06", 1)]


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_search_after_pages_through_everything(backend: IndexBackend, sort: str) -> None:
    base = datetime(2024, 5, 1, tzinfo=UTC)
    documents = [
        Document.new(
            f"https://news.example.org/convoy-{number}",
            title=f"Convoy report {number}",
            text="Convoy of trucks carrying rifles " + "spotted near the border " * (number % 4 + 1),
            # repeated dates and repeated lengths force ties on the sort value
            published=None if number % 7 == 0 else base.replace(day=number % 5 + 1),
        )
        for number in range(23)
    ]
    backend.upsert(documents)
    backend.refresh()
    everything = [
        hit.id for hit in backend.search(SearchRequest(query=parse_query("convoy"), sort=sort, size=100)).hits
    ]
    paged: list[str] = []
    cursor = None
    for _ in range(20):
        result = backend.search(SearchRequest(query=parse_query("convoy"), sort=sort, size=4, search_after=cursor))
        paged.extend(hit.id for hit in result.hits)
        cursor = result.next_cursor
        if cursor is None:
            break
    assert len(everything) == 23
    assert paged == everything


def test_collapse_stories(loaded: IndexBackend) -> None:
    result = search(loaded, "rifles", collapse_stories=True)
    names = [_name(hit.id) for hit in result.hits]
    assert sorted(names) in (["mombasa", "report"], ["mombasa_copy", "report"])
    assert result.total == 3  # total counts documents, hits stand for stories
    by_date = [_name(hit.id) for hit in search(loaded, "rifles", sort="date", collapse_stories=True).hits]
    assert by_date == ["mombasa_copy", "report"]


# --- ids by prefix (documents named as git names commits) ---------------------------------


def _with_ids(backend: IndexBackend, *ids: str) -> None:
    documents = [
        Document(id=i, url=f"https://ids.example.org/{n}", canonical_url=f"https://ids.example.org/{n}")
        for n, i in enumerate(ids)
    ]
    assert backend.upsert(documents).indexed == len(ids)
    backend.refresh()


def test_ids_with_prefix(backend: IndexBackend) -> None:
    _with_ids(backend, "c0ffee17", "c0ffee42", "c0ffee99", "c0de01", "d00d")
    assert backend.ids_with_prefix("c0de") == ["c0de01"]
    assert backend.ids_with_prefix("c0de01") == ["c0de01"]  # a whole id is its own prefix
    assert backend.ids_with_prefix("c0ffee") == ["c0ffee17", "c0ffee42"]  # sorted, at most `limit`
    assert backend.ids_with_prefix("c0ffee", limit=10) == ["c0ffee17", "c0ffee42", "c0ffee99"]
    assert backend.ids_with_prefix("c0", limit=10) == ["c0de01", "c0ffee17", "c0ffee42", "c0ffee99"]
    assert backend.ids_with_prefix("c0ffee4") == ["c0ffee42"]
    assert backend.ids_with_prefix("C0DE") == []  # ids are case-sensitive
    assert backend.ids_with_prefix("c0de012") == []  # longer than any id
    assert backend.ids_with_prefix("e") == []  # after every id
    assert backend.ids_with_prefix("0") == []  # before every id


def test_ids_with_prefix_of_fixture_documents(loaded: IndexBackend, documents: list[Document]) -> None:
    for document in documents:
        assert loaded.ids_with_prefix(document.id[:12]) == [document.id]


@pytest.mark.parametrize(
    "prefix", ["%", "_", "*", "c0%", "c0_e", "c0*", "c0ffee?", ".*", "c0.", "[c]", "\\", "c0de01%"]
)
def test_ids_with_prefix_takes_metacharacters_literally(backend: IndexBackend, prefix: str) -> None:
    _with_ids(backend, "c0ffee17", "c0de01", "f00%_*d")
    assert backend.ids_with_prefix(prefix) == []


def test_an_id_with_metacharacters_is_found_by_them_literally(backend: IndexBackend) -> None:
    _with_ids(backend, "f00%_*d", "f00x", "f00%x")
    assert backend.ids_with_prefix("f00%_") == ["f00%_*d"]
    assert backend.ids_with_prefix("f00%", limit=5) == ["f00%_*d", "f00%x"]
