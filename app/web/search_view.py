"""The search page's logic, apart from the web framework: the search as a URL, the query it runs,
and everything the page shows about the result (filter chips, facets, the date histogram, hits,
paging), each with the links that change the search.

The whole search lives in the URL so that it can be bookmarked and shared: `q` as the analyst
typed it, `f=<filter>:<value>` and `x=<filter>:<value>` added by facet links (include, exclude),
`since`/`until` set by the histogram's bars, `sort`, `collapse=1`, `expand=1`, and for paging
`after` (the cursor of this page), `trail` (the cursors of the pages before it, for Previous)
and `page` (its number, for the count).

The parameters become one query in the analyst syntax (`effective_query`), which goes through
app/searching.py like any typed query: nothing from the URL reaches an index as raw syntax, and
"save as alert" and "export" carry exactly the query the page ran.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import quote, urlencode, urlsplit

from app.page_numbers import add_pages
from app.searching import prepare_search, without_credentials
from exports.formats import FORMATS
from index.backend import IndexBackend
from index.cursor import CursorError, parse_cursor
from index.query import DEFAULT_FACETS, FILTER_FIELDS, And, Filter, Node, Not, Or, Query, QuerySyntaxError, SearchResult
from index.syntax import parse, unparse
from schema.countries import country_label

log = logging.getLogger(__name__)

Sort = Literal["relevance", "date"]
Interval = Literal["day", "month", "year"]

PAGE_SIZE = 10
#: earlier pages a Previous link can go back to (each is a cursor in the URL)
MAX_TRAIL = 10
MAX_PAGE = 1_000_000
#: facet name -> the filter that narrows to one of its values (the filter over the facet's field)
FACET_FILTERS: dict[str, str] = {
    facet: next(name for name, fields in FILTER_FIELDS.items() if facet_field in fields)
    for facet, facet_field in DEFAULT_FACETS.items()
}
FACET_TITLES: dict[str, str] = {
    "weapons": "Weapons",
    "weapon_categories": "Weapon categories",
    "weapon_origins": "Weapon origins",
    "countries": "Countries",
    "armed_groups": "Armed groups",
    "language": "Languages",
    "source": "Sources",
    "kind": "Kinds",
}
#: filters whose values are ISO country codes, shown as "Iran (IR)"
COUNTRY_FILTERS = frozenset({"country", "origin"})
SORTS: dict[Sort, str] = {"relevance": "Relevance", "date": "Newest first"}
EXPORT_LABELS = {"csv": "CSV", "jsonl": "JSONL", "ftm": "FtM", "graphml": "GraphML", "gexf": "GEXF"}
#: what a reader is told when the index does not answer (its address is for the server log only)
UNAVAILABLE = "The search index is unreachable right now; try again in a minute."
STALE_PAGE = "That page link is no longer valid; search again."
_DATE_PARAM = re.compile(r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?")

# The histogram: days while the matches span up to MAX_DAY_BARS days, then months up to
# MAX_MONTH_BARS, then years; past MAX_SLOTS slots only the non-empty ones are drawn.
MAX_DAY_BARS = 92
MAX_MONTH_BARS = 96
MAX_SLOTS = 200
CHART_WIDTH = 600
CHART_HEIGHT = 120  # the bars' area; the axis labels go below it
AXIS_HEIGHT = 18


@dataclass(frozen=True)
class SearchParams:
    """A search as its URL holds it. Filter parameters are kept as written ("country:IR") and
    checked when the query is built, so a bad one is reported, and can be removed, like a typo."""

    q: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    sort: Sort = "relevance"
    collapse: bool = False
    expand: bool = False
    after: str = ""
    trail: tuple[str, ...] = ()
    page: int = 1

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> SearchParams:
        """From a query string's (name, value) pairs; unknown names are ignored."""
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            values.setdefault(name, []).append(value)

        def last(name: str) -> str:
            return values.get(name, [""])[-1].strip()

        page, after = last("page"), last("after")
        return cls(
            q=values.get("q", [""])[-1],
            include=tuple(dict.fromkeys(value.strip() for value in values.get("f", []) if value.strip())),
            exclude=tuple(dict.fromkeys(value.strip() for value in values.get("x", []) if value.strip())),
            since=last("since"),
            until=last("until"),
            sort="date" if last("sort") == "date" else "relevance",
            collapse=last("collapse") == "1",
            expand=last("expand") == "1",
            after=after,
            trail=tuple(values.get("trail", []))[-MAX_TRAIL:],
            # only a page reached by a cursor has a number other than 1 (it is the count's offset)
            page=min(int(page), MAX_PAGE) if after and page.isdecimal() and len(page) < 8 and int(page) > 0 else 1,
        )

    def pairs(self) -> list[tuple[str, str]]:
        """The query string's pairs, defaults left out."""
        pairs = [("q", self.q)] if self.q else []
        pairs += [("f", value) for value in self.include] + [("x", value) for value in self.exclude]
        pairs += [(name, value) for name, value in (("since", self.since), ("until", self.until)) if value]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        pairs += [(name, "1") for name, on in (("collapse", self.collapse), ("expand", self.expand)) if on]
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        if self.after:
            pairs.append(("after", self.after))
        return pairs + [("trail", cursor) for cursor in self.trail]

    def href(self) -> str:
        pairs = self.pairs()
        return f"/?{urlencode(pairs)}" if pairs else "/"

    def restarted(self, **changes: Any) -> SearchParams:
        """Another search (a filter added or removed, another order): from its first page."""
        return replace(self, after="", trail=(), page=1, **changes)

    def narrowing(self) -> list[tuple[str, str]]:
        """The filters and dates the search form carries along (as hidden fields) when `q` changes."""
        return [(name, value) for name, value in self.pairs() if name in ("f", "x", "since", "until")]


