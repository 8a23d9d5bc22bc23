"""An armed group's arsenal: the weapons documents report it with, where they were made, who
supplied them and since when, each number backed by citable evidence (arsenal/evidence.py).

Pure aggregation over `IndexBackend.iter_links` (schema.relations.LinkedDocument), of the links
arsenal/links.py reads in each document. Everything is counted per document: a document that
names the same weapon ten times counts once for it, once for its origin, once per relation type.
Sentence links and the weaker co-occurrence links are counted apart, never added together.

The web page and `osint arsenal` use this module's names (Evidence and Strength included);
profile_json is the one JSON shape of a profile. The alerts build on arsenal.links, not on this
module: they read the same sentence links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from arsenal.evidence import Evidence, evidence_of
from arsenal.links import STRENGTHS, Strength, document_date, document_links
from index.backend import IndexBackend
from index.query import And, Filter, Node, Query
from schema.relations import LinkedDocument

__all__ = [
    "STRENGTHS",
    "ArsenalProfile",
    "CountRow",
    "Evidence",
    "ProfileRequest",
    "Route",
    "Strength",
    "WeaponRow",
    "build_profile",
    "evidence",
    "evidence_json",
    "profile_json",
    "profile_of",
]

_Key = TypeVar("_Key", str, tuple[str, str])


@dataclass(frozen=True)
class ProfileRequest:
    group: str  # canonical armed-group name (the CLI and the web resolve aliases first)
    since: datetime | None = None  # document date range on `published`: undated documents are left out of a range
    until: datetime | None = None
    sources: tuple[str, ...] = ()  # source ids (any of)
    new_since: datetime | None = None  # what was first seen at/after this moment is "new" (naive: UTC)
    cooccurrence: bool = True  # include the weaker document co-occurrence links

    def __post_init__(self) -> None:
        if self.new_since is not None and self.new_since.tzinfo is None:  # compared with stored, aware dates
            object.__setattr__(self, "new_since", self.new_since.replace(tzinfo=UTC))

    def query(self) -> Query:
        """The documents the profile reads: those naming the group, in the range and sources."""
        where: Node = Filter(name="group", values=[self.group])
        if self.sources:
            where = And(children=[where, Filter(name="source", values=list(self.sources))])
        return Query(where=where, since=self.since, until=self.until)


@dataclass
class WeaponRow:
    """One weapon (a model, or a category when no model was named) reported with the group."""

    weapon: str
    weapon_kind: str
    category: str
    origins: list[str]  # ISO codes, most documents first (stated origins override the gazetteer's)
    documents: int  # documents with a sentence relation
    cooccurrence_documents: int  # documents where they only co-occur (weaker link)
    first_seen: datetime | None  # by document date (published, else fetched), over both strengths
    last_seen: datetime | None
    relation_types: dict[str, int]  # type -> documents
    suppliers: list[str]  # most documents first
    new: bool  # first seen at/after the request's new_since
    directions: dict[str, int] = field(default_factory=dict)  # to_group / from_group / held -> documents
    origin_documents: dict[str, int] = field(default_factory=dict)  # origin -> sentence documents
    origin_cooccurrence_documents: dict[str, int] = field(default_factory=dict)  # origin -> co-occurrence documents


@dataclass
class CountRow:
    """An origin country, a weapon category or a supplier, with the documents behind it."""

    key: str  # ISO code / category / supplier name
    documents: int  # sentence-level documents
    cooccurrence_documents: int
    weapons: list[str]  # most documents first
    first_seen: datetime | None
    last_seen: datetime | None
    new: bool
    kind: str = ""  # supplier kind (country, group, company) for suppliers


@dataclass
class Route:
    """supplier -> weapon -> group, where a sentence states it."""

    supplier: str
    supplier_kind: str
    weapon: str
    documents: int
    relation_types: dict[str, int] = field(default_factory=dict)


@dataclass
class ArsenalProfile:
    request: ProfileRequest
    documents: int  # documents linking the group to any weapon in a sentence
    cooccurrence_documents: int  # documents where the group and weapons only co-occur
    weapons: list[WeaponRow]  # most sentence documents first, then most co-occurrence documents, then name
    origins: list[CountRow]
    categories: list[CountRow]
    suppliers: list[CountRow]
    routes: list[Route]
    first_seen: datetime | None
    last_seen: datetime | None

    def new_rows(self) -> dict[str, list[str]]:
        """What was first seen at/after new_since: weapon names, origins, categories, suppliers."""
        return {
            "weapons": [row.weapon for row in self.weapons if row.new],
            "origins": [row.key for row in self.origins if row.new],
            "categories": [row.key for row in self.categories if row.new],
            "suppliers": [row.key for row in self.suppliers if row.new],
        }


# -- the profile -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """What the documents read so far say of one row: the date of each document linking it, at
    each strength, and one entry per document for each origin, supplier, type and direction.
    Lists, counted once at the end: appending is what keeps 10,000 documents well under a second."""

    kind: str = ""
    category: str = ""
    #: the dates of the documents linking it, as POSIX times (floats compare several times
    #: faster than aware datetimes)
    sentence: list[float] = field(default_factory=list)
    cooccurrence: list[float] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # from sentence links
    cooccurring_origins: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)
    relation_types: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)

    def first(self) -> datetime | None:
        return _moment(min(self.sentence + self.cooccurrence, default=None))

    def last(self) -> datetime | None:
        return _moment(max(self.sentence + self.cooccurrence, default=None))

    def new(self, since: datetime | None) -> bool:
        first = self.first()
        return since is not None and first is not None and first >= since


def _moment(stamp: float | None) -> datetime | None:
    """A document date back from its POSIX time (exact to the microsecond for any date of ours:
    the float's error is under half a microsecond, and fromtimestamp rounds to the nearest)."""
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC)


