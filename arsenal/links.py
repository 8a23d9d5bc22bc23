"""What one document says of an armed group and its weapons: the links an arsenal profile counts
and the evidence behind them cites.

Two strengths of link: `sentence`, where a relation ties the group to the weapon in one sentence
(whatever its type or direction: seized from the group still means the group had it), and
`cooccurrence`, where the document names both but no sentence connects them (weaker). Within one
document, an origin the text states for a weapon overrides the gazetteer's default for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from schema.relations import LinkedDocument, LinkedWeapon, Relation

Strength = Literal["sentence", "cooccurrence"]
STRENGTHS: tuple[Strength, ...] = ("sentence", "cooccurrence")
_NOTHING: Mapping[str, Any] = MappingProxyType({})


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
    """Published, else fetched (timezone-aware: LinkedDocument takes a naive date as UTC)."""
    return document.published or document.fetched


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