# -- the query


def filter_param(text: str) -> tuple[str, str]:
    """("country", "IR") for "country:IR", or QuerySyntaxError (a hand-edited or outdated link)."""
    name, colon, value = text.partition(":")
    name, value = name.strip().lower(), value.strip()
    if not colon or name not in FILTER_FIELDS or not value:
        raise QuerySyntaxError(
            f"{text!r} is not a filter: a filter is name:value, the names {', '.join(FILTER_FIELDS)}"
        )
    return name, value


def date_param(name: str, value: str) -> datetime | None:
    if not value:
        return None
    if not _DATE_PARAM.fullmatch(value):
        raise QuerySyntaxError(f"{name} expects a date like 2024-05-17, got {value!r}")
    moment: datetime | None = getattr(parse(f"{name}:{value}"), name)
    return moment


def _all_of(nodes: Iterable[Node | None]) -> Node | None:
    """The nodes ANDed, nested ANDs flattened (as the parser builds them), or None for none."""
    flat: list[Node] = []
    for node in nodes:
        if node is not None:
            flat.extend(node.children if isinstance(node, And) else [node])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(children=flat)


def _added_text(params: SearchParams) -> str:
    """The URL's filters and dates in the analyst syntax: several values of one filter are
    alternatives (`country:(IR OR SY)`), each excluded value a NOT of its own."""
    included: dict[str, list[str]] = {}
    for text in params.include:
        name, value = filter_param(text)
        included.setdefault(name, []).append(value)
    nodes: list[Node] = [Filter(name=name, values=values) for name, values in included.items()]
    for text in params.exclude:
        name, value = filter_param(text)
        nodes.append(Not(child=Filter(name=name, values=[value])))
    since, until = date_param("since", params.since), date_param("until", params.until)
    return unparse(Query(where=_all_of(nodes), since=since, until=until))


def effective_query(params: SearchParams) -> str:
    """The query the page runs, in the analyst syntax: `q` and the URL's filters and dates (which
    replace dates typed in `q`). Raises QuerySyntaxError for a query or a parameter that is not
    usable; errors in `q` name its own columns.

    The filters are appended to `q` as typed when that reads back as intended, so the saved
    alert or export shows the analyst's own words; a `q` that would change meaning with text
    after it (`rifles or`, an unclosed quote) is put in parentheses, or, failing that, rewritten."""
    typed = parse(params.q)
    added_text = _added_text(params)
    if not added_text:
        return params.q.strip()
    added = parse(added_text)
    intended = Query(
        where=_all_of([typed.where, added.where]), since=added.since or typed.since, until=added.until or typed.until
    )
    if intended.since and intended.until and intended.since > intended.until:
        raise QuerySyntaxError("since: is after until:")
    if not params.q.strip():
        return added_text
    for text in (f"{params.q.strip()} {added_text}", f"({params.q.strip()}) {added_text}", unparse(intended)):
        try:
            if parse(text) == intended:
                return text
        except QuerySyntaxError:
            continue
    raise QuerySyntaxError("the query cannot be combined with the filters: remove them or rewrite the query")


# -- what the page shows


def value_label(filter_name: str, value: str) -> str:
    return country_label(value) if filter_name in COUNTRY_FILTERS else value


@dataclass(frozen=True)
class Chip:
    label: str
    remove_href: str
    excluded: bool = False


