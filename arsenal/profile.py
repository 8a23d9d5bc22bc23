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
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from index.backend import IndexBackend
from index.query import And, Filter, Node, Query
from schema.relations import LinkedDocument, LinkedWeapon

Strength = Literal["sentence", "cooccurrence"]
STRENGTHS: tuple[Strength, ...] = ("sentence", "cooccurrence")


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


@dataclass(slots=True)
class WeaponLink:
    """What one document says of one weapon with the group, at one strength."""

    weapon: str
    weapon_kind: str
    category: str
    strength: Strength
    origins: set[str] = field(default_factory=set)  # effective: the stated ones if any, else the gazetteer's
    relation_types: set[str] = field(default_factory=set)
    directions: set[str] = field(default_factory=set)
    suppliers: dict[str, str] = field(default_factory=dict)  # name -> kind
    supply_types: dict[str, set[str]] = field(default_factory=dict)  # supplier -> the relation types naming it
    relations: list[int] = field(default_factory=list)  # indices into the document's relations
    linked: list[LinkedWeapon] = field(default_factory=list)  # co-occurrence: the document's mentions


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
    links: dict[str, WeaponLink] = {}
    stated: dict[str, set[str]] = {}
    guessed: dict[str, set[str]] = {}
    for index, relation in enumerate(document.relations):
        if relation.group != group:
            continue
        link = links.get(relation.weapon)
        if link is None:
            link = links[relation.weapon] = WeaponLink(
                relation.weapon, relation.weapon_kind, relation.category, "sentence"
            )
        link.relations.append(index)
        link.relation_types.add(relation.type)
        link.directions.add(relation.direction)
        if relation.origin:
            (stated if relation.origin_stated else guessed).setdefault(relation.weapon, set()).add(relation.origin)
        if relation.supplier and supplies(relation.direction):
            link.suppliers.setdefault(relation.supplier, relation.supplier_kind)
            link.supply_types.setdefault(relation.supplier, set()).add(relation.type)
    for weapon, link in links.items():
        link.origins = stated.get(weapon) or guessed.get(weapon) or set()
    if cooccurrence and group in document.armed_groups:
        _add_cooccurrences(document.weapons, links)
    return links


def _add_cooccurrences(weapons: list[LinkedWeapon], links: dict[str, WeaponLink]) -> None:
    covered = {weapon.category for weapon in weapons if weapon.weapon_kind == "model"}
    covered.update(link.category for link in links.values())
    found: dict[str, WeaponLink] = {}
    for weapon in weapons:
        if weapon.weapon in links or (weapon.weapon_kind == "category" and weapon.weapon in covered):
            continue
        link = found.get(weapon.weapon)
        if link is None:
            link = found[weapon.weapon] = WeaponLink(weapon.weapon, weapon.weapon_kind, weapon.category, "cooccurrence")
        link.linked.append(weapon)
    for link in found.values():
        if any(weapon.origin_stated for weapon in link.linked):
            link.linked = [weapon for weapon in link.linked if weapon.origin_stated]
        link.origins = {weapon.origin for weapon in link.linked if weapon.origin}
    links.update(found)


# -- the profile -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """Running counts for one row while documents stream past."""

    documents: int = 0
    cooccurrence_documents: int = 0
    first: datetime | None = None
    last: datetime | None = None
    weapons: Counter[str] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)  # sentence documents
    cooccurring_origins: Counter[str] = field(default_factory=Counter)  # co-occurrence documents
    suppliers: Counter[str] = field(default_factory=Counter)
    relation_types: Counter[str] = field(default_factory=Counter)
    directions: Counter[str] = field(default_factory=Counter)
    kind: str = ""
    category: str = ""

    def seen(self, strength: Strength, when: datetime) -> None:
        if strength == "sentence":
            self.documents += 1
        else:
            self.cooccurrence_documents += 1
        if self.first is None or when < self.first:
            self.first = when
        if self.last is None or when > self.last:
            self.last = when


def _strongest(found: dict[str, tuple[Strength, set[str]]], key: str, strength: Strength, weapon: str) -> None:
    """Per document: a key counts once, as a sentence link if any of its links is one."""
    current = found.get(key)
    if current is None:
        found[key] = (strength, {weapon})
        return
    current[1].add(weapon)
    if strength == "sentence" and current[0] != "sentence":
        found[key] = ("sentence", current[1])


def build_profile(backend: IndexBackend, request: ProfileRequest) -> ArsenalProfile:
    """The group's arsenal over every document the request matches."""
    return profile_of(backend.iter_links(request.query()), request)


