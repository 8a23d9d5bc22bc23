"""The evidence behind one number of an arsenal profile: the sentences that tie the group to a
weapon, or for a co-occurrence the document itself, each with what cites it (URL, date, page, the
digest of the preserved capture)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from arsenal.links import Strength, WeaponLink, document_links, supplies
from schema.relations import LinkedDocument


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


class _Citation(TypedDict):
    """The fields of an Evidence that cite its document, the same for each of its sentences."""

    doc_id: str
    url: str
    title: str
    published: datetime | None
    capture_sha256: str
    capture_fetched: datetime | None
    fetched: datetime


def _citation(document: LinkedDocument) -> _Citation:
    return _Citation(
        doc_id=document.id,
        url=document.url,
        title=document.title,
        published=document.published,
        capture_sha256=document.capture_sha256,
        capture_fetched=document.capture_fetched,
        fetched=document.fetched,
    )


def evidence_of(
    documents: Iterable[LinkedDocument],
    group: str,
    *,
    cooccurrence: bool = True,
    weapon: str | None = None,
    origin: str | None = None,
    category: str | None = None,
    supplier: str | None = None,
    strength: Strength | None = None,
) -> Iterator[Evidence]:
    """Every piece of evidence among `documents` that the filters select, in document order."""
    for document in documents:
        for link in document_links(document, group, cooccurrence).values():
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
            **_citation(document),
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
        )


def _cooccurrences(document: LinkedDocument, link: WeaponLink, origin: str | None) -> Iterator[Evidence]:
    shown = sorted({(weapon.origin, weapon.origin_stated) for weapon in link.linked})
    for weapon_origin, stated in shown:
        if origin is not None and weapon_origin != origin:
            continue
        yield Evidence(
            **_citation(document),
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
        )
