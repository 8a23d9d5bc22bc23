"""The entity mentions of a document as readers see them, for `osint show` (the terminal) and the
workbench's document page alike: which mentions belong to the title and which to the text, which
can be marked at all, and the entities grouped with their counts and merged attributes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schema.document import Document
from schema.entities import Entity


def title_mentions(document: Document) -> list[Entity]:
    """Mentions found in the title: their offsets index into the title, not the text."""
    return [entity for entity in document.entities if entity.attributes.get("field") == "title"]


def text_mentions(document: Document) -> list[Entity]:
    return [entity for entity in document.entities if entity.attributes.get("field") != "title"]


def markable(text: str, mentions: Iterable[Entity], avoid: Sequence[int] = ()) -> list[Entity]:
    """The mentions that can be marked, in text order: one whose offsets do not frame its own text,
    or that overlaps an earlier one, is left unmarked rather than marked wrongly; so is one that an
    offset of `avoid` (where a page starts) falls inside."""
    usable = []
    position = 0
    for entity in sorted(mentions, key=lambda mention: (mention.start, -mention.end)):
        if entity.start < position or entity.start == entity.end or text[entity.start : entity.end] != entity.text:
            continue
        if any(entity.start < offset < entity.end for offset in avoid):
            continue
        usable.append(entity)
        position = entity.end
    return usable


@dataclass
class EntityGroup:
    """One entity (label and canonical name) of a document: its first mention, how often it is
    mentioned, what its mentions say of it, and what found them (gazetteer, model)."""

    first: Entity
    mentions: int = 0
    attributes: dict[str, Any] = field(default_factory=dict)
    found_by: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return self.first.label

    @property
    def canonical(self) -> str:
        return self.first.canonical


def grouped(entities: Iterable[Entity]) -> list[EntityGroup]:
    """The entities, by label, the most mentioned first."""
    groups: dict[tuple[str, str], EntityGroup] = {}
    for entity in entities:
        group = groups.setdefault((entity.label, entity.canonical), EntityGroup(entity))
        group.mentions += 1
        group.found_by.add(entity.origin)
        group.attributes.update({name: value for name, value in entity.attributes.items() if value is not None})
    return sorted(groups.values(), key=lambda group: (group.label, -group.mentions, group.canonical))
