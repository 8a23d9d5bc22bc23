"""Pydantic models returned by the extraction layer.

`PageSpan` and the entity sets are the schema's own (schema/document.py, schema/entities.py),
so the crawler turns an `Extraction` into a `Document` without translating anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schema.document import PageSpan
from schema.entities import ExtractedEntitySets

__all__ = ["Extraction", "LanguageResult", "PageSpan"]


class LanguageResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str  # ISO 639-1 code, or "und" when undetermined
    confidence: float = Field(ge=0.0, le=1.0)
    method: str  # "langdetect", "langdetect+hint", "too_short", "uncertain"


class Extraction(ExtractedEntitySets):
    """Everything the extraction layer knows about one fetched resource.

    `entities` holds each mention as a `schema.entities.Entity` dumped to a dict (the JSON
    `osint extract --json` prints). Entity offsets (`entities[*].start/end`) index into `text`,
    except mentions found in the title, which carry `attributes["field"] == "title"` and index
    into `title`.
    """

    model_config = ConfigDict(extra="forbid")

    url: str
    canonical_url: str
    content_type: str
    method: str  # which extractor produced `text`: "trafilatura", "bs4-main", "bs4-fulltext", "pypdf", "plain"
    encoding: str | None = None  # character encoding the body was decoded with (None for PDF)

    title: str = ""
    text: str = ""
    authors: list[str] = Field(default_factory=list)
    published: datetime | None = None  # timezone-aware UTC
    modified: datetime | None = None  # timezone-aware UTC
    links: list[str] = Field(default_factory=list)
    pages: list[PageSpan] = Field(default_factory=list)

    declared_language: str | None = None
    language: str = "und"
    language_confidence: float = 0.0

    entities: list[dict[str, Any]] = Field(default_factory=list)
    #: (armed group, weapon) relations and origin statements, as schema.relations models dumped
    #: to dicts; offsets index into `text`
    relations: list[dict[str, Any]] = Field(default_factory=list)
    origin_statements: list[dict[str, Any]] = Field(default_factory=list)
    #: the text's shingle hashes (extractors/fingerprint.py), for the crawl's story index; not
    #: part of the extraction's JSON
    fingerprint: bytes = Field(default=b"", exclude=True, repr=False)

    def page_at(self, offset: int) -> int | None:
        """Page number holding the character at `offset` in `text` (None when unpaginated)."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        return None
