"""The one Document schema shared by every stage (crawler, extractors, index backends)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schema.entities import Entity, EntitySets
from schema.relations import MAX_SENTENCE_CHARS, LinkedDocument, LinkedWeapon, OriginStatement, Relation

SourceKind = Literal["feed", "sitemap", "site", "page", "document"]


def document_id(canonical_url: str) -> str:
    """Stable id derived from the canonical URL: a re-crawl updates, never duplicates."""
    return hashlib.sha256(canonical_url.strip().encode("utf-8")).hexdigest()[:32]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


class PageSpan(BaseModel):
    """Where a page of a paginated document (PDF) starts in `text`, so a hit can be cited."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Capture(BaseModel):
    """Where the bytes a document was made from are preserved: one WARC record under the captures
    directory (captures/), addressed by file, offset and length as CDX indexes do. The record is a
    `response` holding the payload, or a `revisit` pointing at the response that does (the same
    payload fetched before)."""

    model_config = ConfigDict(extra="forbid")

    warc: str  # file name under the captures directory
    offset: int = Field(ge=0)
    length: int = Field(ge=0)
    record_id: str  # WARC-Record-ID, "<urn:uuid:...>"
    payload_sha256: str  # hex SHA-256 of the payload as served (before any content decoding)
    fetched_at: datetime
    ip: str = ""  # the address actually connected to
    url: str = ""  # WARC-Target-URI
    status: int = 0
    content_hash: str = ""  # the document's content_hash when it was made from this capture (versions)

    @field_validator("fetched_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class _DocumentFields(BaseModel):
    """Every Document field but the entity sets (see Document)."""

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

    capture: Capture | None = None  # the preserved copy this version was extracted from
    versions: list[Capture] = Field(default_factory=list)  # earlier captures with other content, newest first

    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)  # (armed group, weapon) pairs per sentence
    origin_statements: list[OriginStatement] = Field(default_factory=list)  # where the text says a weapon was made


class Document(EntitySets, _DocumentFields):
    """One fetched resource as every stage sees it: its fields, then the entity sets
    (schema.entities.DOCUMENT_ENTITY_SETS). Pydantic collects fields from the bases in reverse
    method resolution order, so listing EntitySets first puts its fields last, where the stored
    JSON has always had them."""

    model_config = ConfigDict(extra="forbid")

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

    def capture_at(self, version: int) -> Capture | None:
        """The capture of the document as indexed (version 0; None when none was preserved) or of
        its Nth earlier version (newest first). IndexError for a version it does not have."""
        if not 0 <= version <= len(self.versions):
            raise IndexError(f"document {self.id} has {len(self.versions)} earlier versions, not {version}")
        return self.capture if version == 0 else self.versions[version - 1]

    @property
    def all_captures(self) -> list[Capture]:
        """Every preserved capture: the one indexed (if any), then the earlier versions, newest first."""
        return [capture for capture in (self.capture, *self.versions) if capture is not None]

    def page_at(self, offset: int) -> int | None:
        """Page number holding the character at `offset` (None for unpaginated documents)."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        return None

    def linked(self) -> LinkedDocument:
        """What an arsenal profile reads of this document (schema.relations.LinkedDocument)."""
        weapons = {
            LinkedWeapon(
                weapon=mention.canonical,
                weapon_kind="model" if mention.attributes.get("kind") == "model" else "category",
                category=str(
                    mention.attributes.get("category")
                    or (mention.canonical if mention.attributes.get("kind") == "category" else "")
                ),
                origin=str(mention.attributes.get("origin") or ""),
                origin_stated=bool(mention.attributes.get("origin_stated")),
            )
            for mention in self.entities
            if mention.label == "WEAPON" and mention.origin == "gazetteer"
        }
        return LinkedDocument(
            id=self.id,
            url=self.url,
            title=self.title,
            published=self.published,
            fetched=self.fetched,
            source_id=self.source_id,
            language=self.language,
            capture_sha256=self.capture.payload_sha256 if self.capture else "",
            capture_fetched=self.capture.fetched_at if self.capture else None,
            armed_groups=list(self.armed_groups),
            weapons=sorted(weapons, key=lambda weapon: (weapon.weapon_kind, weapon.weapon, weapon.origin)),
            relations=[
                relation.model_copy(update={"sentence": relation.sentence[:MAX_SENTENCE_CHARS]})
                for relation in self.relations
            ],
            origin_statements=list(self.origin_statements),
            relation_pages=[self.page_at(relation.start) for relation in self.relations],
        )
