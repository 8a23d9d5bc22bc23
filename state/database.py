"""The one storage helper: every store of this software (crawl ledger, scheduler state, robots.txt
cache, story signatures, alerts, and the embedded index) opens its database through `Database`.

It is SQLAlchemy 2 Core, so the state stores can move from SQLite files to a shared PostgreSQL
database (issue 14) by URL, with the same statements. What it provides:

* **Connection set-up** on every pooled connection. SQLite: WAL journal, a busy timeout (a writer
  waits for another's lock instead of failing at once), foreign keys ON, and the store's own
  tuning (``synchronous``, cache size, ...).
* **Transactions**: ``with db.write() as connection:`` commits at the end of the block and rolls
  back on an exception. On SQLite it begins with ``BEGIN IMMEDIATE``: the write lock is taken up
  front, so a read-then-write transaction can never fail half-way on a lock another writer holds
  (it waits up to the busy timeout for it first). ``db.read()`` is a plain (deferred) transaction:
  one snapshot for several SELECTs, no lock taken. As in SQLAlchemy's pysqlite recipe
  ("Serializable isolation / Savepoints / Transactional DDL"), the driver's own BEGIN is switched
  off (``isolation_level = None``) and ours is emitted: by `transaction` rather than by a "begin"
  event listener, which would slow every statement (see there). On PostgreSQL both are ordinary
  transactions.
* **Migrations by version**: a store lists its steps; `Database.migrate` applies the missing ones
  in order, in one write transaction, and records the store's version in the ``schema_versions``
  table (a table, not SQLite's ``PRAGMA user_version``, so that several stores can share one file
  or one PostgreSQL database). Files written before this helper existed kept their version in
  ``PRAGMA user_version``: a store that did so says ``user_version=True``, its version is read from
  there when it has no row yet, and is mirrored there, so older software still refuses a newer file.

SQL of the state stores is dialect-neutral (named parameters, ``INSERT ... ON CONFLICT``, tables
in state/tables.py) and goes through SQLAlchemy's execution, except the few statements on the
crawl's hot path, which `run` compiles once per dialect and runs on the driver's cursor. The
embedded index is SQLite by nature (FTS5): it runs its statements on the driver connection
(`sqlite_connection`) inside the transactions of this helper.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Column, Integer, MetaData, Table, Text, column, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, TextualSelect

Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]

_VERSIONS_METADATA = MetaData()
SCHEMA_VERSIONS = Table(
    "schema_versions",
    _VERSIONS_METADATA,
    Column("store", Text, primary_key=True),
    Column("version", Integer, nullable=False),
)
_RECORD_VERSION = text(
    "INSERT INTO schema_versions (store, version) VALUES (:store, :version) "
    "ON CONFLICT (store) DO UPDATE SET version = excluded.version"
)

_NO_PARAMETERS: Mapping[str, Any] = {}

#: one migration step: brings the store from version N to N + 1 (inside the migration's transaction)
Step = Callable[[Connection], None]


class SchemaVersionError(RuntimeError):
    """The database was written by a newer version of this software."""


@dataclass(frozen=True)
class Migrations:
    """The schema history of one store: ``steps[n]`` brings version n to n + 1.

    Steps only ever get appended: a released step never changes, since databases that applied it
    will not run it again."""

    store: str
    steps: Sequence[Step]
    #: SQLite only: the store kept its version in PRAGMA user_version before schema_versions existed
    #: (at most one store per file can say so)
    user_version: bool = False

    @property
    def version(self) -> int:
        return len(self.steps)


def database_url(target: str | Path | URL) -> URL:
    """A URL as given (``sqlite:///…``, ``postgresql://…``); a path is an SQLite file."""
    if isinstance(target, URL):
        return target
    if isinstance(target, str) and "://" in target:
        return make_url(target)
    return URL.create("sqlite", database=str(Path(target).expanduser().absolute()))


def open_engine(
    target: str | Path | URL,
    *,
    busy_timeout: float = 30.0,
    synchronous: Synchronous | None = None,
    pragmas: Mapping[str, str | int] | None = None,
) -> Engine:
    """An engine whose every connection is set up for this software's stores.

    SQLite: WAL, `busy_timeout` seconds of waiting for a lock, foreign keys ON, `synchronous` when
    given (NORMAL: with WAL, durable at checkpoints, no fsync per commit), then `pragmas` in order;
    connections are pooled (a warm page cache is kept) and never refused for lack of a free one.
    """
    url = database_url(target)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    statements = [
        f"PRAGMA busy_timeout = {round(busy_timeout * 1000):d}",
        "PRAGMA journal_mode = WAL",
        "PRAGMA foreign_keys = ON",
    ]
    if synchronous is not None:
        statements.append(f"PRAGMA synchronous = {synchronous}")
    statements += [f"PRAGMA {name} = {value}" for name, value in (pragmas or {}).items()]
    engine = create_engine(url, pool_size=5, max_overflow=-1, pool_use_lifo=True)

    def set_up(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # sqlite3 must not BEGIN by itself (it defers the lock and skips DDL): `transaction` does
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()

    event.listen(engine, "connect", set_up)
    return engine


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Connection]:
    """A connection of `engine`'s pool in a transaction: committed when the block ends, rolled
    back if it raises. `write` on SQLite: BEGIN IMMEDIATE (the write lock, waited for up to the
    busy timeout); otherwise BEGIN (deferred: a snapshot at the first read, no lock)."""
    with engine.connect() as connection, _begun(connection, write):
        yield connection


@contextmanager
def _begun(connection: Connection, write: bool) -> Iterator[None]:
    """A transaction on `connection` for the block.

    SQLAlchemy's recipe for SQLite emits BEGIN from a "begin" event listener; but a listener of
    connection events makes every connection and statement of the engine dispatch events, which
    measured about twice the cost of a ledger write. The BEGIN is emitted here instead, on the
    driver connection, once SQLAlchemy's own transaction has begun (which emits nothing on SQLite;
    its commit and rollback are the driver's). A transaction begun on the engine any other way
    is the driver's autocommit: each statement on its own."""
    with connection.begin():
        if connection.dialect.name == "sqlite":
            statement = "BEGIN IMMEDIATE" if write else "BEGIN"
            try:
                sqlite_connection(connection).execute(statement)
            except sqlite3.Error as error:  # e.g. "database is locked" after the busy timeout
                raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error
        yield


def query(sql: str, *columns: str) -> TextualSelect:
    """A SELECT in SQL whose result `columns` are named in order: SQLAlchemy then works out how to
    read its rows once (from a bare text() it does so from the cursor at every execution)."""
    return text(sql).columns(*(column(name) for name in columns))


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # parameter names in the order of a positional paramstyle


_compiled: dict[tuple[ClauseElement, str], _Compiled] = {}


def run(
    connection: Connection,
    statement: ClauseElement,
    parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] = _NO_PARAMETERS,
) -> DBAPICursor:
    """Run `statement` on the driver's cursor of `connection` (several parameter sets: executemany),
    compiled once for its dialect; rows come back as tuples, with `rowcount`.

    For the statements on the crawl's hot path only (the ledger's per-URL writes and lookups, the
    story index): there SQLAlchemy's execution machinery (execution context, result object) costs
    more than SQLite running the statement. The SQL is still the portable statement, compiled
    by SQLAlchemy for the dialect (its quoting and paramstyle), so it runs unchanged on
    PostgreSQL; what is skipped is type processing, so values must be plain (str, int, float,
    bytes, None), and expanding IN parameters are not supported. Driver errors are raised as
    SQLAlchemy's (sqlalchemy.exc.IntegrityError, OperationalError, ...)."""
    dialect = connection.dialect
    compiled = _compiled.get((statement, dialect.name))
    if compiled is None:
        done = statement.compile(dialect=dialect)
        if not isinstance(done, SQLCompiler) or "POSTCOMPILE" in done.string:
            raise ValueError("run() takes SQL statements without expanding parameters: execute it instead")
        positions = done.positiontup
        compiled = _compiled[(statement, dialect.name)] = _Compiled(
            done.string, tuple(positions) if positions is not None else None
        )
    driver = connection.connection.dbapi_connection
    assert driver is not None  # the connection is open: it is in a transaction
    handle = driver.cursor()
    # a dict first: the Mapping ABC's check costs more than the statement's own Python overhead
    rows: list[Mapping[str, Any]]
    if type(parameters) is dict or isinstance(parameters, Mapping):
        many, rows = False, [parameters]
    else:
        many, rows = True, list(parameters)
    names = compiled.names
    arguments = [[row[name] for name in names] for row in rows] if names is not None else list(rows)
    try:
        if many:
            handle.executemany(compiled.sql, arguments)
        else:
            handle.execute(compiled.sql, arguments[0])
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(compiled.sql, arguments, error, dialect.loaded_dbapi.Error) from error
    return handle


