"""Relations between the entities of one document: which armed group a weapon goes with, who
supplied it, and where the text says it was made.

A leaf module (pydantic only), like schema/entities.py: the relation extractor returns these
models, a `schema.document.Document` stores them, the index hands them to arsenal profiles as
`LinkedDocument`s. Offsets index into the document's `text`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: What the sentence says happened between the group and the weapon.
RelationType = Literal[
    "possession",  # the group has, holds, is armed with the weapon
    "use",  # the group fired, launched, attacked with the weapon
    "seizure_from",  # the weapon was seized, confiscated, recovered from the group
    "capture_by",  # the group captured, seized, looted the weapon (from someone else)
    "supply_to",  # the weapon was supplied, delivered, shipped, smuggled to the group
    "sale_to",  # the weapon was sold to (bought by) the group
    "transfer",  # the weapon was transferred, handed over, diverted (to or from the group)
    "found_with",  # the weapon was found with the group (a cache, a hideout, its fighters)
]
RELATION_TYPES: tuple[str, ...] = RelationType.__args__  # type: ignore[attr-defined]

#: Which way the weapon moved relative to the group: reached it (`to_group`), left it
#: (`from_group`), or neither is said (`held`: possession, use, found with).
Direction = Literal["to_group", "from_group", "held"]

SupplierKind = Literal["country", "group", "company", ""]
WeaponKind = Literal["model", "category"]


class Relation(BaseModel):
    """One (armed group, weapon) pair the text connects in one sentence."""

    model_config = ConfigDict(extra="forbid")

    type: RelationType
    direction: Direction
    group: str  # canonical armed group
    weapon: str  # canonical weapon model, or a category when the text names no model
    weapon_kind: WeaponKind
    category: str = ""  # the weapon's category (a model's own, or the category itself)
    origin: str = ""  # ISO 3166-1 alpha-2: stated in the text if it is, else the gazetteer's
    origin_stated: bool = False  # the origin comes from an explicit statement in this document
    supplier: str = ""  # who supplied the weapon, when the text says: an ISO code, a group or a company
    supplier_kind: SupplierKind = ""
    start: int = Field(ge=0)  # the evidence sentence
    end: int = Field(ge=0)
    sentence: str = ""  # the evidence sentence's text (at most MAX_SENTENCE_CHARS)
    group_start: int = Field(ge=0)  # the group's mention
    group_end: int = Field(ge=0)
    weapon_start: int = Field(ge=0)  # the weapon's mention
    weapon_end: int = Field(ge=0)
    cue: str = ""  # the words that say how they are connected ("seized from", "armed with")
    confidence: float = Field(ge=0.0, le=1.0)
    method: Literal["rules", "parse"] = "rules"


#: How the text states an origin: "made in X" / "X-made", "of X origin", "produced by <maker>",
#: a headstamp or factory marking.
OriginCue = Literal["made_in", "origin", "manufacturer", "headstamp"]


class OriginStatement(BaseModel):
    """The text says where one weapon mention was made ("made in China", "of Bulgarian origin",
    "headstamp of factory 71", "produced by Norinco"): origin evidence for that mention, which
    overrides the gazetteer's default origin for the model."""

    model_config = ConfigDict(extra="forbid")

    weapon: str  # canonical weapon (model or category)
    weapon_start: int = Field(ge=0)
    weapon_end: int = Field(ge=0)
    origin: str  # ISO 3166-1 alpha-2 the text states
    default_origin: str = ""  # the gazetteer's origin for the model ("" for a category)
    cue: OriginCue
    manufacturer: str = ""  # when the statement names one
    start: int = Field(ge=0)  # the evidence sentence
    end: int = Field(ge=0)
    sentence: str = ""


#: An evidence sentence longer than this is cut (the offsets still cover all of it).
MAX_SENTENCE_CHARS = 600


class LinkedWeapon(BaseModel):
    """One weapon a document mentions, as a profile needs it for document co-occurrence links."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weapon: str
    weapon_kind: Literal["model", "category"]
    category: str = ""
    origin: str = ""
    origin_stated: bool = False


class LinkedDocument(BaseModel):
    """What an arsenal profile reads of one document: its citation, its groups and weapons (for
    document co-occurrence) and its sentence relations. Backends return these from `iter_links`
    without reading whole documents."""

    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    title: str = ""
    published: datetime | None = None
    fetched: datetime
    source_id: str = ""
    language: str = "und"
    capture_sha256: str = ""  # the payload digest of the capture the text was extracted from
    capture_fetched: datetime | None = None
    armed_groups: list[str] = Field(default_factory=list)
    weapons: list[LinkedWeapon] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    origin_statements: list[OriginStatement] = Field(default_factory=list)
    #: page of each relation's evidence (same order as `relations`), for paginated documents
    relation_pages: list[int | None] = Field(default_factory=list)

    @field_validator("published", "fetched", "capture_fetched")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A naive date (as a backend may store it) is UTC, so that it compares with typed dates."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
