"""Schema of the embedded index: documents, an FTS5 table over title/text, a facet table, and
what arsenal profiles read of each document (`links`).

Its versions are steps of `MIGRATIONS` (state/database.py, store "index"; files written before
that kept the version in `PRAGMA user_version`, which still mirrors it): append a step whenever
the tables, the tokenizer or FACET_FIELDS change. MAPPING_VERSION is the number of steps.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import numpy as np
from sqlalchemy import Connection

from index.analysis import designation_text, prefixed_words, stemmed_text
from index.backend import has_links
from index.query import DEFAULT_FACETS, FILTER_FIELDS
from schema.document import Document
from state.database import Migrations
from state.database import SchemaVersionError as SchemaVersionError  # raised when opening a newer index

INDEX_NAME = "documents"

#: Document fields stored in the facet table: everything a filter or a default facet reads.
FACET_FIELDS: tuple[str, ...] = tuple(
    sorted({field for fields in FILTER_FIELDS.values() for field in fields} | set(DEFAULT_FACETS.values()))
)

# `documents` is small and hot (every matching row is read from it during a search); the large
# title/text/body live in `contents`, which is also the FTS5 table's external content. Both share
# the rowid. `published` is epoch milliseconds (UTC). Facet values get integer ids: `facets` is
# the posting list per value (for filters), and documents.facet_ids lists a document's value ids
# so facet counts over a matching set are one pass over the matching rows.
_DDL = """
CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    published INTEGER,
    story_id TEXT,
    facet_ids BLOB NOT NULL
);
CREATE INDEX documents_by_published ON documents (published);
CREATE TABLE contents (
    rowid INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE VIRTUAL TABLE fts USING fts5(
    title, text,
    content='contents', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER contents_ai AFTER INSERT ON contents BEGIN
    INSERT INTO fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER contents_ad AFTER DELETE ON contents BEGIN
    INSERT INTO fts(fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER contents_au AFTER UPDATE OF title, text ON contents BEGIN
    INSERT INTO fts(fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TABLE facet_values (
    id INTEGER PRIMARY KEY,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    value_lower TEXT NOT NULL,
    UNIQUE (field, value)
);
CREATE INDEX facet_values_by_key ON facet_values (field, value_lower);
CREATE TABLE facets (
    value_id INTEGER NOT NULL,
    doc_id INTEGER NOT NULL,
    PRIMARY KEY (value_id, doc_id)
) WITHOUT ROWID;
"""


def _create_tables(connection: Connection) -> None:
    """Version 1: the tables above."""
    for statement in _split_statements(_DDL):
        connection.exec_driver_sql(statement)


# Version 2: morphology, designations and field-scoped search. `contents` also keeps, written by
# the store in Python at index time: each document's Snowball stems (title_stem, text_stem: one
# stem per word, so proximity works on them, each prefixed with its language, "en_rifl", so a
# French stem only ever matches French documents, as the engine's per-language fields do), its
# designation keys, and its authors and URL as prefixed words ("a_jane", "u_example"). Every
# column but title and text holds tokens no word of a text can be (a prefix, or a designation key,
# which a word search means anyway), so a word is searched without a column filter: FTS5 scores
# a column-filtered phrase at twice the cost per matching document.
# Why stored shadow columns rather than a custom FTS5 tokenizer: Python's sqlite3 cannot register
# one (that takes APSW, which would replace the driver under the state layer), and a file whose
# FTS index needs our tokenizer could not be read, checked or repaired by any other SQLite tool;
# stored columns also make a rebuild (and the 'delete' of an external-content row) exact.
#: The FTS columns, in order (bm25 weights and column filters name them).
FTS_COLUMNS: tuple[str, ...] = ("title", "text", "title_stem", "text_stem", "designations", "author", "url")
_COLUMNS = ", ".join(FTS_COLUMNS)
_FTS_V2 = f"""
CREATE VIRTUAL TABLE fts USING fts5(
    {_COLUMNS},
    content='contents', content_rowid='rowid',
    tokenize="unicode61 remove_diacritics 2 tokenchars '_'"
);
CREATE TRIGGER contents_ai AFTER INSERT ON contents BEGIN
    INSERT INTO fts(rowid, {_COLUMNS}) VALUES (new.rowid, {", ".join("new." + c for c in FTS_COLUMNS)});
END;
CREATE TRIGGER contents_ad AFTER DELETE ON contents BEGIN
    INSERT INTO fts(fts, rowid, {_COLUMNS}) VALUES ('delete', old.rowid, {", ".join("old." + c for c in FTS_COLUMNS)});
END;
CREATE TRIGGER contents_au AFTER UPDATE ON contents BEGIN
    INSERT INTO fts(fts, rowid, {_COLUMNS}) VALUES ('delete', old.rowid, {", ".join("old." + c for c in FTS_COLUMNS)});
    INSERT INTO fts(rowid, {_COLUMNS}) VALUES (new.rowid, {", ".join("new." + c for c in FTS_COLUMNS)});
END;
"""
#: the columns `analysed_text` fills, in its order
ANALYSED_COLUMNS = ("title_stem", "text_stem", "designations", "author", "url")
AUTHOR_PREFIX, URL_PREFIX = "a_", "u_"


def _analysed_columns(connection: Connection) -> None:
    """Version 2: stems, designations, author and url columns; the FTS table rebuilt over them."""
    for statement in (
        "DROP TRIGGER contents_ai",
        "DROP TRIGGER contents_ad",
        "DROP TRIGGER contents_au",
        "DROP TABLE fts",
        *(f"ALTER TABLE contents ADD COLUMN {column} TEXT NOT NULL DEFAULT ''" for column in ANALYSED_COLUMNS),
    ):
        connection.exec_driver_sql(statement)
    last = 0
    while rows := connection.exec_driver_sql(  # in batches: an index may not fit in memory
        "SELECT rowid, title, text, body FROM contents WHERE rowid > ? ORDER BY rowid LIMIT 500", (last,)
    ).fetchall():
        for rowid, title, text, body in rows:
            document = json.loads(body)
            analysed = analysed_text(
                title, text, document.get("language"), document.get("authors") or [], document.get("url") or ""
            )
            assignments = ", ".join(f"{column} = ?" for column in ANALYSED_COLUMNS)
            connection.exec_driver_sql(f"UPDATE contents SET {assignments} WHERE rowid = ?", (*analysed, rowid))
        last = rows[-1][0]
    for statement in _split_statements(_FTS_V2):
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("INSERT INTO fts(fts) VALUES ('rebuild')")


def analysed_text(
    title: str, text: str, language: str | None, authors: list[str], url: str
) -> tuple[str, str, str, str, str]:
    """The ANALYSED_COLUMNS of a document: stems, designation keys, prefixed author and URL words."""
    return (
        stemmed_text(title, language),
        stemmed_text(text, language),
        designation_text((title, text)),
        prefixed_words(" ".join(authors), AUTHOR_PREFIX),
        prefixed_words(url, URL_PREFIX),
    )


# Version 3: arsenal profiles. `links` (not the document's hyperlinks: what a profile links, armed
# groups to weapons) holds each document's `Document.linked()` JSON under the document's rowid, so
# a profile of 10,000 documents reads a few KB per document instead of validating whole documents
# and their text. Only documents that can appear in a profile have a row (index.backend.has_links:
# an armed group and a weapon), which leaves out most of an index at no cost: `iter_links` skips
# the rest, as the contract allows. The rows are derived from the stored documents, so a release
# that changes what `Document.linked()` gives appends a step that calls `fill_links` again.
_LINKS_DDL = "CREATE TABLE links (rowid INTEGER PRIMARY KEY, linked TEXT NOT NULL)"


def _links(connection: Connection) -> None:
    """Version 3: the `links` table, filled from the stored documents."""
    connection.exec_driver_sql(_LINKS_DDL)
    fill_links(connection)


def fill_links(connection: Connection) -> None:
    """(Re)write the `links` row of every stored document from its body."""
    connection.exec_driver_sql("DELETE FROM links")
    last = 0
    while rows := connection.exec_driver_sql(  # in batches: an index may not fit in memory
        "SELECT rowid, title, body FROM contents WHERE rowid > ? ORDER BY rowid LIMIT 500", (last,)
    ).fetchall():
        for rowid, title, body in rows:
            fields = json.loads(body)  # the Document without title and text, which linked() does not read
            if fields.get("armed_groups"):  # most documents have none: validate only the others
                linked = links_json(Document.model_validate({**fields, "title": title}))
                if linked is not None:
                    connection.exec_driver_sql("INSERT INTO links (rowid, linked) VALUES (?, ?)", (rowid, linked))
        last = rows[-1][0]


def links_json(document: Document) -> str | None:
    """The `links` row of a document: its `Document.linked()` JSON, or None when it can give a
    profile nothing (index.backend.has_links)."""
    if not document.armed_groups:
        return None
    linked = document.linked()
    return linked.model_dump_json() if has_links(linked) else None


MIGRATIONS = Migrations("index", [_create_tables, _analysed_columns, _links], user_version=True)
MAPPING_VERSION = MIGRATIONS.version


def _split_statements(script: str) -> list[str]:
    """Split the DDL into statements (trigger bodies contain semicolons of their own)."""
    statements: list[str] = []
    current = ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


def epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else round(moment.timestamp() * 1000)


def facet_key(value: str) -> str:
    """Filter values match case-insensitively: both sides are compared through this."""
    return value.casefold()


FACET_ID_DTYPE = np.dtype("<i4")


def pack_ids(ids: list[int]) -> bytes:
    return np.asarray(ids, dtype=FACET_ID_DTYPE).tobytes()


def unpack_ids(packed: bytes) -> list[int]:
    ids: list[int] = np.frombuffer(packed, dtype=FACET_ID_DTYPE).tolist()
    return ids


def facet_values(document: Document) -> list[tuple[str, str]]:
    """(field, value) for every facetable value of a document, deduplicated."""
    pairs: dict[tuple[str, str], None] = {}
    for field in FACET_FIELDS:
        raw = getattr(document, field)
        for value in raw if isinstance(raw, list) else [raw]:
            if isinstance(value, str) and value.strip():
                pairs[(field, value)] = None
    return list(pairs)
