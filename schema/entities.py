"""The document-level entity sets, shared by the entity engine's result and the extraction result
(a leaf module: importing it loads neither the gazetteers nor spaCy)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EntitySets(BaseModel):
    """The de-duplicated, sorted document-level sets analysts filter on."""

    model_config = ConfigDict(extra="forbid")

    weapons: list[str] = Field(default_factory=list)
    weapon_categories: list[str] = Field(default_factory=list)  # mentioned in the text
    weapon_categories_implied: list[str] = Field(default_factory=list)  # categories of the models found
    weapon_origins: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    historical_states: list[str] = Field(default_factory=list)
    armed_groups: list[str] = Field(default_factory=list)
    generic_actors: list[str] = Field(default_factory=list)
    proposed_groups: list[str] = Field(default_factory=list)  # model-proposed, not in the gazetteer


ENTITY_SETS: tuple[str, ...] = tuple(EntitySets.model_fields)
