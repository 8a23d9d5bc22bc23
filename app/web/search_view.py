"""The search page, apart from the web framework: the search its URL describes
(app/web/search_params.py) run as one query (app/web/search_query.py), and everything the page
shows about the result (filter chips, facets, the date histogram of app/web/histogram.py, hits,
paging), each with the links that change the search.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from app.output import safe
from app.searching import prepare_search
from app.web.histogram import Histogram, histogram
from app.web.links import document_href, external_url, new_alert_href
from app.web.search_params import MAX_PAGE, MAX_TRAIL, SearchParams, Sort
from app.web.search_query import all_of, effective_query, filter_param
from app.web.unavailable import UNAVAILABLE, log_unreachable
from exports.formats import FORMATS
from index.backend import IndexBackend
from index.cursor import CursorError, parse_cursor
from index.query import DEFAULT_FACETS, FILTER_FIELDS, And, Filter, Node, Not, Or, Query, QuerySyntaxError, SearchResult
from index.syntax import parse, unparse
from schema.countries import country_label

PAGE_SIZE = 10
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
STALE_PAGE = "That page link is no longer valid; search again."


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
            rest = Query(where=all_of(parts[:index] + parts[index + 1 :]), since=typed.since, until=typed.until)
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
            q = unparse(Query(where=all_of(kept)))
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
class HitView:
    id: str
    doc_href: str  # the document in the workbench, never the live site
    title: str
    url: str  # the source address as text (credentials masked)
    external_href: str | None  # the same address as a link (`links.external_url`): http(s) only, no credentials
    snippet: Markup  # the matched passage, HTML with only <mark> tags (`snippet_markup`)
    published: datetime | None
    language: str
    source_id: str
    kind: str
    page: int | None


def snippet_markup(snippet: str) -> Markup:
    """An index's snippet as HTML in which <mark> and </mark> are the only tags, whatever the
    backend did: every backend escapes the text and adds <mark> around matches, but one that forgot
    (or a new one) would otherwise put crawled markup straight into the page. Undoing the escaping
    and doing it again leaves properly escaped text as it was and escapes what was not; control
    characters and bidi overrides go, as from every crawled text shown."""
    escaped = html.escape(safe(html.unescape(snippet)))
    return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


def hits(result: SearchResult) -> list[HitView]:
    return [
        HitView(
            id=hit.id,
            doc_href=document_href(hit.id),
            title=hit.title.strip() or hit.url or "(untitled)",
            url=hit.url,
            external_href=external_url(hit.url),
            snippet=snippet_markup(hit.snippet),
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
        page.result = prepared.shown(backend, result)
    except CursorError:  # a cursor edited by hand, or one of another sort or collapse
        page.status, page.error = 400, STALE_PAGE
    except QuerySyntaxError as exc:
        page.status, page.error = 400, str(exc)
    except ValueError:  # a request the query model refuses (pydantic's ValidationError)
        page.status, page.error = 400, STALE_PAGE
    except ConnectionError as exc:  # the engine is down or restarting: said beside the box, not a 500
        log_unreachable(exc)
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
        page.alert_href = new_alert_href(page.query)
    return page
