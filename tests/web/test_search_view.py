"""The search page's logic without the web framework: the URL's parameters
(app/web/search_params.py), the query they make (app/web/search_query.py), the histogram
(app/web/histogram.py), and the chips, facets, hits and paging links built from a result
(app/web/search_view.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.web.histogram import CHART_HEIGHT, histogram
from app.web.links import new_alert_href, search_href
from app.web.search_params import MAX_TRAIL, SearchParams
from app.web.search_query import effective_query
from app.web.search_view import (
    FACET_FILTERS,
    cleared,
    export_links,
    facets,
    filter_chips,
    hits,
    pager,
)
from index.query import And, Filter, Hit, Not, Or, QuerySyntaxError, SearchResult
from index.syntax import parse


def params_of(href: str) -> SearchParams:
    """The search a link on the page leads to."""
    parts = urlsplit(href)
    assert parts.path == "/", href
    return SearchParams.from_pairs(parse_qsl(parts.query, keep_blank_values=True))


def result(**fields: object) -> SearchResult:
    return SearchResult.model_validate({"total": 0, "hits": [], **fields})


# -- the URL -----------------------------------------------------------------------------------


def test_parameters_read_from_a_query_string_and_written_back() -> None:
    pairs = [
        ("q", "kornet launchers"),
        ("f", "country:IR"),
        ("f", "country:SY"),
        ("f", "country:IR"),  # twice: once
        ("x", "lang:ru"),
        ("since", "2024-03-01"),
        ("until", "2024-03-31"),
        ("sort", "date"),
        ("collapse", "1"),
        ("expand", "1"),
        ("page", "3"),
        ("after", '[1709251200000,"b"]'),
        ("trail", ""),
        ("trail", '[1709337600000,"a"]'),
        ("colour", "red"),  # not ours: ignored
    ]
    params = SearchParams.from_pairs(pairs)
    assert params == SearchParams(
        q="kornet launchers",
        include=("country:IR", "country:SY"),
        exclude=("lang:ru",),
        since="2024-03-01",
        until="2024-03-31",
        sort="date",
        collapse=True,
        expand=True,
        after='[1709251200000,"b"]',
        trail=("", '[1709337600000,"a"]'),
        page=3,
    )
    assert params_of(params.href()) == params
    assert SearchParams().href() == "/"


@pytest.mark.parametrize(
    ("pairs", "page"),
    [
        ([("page", "4")], 1),  # no cursor: the first page, whatever the number says
        ([("page", "-2"), ("after", '[1,"a"]')], 1),
        ([("page", "9" * 5000), ("after", '[1,"a"]')], 1),  # no int() of 5,000 digits
        ([("page", "٣"), ("after", '[1,"a"]')], 3),
    ],
)
def test_a_page_number_counts_only_with_a_cursor(pairs: list[tuple[str, str]], page: int) -> None:
    assert SearchParams.from_pairs(pairs).page == page


def test_unknown_sort_is_relevance_and_the_trail_is_bounded() -> None:
    params = SearchParams.from_pairs([("sort", "random"), *[("trail", f'[{n},"x"]') for n in range(50)]])
    assert params.sort == "relevance"
    assert params.trail == tuple(f'[{n},"x"]' for n in range(50 - MAX_TRAIL, 50))


def test_the_form_carries_the_filters_not_the_paging() -> None:
    params = SearchParams(q="x", include=("country:IR",), exclude=("lang:ru",), since="2024", after='[1,"a"]')
    assert params.narrowing() == [("f", "country:IR"), ("x", "lang:ru"), ("since", "2024")]


# -- the query ---------------------------------------------------------------------------------


def test_without_filters_the_query_is_as_typed() -> None:
    assert effective_query(SearchParams(q="  kornet   launchers ")) == "kornet   launchers"
    assert effective_query(SearchParams()) == ""


def test_facet_filters_are_appended_in_the_analyst_syntax() -> None:
    params = SearchParams(
        q="kornet",
        include=("country:IR", "weapon:9M133 Kornet", "country:SY"),
        exclude=("lang:ru", "source:wire"),
    )
    query = effective_query(params)
    assert query == 'kornet country:(IR OR SY) weapon:"9M133 Kornet" -lang:ru -source:wire'
    where = parse(query).where
    assert where is not None and where.kind == "and"
    assert where.children[1] == Or(
        children=[Filter(name="country", values=["IR"]), Filter(name="country", values=["SY"])]
    )
    assert Not(child=Filter(name="lang", values=["ru"])) in where.children


def test_dates_from_the_url_replace_those_typed() -> None:
    query = effective_query(SearchParams(q="kornet since:2020 until:2025", since="2024-03-01", until="2024-03-31"))
    parsed = parse(query)
    assert parsed.since == datetime(2024, 3, 1, tzinfo=UTC)
    assert parsed.until == datetime(2024, 3, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    assert effective_query(SearchParams(since="2024-05")) == "since:2024-05-01"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("rifles or", "(rifles or) country:IR"),  # "or" before a filter would become the operator
        ("rifles OR carbines", "rifles OR carbines country:IR"),  # OR binds tighter: still both words
        ("(a b", None),  # an unclosed parenthesis is the analyst's to fix, with its column
    ],
)
def test_a_typed_query_keeps_its_meaning_with_filters_after_it(typed: str, expected: str | None) -> None:
    params = SearchParams(q=typed, include=("country:IR",))
    if expected is None:
        with pytest.raises(QuerySyntaxError, match="column 1"):
            effective_query(params)
        return
    query = effective_query(params)
    assert query == expected
    typed_where = parse(typed).where
    assert parse(query).where == And(
        children=[
            *(typed_where.children if isinstance(typed_where, And) else [typed_where]),
            Filter(name="country", values=["IR"]),
        ]
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (SearchParams(include=("colour:red",)), "'colour:red' is not a filter"),
        (SearchParams(exclude=("country",)), "is not a filter"),
        (SearchParams(include=("country:",)), "is not a filter"),
        (SearchParams(since="yesterday"), "since expects a date like 2024-05-17"),
        (SearchParams(until="2024-02-30"), "not a valid date"),
        (SearchParams(since="2024 kornet"), "since expects a date"),
        (SearchParams(since="2025-01-01", until="2024-01-01"), "since: is after until:"),
        (SearchParams(q="kornet until:2023", since="2024-01-01"), "since: is after until:"),
    ],
)
def test_unusable_parameters_are_query_errors(params: SearchParams, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        effective_query(params)


def test_a_filter_value_cannot_smuggle_syntax() -> None:
    query = effective_query(SearchParams(include=("group:x) OR (kornet",)))
    assert parse(query).where == Filter(name="group", values=["x) OR (kornet"])


# -- chips -------------------------------------------------------------------------------------


def test_every_filter_in_the_url_is_a_chip_that_removes_it() -> None:
    params = SearchParams(
        q="kornet", include=("country:IR", "weapon:9M133 Kornet"), exclude=("lang:ru",), since="2024-03-01", sort="date"
    )
    chips = {chip.label: chip for chip in filter_chips(params, parse(params.q))}
    assert list(chips) == ["country: Iran (IR)", "weapon: 9M133 Kornet", "not lang: ru", "since 2024-03-01"]
    assert params_of(chips["country: Iran (IR)"].remove_href).include == ("weapon:9M133 Kornet",)
    assert params_of(chips["not lang: ru"].remove_href).exclude == ()
    assert chips["not lang: ru"].excluded and not chips["since 2024-03-01"].excluded
    removed = params_of(chips["since 2024-03-01"].remove_href)
    assert removed == SearchParams(q="kornet", include=params.include, exclude=params.exclude, sort="date")


def test_filters_typed_at_the_top_of_the_query_are_chips_too() -> None:
    params = SearchParams(q="kornet country:Iran -group:ISIS weapon:(Igla OR Strela-2) (a OR country:SY) until:2025")
    chips = {chip.label: chip for chip in filter_chips(params, parse(params.q))}
    assert list(chips) == ["country: Iran (IR)", "not group: ISIS", "weapon: Igla or Strela-2", "until 2025-12-31"]
    assert parse(params_of(chips["country: Iran (IR)"].remove_href).q) == parse(
        "kornet -group:ISIS weapon:(Igla OR Strela-2) (a OR country:SY) until:2025"
    )
    assert parse(params_of(chips["until 2025-12-31"].remove_href).q).until is None
    everything = cleared(params, parse(params.q))
    assert parse(everything.q) == parse("kornet (a OR country:SY)")


def test_a_query_that_does_not_parse_still_shows_the_url_filters() -> None:
    params = SearchParams(q="(kornet", include=("country:IR",))
    assert [chip.label for chip in filter_chips(params, None)] == ["country: Iran (IR)"]
    assert cleared(params, None) == SearchParams(q="(kornet")


def test_changing_the_filters_goes_back_to_the_first_page() -> None:
    params = SearchParams(q="kornet", include=("country:IR",), after='[1,"a"]', trail=("",), page=2)
    for chip in filter_chips(params, parse(params.q)):
        removed = params_of(chip.remove_href)
        assert (removed.after, removed.trail, removed.page) == ("", (), 1)


# -- facets ------------------------------------------------------------------------------------


def test_each_facet_narrows_with_its_own_filter() -> None:
    assert FACET_FILTERS == {
        "weapons": "weapon",
        "weapon_categories": "category",
        "weapon_origins": "origin",
        "countries": "country",
        "armed_groups": "group",
        "language": "lang",
        "source": "source",
        "kind": "kind",
    }


def test_facet_values_link_to_include_and_exclude() -> None:
    params = SearchParams(q="kornet", include=("country:SY",))
    found = result(
        facets={
            "countries": [("SY", 5), ("IR", 3)],
            "weapon_origins": [("RU", 4)],
            "armed_groups": [("Islamic State", 2)],
            "kind": [],
        }
    )
    shown = {facet.name: facet for facet in facets(params, found)}
    assert list(shown) == ["countries", "weapon_origins", "armed_groups"]  # empty facets left out
    syria, iran = shown["countries"].values
    assert (syria.label, syria.count, syria.active) == ("Syria (SY)", 5, True)
    assert (iran.label, iran.active) == ("Iran (IR)", False)
    assert shown["weapon_origins"].values[0].label == "Russian Federation (RU)"
    assert shown["armed_groups"].values[0].label == "Islamic State"
    # a second value of one facet: either of them
    assert params_of(iran.include_href).include == ("country:SY", "country:IR")
    # an applied value's link removes it; excluding one drops it from the included
    assert params_of(syria.include_href).include == ()
    assert params_of(syria.exclude_href).include == () and params_of(syria.exclude_href).exclude == ("country:SY",)
    assert params_of(iran.exclude_href).exclude == ("country:IR",)


# -- the histogram -----------------------------------------------------------------------------


def test_a_few_days_are_drawn_as_days() -> None:
    chart = histogram(SearchParams(q="kornet"), [("2024-03-01", 2), ("2024-03-04", 4)])
    assert chart is not None and chart.interval == "day"
    assert [bar.label for bar in chart.bars] == ["2024-03-01", "2024-03-04"]
    first, last = chart.bars
    assert (first.height, last.height) == (CHART_HEIGHT / 2, CHART_HEIGHT)  # the tallest fills the chart
    assert last.x > first.x + 2 * first.width  # the two empty days between them keep their place
    narrowed = params_of(last.href)
    assert (narrowed.q, narrowed.since, narrowed.until) == ("kornet", "2024-03-04", "2024-03-04")


def test_a_year_is_drawn_as_months_and_decades_as_years() -> None:
    months = histogram(SearchParams(), [("2024-01-05", 1), ("2024-01-20", 2), ("2024-12-31", 1)])
    assert months is not None and months.interval == "month"
    assert [(bar.label, bar.count) for bar in months.bars] == [("2024-01", 3), ("2024-12", 1)]
    assert (params_of(months.bars[0].href).since, params_of(months.bars[0].href).until) == ("2024-01-01", "2024-01-31")
    assert (months.first_label, months.last_label) == ("2024-01", "2024-12")
    february = histogram(SearchParams(), [("2024-02-10", 1), ("2024-09-01", 1)])
    assert february is not None and params_of(february.bars[0].href).until == "2024-02-29"
    years = histogram(SearchParams(), [("1995-06-01", 1), ("2024-02-01", 7)])
    assert years is not None and years.interval == "year"
    assert [(bar.label, params_of(bar.href).since, params_of(bar.href).until) for bar in years.bars] == [
        ("1995", "1995-01-01", "1995-12-31"),
        ("2024", "2024-01-01", "2024-12-31"),
    ]


def test_a_stray_date_centuries_away_does_not_make_a_thousand_slots() -> None:
    chart = histogram(SearchParams(), [("0900-01-01", 1), ("2023-05-01", 3), ("2024-05-01", 3)])
    assert chart is not None and chart.interval == "year"
    assert [bar.label for bar in chart.bars] == ["900", "2023", "2024"]
    assert all(bar.width > 100 for bar in chart.bars)


def test_no_dated_match_no_chart() -> None:
    assert histogram(SearchParams(), []) is None
    assert histogram(SearchParams(), [("not a date", 3)]) is None


# -- hits and paging ---------------------------------------------------------------------------


def test_hits_link_to_the_workbench_and_only_http_sources_outside() -> None:
    found = result(
        total=3,
        hits=[
            Hit(
                id="a/b?c",
                url="https://news.example.org/x",
                title=" ",
                snippet="s",
                score=1,
                published=None,
                language="en",
            ),
            Hit(id="d", url="javascript:alert(1)", title="t", snippet="", score=1, published=None, language="en"),
            Hit(id="e", url="HTTP://old.example.org/", title="u", snippet="", score=1, published=None, language="en"),
        ],
    )
    first, second, third = hits(found)
    assert first.doc_href == "/doc/a%2Fb%3Fc" and first.title == "https://news.example.org/x"
    assert first.external_href == "https://news.example.org/x"
    assert second.external_href is None and second.url == "javascript:alert(1)"
    assert third.external_href == "HTTP://old.example.org/"


@pytest.mark.parametrize(
    ("url", "external"),
    [
        ("http://[bad", None),  # urlsplit raises on it: no link, and no 500
        ("https://[::1/x", None),
        ("https:///no-host", None),
        ("https://***@feeds.example.org/x", "https://feeds.example.org/x"),  # masked by the search, then dropped
        ("https://reader:hunter2@feeds.example.org/x", "https://feeds.example.org/x"),
    ],
)
def test_a_malformed_or_credentialed_source_address_is_never_a_bad_link(url: str, external: str | None) -> None:
    hit = Hit(id="d", url=url, title="t", snippet="", score=1, published=None, language="en")
    (shown,) = hits(result(total=1, hits=[hit]))
    assert shown.external_href == external and shown.url == url


def test_a_snippet_can_carry_no_markup_but_mark() -> None:
    snippet = (
        "<mark>Kornet</mark> sold <img src=x onerror=alert(1)>"  # a backend that forgot to escape
        " &lt;script&gt;alert(2)&lt;/script&gt; <MARK>x</MARK> <mark class=x>y</mark>\u202e"
    )
    hit = Hit(id="d", url="", title="t", snippet=snippet, score=1, published=None, language="en")
    (shown,) = hits(result(total=1, hits=[hit]))
    assert str(shown.snippet) == (
        "<mark>Kornet</mark> sold &lt;img src=x onerror=alert(1)&gt;"
        " &lt;script&gt;alert(2)&lt;/script&gt; &lt;MARK&gt;x&lt;/MARK&gt; &lt;mark class=x&gt;y</mark>"
    )
    assert str(shown.snippet).replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_an_entity_search_link_is_the_search_with_that_filter() -> None:
    assert params_of(search_href("weapon", "9M133 Kornet")) == SearchParams(include=("weapon:9M133 Kornet",))


def test_next_and_previous_walk_the_pages() -> None:
    first_page = SearchParams(q="kornet", sort="date")
    paging = pager(first_page, result(total=25, hits=[], next_cursor=[1000, "a"]))
    assert paging.previous_href is None and paging.first == 1
    second_page = params_of(paging.next_href or "")
    assert (second_page.after, second_page.trail, second_page.page) == ('[1000,"a"]', ("",), 2)
    paging = pager(second_page, result(total=25, hits=[], next_cursor=[900, "b"]))
    assert paging.first == 11
    third_page = params_of(paging.next_href or "")
    assert (third_page.after, third_page.trail, third_page.page) == ('[900,"b"]', ("", '[1000,"a"]'), 3)
    back = params_of(pager(third_page, result(total=25, hits=[])).previous_href or "")
    assert back == second_page
    assert params_of(pager(second_page, result(total=25, hits=[])).previous_href or "") == first_page


def test_beyond_the_trail_previous_becomes_first_page() -> None:
    deep = SearchParams(q="kornet", after='[5,"z"]', trail=(), page=14)
    paging = pager(deep, result(total=500, hits=[], next_cursor=[4, "y"]))
    assert paging.previous_href is None and params_of(paging.first_page_href or "") == SearchParams(q="kornet")
    following = params_of(paging.next_href or "")
    assert following.trail == ('[5,"z"]',) and following.page == 15
    long = SearchParams(q="k", after='[5,"z"]', trail=tuple(f'[{n},"x"]' for n in range(MAX_TRAIL)), page=20)
    assert (
        len(params_of(pager(long, result(total=500, hits=[], next_cursor=[4, "y"])).next_href or "").trail) == MAX_TRAIL
    )


def test_alert_and_export_links_carry_the_query_as_run() -> None:
    query = "kornet country:(IR OR SY) -lang:ru"
    assert dict(parse_qsl(urlsplit(new_alert_href(query)).query)) == {"q": query}
    links = {link.label: link.href for link in export_links(query, expand=True)}
    assert {"CSV", "JSONL", "FtM", "GraphML"} <= set(links)
    assert dict(parse_qsl(urlsplit(links["CSV"]).query)) == {"q": query, "format": "csv", "expand": "1"}
    assert all(urlsplit(href).path == "/export" for href in links.values())
