"""An armed group's arsenal: the weapons documents report it with, where they were made, who
supplied them and since when, each number backed by citable evidence.

Pure aggregation over `IndexBackend.iter_links` (schema.relations.LinkedDocument). Everything is
counted per document: a document that names the same weapon ten times counts once for it. Two
strengths of link are kept apart:

- sentence: a relation extracted from one sentence that names both the group and the weapon,
  whatever its type or direction (seized from the group still means the group had it);
- cooccurrence: the document names the group and the weapon but no sentence connects them —
  a weaker link, counted separately and only shown as such.

Within one document, an origin the text states for a weapon overrides the gazetteer's default
for that weapon (the `origin_stated` flag on relations and linked weapons).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal, NamedTuple, TypeVar

from index.backend import IndexBackend
from index.query import And, Filter, Node, Query
from schema.relations import LinkedDocument, LinkedWeapon, Relation

Strength = Literal["sentence", "cooccurrence"]
STRENGTHS: tuple[Strength, ...] = ("sentence", "cooccurrence")
_Key = TypeVar("_Key", str, tuple[str, str])
_NOTHING: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class ProfileRequest:
    group: str  # canonical armed-group name (the CLI and the web resolve aliases first)
    since: datetime | None = None  # document date range on `published`: undated documents are left out of a range
    until: datetime | None = None
    sources: tuple[str, ...] = ()  # source ids (any of)
    new_since: datetime | None = None  # what was first seen at/after this moment is "new"
    cooccurrence: bool = True  # include the weaker document co-occurrence links

    def query(self) -> Query:
        """The documents the profile reads: those naming the group, in the range and sources."""
        where: Node = Filter(name="group", values=[self.group])
        if self.sources:
            where = And(children=[where, Filter(name="source", values=list(self.sources))])
        return Query(where=where, since=self.since, until=self.until)


@dataclass(frozen=True)
class Evidence:
    """One citable sentence (for a co-occurrence, the document) behind a number."""

    doc_id: str
    url: str
    title: str
    published: datetime | None
    capture_sha256: str
    capture_fetched: datetime | None
    strength: Strength
    relation_type: str  # "" for a co-occurrence
    direction: str
    cue: str
    confidence: float
    method: str
    weapon: str
    weapon_kind: str
    category: str
    origin: str
    origin_stated: bool
    supplier: str
    supplier_kind: str
    sentence: str  # "" for a co-occurrence: the document is the evidence
    start: int
    end: int
    page: int | None
    fetched: datetime | None = None  # the document's own fetch time (its date when it has no published one)


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


# -- what one document says --------------------------------------------------------------------


class WeaponLink(NamedTuple):
    """What one document says of one weapon with the group, at one strength."""

    weapon: str
    weapon_kind: str
    category: str
    strength: Strength
    origins: AbstractSet[str]  # effective: the stated ones if any, else the gazetteer's
    relation_types: AbstractSet[str] = frozenset()
    directions: AbstractSet[str] = frozenset()
    suppliers: Mapping[str, str] = _NOTHING  # name -> kind
    supply_types: Mapping[str, AbstractSet[str]] = _NOTHING  # supplier -> the relation types naming it
    relations: Sequence[int] = ()  # indices into the document's relations
    linked: Sequence[LinkedWeapon] = ()  # co-occurrence: the document's mentions


def document_date(document: LinkedDocument) -> datetime:
    """Published, else fetched (in UTC)."""
    return aware(document.published or document.fetched)


def aware(moment: datetime) -> datetime:
    """A naive moment is taken as UTC, so that stored and typed dates compare."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def supplies(direction: str) -> bool:
    """Whether a relation's supplier supplied the group: not when the weapon left the group."""
    return direction != "from_group"


def document_links(document: LinkedDocument, group: str, cooccurrence: bool = True) -> dict[str, WeaponLink]:
    """weapon -> what `document` says of it with `group`: a sentence link where a relation connects
    them, else (with `cooccurrence`) a co-occurrence link where the document names both. A
    category the document only names alongside one of its models adds no co-occurrence of its own."""
    said: dict[str, list[int]] = {}
    for index, relation in enumerate(document.relations):
        if relation.group == group:
            said.setdefault(relation.weapon, []).append(index)
    links = {weapon: _sentence_link(document.relations, indices) for weapon, indices in said.items()}
    if cooccurrence and document.weapons and group in document.armed_groups:
        _add_cooccurrences(document.weapons, links)
    return links


def _sentence_link(relations: Sequence[Relation], indices: list[int]) -> WeaponLink:
    if len(indices) == 1:  # most often: one sentence per weapon and document, built directly
        return _single_sentence_link(relations[indices[0]], indices)
    told = [relations[index] for index in indices]
    first = told[0]
    suppliers: dict[str, str] = {}
    supply_types: dict[str, set[str]] = {}
    for relation in told:
        if relation.supplier and supplies(relation.direction):
            suppliers.setdefault(relation.supplier, relation.supplier_kind)
            supply_types.setdefault(relation.supplier, set()).add(relation.type)
    return WeaponLink(
        weapon=first.weapon,
        weapon_kind=first.weapon_kind,
        category=first.category,
        strength="sentence",
        origins={relation.origin for relation in told if relation.origin_stated and relation.origin}
        or {relation.origin for relation in told if relation.origin},
        relation_types={relation.type for relation in told},
        directions={relation.direction for relation in told},
        suppliers=suppliers,
        supply_types=supply_types,
        relations=indices,
    )


