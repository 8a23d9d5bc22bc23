"""The capture catalog: which WARC files exist, where each record is, and which captures each
document was made from.

The WARC files are the evidence; the catalog is an index over them that makes three things cheap:
reading one record by file, offset and length (as CDX indexes do), finding the earlier record of
an identical payload (so it is stored once, `revisit` records pointing at it), and knowing how many
bytes of an open file are complete records (so recovery can cut off a record torn by a crash).
A record is listed only in the transaction that also moves its file's committed size past it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from state import tables
from state.database import Database, Migrations, query, run

_FILES, _RECORDS, _DOCUMENTS = tables.CAPTURE_FILES, tables.CAPTURE_RECORDS, tables.DOCUMENT_CAPTURES


def _create_tables(connection: Connection) -> None:
    tables.METADATA.create_all(connection, [_FILES, _RECORDS, _DOCUMENTS], checkfirst=True)


MIGRATIONS = Migrations("captures", [_create_tables])


@dataclass(frozen=True)
class RecordEntry:
    """One WARC record as the catalog lists it (the columns of tables.CAPTURE_RECORDS)."""

    record_id: str
    warc: str
    offset: int
    length: int
    type: str
    uri: str
    date: str
    payload_sha256: str = ""
    payload_length: int = 0
    refers_to: str | None = None
    concurrent_to: str | None = None
    status: int = 0
    ip: str = ""
    content_type: str = ""

    def row(self) -> dict[str, Any]:
        return dict(self.__dict__)


_RECORD_COLUMNS = [_RECORDS.c[name] for name in RecordEntry.__dataclass_fields__]
# The statements every fetch runs go through state.database.run (the driver's cursor, the SQL
# compiled once): SQLAlchemy's execution machinery costs more than SQLite running them.
_ADD_RECORDS = insert(_RECORDS).values({name: bindparam(name) for name in RecordEntry.__dataclass_fields__})
_GROW_FILE = (
    update(_FILES)
    .where(_FILES.c.name == bindparam("file"))
    .values(size=bindparam("new_size"), records=_FILES.c.records + bindparam("added"))
)
_COLUMN_LIST = ", ".join(f'"{name}"' for name in RecordEntry.__dataclass_fields__)
_ORIGINAL = query(
    f"SELECT {_COLUMN_LIST} FROM capture_records WHERE payload_sha256 = :digest AND type = 'response' "
    "ORDER BY date LIMIT 1",
    *RecordEntry.__dataclass_fields__,
)
#: the same, from files created since :since (see Catalog.original)
_RECENT_ORIGINAL = query(
    f"SELECT {_COLUMN_LIST} FROM capture_records WHERE payload_sha256 = :digest AND type = 'response' "
    "AND warc IN (SELECT name FROM capture_files WHERE created >= :since) ORDER BY date LIMIT 1",
    *RecordEntry.__dataclass_fields__,
)
_LATEST = query(
    f"SELECT {_COLUMN_LIST} FROM capture_records WHERE uri = :uri AND type IN ('response', 'revisit') "
    "AND status BETWEEN 200 AND 299 ORDER BY date DESC LIMIT 1",
    *RecordEntry.__dataclass_fields__,
)
_RECORD = query(
    f"SELECT {_COLUMN_LIST} FROM capture_records WHERE record_id = :record_id", *RecordEntry.__dataclass_fields__
)
_DOCUMENT_HISTORY = query(
    "SELECT record_id, content_hash, fetched_at FROM document_captures WHERE doc_id = :doc_id ORDER BY fetched_at DESC",
    "record_id",
    "content_hash",
    "fetched_at",
)
_ADD_DOCUMENT_CAPTURE = insert(_DOCUMENTS).values(
    {name: bindparam(name) for name in ("doc_id", "record_id", "content_hash", "fetched_at")}
)


@dataclass(frozen=True)
class FileEntry:
    name: str
    created: str
    size: int
    records: int
    closed: bool
    pid: int | None


class Catalog:
    def __init__(self, path: Path | str) -> None:
        # WAL with synchronous=NORMAL: a commit per page costs no fsync (durable at checkpoints)
        self.database = Database(path, synchronous="NORMAL", migrations=MIGRATIONS)

    def close(self) -> None:
        self.database.close()

    # files ------------------------------------------------------------------
    def add_file(self, name: str, created: str, pid: int) -> None:
        with self.database.write() as connection:
            connection.execute(insert(_FILES).values(name=name, created=created, pid=pid))

    def commit(self, name: str, size: int, records: Sequence[RecordEntry]) -> None:
        """Records appended to `name`, which now holds `size` bytes of complete records."""
        with self.database.write() as connection:
            if records:
                run(connection, _ADD_RECORDS, [record.row() for record in records])
            run(connection, _GROW_FILE, {"file": name, "new_size": size, "added": len(records)})

    def open_size(self, name: str) -> int | None:
        """The committed size of `name` while it is open; None once closed (or unknown)."""
        statement = select(_FILES.c.size).where(_FILES.c.name == name, _FILES.c.closed == 0)
        with self.database.read() as connection:
            size = connection.execute(statement).scalar_one_or_none()
        return int(size) if size is not None else None

    def reopen_file(self, name: str, pid: int) -> None:
        with self.database.write() as connection:
            connection.execute(update(_FILES).where(_FILES.c.name == name).values(closed=0, pid=pid))

    def close_file(self, name: str, size: int | None = None) -> None:
        values: dict[str, Any] = {"closed": 1}
        if size is not None:
            values["size"] = size
        with self.database.write() as connection:
            connection.execute(update(_FILES).where(_FILES.c.name == name).values(**values))

    def files(self, *, newest_only: bool = False) -> list[FileEntry]:
        """The files, oldest first (`newest_only`: the newest alone, for the next writer)."""
        if newest_only:
            statement = select(_FILES).order_by(_FILES.c.created.desc(), _FILES.c.name.desc()).limit(1)
        else:
            statement = select(_FILES).order_by(_FILES.c.created, _FILES.c.name)
        with self.database.read() as connection:
            return [
                FileEntry(name=row[0], created=row[1], size=row[2], records=row[3], closed=bool(row[4]), pid=row[5])
                for row in connection.execute(statement)
            ]

    def forget_files(self, names: Iterable[str]) -> int:
        """Drop files and their records (retention); documents' capture lists keep their history."""
        names = list(names)
        with self.database.write() as connection:
            connection.execute(delete(_RECORDS).where(_RECORDS.c.warc.in_(names)))
            return connection.execute(delete(_FILES).where(_FILES.c.name.in_(names))).rowcount or 0

    # records ----------------------------------------------------------------
    def record(self, record_id: str) -> RecordEntry | None:
        return self._fast_one(_RECORD, record_id=record_id)

    def original(self, payload_sha256: str, since: str | None = None) -> RecordEntry | None:
        """The stored response holding this payload, if any (the target of a new revisit); with
        `since` (ISO time), only from a file created since then."""
        if since is not None:
            return self._fast_one(_RECENT_ORIGINAL, digest=payload_sha256, since=since)
        return self._fast_one(_ORIGINAL, digest=payload_sha256)

    def latest(self, uri: str) -> RecordEntry | None:
        """The latest successful response or revisit of `uri` (what a 304 says is still current: not
        a redirect hop or an error page fetched since)."""
        return self._fast_one(_LATEST, uri=uri)

    def concurrent(self, record_id: str) -> list[RecordEntry]:
        """The records written with this one: its request, a rendered page's DOM and screenshot."""
        statement = select(*_RECORD_COLUMNS).where(_RECORDS.c.concurrent_to == record_id).order_by(_RECORDS.c.type)
        with self.database.read() as connection:
            return [RecordEntry(*row) for row in connection.execute(statement)]

    def _fast_one(self, statement: Any, **parameters: str) -> RecordEntry | None:
        with self.database.read() as connection:
            row = run(connection, statement, parameters).fetchone()
        return RecordEntry(*row) if row is not None else None

    # documents --------------------------------------------------------------
    def add_document_capture(
        self, doc_id: str, record_id: str, content_hash: str, fetched_at: str
    ) -> list[tuple[str, str, str]]:
        """Note that a version of the document was made from `record_id`; the (record id, content
        hash, fetched at) of every capture its versions were made from, newest first."""
        with self.database.write() as connection:
            history = [
                (str(a), str(b), str(c)) for a, b, c in connection.execute(_DOCUMENT_HISTORY, {"doc_id": doc_id})
            ]
            if not any(known == record_id for known, _, _ in history):
                row = {"doc_id": doc_id, "record_id": record_id, "content_hash": content_hash, "fetched_at": fetched_at}
                run(connection, _ADD_DOCUMENT_CAPTURE, row)
                history.append((record_id, content_hash, fetched_at))
                history.sort(key=lambda entry: entry[2], reverse=True)
        return history

    # figures ----------------------------------------------------------------
    def record_counts(self) -> dict[str, int]:
        statement = select(_RECORDS.c.type, func.count()).group_by(_RECORDS.c.type)
        with self.database.read() as connection:
            return {str(kind): int(count) for kind, count in connection.execute(statement)}

    def payload_bytes(self) -> tuple[int, int]:
        """(payload bytes stored in response records, payload bytes revisits did not store again)"""
        lengths = select(_RECORDS.c.type, func.coalesce(func.sum(_RECORDS.c.payload_length), 0)).group_by(
            _RECORDS.c.type
        )
        with self.database.read() as connection:
            sums = {str(kind): int(total) for kind, total in connection.execute(lengths)}
        return sums.get("response", 0), sums.get("revisit", 0)

    def referenced_from_other_files(self, names: Sequence[str]) -> set[str]:
        """Of the files `names`, those holding an original that a record of another file refers to."""
        originals = _RECORDS.alias("originals")
        statement = (
            select(originals.c.warc)
            .join(_RECORDS, _RECORDS.c.refers_to == originals.c.record_id)
            .where(originals.c.warc.in_(list(names)), _RECORDS.c.warc.not_in(list(names)))
            .distinct()
        )
        with self.database.read() as connection:
            return {str(row[0]) for row in connection.execute(statement)}
