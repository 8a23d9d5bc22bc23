"""What an arsenal alert reads of the index: the weapon categories and origin countries that
sentences link its armed group to.

The links are the arsenal profile's sentence links (arsenal/links.py), so an alert and the
profile never disagree: a weapon a relation ties to the group, of any type or direction (seized
from the group still means the group had the weapon), links the group to its category and to its
origins (those the document states for that weapon, else the gazetteer's). Documents that only
name the group and a weapon apart (co-occurrence) link nothing. Documents are found by the
group's filter (`armed_groups`), which holds every group a relation names.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from arsenal.links import WeaponLink, document_date, document_links
from index.backend import MATCH_CHUNK, IndexBackend
from index.query import Filter, Query
from schema.relations import LinkedDocument, Relation

Facet = Literal["category", "origin"]


@dataclass(frozen=True)
class ArsenalLink:
    """The group linked to one weapon category or origin country by one sentence of one document."""

    facet: Facet
    value: str  # the category, or the ISO 3166-1 alpha-2 code
    doc_id: str
    dated: datetime  # the document's date: published, else fetched
    relation: Relation  # the evidence: the sentence, the weapon, how they are linked
    page: int | None = None  # the sentence's page, in a paginated document

    @property
    def key(self) -> str:
        """The link's name among an alert's: each facet value fires once per alert, so this is
        also its delivery's id in the outbox (never a document id: those have no colon)."""
        return f"{self.facet}:{self.value}"

    def precedes(self, other: ArsenalLink | None) -> bool:
        """Whether this is the earlier evidence of the two: by document date, then id, then place."""
        if other is None:
            return True
        return (self.dated, self.doc_id, self.relation.start) < (other.dated, other.doc_id, other.relation.start)


def links_in(document: LinkedDocument, group: str) -> Iterator[ArsenalLink]:
    """Every link the document's sentences make between `group` and a category or an origin: per
    weapon, its category with the weapon's first sentence as evidence, each of its origins with
    the first sentence giving that origin."""
    dated = document_date(document)

    def link(facet: Facet, value: str, index: int) -> ArsenalLink:
        pages = document.relation_pages
        page = pages[index] if index < len(pages) else None
        return ArsenalLink(facet, value, document.id, dated, document.relations[index], page)

    for weapon in document_links(document, group, cooccurrence=False).values():
        if weapon.category:
            yield link("category", weapon.category, weapon.relations[0])
        for origin in sorted(weapon.origins):
            yield link("origin", origin, _first_giving(document, weapon, origin))


def _first_giving(document: LinkedDocument, weapon: WeaponLink, origin: str) -> int:
    """The weapon's first sentence that gives `origin` (a stated origin overrides the gazetteer's
    for the whole document, so the sentence that states it is the evidence, not the first one)."""
    return next(index for index in weapon.relations if document.relations[index].origin == origin)


def group_documents(group: str, doc_ids: Sequence[str] | None = None) -> Iterator[Query]:
    """Queries for the documents naming `group` (among `doc_ids`, in chunks a search takes, when given)."""
    where = Filter(name="group", values=[group])
    if doc_ids is None:
        yield Query(where=where)
        return
    for start in range(0, len(doc_ids), MATCH_CHUNK):
        yield Query(where=where, ids=list(doc_ids[start : start + MATCH_CHUNK]))


def first_links(
    backend: IndexBackend,
    group: str,
    doc_ids: Sequence[str] | None = None,
    excluding: Collection[str] = (),
    wanted: Collection[str] | None = None,
) -> dict[str, ArsenalLink]:
    """key -> the earliest link of each category and origin the index's documents (only `doc_ids`,
    when given; never those in `excluding`) link `group` to. With `wanted` (keys), reading stops
    as soon as each of those is found, and only those are answered (their evidence is then one
    document, not necessarily the earliest)."""
    found: dict[str, ArsenalLink] = {}
    if wanted is not None and not wanted:
        return found
    for query in group_documents(group, doc_ids):
        for document in backend.iter_links(query):
            if document.id in excluding:
                continue
            for link in links_in(document, group):
                if (wanted is None or link.key in wanted) and link.precedes(found.get(link.key)):
                    found[link.key] = link
            if wanted is not None and len(found) == len(wanted):
                return found
    return found
