"""The embedded index: one SQLite file (WAL mode) with FTS5, in the data directory by default.

One writer at a time (writes take a lock and an IMMEDIATE transaction, one per batch), any
number of concurrent readers: WAL lets searches run while the crawler writes. Documents are
stored as given (title and text in columns, the rest as Document JSON), so get() and
iter_documents() return exactly what was upserted.

Connections, transactions and the schema version go through the storage helper every store uses
(state/database.py); the statements themselves, SQLite's by nature (FTS5), run on the driver
connection inside those transactions: they are the hot path of indexing and search (a dozen
statements per document written, one per hit's snippet), where SQLAlchemy's own per-statement
work would cost more than SQLite's.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from index.backend import BulkResult, IndexBackend, IndexFailure, IndexStatus
from index.query import Query, SearchRequest, SearchResult
from index.sqlite.schema import INDEX_NAME, MIGRATIONS
from index.sqlite.search import matching_rowids, run_search
from index.sqlite.store import FacetIds, delete_document, read_document, read_links, write_document
from schema.document import Document
from schema.relations import LinkedDocument
from state.database import Database, sqlite_connection

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class SqliteBackend(IndexBackend):
    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        # synchronous=NORMAL: durable at checkpoints, safe with WAL; 64 MiB page cache per connection
        self.database = Database(
            self.path,
            synchronous="NORMAL",
            pragmas={"temp_store": "MEMORY", "cache_size": -65536},
            migrations=MIGRATIONS,
        )
        self._write_lock = threading.Lock()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The driver connection in a read transaction: one snapshot for all its statements."""
        with self.database.read() as connection:
            yield sqlite_connection(connection)

    def upsert(self, documents: Iterable[Document]) -> BulkResult:
        result = BulkResult()
        batch: list[Document] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= BATCH_SIZE:
                self._write_batch(batch, result)
                batch = []
        if batch:
            self._write_batch(batch, result)
        return result

    def _write_batch(self, batch: list[Document], result: BulkResult) -> None:
        with self._write_lock:
            try:
                with self.database.write() as transaction:
                    rejected = _write_documents(sqlite_connection(transaction), batch)
            # locked too long, disk full, I/O error: all retryable (the transaction is rolled back)
            except (sqlite3.OperationalError, OperationalError) as exc:
                self._fail_batch(batch, result, exc)
                return
        result.indexed += len(batch) - len(rejected)
        result.failures.extend(rejected)
        if rejected:
            logger.warning("sqlite index: %d of %d documents rejected", len(rejected), len(batch))

    @staticmethod
    def _fail_batch(batch: list[Document], result: BulkResult, exc: Exception) -> None:
        logger.error("sqlite index: batch of %d documents not written: %s", len(batch), exc)
        result.failures.extend(
            IndexFailure(
                id=document.id, url=document.url, reason="storage_error", detail=str(exc)[:300], retryable=True
            )
            for document in batch
        )

    def get(self, document_id: str) -> Document | None:
        with self._reading() as connection:
            row = connection.execute(
                "SELECT c.title, c.text, c.body FROM documents d JOIN contents c ON c.rowid = d.rowid WHERE d.id = ?",
                (document_id,),
            ).fetchone()
        return read_document(*row) if row else None

    def delete(self, document_ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(document_ids))
        if not ids:
            return 0
        with self._write_lock, self.database.write() as transaction:
            connection = sqlite_connection(transaction)
            return sum(delete_document(connection, document_id) for document_id in ids)

    def search(self, request: SearchRequest) -> SearchResult:
        with self._reading() as connection:  # one snapshot for every statement of the search
            return run_search(connection, request)

    def count(self) -> int:
        with self._reading() as connection:
            count: int = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        return count

    def iter_documents(self, batch_size: int = 500) -> Iterator[Document]:
        # Keyset pages by rowid: no long-lived read transaction, no OFFSET scans.
        last = 0
        while True:
            with self._reading() as connection:
                rows = connection.execute(
                    "SELECT rowid, title, text, body FROM contents WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (last, batch_size),
                ).fetchall()
            for row in rows:
                yield read_document(*row[1:])
            if len(rows) < batch_size:
                return
            last = rows[-1][0]

    def iter_matching(self, query: Query, batch_size: int = 500) -> Iterator[Document]:
        for rows in self._matching_rows(query, batch_size, "SELECT rowid, title, text, body FROM contents"):
            for row in rows:
                yield read_document(*row[1:])

    def iter_links(self, query: Query, batch_size: int = 500) -> Iterator[LinkedDocument]:
        # From the `links` rows (index/sqlite/schema.py), never the documents: a document without
        # one can give a profile nothing (has_links) and is skipped, as the contract allows.
        for rows in self._matching_rows(query, batch_size, "SELECT rowid, linked FROM links"):
            yield from read_links([linked for _, linked in rows])

    def _matching_rows(self, query: Query, batch_size: int, select: str) -> Iterator[list[tuple[Any, ...]]]:
        """The rows `select` (of a table keyed by the documents' rowid, the rowid first) gives for
        the documents `query` matches, in iter_matching's order, a batch of documents at a time.

        The search plan runs once, in one snapshot, for the matching rowids in date order; the
        rows are then read a batch at a time, each batch in a read transaction of its own, so no
        snapshot is held while the caller writes (a writer's WAL can checkpoint). A document
        deleted meanwhile is left out; one updated meanwhile comes as it is now."""
        with self._reading() as connection:
            rowids = matching_rowids(connection, query)
        for start in range(0, len(rowids), batch_size):
            batch = rowids[start : start + batch_size].tolist()
            with self._reading() as connection:
                rows = connection.execute(
                    f"{select} WHERE rowid IN (SELECT value FROM json_each(?))", (json.dumps(batch),)
                ).fetchall()
            by_rowid = {row[0]: row for row in rows}
            yield [by_rowid[rowid] for rowid in batch if rowid in by_rowid]

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        # A range on the indexed id column, not LIKE or GLOB: the prefix is compared as a value, so
        # a typed `%`, `_` or `*` is a character like any other, and the UNIQUE index serves it.
        try:
            prefix.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (undecodable argv bytes): no stored id has one
            return []
        upper = after_prefix(prefix)
        # both bounds in the statement itself (no `? IS NULL OR`), so the index search stops at the upper one
        bounds, values = ("id >= ? AND id < ?", (prefix, upper)) if upper is not None else ("id >= ?", (prefix,))
        with self._reading() as connection:
            rows = connection.execute(
                f"SELECT id FROM documents WHERE {bounds} ORDER BY id LIMIT ?", (*values, limit)
            ).fetchall()
        return [row[0] for row in rows]

    def status(self) -> IndexStatus:
        return IndexStatus(
            backend="sqlite",
            location=str(self.path.resolve()),
            index=INDEX_NAME,
            documents=self.count(),
            mapping_version=self.database.version(MIGRATIONS),
            engine_version=f"SQLite {sqlite3.sqlite_version}",
            health="green",
        )

    def close(self) -> None:
        self.database.close()


