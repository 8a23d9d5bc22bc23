"""What spiders hand to the pipelines: a fetched resource, before any extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    hints: dict[str, Any] = field(default_factory=dict)  # title/published from a feed or sitemap entry
    body_hash: str = ""
    change: str = ""  # "new" or "changed", set once compared with the ledger
    document: Any = None  # the schema.document.Document built by the extraction step
    known: Any = None  # the ledger's state.ledger.UrlRecord for this URL as the request saw it