def _single_sentence_link(relation: Relation, indices: list[int]) -> WeaponLink:
    supplied = bool(relation.supplier) and supplies(relation.direction)
    return WeaponLink(
        weapon=relation.weapon,
        weapon_kind=relation.weapon_kind,
        category=relation.category,
        strength="sentence",
        origins={relation.origin} if relation.origin else frozenset(),
        relation_types={relation.type},
        directions={relation.direction},
        suppliers={relation.supplier: relation.supplier_kind} if supplied else _NOTHING,
        supply_types={relation.supplier: {relation.type}} if supplied else _NOTHING,
        relations=indices,
    )


def _add_cooccurrences(weapons: list[LinkedWeapon], links: dict[str, WeaponLink]) -> None:
    mentioned: dict[str, list[LinkedWeapon]] = {}
    for weapon in weapons:
        if weapon.weapon not in links:
            mentioned.setdefault(weapon.weapon, []).append(weapon)
    if not mentioned:
        return
    if any(weapon.weapon_kind == "category" for weapon in weapons):
        covered = {weapon.category for weapon in weapons if weapon.weapon_kind == "model"}
        covered.update(link.category for link in links.values())
        mentioned = {
            name: found
            for name, found in mentioned.items()
            if not (found[0].weapon_kind == "category" and name in covered)
        }
    for name, found in mentioned.items():
        if len(found) > 1 and any(weapon.origin_stated for weapon in found):
            found = [weapon for weapon in found if weapon.origin_stated]
        first = found[0]
        links[name] = WeaponLink(
            weapon=name,
            weapon_kind=first.weapon_kind,
            category=first.category,
            strength="cooccurrence",
            origins={weapon.origin for weapon in found if weapon.origin},
            linked=found,
        )


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
    new_since = aware(request.new_since) if request.new_since else None
    return ArsenalProfile(
        request=request,
        documents=len(overall.sentence),
        cooccurrence_documents=len(overall.cooccurrence),
        weapons=sorted(
            (_weapon_row(name, tally, new_since) for name, tally in weapons.items()),
            key=lambda row: (-row.documents, -row.cooccurrence_documents, row.weapon),
        ),
        origins=_count_rows(origins, origin_weapons, new_since),
        categories=_count_rows(categories, category_weapons, new_since),
        suppliers=_count_rows(suppliers, supplier_weapons, new_since),
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
        request,
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


def evidence_of(
    documents: Iterable[LinkedDocument],
    request: ProfileRequest,
    *,
    weapon: str | None = None,
    origin: str | None = None,
    category: str | None = None,
    supplier: str | None = None,
    strength: Strength | None = None,
) -> Iterator[Evidence]:
    """Every piece of evidence among `documents` that the filters select, in document order."""
    for document in documents:
        for link in document_links(document, request.group, request.cooccurrence).values():
            if (weapon is not None and link.weapon != weapon) or (category is not None and link.category != category):
                continue
            if (strength is not None and link.strength != strength) or (
                origin is not None and origin not in link.origins
            ):
                continue
            if supplier is not None and supplier not in link.suppliers:
                continue
            if link.strength == "sentence":
                yield from _sentences(document, link, origin, supplier)
            else:
                yield from _cooccurrences(document, link, origin)


def _sentences(
    document: LinkedDocument, link: WeaponLink, origin: str | None, supplier: str | None
) -> Iterator[Evidence]:
    for index in link.relations:
        relation = document.relations[index]
        if origin is not None and relation.origin != origin:
            continue
        if supplier is not None and (relation.supplier != supplier or not supplies(relation.direction)):
            continue
        yield Evidence(
            doc_id=document.id,
            url=document.url,
            title=document.title,
            published=document.published,
            capture_sha256=document.capture_sha256,
            capture_fetched=document.capture_fetched,
            strength="sentence",
            relation_type=relation.type,
            direction=relation.direction,
            cue=relation.cue,
            confidence=relation.confidence,
            method=relation.method,
            weapon=relation.weapon,
            weapon_kind=relation.weapon_kind,
            category=relation.category,
            origin=relation.origin,
            origin_stated=relation.origin_stated,
            supplier=relation.supplier,
            supplier_kind=relation.supplier_kind,
            sentence=relation.sentence,
            start=relation.start,
            end=relation.end,
            page=document.relation_pages[index] if index < len(document.relation_pages) else None,
            fetched=document.fetched,
        )


def _cooccurrences(document: LinkedDocument, link: WeaponLink, origin: str | None) -> Iterator[Evidence]:
    shown = sorted({(weapon.origin, weapon.origin_stated) for weapon in link.linked})
    for weapon_origin, stated in shown:
        if origin is not None and weapon_origin != origin:
            continue
        yield Evidence(
            doc_id=document.id,
            url=document.url,
            title=document.title,
            published=document.published,
            capture_sha256=document.capture_sha256,
            capture_fetched=document.capture_fetched,
            strength="cooccurrence",
            relation_type="",
            direction="",
            cue="",
            confidence=0.0,
            method="",
            weapon=link.weapon,
            weapon_kind=link.weapon_kind,
            category=link.category,
            origin=weapon_origin,
            origin_stated=stated,
            supplier="",
            supplier_kind="",
            sentence="",
            start=0,
            end=0,
            page=None,
            fetched=document.fetched,
        )


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
