"""Result models of the entity extractor.

A mention is the schema's `Entity` (schema/entities.py), the very model a `Document` stores;
`EntityMention` is its name here, where `start`/`end` index into the text given to
`extract_entities`.
"""

from __future__ import annotations

from pydantic import Field

from schema.entities import Entity, ExtractedEntitySets

MODEL_LABELS = ("ORG", "GPE", "NORP", "PERSON", "DATE")

#: One entity span found by the extractor: a `schema.entities.Entity`.
EntityMention = Entity


class EntityResult(ExtractedEntitySets):
    """Spans plus the document-level sets."""

    language: str = "und"
    entities: list[EntityMention] = Field(default_factory=list)
    #: True when the text was longer than the extractor's bound and only its head was read.
    truncated: bool = False
    #: Name of the statistical spaCy pipeline that added model entities, or None.
    model: str | None = None
