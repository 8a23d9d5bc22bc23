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

from followthemoney import EntityProxy, model

from exports.shareable import shareable
from schema.document import Document

#: documents encoded at a time (each is several entities): one write per some tens of kilobytes
_DOCUMENTS_PER_CHUNK = 50
_MENTIONED = (("weapons", "Asset", "osint-weapon", "weapon model"), ("armed_groups", "Organization", "osint-group", "armed group"))


def document_entity(document: Document) -> EntityProxy:
    entity = model.make_entity("Pages" if document.kind == "document" else "Article")
    entity.id = document.id
    entity.add("title", document.title)
    entity.add("bodyText", document.text)
    entity.add("sourceUrl", document.url)
    entity.add("publishedAt", document.published.isoformat() if document.published else None)
    entity.add("modifiedAt", document.modified.isoformat() if document.modified else None)
    entity.add("retrievedAt", document.fetched.isoformat())
    entity.add("language", document.language if document.language != "und" else None)
    entity.add("author", document.authors)
    entity.add("mimeType", document.content_type)
    entity.add("publisher", document.source_id or None)
    entity.add("keywords", document.tags)
    entity.add("detectedCountry", document.countries)
    entity.add("crawler", "osint-crawler")
    if document.capture is not None:
        capture = document.capture
        entity.add(
            "notes",
            f"Preserved copy: WARC {capture.warc}, offset {capture.offset}, length {capture.length}, "
            f"record {capture.record_id}, payload SHA-256 {capture.payload_sha256}, fetched {capture.fetched_at.isoformat()}",
        )
    return entity


def named_entity(schema: str, id_prefix: str, name: str, keyword: str) -> EntityProxy:
    entity = model.make_entity(schema)
    entity.make_id(id_prefix, name)
    entity.add("name", name)
    entity.add("keywords", keyword)
    return entity


def documentation(document: EntityProxy, entity: EntityProxy, published: str | None) -> EntityProxy:
    link = model.make_entity("Documentation")
    link.make_id("osint-documentation", document.id, entity.id)
    link.add("document", document.id)
    link.add("entity", entity.id)
    link.add("role", "mentions")
    link.add("date", published)
    return link


def document_entities(document: Document, written: set[str]) -> Iterator[EntityProxy]:
    """The entities of one document: itself, each group and weapon not in `written` yet (whose
    ids are added to it), and a link to each group and weapon it names."""
    source = document_entity(shareable(document))
    yield source
    published = document.published.date().isoformat() if document.published else None
    for field, schema, id_prefix, keyword in _MENTIONED:
        for name in getattr(document, field):
            entity = named_entity(schema, id_prefix, name, keyword)
            if entity.id not in written:
                written.add(str(entity.id))
                yield entity
            yield documentation(source, entity, published)


def ftm_chunks(documents: Iterable[Document]) -> Iterator[bytes]:
    written: set[str] = set()
    lines: list[str] = []
    for count, document in enumerate(documents, 1):
        lines.extend(json.dumps(entity.to_dict(), ensure_ascii=False) for entity in document_entities(document, written))
        if count % _DOCUMENTS_PER_CHUNK == 0:
            yield ("\n".join(lines) + "\n").encode("utf-8")
            lines = []
    if lines:
        yield ("\n".join(lines) + "\n").encode("utf-8")
