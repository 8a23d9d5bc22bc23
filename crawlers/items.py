"""What spiders hand to the pipelines: a fetched resource, before any extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from schema.document import Capture, Document

if TYPE_CHECKING:
    from state.ledger import UrlRecord


class ListingHints(TypedDict, total=False):
    """What a feed or sitemap entry said about the document it lists, used where the page says nothing."""

    title: str
    published: datetime | None


@dataclass
class FetchedResource:
    url: str  # final URL, after redirects
    requested_url: str
    source_id: str
    watchlist: str
    kind: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None = None
    tags: list[str] = field(default_factory=list)
    language_hint: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    lastmod: datetime | None = None  # from a feed or sitemap
    hints: ListingHints = field(default_factory=ListingHints)  # from a feed or sitemap entry
    body_hash: str = ""
    change: str = ""  # "new" or "changed", set once compared with the ledger
    known: UrlRecord | None = None  # the ledger's record of this URL as the request saw it
    capture: Capture | None = None  # where the response is preserved (crawlers/middlewares/capture.py)
    fingerprint: bytes = b""  # the text's shingle hashes, from its extraction (for the story index)
    _document: Document | None = field(default=None, init=False, repr=False)

    @property
    def document(self) -> Document:
        """The Document the extraction step built (crawlers/pipelines/extract.py); the pipelines
        after it read it, and an error says so if one runs before it."""
        if self._document is None:
            raise RuntimeError(f"{self.url}: no document yet, the extraction step has not run")
        return self._document

    @document.setter
    def document(self, document: Document) -> None:
        self._document = document
