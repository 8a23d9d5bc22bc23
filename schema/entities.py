"""The entity schema: one mention (`Entity`) and the document-level entity sets.

A leaf module (pydantic only): the entity extractor returns these models, the crawler stores them
on a `schema.document.Document`, the index backends map and facet them.

Two lists of set names, one a subset of the other:

- `DOCUMENT_ENTITY_SETS` (8): the sets a `Document` carries, indexed and offered as filters and
  facets. `weapon_categories_implied` is derived (the categories of the weapon models found), not
  read from the text.
- `EXTRACTED_ENTITY_SETS` (9): those plus `proposed_groups`, armed groups the statistical model
  proposes where the gazetteer knows none. The extractor reports them for review (`osint extract`)
  but documents do not store them, so they cannot lower precision on the known groups.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Entity(BaseModel):
    """One entity span found in a document's text (`start`/`end` index into the text read)."""

    model_config = ConfigDict(extra="forbid")

    label: str  # WEAPON, COUNTRY, ARMED_GROUP, HISTORICAL_STATE, GENERIC_ACTOR, or a model label (ORG, GPE, ...)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    canonical: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    origin: Literal["gazetteer", "model"] = "gazetteer"


class EntitySets(BaseModel):
    """The de-duplicated, sorted document-level sets analysts filter on, in facet order."""

    model_config = ConfigDict(extra="forbid")

    weapons: list[str] = Field(default_factory=list)
    weapon_categories: list[str] = Field(default_factory=list)  # mentioned in the text
    weapon_categories_implied: list[str] = Field(default_factory=list)  # categories of the models found
    weapon_origins: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    historical_states: list[str] = Field(default_factory=list)
    armed_groups: list[str] = Field(default_factory=list)
    generic_actors: list[str] = Field(default_factory=list)


class ExtractedEntitySets(EntitySets):
    """The document-level sets plus what the extractor reports without the index storing it."""

    proposed_groups: list[str] = Field(default_factory=list)  # model-proposed, not in the gazetteer


#: The entity sets a Document stores (indexed, filterable, faceted), in facet order.
DOCUMENT_ENTITY_SETS: tuple[str, ...] = tuple(EntitySets.model_fields)
#: The entity sets an extraction reports: the document's plus `proposed_groups`.
EXTRACTED_ENTITY_SETS: tuple[str, ...] = tuple(ExtractedEntitySets.model_fields)
