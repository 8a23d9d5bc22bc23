"""A document as the document page reads it: its text cut into segments (plain text, entity
mentions to highlight, "— page N —" markers of a PDF's pages) and its entity table.

Pure logic, no web framework: the template only loops over what this module returns. Crawled text
is hostile, so every piece is cleaned of control characters and bidi overrides (`safe_block`,
as `osint show` does) after the offsets have been applied; HTML escaping is the template's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from app.entity_marks import grouped, markable, text_mentions, title_mentions
from app.output import safe, safe_block
from app.web.links import search_href
from schema.document import Document, PageSpan
from schema.entities import Entity


@dataclass(frozen=True)
class EntityKind:
    """How one entity label is shown and searched."""

    css_class: str  # the highlight colour (app.css / document.css)
    filter: str | None  # the search filter (a key of index.query.FILTER_FIELDS) naming its canonical value
    name: str  # for people, in the entity table


ENTITY_KINDS: dict[str, EntityKind] = {
    "WEAPON": EntityKind("ent-weapon", "weapon", "weapon"),
    "COUNTRY": EntityKind("ent-country", "country", "country"),
    "ARMED_GROUP": EntityKind("ent-group", "group", "armed group"),
    "HISTORICAL_STATE": EntityKind("ent-state", "state", "historical state"),
    "GENERIC_ACTOR": EntityKind("ent-actor", "actor", "actor"),
}
#: a weapon category ("assault rifle") is a WEAPON entity too, but is filtered as a category
WEAPON_CATEGORY = EntityKind("ent-weapon", "category", "weapon category")
#: labels of the statistical model (ORG, GPE, ...): marked, but no filter finds them
OTHER_KIND = EntityKind("ent-other", None, "other")
#: attributes with columns of their own in the entity table
TABLE_ATTRIBUTES = ("origin", "category", "manufacturer", "parent")
#: attributes that say how an entity was found rather than what it is (as `osint show` hides them)
HIDDEN_ATTRIBUTES = frozenset({"field", "evidence", "kind"})


#: the order of the entity table: what the analyst traces first
TABLE_ORDER = ("weapon", "weapon category", "armed group", "country", "historical state", "actor")


def tracked_and_other(rows: list[EntityRow]) -> tuple[list[EntityRow], list[EntityRow]]:
    """The rows of the entities the guidelines define (weapons, categories, groups, countries,
    states, actors), in TABLE_ORDER, and apart from them the statistical model's other names
    (dates, organisations, places), which the page folds away."""
    tracked = [row for row in rows if row.kind is not OTHER_KIND]
    tracked.sort(key=lambda row: TABLE_ORDER.index(row.kind.name) if row.kind.name in TABLE_ORDER else len(TABLE_ORDER))
    return tracked, [row for row in rows if row.kind is OTHER_KIND]


def entity_kind(entity: Entity) -> EntityKind:
    if entity.label == "WEAPON" and entity.attributes.get("kind") == "category":
        return WEAPON_CATEGORY
    return ENTITY_KINDS.get(entity.label, OTHER_KIND)


# -- the text ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    label: str
    canonical: str
    kind: EntityKind
    href: str | None  # the search for this canonical entity (None for labels no filter finds)


@dataclass(frozen=True)
class Segment:
    """A piece of the text in reading order: plain text, one entity mention, or the start of a page."""

    kind: Literal["text", "mention", "page"]
    text: str = ""
    mention: Mention | None = None
    page: int | None = None  # kind "page": its number (the marker's anchor is `page-N`)

    @property
    def anchor(self) -> str:
        return f"page-{self.page}"


def mention_of(entity: Entity) -> Mention:
    kind = entity_kind(entity)
    return Mention(
        label=entity.label,
        canonical=entity.canonical,
        kind=kind,
        href=search_href(kind.filter, entity.canonical) if kind.filter and entity.canonical else None,
    )


def segments(text: str, mentions: Iterable[Entity], pages: Sequence[PageSpan] = ()) -> list[Segment]:
    """`text` in reading order, cut at every mention and at the start of every page. Joined, the
    text of the segments is the text (less its control characters)."""
    markers = sorted(pages, key=lambda span: (span.start, span.page))
    page_starts = [min(span.start, len(text)) for span in markers]
    events: list[tuple[int, int, PageSpan | Entity]] = [
        (start, 0, span) for start, span in zip(page_starts, markers, strict=True)
    ]  # 0: a page starting where a mention does comes first
    events += [(entity.start, 1, entity) for entity in markable(text, mentions, page_starts)]
    events.sort(key=lambda event: (event[0], event[1]))
    cut: list[Segment] = []
    position = 0
    for offset, _, item in events:
        if offset > position:
            cut.append(Segment("text", safe_block(text[position:offset])))
            position = offset
        if isinstance(item, PageSpan):
            cut.append(Segment("page", page=item.page))
        else:
            cut.append(Segment("mention", safe_block(text[item.start : item.end]), mention=mention_of(item)))
            position = item.end
    if position < len(text):
        cut.append(Segment("text", safe_block(text[position:])))
    return [segment for segment in cut if segment.kind != "text" or segment.text]


def title_segments(document: Document) -> list[Segment]:
    """The title with its mentions marked, on one line."""
    return [
        Segment(segment.kind, safe(segment.text), segment.mention) if segment.kind == "text" else segment
        for segment in segments(document.title, title_mentions(document))
    ]


def text_segments(document: Document) -> list[Segment]:
    return segments(document.text, text_mentions(document), document.pages)


# -- the entity table --------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeValue:
    """One attribute's value in a table cell, with the search for it where one exists."""

    text: str
    filter: str | None = None  # "country" values are shown as country names by the template
    href: str | None = None