def after_prefix(prefix: str) -> str | None:
    """The least string greater than every string starting with `prefix` (None: no such bound).
    SQLite compares TEXT with memcmp on UTF-8, whose byte order is code point order, so the
    bound is the prefix with its last character raised by one (skipping the surrogates, which
    UTF-8 cannot hold); a last character of U+10FFFF cannot be raised and is dropped first."""
    stem = prefix
    while stem:
        last = ord(stem[-1])
        if last < 0x10FFFF:
            following = 0xE000 if 0xD800 <= last + 1 <= 0xDFFF else last + 1
            return stem[:-1] + chr(following)
        stem = stem[:-1]
    return None


#: what makes one document unwritable (the others of its batch are still written)
_DOCUMENT_ERRORS = (sqlite3.IntegrityError, sqlite3.DataError, sqlite3.ProgrammingError, UnicodeError, ValueError)


def _write_documents(connection: sqlite3.Connection, batch: list[Document]) -> list[IndexFailure]:
    """Write `batch` in the open transaction, each document in a savepoint of its own; the ones
    that could not be written, with why."""
    rejected: list[IndexFailure] = []
    facet_ids = FacetIds(connection)
    for document in batch:
        connection.execute("SAVEPOINT document")
        try:
            write_document(connection, document, facet_ids)
        except _DOCUMENT_ERRORS as exc:
            connection.execute("ROLLBACK TO document")
            facet_ids = FacetIds(connection)  # ids created for this document are gone
            rejected.append(
                IndexFailure(id=document.id, url=document.url, reason="invalid_document", detail=str(exc)[:300])
            )
        connection.execute("RELEASE document")
    return rejected
