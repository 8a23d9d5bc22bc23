"""The arsenal pages as the templates draw them: an armed group's profile (arsenal/profile.py)
with every number paired with the link to the evidence behind it, the origins, categories and
suppliers as bars, and the evidence sentences with their citations, a page at a time.

Sentence links and the weaker document co-occurrence links are always counted and linked apart,
so a page can never pass one off as the other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.web.arsenal_params import EvidenceSelection, ProfileParams
from app.web.links import arsenal_href, document_href, external_url
from arsenal.groups import period, supplier_label
from arsenal.profile import ArsenalProfile, CountRow, Evidence, Route, Strength, WeaponRow
from index.backend import IndexBackend
from index.query import SearchRequest
from schema.countries import country_label

#: the longest bar of a chart, in pixels (the others in proportion)
BAR_WIDTH = 240
EVIDENCE_PER_PAGE = 25
#: the period comparison the profile offers in one click
RECENT_DAYS = 90
#: groups and sources offered by the form (the most documents first)
KNOWN_VALUES = 500

#: (strength, weapon=…, origin=…, category=…, supplier=…) -> the evidence behind a number
Linker = Callable[..., str]


@dataclass(frozen=True)
class Number:
    """A count and the evidence behind it."""

    value: int
    href: str


@dataclass(frozen=True)
class Linked:
    """A value shown in a row (an origin, a supplier, a weapon, a category), linked to the evidence
    for it within that row. `label`: how a reader sees it (countries by name)."""

    key: str
    label: str
    href: str


@dataclass(frozen=True)
class WeaponLine:
    row: WeaponRow
    sentence: Number
    cooccurrence: Number
    category: Linked | None
    origins: list[Linked]
    suppliers: list[Linked]


@dataclass(frozen=True)
class CountLine:
    """An origin, category or supplier, drawn as a bar: the sentence documents solid, the
    co-occurrence documents after them, lighter, each part a link with its number."""

    row: CountRow
    label: str
    sentence: Number
    cooccurrence: Number
    weapons: list[Linked]
    sentence_width: int
    cooccurrence_width: int


@dataclass(frozen=True)
class RouteLine:
    route: Route
    supplier_label: str
    documents: Number


@dataclass(frozen=True)
class ProfileView:
    profile: ArsenalProfile
    documents: Number
    cooccurrence: Number
    weapons: list[WeaponLine]
    origins: list[CountLine]
    categories: list[CountLine]
    suppliers: list[CountLine]
    routes: list[RouteLine]
    exports: list[tuple[str, str]]  # (label, href)
    recent_days: int
    # the same profile, marking what is new in the last recent_days; None when it already does
    recent_href: str | None


def _linker(group: str, params: ProfileParams) -> Linker:
    def link(strength: Strength | None = None, **selection: str) -> str:
        pairs = params.pairs() + list(selection.items())
        return arsenal_href(group, pairs + ([("strength", strength)] if strength else []), "/evidence")

    return link


def _pair(link: Linker, sentence: int, cooccurrence: int, **selection: str) -> tuple[Number, Number]:
    return (
        Number(sentence, link("sentence", **selection)),
        Number(cooccurrence, link("cooccurrence", **selection)),
    )


def _weapon_line(link: Linker, row: WeaponRow, supplier_kinds: dict[str, str]) -> WeaponLine:
    sentence, cooccurrence = _pair(link, row.documents, row.cooccurrence_documents, weapon=row.weapon)
    category = (
        Linked(row.category, row.category, link(category=row.category))
        if row.category and row.category != row.weapon
        else None
    )
    return WeaponLine(
        row=row,
        sentence=sentence,
        cooccurrence=cooccurrence,
        category=category,
        origins=[
            Linked(origin, country_label(origin), link(weapon=row.weapon, origin=origin)) for origin in row.origins
        ],
        suppliers=[
            Linked(
                supplier,
                supplier_label(supplier, supplier_kinds.get(supplier, "")),
                link("sentence", weapon=row.weapon, supplier=supplier),
            )
            for supplier in row.suppliers
        ],
    )


def _count_lines(link: Linker, rows: list[CountRow], name: str) -> list[CountLine]:
    """The rows of one chart (`name`: origin, category or supplier), bars scaled to the longest."""
    longest = max((row.documents + row.cooccurrence_documents for row in rows), default=0) or 1
    lines = []
    for row in rows:
        sentence, cooccurrence = _pair(link, row.documents, row.cooccurrence_documents, **{name: row.key})
        # only suppliers have a kind: a category's label is its name
        label = country_label(row.key) if name == "origin" else supplier_label(row.key, row.kind)
        lines.append(
            CountLine(
                row=row,
                label=label,
                sentence=sentence,
                cooccurrence=cooccurrence,
                weapons=[Linked(weapon, weapon, link(weapon=weapon, **{name: row.key})) for weapon in row.weapons],
                sentence_width=_width(row.documents, longest),
                cooccurrence_width=_width(row.cooccurrence_documents, longest),
            )
        )
    return lines


def _width(count: int, longest: int) -> int:
    """A bar's length: in proportion, and never too short to see (or to click) when not zero."""
    return max(round(BAR_WIDTH * count / longest), 4) if count else 0


