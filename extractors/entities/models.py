"""Result models of the entity extractor.

`EntityMention` has exactly the fields of `schema.document.Entity`, so the crawler can build one
from the other with `Entity(**mention.model_dump())` without `extractors/` importing `index/`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schema.entities import EntitySets

MODEL_LABELS = ("ORG", "GPE", "NORP", "PERSON", "DATE")


class EntityMention(BaseModel):
    """One entity span; `start`/`end` index into the text given to `extract_entities`."""

    model_config = ConfigDict(extra="forbid")

    label: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    canonical: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    origin: Literal["gazetteer", "model"] = "gazetteer"


class EntityResult(EntitySets):
    """Spans plus the document-level sets."""

    language: str = "und"
    entities: list[EntityMention] = Field(default_factory=list)
    #: True when the text was longer than the extractor's bound and only its head was read.
    truncated: bool = False
    #: Name of the statistical spaCy pipeline that added model entities, or None.
    model: str | None = None