def _filter_node_label(node: Node) -> str | None:
    """ "country: Iran (IR)" for a filter typed at the top level of the query (one value or
    several, or NOT one), None for anything else."""
    if isinstance(node, Filter):
        return f"{node.name}: {' or '.join(value_label(node.name, value) for value in node.values)}"
    if isinstance(node, Not) and isinstance(node.child, Filter):
        return f"not {_filter_node_label(node.child)}"
    if isinstance(node, Or) and all(isinstance(child, Filter) for child in node.children):
        labels = [_filter_node_label(child) or "" for child in node.children]
        names = {child.name for child in node.children if isinstance(child, Filter)}
        if len(names) == 1:
            return f"{names.pop()}: " + " or ".join(label.partition(": ")[2] for label in labels)
        return " or ".join(labels)
    return None


def _typed_parts(typed: Query) -> list[Node]:
    where = typed.where
    return list(where.children) if isinstance(where, And) else [where] if where is not None else []


def filter_chips(params: SearchParams, typed: Query | None) -> list[Chip]:
    """A chip for every filter applied: the URL's, then those typed at the top level of `q`
    (removing one rewrites `q` without it). `typed`: `q` parsed, None when it does not parse."""
    chips: list[Chip] = []
    for kind, values in (("f", params.include), ("x", params.exclude)):
        for text in values:
            name, _, value = text.partition(":")
            label = f"{name.strip()}: {value_label(name.strip().lower(), value.strip())}"
            kept = tuple(other for other in values if other != text)
            chips.append(
                Chip(
                    f"not {label}" if kind == "x" else label,
                    params.restarted(**{"include" if kind == "f" else "exclude": kept}).href(),
                    excluded=kind == "x",
                )
            )
    for name in ("since", "until"):
        if getattr(params, name):
            chips.append(Chip(f"{name} {getattr(params, name)}", params.restarted(**{name: ""}).href()))
    if typed is None:
        return chips
    parts = _typed_parts(typed)
    for index, part in enumerate(parts):
        typed_label = _filter_node_label(part)
        if typed_label is not None:
            rest = Query(where=_all_of(parts[:index] + parts[index + 1 :]), since=typed.since, until=typed.until)
            removed = params.restarted(q=unparse(rest)).href()
            chips.append(Chip(typed_label, removed, excluded=typed_label.startswith("not ")))
    for name in ("since", "until"):
        moment = getattr(typed, name)
        if moment is not None and not getattr(params, name):  # a date in the URL replaces the typed one
            rest = typed.model_copy(update={name: None})
            chips.append(Chip(f"{name} {moment.date().isoformat()}", params.restarted(q=unparse(rest)).href()))
    return chips


def cleared(params: SearchParams, typed: Query | None) -> SearchParams:
    """The search without any filter or date: the URL's, and those typed at the top level of `q`."""
    q = params.q
    if typed is not None:
        kept = [part for part in _typed_parts(typed) if _filter_node_label(part) is None]
        if len(kept) != len(_typed_parts(typed)) or typed.since or typed.until:
            q = unparse(Query(where=_all_of(kept)))
    return params.restarted(q=q, include=(), exclude=(), since="", until="")


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    include_href: str  # adds the value; for a value already included, removes it again
    exclude_href: str
    active: bool  # included by the URL


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    filter: str
    values: list[FacetValue]


def facets(params: SearchParams, result: SearchResult) -> list[Facet]:
    """The result's non-empty facets in display order, each value with its include and exclude links."""
    shown: list[Facet] = []
    for name, buckets in result.facets.items():
        filter_name = FACET_FILTERS.get(name)
        if not buckets or filter_name is None:
            continue
        values = []
        for value, count in buckets:
            text = f"{filter_name}:{value}"
            active = text in params.include
            others = tuple(other for other in params.include if other != text)
            include = params.restarted(include=others if active else (*params.include, text))
            exclude = params.restarted(include=others, exclude=tuple(dict.fromkeys((*params.exclude, text))))
            values.append(
                FacetValue(value, value_label(filter_name, value), count, include.href(), exclude.href(), active)
            )
        shown.append(Facet(name, FACET_TITLES.get(name, name.replace("_", " ").capitalize()), filter_name, values))
    return shown


