"""The one Document schema shared by every stage (crawler, extractors, index backends)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SourceKind = Literal["feed", "sitemap", "site", "page", "document"]

#: Document-level entity sets, in the order they are shown as facets.
ENTITY_SETS: tuple[str, ...] = (
    "weapons",
    "weapon_categories",
    "weapon_categories_implied",
    "weapon_origins",
    "countries",
    "historical_states",
    "armed_groups",
    "generic_actors",
)


def document_id(canonical_url: str) -> str:
    """Stable id derived from the canonical URL: a re-crawl updates, never duplicates."""
    return hashlib.sha256(canonical_url.strip().encode("utf-8")).hexdigest()[:32]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


class Entity(BaseModel):
    """One entity span found in a document's text."""

    model_config = ConfigDict(extra="forbid")

    label: str  # WEAPON, COUNTRY, ARMED_GROUP, HISTORICAL_STATE, GENERIC_ACTOR, or a model label (ORG, GPE, ...)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    canonical: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    origin: Literal["gazetteer", "model"] = "gazetteer"


class PageSpan(BaseModel):
    """Where a page of a paginated document (PDF) starts in `text`, so a hit can be cited."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    url: str
    canonical_url: str
    source_id: str = ""
    watchlist: str = ""
    kind: SourceKind = "page"
    tags: list[str] = Field(default_factory=list)
    content_type: str = "text/html"

    title: str = ""
    text: str = ""
    authors: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    pages: list[PageSpan] = Field(default_factory=list)
    extraction_method: str = ""

    language: str = "und"
    language_confidence: float = 0.0

    published: datetime | None = None
    modified: datetime | None = None
    fetched: datetime = Field(default_factory=utcnow)
    indexed: datetime | None = None

    content_hash: str = ""
    story_id: str | None = None  # near-duplicate cluster (syndicated copies share one)
    # A canonical URL the page declared on another site: never adopted as `canonical_url`, only
    # noted with the URL's outcome in the crawl ledger. It describes one fetch, not the document,
    # so it is left out of every serialisation (the index backends store none of it).
    declared_canonical: str = Field(default="", exclude=True)

    entities: list[Entity] = Field(default_factory=list)
    weapons: list[str] = Field(default_factory=list)
    weapon_categories: list[str] = Field(default_factory=list)
    weapon_categories_implied: list[str] = Field(default_factory=list)
    weapon_origins: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    historical_states: list[str] = Field(default_factory=list)
    armed_groups: list[str] = Field(default_factory=list)
    generic_actors: list[str] = Field(default_factory=list)

    @field_validator("published", "modified", "fetched", "indexed")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @classmethod
    def new(cls, canonical_url: str, **fields: Any) -> Document:
        fields.setdefault("url", canonical_url)
        return cls(id=document_id(canonical_url), canonical_url=canonical_url, **fields)

    def with_hash(self) -> Document:
        return self.model_copy(update={"content_hash": content_hash(self.title + "\n" + self.text)})

    def page_at(self, offset: int) -> int | None:
        """Page number holding the character at `offset` (None for unpaginated documents)."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        return None