def _tally(rows: dict[_Key, _Tally], key: _Key) -> _Tally:
    row = rows.get(key)
    if row is None:
        row = rows[key] = _Tally()
    return row


def build_profile(backend: IndexBackend, request: ProfileRequest) -> ArsenalProfile:
    """The group's arsenal over every document the request matches."""
    return profile_of(backend.iter_links(request.query()), request)


def profile_of(documents: Iterable[LinkedDocument], request: ProfileRequest) -> ArsenalProfile:
    """The profile over `documents` (those naming the group; any other adds nothing)."""
    weapons: dict[str, _Tally] = {}
    origins: dict[str, _Tally] = {}
    categories: dict[str, _Tally] = {}
    suppliers: dict[str, _Tally] = {}
    routes: dict[tuple[str, str], _Tally] = {}
    overall = _Tally()
    #: (key, weapon), once per document: the weapons behind each origin, category and supplier
    origin_weapons: list[tuple[str, str]] = []
    category_weapons: list[tuple[str, str]] = []
    supplier_weapons: list[tuple[str, str]] = []
    for document in documents:
        links = document_links(document, request.group, request.cooccurrence)
        if not links:
            continue
        when = document_date(document).timestamp()
        strong: set[str] = set()  # origins and categories this document links in a sentence
        weak: set[str] = set()  # ... and by co-occurrence only
        strong_categories: set[str] = set()
        weak_categories: set[str] = set()
        said = False  # whether a sentence links the group to any weapon in this document
        for name, link in links.items():
            tally = weapons.get(name)
            if tally is None:
                tally = weapons[name] = _Tally(kind=link.weapon_kind, category=link.category)
            for origin in link.origins:
                origin_weapons.append((origin, name))
            if link.category:
                category_weapons.append((link.category, name))
            if link.strength == "cooccurrence":
                tally.cooccurrence.append(when)
                tally.cooccurring_origins.extend(link.origins)
                weak.update(link.origins)
                weak_categories.add(link.category)
                continue
            said = True
            tally.sentence.append(when)
            tally.origins.extend(link.origins)
            tally.relation_types.extend(link.relation_types)
            tally.directions.extend(link.directions)
            strong.update(link.origins)
            strong_categories.add(link.category)
            for supplier, kind in link.suppliers.items():
                tally.suppliers.append(supplier)
                row = _tally(suppliers, supplier)
                row.kind = row.kind or kind
                row.sentence.append(when)
                supplier_weapons.append((supplier, name))
                route = _tally(routes, (supplier, name))
                route.sentence.append(when)
                route.relation_types.extend(link.supply_types[supplier])
        for keys, more, rows in ((strong, weak, origins), (strong_categories, weak_categories, categories)):
            for key in keys:
                _tally(rows, key).sentence.append(when)
            for key in more - keys:
                _tally(rows, key).cooccurrence.append(when)
        (overall.sentence if said else overall.cooccurrence).append(when)
    categories.pop("", None)  # weapons of no known category
    return ArsenalProfile(
        request=request,
        documents=len(overall.sentence),
        cooccurrence_documents=len(overall.cooccurrence),
        weapons=sorted(
            (_weapon_row(name, tally, request.new_since) for name, tally in weapons.items()),
            key=lambda row: (-row.documents, -row.cooccurrence_documents, row.weapon),
        ),
        origins=_count_rows(origins, origin_weapons, request.new_since),
        categories=_count_rows(categories, category_weapons, request.new_since),
        suppliers=_count_rows(suppliers, supplier_weapons, request.new_since),
        routes=sorted(
            (
                Route(supplier, suppliers[supplier].kind, weapon, len(route.sentence), _counted(route.relation_types))
                for (supplier, weapon), route in routes.items()
            ),
            key=lambda route: (-route.documents, route.supplier, route.weapon),
        ),
        first_seen=overall.first(),
        last_seen=overall.last(),
    )