def facets_beside_own_filters(backend: IndexBackend, params: SearchParams) -> dict[str, list[tuple[str, int]]]:
    """The facets the URL includes values of, each counted as if its own values were not chosen
    (everything else applied), so that its other values stay on offer as alternatives: with
    country:SY chosen, Iran is still listed with the documents choosing it would add. One more
    search (no hits) per such facet."""
    recounted: dict[str, list[tuple[str, int]]] = {}
    for name, filter_name in FACET_FILTERS.items():
        own = [text for text in params.include if filter_param(text)[0] == filter_name]
        if not own or name not in DEFAULT_FACETS:
            continue
        others = replace(params, include=tuple(text for text in params.include if text not in own))
        prepared = prepare_search(
            effective_query(others), expand=params.expand, size=0, facets={name: DEFAULT_FACETS[name]}
        )
        recounted[name] = backend.search(prepared.request).facets.get(name, [])
    return recounted


@dataclass(frozen=True)
class Bar:
    label: str  # the bucket: 2024-03-05, 2024-03 or 2024
    count: int
    href: str  # the search narrowed to the bucket
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Histogram:
    interval: Interval
    bars: list[Bar]  # the non-empty buckets, each in its place on the time axis
    first_label: str
    last_label: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    axis_height: int = AXIS_HEIGHT

    @property
    def total_height(self) -> int:
        return self.height + self.axis_height


def _bucket(day: date, interval: Interval) -> date:
    return day if interval == "day" else day.replace(day=1) if interval == "month" else day.replace(month=1, day=1)


def _bucket_end(start: date, interval: Interval) -> date:
    if interval == "day":
        return start
    if interval == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start.replace(month=12, day=31)


def _next_bucket(start: date, interval: Interval) -> date:
    if interval == "day":
        return date.fromordinal(start.toordinal() + 1)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def _bucket_label(start: date, interval: Interval) -> str:
    return {"day": start.isoformat(), "month": f"{start:%Y-%m}", "year": str(start.year)}[interval]


def _interval(first: date, last: date) -> Interval:
    if (last - first).days < MAX_DAY_BARS:
        return "day"
    if (last.year - first.year) * 12 + last.month - first.month < MAX_MONTH_BARS:
        return "month"
    return "year"


