"""RSS/Atom/RDF feeds, parsed by feedparser after a defusedxml check: no entity expansion, ever."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as defused_parse

from crawlers.outcomes import ListingError


class FeedError(ListingError):
    pass


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    published: datetime | None
    updated: datetime | None


def _when(struct: time.struct_time | None) -> datetime | None:
    """A feedparser date (a UTC struct_time), or None when it is missing or not a valid date."""
    if not struct:
        return None
    try:
        return datetime(*struct[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def parse_feed(body: bytes, base_url: str) -> list[FeedEntry]:
    """Entries with a link. Raises FeedError('feed_entity_expansion' | 'malformed_feed' | 'empty_feed')."""
    if not body.strip():
        raise FeedError("empty_feed")
    try:
        defused_parse(BytesIO(body), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError("feed_entity_expansion", type(exc).__name__) from None
    except ParseError as exc:
        strict_error = str(exc)
    else:
        strict_error = ""
    parsed = feedparser.parse(body, resolve_relative_uris=False, sanitize_html=False)
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or next((ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None)
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=urljoin(base_url, link.strip()),
                title=(entry.get("title") or "").strip(),
                published=_when(entry.get("published_parsed")),
                updated=_when(entry.get("updated_parsed")),
            )
        )
    if not entries and (strict_error or parsed.bozo):
        raise FeedError("malformed_feed", strict_error or str(parsed.get("bozo_exception", "")))
    if not entries and not parsed.get("version"):
        raise FeedError("malformed_feed", "not an RSS, Atom or RDF feed")
    return entries
