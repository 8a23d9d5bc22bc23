"""Follow the Money (FtM): entities for Aleph/OpenAleph, followthemoney's own tools and any graph
or data-journalism tool that reads them, one JSON entity per line (`ftm` JSON lines).

What each thing becomes, and why that FtM schema:

- A document is an `Article` ("a piece of media reporting about a subject": news, statements,
  forum posts, channel posts), or `Pages` for a document source (PDFs and the like, "a
  multi-page document"). Both are FtM Documents, so they carry `title`, `bodyText`, `sourceUrl`,
  `publishedAt`, `retrievedAt` (when we fetched it), `language`, `author`, `mimeType`,
  `publisher` (our source id) and `keywords` (tags). Its id is our document id.
- The countries a document names are its `detectedCountry` values: FtM has no entity for a
  country (it is a property type, an ISO code), and `detectedCountry` is the property of
  Analyzable (the parent of Documents) that holds the countries named-entity recognition found.
- An armed group is an `Organization` (a LegalEntity, which is what groups are to FtM).
- A weapon model (AK-47, 9M133 Kornet) is an `Asset`: FtM has no schema for a kind of product,
  and Asset is its most general concrete Thing (Vehicle, Vessel and Airplane are about one
  registered object).
- A document naming a group or a weapon is linked to it by `Documentation` ("links some entity
  to a document, which might provide further detail or evidence regarding the entity"), with
  role "mentions" and the publication date. Not `Mention`: that holds a name that NER found and
  has not resolved yet (hidden, and not drawn as an edge), and its `resolved` end can only be a
  LegalEntity, so no weapon. Our names are already resolved to canonical entities.

Ids are stable across exports, so two exports merge in Aleph instead of duplicating: a document
keeps its id, a group or weapon is `make_id` (SHA-1) of its kind and canonical name, a link of
its two ends. Each group and weapon is written once per file, before the first link to it.

The preserved capture is cited in the document's `notes` (WARC file, offset, length, record id,
payload SHA-256): FtM's `contentHash` is a SHA-1 of the file, which our captures do not keep.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache

from followthemoney import EntityProxy, model
from followthemoney.util import make_entity_id

from exports.chunks import line_chunks
from exports.shareable import shareable
from schema.document import Document

#: entities encoded at a time (a document is one and its links several): one write per some tens of kilobytes
_ENTITIES_PER_CHUNK = 200
#: Document field -> (FtM schema, id prefix, keyword) of the entities it names
_NAMED = {
    "weapons": ("Asset", "osint-weapon", "weapon model"),
    "armed_groups": ("Organization", "osint-group", "armed group"),
}


@lru_cache(maxsize=4096)
def _cleaned(schema: str, prop: str, value: str) -> str | None:
    """`value` as FtM stores it in `prop`, for the properties whose values repeat from document to
    document (countries, languages, MIME types, names): FtM's cleaning of a country name or a
    MIME type costs more than the rest of a document, so each value is cleaned once."""
    cleaned: str | None = model.get(schema).properties[prop].type.clean(value)  # type: ignore[union-attr]
    return cleaned


def _add_repeated(entity: EntityProxy, prop: str, values: Iterable[str]) -> None:
    for value in values:
        cleaned = _cleaned(entity.schema.name, prop, value)
        if cleaned is not None:
            entity.add(prop, cleaned, cleaned=True)


def ftm_date(moment: datetime) -> str:
    """A moment as FtM's date type stores it (UTC, to the second), without its costly parser."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def document_entity(document: Document) -> EntityProxy:
    entity = model.make_entity("Pages" if document.kind == "document" else "Article")
    entity.id = document.id
    entity.add("title", document.title)
    entity.add("bodyText", document.text)
    entity.add("sourceUrl", document.url)
    for prop, moment in (("publishedAt", document.published), ("modifiedAt", document.modified)):
        if moment is not None:
            entity.add(prop, ftm_date(moment), cleaned=True)
    entity.add("retrievedAt", ftm_date(document.fetched), cleaned=True)
    _add_repeated(entity, "language", [document.language] if document.language != "und" else [])
    entity.add("author", document.authors)
    _add_repeated(entity, "mimeType", [document.content_type])
    _add_repeated(entity, "publisher", [document.source_id] if document.source_id else [])
    _add_repeated(entity, "keywords", document.tags)
    _add_repeated(entity, "detectedCountry", document.countries)
    entity.add("crawler", "osint-crawler", cleaned=True)
    if document.capture is not None:
        capture = document.capture
        entity.add(
            "notes",
            f"Preserved copy: WARC {capture.warc}, offset {capture.offset}, length {capture.length}, "
            f"record {capture.record_id}, payload SHA-256 {capture.payload_sha256}, "
            f"fetched {capture.fetched_at.isoformat()}",
        )
    return entity


def named_entity_id(field: str, name: str) -> str:
    _, id_prefix, _ = _NAMED[field]
    return str(make_entity_id(id_prefix, name))


def named_entity(field: str, name: str) -> EntityProxy:
    schema, _, keyword = _NAMED[field]
    entity = model.make_entity(schema)
    entity.id = named_entity_id(field, name)
    _add_repeated(entity, "name", [name])
    entity.add("keywords", keyword, cleaned=True)
    return entity


def documentation(document_id: str, entity_id: str, published: str | None) -> EntityProxy:
    """The link from a document to an entity it names (ids, both valid already)."""
    link = model.make_entity("Documentation")
    link.id = make_entity_id("osint-documentation", document_id, entity_id)
    link.add("document", document_id, cleaned=True)
    link.add("entity", entity_id, cleaned=True)
    link.add("role", "mentions", cleaned=True)
    if published is not None:
        link.add("date", published, cleaned=True)
    return link


def document_entities(document: Document, written: set[str]) -> Iterator[EntityProxy]:
    """The entities of one document: itself, each group and weapon not in `written` yet (whose
    ids are added to it), and a link to each group and weapon it names."""
    yield document_entity(shareable(document))
    published = document.published.astimezone(UTC).date().isoformat() if document.published else None
    for field in _NAMED:
        for name in getattr(document, field):
            entity_id = named_entity_id(field, name)
            if entity_id not in written:
                written.add(entity_id)
                yield named_entity(field, name)
            yield documentation(document.id, entity_id, published)


def ftm_chunks(documents: Iterable[Document]) -> Iterator[bytes]:
    written: set[str] = set()
    lines = (
        json.dumps(entity.to_dict(), ensure_ascii=False)
        for document in documents
        for entity in document_entities(document, written)
    )
    yield from line_chunks(lines, _ENTITIES_PER_CHUNK)