def histogram(params: SearchParams, days: Sequence[tuple[str, int]]) -> Histogram | None:
    """The bar chart of a day histogram (non-empty buckets keyed YYYY-MM-DD), in days, months or
    years by how long a time the matches span; None when no match is dated."""
    by_day: dict[date, int] = {}
    for key, count in days:
        try:
            by_day[date.fromisoformat(key[:10])] = count
        except ValueError:  # a year the calendar cannot hold: nothing to draw
            continue
    if not by_day:
        return None
    interval = _interval(min(by_day), max(by_day))
    counts: dict[date, int] = {}
    for day, count in by_day.items():
        start = _bucket(day, interval)
        counts[start] = counts.get(start, 0) + count
    slots = [min(counts)]
    while slots[-1] < max(counts) and len(slots) <= MAX_SLOTS:
        slots.append(_next_bucket(slots[-1], interval))
    if len(slots) > MAX_SLOTS:  # a stray date decades away: the buckets side by side, gaps left out
        slots = sorted(counts)
    slot_width = CHART_WIDTH / len(slots)
    highest = max(counts.values())
    bars = []
    for position, start in enumerate(slots):
        count = counts.get(start, 0)
        if not count:
            continue
        height = max(CHART_HEIGHT * count / highest, 1.0)
        narrowed = params.restarted(since=start.isoformat(), until=_bucket_end(start, interval).isoformat())
        bars.append(
            Bar(
                _bucket_label(start, interval),
                count,
                narrowed.href(),
                x=round(position * slot_width + slot_width * 0.1, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(max(slot_width * 0.8, 0.5), 2),
                height=round(height, 2),
            )
        )
    return Histogram(interval, bars, _bucket_label(slots[0], interval), _bucket_label(slots[-1], interval))


@dataclass(frozen=True)
class HitView:
    id: str
    doc_href: str  # the document in the workbench, never the live site
    title: str
    url: str  # the source address as text (credentials removed)
    external_href: str | None  # the same address as a link, only for http and https
    snippet: str  # escaped by the index, with <mark> around matches: the one value shown unescaped
    published: datetime | None
    language: str
    source_id: str
    kind: str
    page: int | None


def external_href(url: str) -> str | None:
    return url if urlsplit(url).scheme.lower() in ("http", "https") else None


def hits(result: SearchResult) -> list[HitView]:
    return [
        HitView(
            id=hit.id,
            doc_href=f"/doc/{quote(hit.id, safe='')}",
            title=hit.title.strip() or hit.url or "(untitled)",
            url=hit.url,
            external_href=external_href(hit.url),
            snippet=hit.snippet,
            published=hit.published,
            language=hit.language,
            source_id=hit.source_id,
            kind=hit.kind,
            page=hit.page,
        )
        for hit in result.hits
    ]


def cursor_text(cursor: list[Any]) -> str:
    return json.dumps(cursor, separators=(",", ":"))


@dataclass(frozen=True)
class Pager:
    first: int  # position of the page's first hit, from 1
    last: int
    total: int
    previous_href: str | None
    next_href: str | None
    first_page_href: str | None  # when earlier pages are further back than the trail remembers


def pager(params: SearchParams, result: SearchResult) -> Pager:
    first = (params.page - 1) * PAGE_SIZE + 1
    previous = first_page = following = None
    if params.trail:
        back = params.trail[-1]
        previous = replace(params, after=back, trail=params.trail[:-1], page=max(params.page - 1, 1)).href()
    elif params.after:
        first_page = params.restarted().href()
    if result.next_cursor:
        trail = (*params.trail, params.after)[-MAX_TRAIL:]  # "" stands for the first page
        following = replace(
            params, after=cursor_text(result.next_cursor), trail=trail, page=min(params.page + 1, MAX_PAGE)
        ).href()
    return Pager(first, first + len(result.hits) - 1, result.total, previous, following, first_page)


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    current: bool = False
    value: str = ""  # a sort's name, for the form's select


def sort_links(params: SearchParams) -> list[Link]:
    return [Link(label, params.restarted(sort=sort).href(), sort == params.sort, sort) for sort, label in SORTS.items()]


def export_links(query: str, expand: bool) -> list[Link]:
    """A download of every match in each export format (app/exporting.py, the `/export` route)."""
    extra = [("expand", "1")] if expand else []
    return [
        Link(EXPORT_LABELS.get(name, name.upper()), f"/export?{urlencode([('q', query), ('format', name), *extra])}")
        for name in FORMATS
    ]


def alert_href(query: str) -> str:
    return f"/alerts/new?{urlencode({'q': query})}"


@dataclass
class SearchPage:
    """Everything the search template shows. `status` is the HTTP status: 400 for a query or a
    link that cannot be used, 503 when the index does not answer."""

    params: SearchParams
    status: int = 200
    error: str | None = None
    query: str = ""  # the query as run, in the analyst syntax
    result: SearchResult | None = None
    chips: list[Chip] = field(default_factory=list)
    clear_href: str | None = None
    facets: list[Facet] = field(default_factory=list)
    histogram: Histogram | None = None
    hits: list[HitView] = field(default_factory=list)
    pager: Pager | None = None
    sorts: list[Link] = field(default_factory=list)
    exports: list[Link] = field(default_factory=list)
    alert_href: str | None = None


def search_page(backend: IndexBackend, params: SearchParams) -> SearchPage:
    """Run the search the URL describes and build the page. A query or link that cannot be used
    and an index that does not answer are reported on the page, never raised."""
    page = SearchPage(params=params, sorts=sort_links(params))
    typed: Query | None = None
    try:
        typed = parse(params.q)
        page.query = effective_query(params)
        cursor = parse_cursor(params.after) if params.after else None
        for earlier in params.trail:
            if earlier:
                parse_cursor(earlier)
        prepared = prepare_search(
            page.query,
            expand=params.expand,
            size=PAGE_SIZE,
            search_after=cursor,
            sort=params.sort,
            histogram="day",
            collapse_stories=params.collapse,
        )
        result = backend.search(prepared.request)
        result.facets.update(facets_beside_own_filters(backend, params))
        page.result = prepared.annotate(without_credentials(add_pages(backend, result)))
    except CursorError:  # a cursor edited by hand, or one of another sort or collapse
        page.status, page.error = 400, STALE_PAGE
    except QuerySyntaxError as exc:
        page.status, page.error = 400, str(exc)
    except ValueError:  # a request the query model refuses (pydantic's ValidationError)
        page.status, page.error = 400, STALE_PAGE
    except ConnectionError as exc:  # the engine is down or restarting: not our bug, not a 500
        log.warning("search index unreachable: %s", exc)
        page.status, page.error = 503, UNAVAILABLE
    page.chips = filter_chips(params, typed)
    if page.chips:
        page.clear_href = cleared(params, typed).href()
    if page.result is not None:
        page.facets = facets(params, page.result)
        page.histogram = histogram(params, page.result.histogram)
        page.hits = hits(page.result)
        page.pager = pager(params, page.result)
        page.exports = export_links(page.query, params.expand)
        page.alert_href = alert_href(page.query)
    return page