@dataclass(frozen=True)
class EntityRow:
    label: str
    canonical: str
    kind: EntityKind
    href: str | None
    mentions: int
    found_by: str  # "gazetteer", "model", or both (Entity.origin)
    origin: AttributeValue | None  # the weapon's country of origin (an ISO code)
    category: AttributeValue | None
    manufacturer: AttributeValue | None
    parent: AttributeValue | None  # the armed group's parent group
    others: list[tuple[str, str]] = field(default_factory=list)  # every other attribute, (name, value)


def _text_of(value: Any) -> str:
    return safe(", ".join(map(str, value)) if isinstance(value, list) else str(value))


def _shown(value: Any) -> bool:
    return value not in (None, "", [], {}) and not isinstance(value, dict)


def _attribute(name: str, value: Any) -> AttributeValue | None:
    """A table column's value; origin, category and parent group link to a search for them."""
    if not _shown(value):
        return None
    text = _text_of(value)
    filter_name = {"origin": "origin", "category": "category", "parent": "group"}.get(name)
    if filter_name is None or isinstance(value, list):
        return AttributeValue(text)
    return AttributeValue(text, "country" if name == "origin" else filter_name, search_href(filter_name, str(value)))


def entity_rows(entities: Iterable[Entity]) -> list[EntityRow]:
    """One row per entity (label and canonical name), with how often it is mentioned and what the
    gazetteer knows of it; ordered as `osint show` orders its table: by label, most mentioned first."""
    rows = []
    for group in grouped(entities):
        known = group.attributes
        mention = mention_of(group.first)
        rows.append(
            EntityRow(
                label=group.label,
                canonical=safe(group.canonical),
                kind=mention.kind,
                href=mention.href,
                mentions=group.mentions,
                found_by=", ".join(sorted(group.found_by)),
                origin=_attribute("origin", known.get("origin")),
                category=_attribute("category", known.get("category"))
                if mention.kind is not WEAPON_CATEGORY  # a category's own name, said again
                else None,
                manufacturer=_attribute("manufacturer", known.get("manufacturer")),
                parent=_attribute("parent", known.get("parent")),
                others=[
                    (safe(name), _text_of(value))
                    for name, value in known.items()
                    if name not in TABLE_ATTRIBUTES and name not in HIDDEN_ATTRIBUTES and _shown(value)
                ],
            )
        )
    return rows


# -- downloads ---------------------------------------------------------------------------------


#: file name endings of the payloads a crawl keeps (anything else downloads as .bin)
SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".xhtml",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "application/json": ".json",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/svg+xml": ".svg",
}
#: content encodings a payload may be stored in (as served), with the ending their files take
ENCODING_SUFFIXES = {"gzip": ".gz", "x-gzip": ".gz", "br": ".br", "deflate": ".zz", "zstd": ".zst"}
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_CHARSET = re.compile(r"charset\s*=\s*\"?([a-z0-9_.:-]{1,40})\"?", re.IGNORECASE)


def media_type(content_type: str) -> str:
    """The type/subtype of a Content-Type header, lower-cased, or "" when it is not one."""
    value = content_type.split(";", 1)[0].strip().lower()
    return value if _MEDIA_TYPE.fullmatch(value) else ""


def served_content_type(content_type: str, fallback: str = "") -> str:
    """The Content-Type to serve a stored payload with: its own type and charset as the site sent
    them, rebuilt from what is well-formed (a crawled header could carry anything), else
    `fallback`'s type, else bytes."""
    kind = media_type(content_type) or media_type(fallback) or "application/octet-stream"
    charset = _CHARSET.search(content_type)
    return f"{kind}; charset={charset[1]}" if charset and kind.startswith("text/") else kind


def download_name(document: Document, suffix: str) -> str:
    """A file name for a download that no crawled text can make unsafe: letters, digits, dots and
    dashes of the URL's host, the start of the document id, then `suffix` (".warc", ".pdf", ...)."""
    try:
        host = urlsplit(document.url).hostname or ""
    except ValueError:
        host = ""
    stem = re.sub(r"[^A-Za-z0-9.-]+", "-", host).strip(".-")[:60] or "document"
    document_id = re.sub(r"[^A-Za-z0-9]+", "", document.id)[:16] or "document"
    return f"{stem}-{document_id}{suffix}"


def payload_suffix(content_type: str, content_encoding: str = "") -> str:
    """The file ending of a payload kept as served: its type's, then its content encoding's
    (a gzip-encoded page downloads as .html.gz: the bytes whose SHA-256 the capture records)."""
    suffix = SUFFIXES.get(media_type(content_type), ".bin")
    encodings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
    return suffix + "".join(ENCODING_SUFFIXES.get(encoding, "") for encoding in encodings if encoding != "identity")