def _counted(values: Iterable[str]) -> dict[str, int]:
    """value -> how many times, most first (ties by value)."""
    return dict(sorted(Counter(values).items(), key=lambda item: (-item[1], item[0])))


def _weapon_row(name: str, tally: _Tally, new_since: datetime | None) -> WeaponRow:
    sentence, cooccurring = Counter(tally.origins), Counter(tally.cooccurring_origins)
    return WeaponRow(
        weapon=name,
        weapon_kind=tally.kind,
        category=tally.category,
        origins=sorted(
            sentence.keys() | cooccurring.keys(),
            key=lambda origin: (-sentence[origin], -cooccurring[origin], origin),
        ),
        documents=len(tally.sentence),
        cooccurrence_documents=len(tally.cooccurrence),
        first_seen=tally.first(),
        last_seen=tally.last(),
        relation_types=_counted(tally.relation_types),
        suppliers=list(_counted(tally.suppliers)),
        new=tally.new(new_since),
        directions=_counted(tally.directions),
        origin_documents=dict(sentence),
        origin_cooccurrence_documents=dict(cooccurring),
    )


def _count_rows(
    tallies: dict[str, _Tally], key_weapons: list[tuple[str, str]], new_since: datetime | None
) -> list[CountRow]:
    weapons: dict[str, Counter[str]] = {}
    for (key, weapon), count in Counter(key_weapons).items():
        weapons.setdefault(key, Counter())[weapon] = count
    rows = [
        CountRow(
            key=key,
            documents=len(tally.sentence),
            cooccurrence_documents=len(tally.cooccurrence),
            weapons=list(_counted(weapons.get(key, Counter()).elements())),
            first_seen=tally.first(),
            last_seen=tally.last(),
            new=tally.new(new_since),
            kind=tally.kind,
        )
        for key, tally in tallies.items()
    ]
    return sorted(rows, key=lambda row: (-row.documents, -row.cooccurrence_documents, row.key))


# -- the evidence behind a number --------------------------------------------------------------


def evidence(
    backend: IndexBackend,
    request: ProfileRequest,
    *,
    weapon: str | None = None,
    origin: str | None = None,
    category: str | None = None,
    supplier: str | None = None,
    strength: Strength | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[Evidence], int]:
    """The sentences (for co-occurrences, the documents) behind one number of the profile, newest
    document first; the total count second. Filters combine: weapon and origin gives the
    sentences behind that weapon's origin."""
    found = evidence_of(
        backend.iter_links(request.query()),
        request.group,
        cooccurrence=request.cooccurrence,
        weapon=weapon,
        origin=origin,
        category=category,
        supplier=supplier,
        strength=strength,
    )
    page: list[Evidence] = []
    total = 0
    for item in found:
        if offset <= total < offset + limit:
            page.append(item)
        total += 1
    return page, total


# -- JSON --------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def request_json(request: ProfileRequest) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(asdict(request))
    return data


def profile_json(profile: ArsenalProfile) -> dict[str, Any]:
    """The --json and API shape: the request, the totals, the rows (dates in ISO 8601) and what is
    new (empty lists without new_since)."""
    return {
        "group": profile.request.group,
        "request": request_json(profile.request),
        "documents": profile.documents,
        "cooccurrence_documents": profile.cooccurrence_documents,
        "first_seen": _jsonable(profile.first_seen),
        "last_seen": _jsonable(profile.last_seen),
        "weapons": [_jsonable(asdict(row)) for row in profile.weapons],
        "origins": [_jsonable(asdict(row)) for row in profile.origins],
        "categories": [_jsonable(asdict(row)) for row in profile.categories],
        "suppliers": [_jsonable(asdict(row)) for row in profile.suppliers],
        "routes": [asdict(route) for route in profile.routes],
        "new": profile.new_rows(),
    }


def evidence_json(item: Evidence) -> dict[str, Any]:
    data: dict[str, Any] = _jsonable(asdict(item))
    return data