def profile_of(documents: Iterable[LinkedDocument], request: ProfileRequest) -> ArsenalProfile:
    """The profile over `documents` (those naming the group; any other adds nothing)."""
    weapons: dict[str, _Tally] = {}
    origins: dict[str, _Tally] = {}
    categories: dict[str, _Tally] = {}
    suppliers: dict[str, _Tally] = {}
    supplier_kinds: dict[str, str] = {}
    routes: dict[tuple[str, str], _Tally] = {}
    overall = _Tally()
    for document in documents:
        links = document_links(document, request.group, request.cooccurrence)
        if not links:
            continue
        when = document_date(document)
        by_origin: dict[str, tuple[Strength, set[str]]] = {}
        by_category: dict[str, tuple[Strength, set[str]]] = {}
        by_supplier: dict[str, tuple[Strength, set[str]]] = {}
        for name, link in links.items():
            tally = weapons.get(name)
            if tally is None:
                tally = weapons[name] = _Tally(kind=link.weapon_kind, category=link.category)
            tally.seen(link.strength, when)
            (tally.origins if link.strength == "sentence" else tally.cooccurring_origins).update(link.origins)
            tally.suppliers.update(link.suppliers.keys())
            tally.relation_types.update(link.relation_types)
            tally.directions.update(link.directions)
            for origin in link.origins:
                _strongest(by_origin, origin, link.strength, name)
            if link.category:
                _strongest(by_category, link.category, link.strength, name)
            for supplier, kind in link.suppliers.items():
                _strongest(by_supplier, supplier, "sentence", name)
                supplier_kinds.setdefault(supplier, kind)
                route = routes.get((supplier, name))
                if route is None:
                    route = routes[supplier, name] = _Tally(kind=kind)
                route.documents += 1
                route.relation_types.update(link.supply_types[supplier])
        for rows, found in ((origins, by_origin), (categories, by_category), (suppliers, by_supplier)):
            for key, (strength, names) in found.items():
                row = rows.get(key)
                if row is None:
                    row = rows[key] = _Tally(kind=supplier_kinds.get(key, "") if rows is suppliers else "")
                row.seen(strength, when)
                row.weapons.update(names)
        overall.seen(
            "sentence" if any(link.strength == "sentence" for link in links.values()) else "cooccurrence", when
        )
    new_since = aware(request.new_since) if request.new_since else None
    return ArsenalProfile(
        request=request,
        documents=overall.documents,
        cooccurrence_documents=overall.cooccurrence_documents,
        weapons=sorted(
            (_weapon_row(name, tally, new_since) for name, tally in weapons.items()),
            key=lambda row: (-row.documents, -row.cooccurrence_documents, row.weapon),
        ),
        origins=_count_rows(origins, new_since),
        categories=_count_rows(categories, new_since),
        suppliers=_count_rows(suppliers, new_since),
        routes=sorted(
            (
                Route(supplier, tally.kind, weapon, tally.documents, dict(tally.relation_types))
                for (supplier, weapon), tally in routes.items()
            ),
            key=lambda route: (-route.documents, route.supplier, route.weapon),
        ),
        first_seen=overall.first,
        last_seen=overall.last,
    )


def _is_new(tally: _Tally, new_since: datetime | None) -> bool:
    return new_since is not None and tally.first is not None and tally.first >= new_since


def _ranked(counts: Counter[str]) -> list[str]:
    return [key for key, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _weapon_row(name: str, tally: _Tally, new_since: datetime | None) -> WeaponRow:
    return WeaponRow(
        weapon=name,
        weapon_kind=tally.kind,
        category=tally.category,
        origins=sorted(
            tally.origins.keys() | tally.cooccurring_origins.keys(),
            key=lambda origin: (-tally.origins[origin], -tally.cooccurring_origins[origin], origin),
        ),
        documents=tally.documents,
        cooccurrence_documents=tally.cooccurrence_documents,
        first_seen=tally.first,
        last_seen=tally.last,
        relation_types=dict(sorted(tally.relation_types.items(), key=lambda item: (-item[1], item[0]))),
        suppliers=_ranked(tally.suppliers),
        new=_is_new(tally, new_since),
        directions=dict(sorted(tally.directions.items(), key=lambda item: (-item[1], item[0]))),
        origin_documents=dict(tally.origins),
        origin_cooccurrence_documents=dict(tally.cooccurring_origins),
    )


def _count_rows(tallies: dict[str, _Tally], new_since: datetime | None) -> list[CountRow]:
    rows = [
        CountRow(
            key=key,
            documents=tally.documents,
            cooccurrence_documents=tally.cooccurrence_documents,
            weapons=_ranked(tally.weapons),
            first_seen=tally.first,
            last_seen=tally.last,
            new=_is_new(tally, new_since),
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
