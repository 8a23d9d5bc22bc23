"""The embedded index: one SQLite file (WAL mode) with FTS5, in the data directory by default.

One writer at a time (writes take a lock and an IMMEDIATE transaction, one per batch), any
number of concurrent readers: each thread gets its own connection, and WAL lets searches run
while the crawler writes. Documents are stored as given (title and text in columns, the rest
as Document JSON), so get() and iter_documents() return exactly what was upserted.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.backend import BulkResult, IndexBackend, IndexFailure, IndexStatus
from index.query import SearchRequest, SearchResult
from index.sqlite.schema import INDEX_NAME, ensure_schema
from index.sqlite.search import run_search
from index.sqlite.store import FacetIds, delete_document, read_document, write_document
from schema.document import Document

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class SqliteBackend(IndexBackend):
    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        ensure_schema(self._connection())

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # timeout: wait for the writer's lock instead of failing at once.
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
            connection.execute("PRAGMA temp_store=MEMORY")
            connection.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache per connection
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

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
        connection = self._connection()
        rejected: list[IndexFailure] = []
        with self._write_lock:
            try:
                connection.execute("BEGIN IMMEDIATE")
                facet_ids = FacetIds(connection)
                for document in batch:
                    connection.execute("SAVEPOINT document")
                    try:
                        write_document(connection, document, facet_ids)
                    except (
                        sqlite3.IntegrityError,
                        sqlite3.DataError,
                        sqlite3.ProgrammingError,
                        UnicodeError,
                        ValueError,
                    ) as exc:
                        connection.execute("ROLLBACK TO document")
                        facet_ids = FacetIds(connection)  # ids created for this document are gone
                        rejected.append(
                            IndexFailure(
                                id=document.id, url=document.url, reason="invalid_document", detail=str(exc)[:300]
                            )
                        )
                    connection.execute("RELEASE document")
                connection.execute("COMMIT")
            except sqlite3.OperationalError as exc:  # locked too long, disk full, I/O error: all retryable
                self._rollback(connection)
                self._fail_batch(batch, result, exc)
                return
            except BaseException:
                self._rollback(connection)
                raise
        result.indexed += len(batch) - len(rejected)
        result.failures.extend(rejected)
        if rejected:
            logger.warning("sqlite index: %d of %d documents rejected", len(rejected), len(batch))

    @staticmethod
    def _rollback(connection: sqlite3.Connection) -> None:
        if connection.in_transaction:  # SQLite rolls back by itself after some errors
            connection.execute("ROLLBACK")

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
        row = (
            self._connection()
            .execute(
                "SELECT c.title, c.text, c.body FROM documents d JOIN contents c ON c.rowid = d.rowid WHERE d.id = ?",
                (document_id,),
            )
            .fetchone()
        )
        return read_document(*row) if row else None

    def delete(self, document_ids: Iterable[str]) -> int:
        ids = list(dict.fromkeys(document_ids))
        if not ids:
            return 0
        connection = self._connection()
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                deleted = sum(delete_document(connection, document_id) for document_id in ids)
                connection.execute("COMMIT")
            except BaseException:
                self._rollback(connection)
                raise
        return deleted

    def search(self, request: SearchRequest) -> SearchResult:
        return run_search(self._connection(), request)

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM documents").fetchone()[0]

    def iter_documents(self, batch_size: int = 500) -> Iterator[Document]:
        # Keyset pages by rowid: no long-lived read transaction, no OFFSET scans.
        last = 0
        while True:
            rows = (
                self._connection()
                .execute(
                    "SELECT rowid, title, text, body FROM contents WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (last, batch_size),
                )
                .fetchall()
            )
            for row in rows:
                yield read_document(*row[1:])
            if len(rows) < batch_size:
                return
            last = rows[-1][0]

    def status(self) -> IndexStatus:
        version = self._connection().execute("PRAGMA user_version").fetchone()[0]
        return IndexStatus(
            backend="sqlite",
            location=str(self.path.resolve()),
            index=INDEX_NAME,
            documents=self.count(),
            mapping_version=version,
            engine_version=f"SQLite {sqlite3.sqlite_version}",
            health="green",
        )

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
            self._local = threading.local()