def sqlite_connection(connection: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `connection`, for SQLite-only hot paths (the FTS5 index)."""
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        raise TypeError(f"not an SQLite connection: {type(driver).__name__}")
    return driver


def schema_version(connection: Connection, migrations: Migrations) -> int:
    """The version of `migrations.store` in the database `connection` is open on (0: none yet)."""
    recorded = 0
    if inspect(connection).has_table(SCHEMA_VERSIONS.name):
        found = connection.execute(
            select(SCHEMA_VERSIONS.c.version).where(SCHEMA_VERSIONS.c.store == migrations.store)
        ).scalar_one_or_none()
        recorded = found or 0
    if migrations.user_version and connection.dialect.name == "sqlite":
        # a file older than schema_versions, or written by a newer version than the row says
        recorded = max(recorded, connection.exec_driver_sql("PRAGMA user_version").scalar_one())
    return recorded


def migrate(engine: Engine, migrations: Migrations) -> int:
    """Apply the steps `migrations.store` lacks, in order, in one write transaction; the version.

    Several processes opening one database at once: the first migrates, the others wait for its
    write lock and then find nothing left to do. Raises SchemaVersionError for a newer database."""
    with transaction(engine, write=False) as connection:  # the usual case: up to date, no lock taken
        current = schema_version(connection, migrations)
    if current == migrations.version:
        return current
    if current < migrations.version:
        with transaction(engine) as connection:
            SCHEMA_VERSIONS.create(connection, checkfirst=True)
            current = schema_version(connection, migrations)
            for step in migrations.steps[current:]:
                step(connection)
            if current < migrations.version:
                connection.execute(_RECORD_VERSION, {"store": migrations.store, "version": migrations.version})
                if migrations.user_version and engine.dialect.name == "sqlite":
                    connection.exec_driver_sql(f"PRAGMA user_version = {migrations.version:d}")
    if current > migrations.version:
        raise SchemaVersionError(
            f"{migrations.store} schema version {current} is newer than this software supports ({migrations.version})"
        )
    return migrations.version


class Database:
    """One store's database: an engine set up by `open_engine`, its transactions and migrations.

    Each thread keeps a connection of its own between its transactions: checking one out of the
    pool and back costs as much as a ledger write itself. A thread that has ended gives its
    connection back when the next thread takes one, or at `close`. Safe from several threads;
    a transaction opened inside another on the same thread gets a pooled connection of its own."""

    def __init__(
        self,
        target: str | Path | URL,
        *,
        busy_timeout: float = 30.0,
        synchronous: Synchronous | None = None,
        pragmas: Mapping[str, str | int] | None = None,
        migrations: Migrations | None = None,
    ) -> None:
        """`migrations`: the store's schema, brought up to date before anything else runs on it
        (a database it cannot open, such as a newer schema, is closed again before raising)."""
        self.engine = open_engine(target, busy_timeout=busy_timeout, synchronous=synchronous, pragmas=pragmas)
        self._held: dict[threading.Thread, Connection] = {}
        self._held_lock = threading.Lock()
        if migrations is not None:
            try:
                self.migrate(migrations)
            except BaseException:
                self.close()
                raise

    def write(self) -> AbstractContextManager[Connection]:
        """A write transaction: committed at the end of the block, rolled back if it raises.
        SQLite: BEGIN IMMEDIATE, the write lock up front (waited for up to the busy timeout)."""
        return self._transaction(write=True)

    def read(self) -> AbstractContextManager[Connection]:
        """A read transaction: one snapshot for all its statements, no lock taken."""
        return self._transaction(write=False)

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        connection = self._thread_connection()
        if connection.in_transaction():
            with transaction(self.engine, write=write) as nested:
                yield nested
            return
        with _begun(connection, write):
            yield connection

    def _thread_connection(self) -> Connection:
        thread = threading.current_thread()
        connection = self._held.get(thread)
        if connection is None:
            connection = self.engine.connect()
            with self._held_lock:
                for ended in [other for other in self._held if not other.is_alive()]:
                    self._held.pop(ended).close()  # not in use: its thread is gone
                self._held[thread] = connection
        return connection

    def migrate(self, migrations: Migrations) -> int:
        return migrate(self.engine, migrations)

    def version(self, migrations: Migrations) -> int:
        with self.read() as connection:
            return schema_version(connection, migrations)

    def close(self) -> None:
        """Close this thread's connection, those of ended threads, and the pool. A connection that
        a live thread still holds is left to it: closing it under a running statement crashes the
        sqlite3 module (a server stopping while a request is answered)."""
        current = threading.current_thread()
        with self._held_lock:
            for thread in [thread for thread in self._held if thread is current or not thread.is_alive()]:
                self._held.pop(thread).close()
        self.engine.dispose()