def profile_view(group: str, params: ProfileParams, profile: ArsenalProfile) -> ProfileView:
    link = _linker(group, params)
    filters = params.pairs()
    kinds = {row.key: row.kind for row in profile.suppliers}
    recent = replace(params, new_within=str(RECENT_DAYS), new_since="")
    return ProfileView(
        profile=profile,
        documents=Number(profile.documents, link("sentence")),
        cooccurrence=Number(profile.cooccurrence_documents, link("cooccurrence")),
        weapons=[_weapon_line(link, row, kinds) for row in profile.weapons],
        origins=_count_lines(link, profile.origins, "origin"),
        categories=_count_lines(link, profile.categories, "category"),
        suppliers=_count_lines(link, profile.suppliers, "supplier"),
        routes=[
            RouteLine(
                route,
                supplier_label(route.supplier, route.supplier_kind),
                Number(route.documents, link("sentence", supplier=route.supplier, weapon=route.weapon)),
            )
            for route in profile.routes
        ],
        exports=[
            ("CSV", arsenal_href(group, filters, ".csv")),
            ("GraphML (Gephi)", arsenal_href(group, filters, ".graphml")),
            ("JSON", "/api" + arsenal_href(group, filters)),
        ],
        recent_days=RECENT_DAYS,
        recent_href=None
        if period(params.new_within) == timedelta(days=RECENT_DAYS)
        else arsenal_href(group, recent.pairs()),
    )


# -- the evidence ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    evidence: Evidence
    document_href: str  # the document's page, at the evidence's page of a PDF
    capture_href: str  # the preserved copy the text was extracted from
    external_url: str | None  # the crawled address, when it may be a link
    date: datetime | None  # published, else fetched

    @property
    def origin_label(self) -> str:
        return country_label(self.evidence.origin) if self.evidence.origin else ""

    @property
    def supplier_label(self) -> str:
        return supplier_label(self.evidence.supplier, self.evidence.supplier_kind)


@dataclass(frozen=True)
class EvidenceView:
    described: list[tuple[str, str]]  # (what, value) of the selection, for the heading
    items: list[EvidenceItem]
    total: int
    page: int
    pages: int
    first: int  # the number of the first item shown
    profile_href: str
    previous_href: str | None
    next_href: str | None


def evidence_item(evidence: Evidence) -> EvidenceItem:
    page = f"#page-{evidence.page}" if evidence.page else ""
    return EvidenceItem(
        evidence=evidence,
        document_href=document_href(evidence.doc_id) + page,
        capture_href=document_href(evidence.doc_id) + "/capture",
        external_url=external_url(evidence.url),
        date=evidence.published or evidence.fetched,
    )


def describe(selection: EvidenceSelection) -> list[tuple[str, str]]:
    described = []
    for name, value in selection.values.items():
        described.append((name, country_label(value) if name == "origin" else value))
    if selection.strength is not None:
        described.append(("link", "sentence relation" if selection.strength == "sentence" else "co-occurrence only"))
    return described


def evidence_view(
    group: str, params: ProfileParams, selection: EvidenceSelection, found: list[Evidence], total: int
) -> EvidenceView:
    pages = max(1, -(-total // EVIDENCE_PER_PAGE))

    def page_href(number: int) -> str:
        return arsenal_href(group, params.pairs() + selection.pairs(page=number), "/evidence")

    return EvidenceView(
        described=describe(selection),
        items=[evidence_item(item) for item in found],
        total=total,
        page=selection.page,
        pages=pages,
        first=(selection.page - 1) * EVIDENCE_PER_PAGE + 1,
        profile_href=arsenal_href(group, params.pairs()),
        previous_href=page_href(min(selection.page - 1, pages)) if selection.page > 1 else None,
        next_href=page_href(selection.page + 1) if selection.page < pages else None,
    )


# -- the forms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownValues:
    """What the forms offer: the armed groups (with their documents) and the sources of the index,
    most documents first."""

    groups: list[tuple[str, int]]
    sources: list[str]


def known_values(backend: IndexBackend) -> KnownValues:
    result = backend.search(
        SearchRequest(size=0, facets={"groups": "armed_groups", "sources": "source_id"}, facet_size=KNOWN_VALUES)
    )
    return KnownValues(
        groups=list(result.facets.get("groups", [])),
        sources=[value for value, _ in result.facets.get("sources", [])],
    )
