"""The storage helper every store opens its database with (state/database.py): connection set-up on
every pooled connection, transactions that commit or roll back, BEGIN IMMEDIATE for writers,
and migrations by version, including files that kept their version in PRAGMA user_version."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection, bindparam, event, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import QueuePool

from state.database import (
    Database,
    Migrations,
    SchemaVersionError,
    Step,
    database_url,
    query,
    run,
    transaction,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "sub" / "store.sqlite3"


def _pragmas(connection: Connection) -> dict[str, object]:
    names = ("journal_mode", "busy_timeout", "foreign_keys", "synchronous", "cache_size", "temp_store")
    return {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names}


def test_every_pooled_connection_is_set_up(path: Path) -> None:
    database = Database(path, busy_timeout=2.5, synchronous="NORMAL", pragmas={"cache_size": -4096, "temp_store": 2})
    expected = {
        "journal_mode": "wal",
        "busy_timeout": 2500,
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL
        "cache_size": -4096,
        "temp_store": 2,  # MEMORY
    }
    # several connections at once: each is a new one from the pool, set up when it was opened
    connections = [database.engine.connect() for _ in range(3)]
    try:
        assert [_pragmas(connection) for connection in connections] == [expected] * 3
    finally:
        for connection in connections:
            connection.close()
    with database.read() as connection:  # a connection back from the pool keeps its set-up
        assert _pragmas(connection) == expected
    database.close()
    assert path.exists()  # the directory was made


def test_synchronous_is_left_alone_unless_asked(path: Path) -> None:
    database = Database(path)
    with database.read() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # SQLite's default, FULL
    database.close()


def test_a_path_or_a_url(tmp_path: Path) -> None:
    assert database_url(tmp_path / "a.sqlite3").render_as_string() == f"sqlite:///{tmp_path / 'a.sqlite3'}"
    assert database_url("postgresql://u@db/osint").get_backend_name() == "postgresql"


def _table(database: Database) -> None:
    with database.write() as connection:
        connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"))


def _names(database: Database) -> list[str]:
    with database.read() as connection:
        return list(connection.execute(text("SELECT name FROM items ORDER BY id")).scalars())


def test_a_transaction_commits_at_the_end_and_rolls_back_on_an_exception(path: Path) -> None:
    database = Database(path)
    _table(database)
    with database.write() as connection:
        connection.execute(text("INSERT INTO items (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}])
    with pytest.raises(ZeroDivisionError), database.write() as connection:
        connection.execute(text("INSERT INTO items (name) VALUES ('c')"))
        assert _names(database) == ["a", "b"]  # another transaction does not see it yet
        _ = 1 / 0
    assert _names(database) == ["a", "b"]
    with database.write() as connection:  # the connection is usable after the rollback
        connection.execute(text("INSERT INTO items (name) VALUES ('d')"))
    assert _names(database) == ["a", "b", "d"]
    database.close()


def test_a_writer_holds_the_lock_from_the_start_and_a_reader_takes_none(path: Path) -> None:
    database = Database(path)
    _table(database)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with database.write(), pytest.raises(sqlite3.OperationalError, match="locked"):  # no statement run yet
        other.execute("BEGIN IMMEDIATE")
    with database.read() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 0
        other.execute("BEGIN IMMEDIATE")  # a reader blocks no writer
        other.execute("INSERT INTO items (name) VALUES ('x')")
        other.execute("COMMIT")
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 0  # its snapshot
    assert _names(database) == ["x"]
    other.close()
    database.close()


def test_a_second_writer_gives_up_after_its_busy_timeout(path: Path) -> None:
    first, second = Database(path), Database(path, busy_timeout=0.05)  # e.g. two crawl processes
    _table(first)
    with first.write() as connection:
        connection.execute(text("INSERT INTO items (name) VALUES ('first')"))
        with pytest.raises(OperationalError, match="locked"), second.write():
            pass
    assert _names(second) == ["first"]
    first.close()
    second.close()


def test_a_second_writer_waits_and_then_sees_the_first_ones_commit(path: Path) -> None:
    """Read-then-write transactions of two writers serialise: the second reads after the first
    committed (a deferred BEGIN would read the old snapshot, then fail to write)."""
    first, second = Database(path), Database(path)
    _table(first)
    began = threading.Event()  # the second writer's BEGIN has started running (and waits for the lock)

    def trace_begin(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.set_trace_callback(lambda sql: began.set() if sql.startswith("BEGIN") else None)

    event.listen(second.engine, "connect", trace_begin)
    seen: list[int] = []

    def second_writer() -> None:
        with second.write() as connection:
            count = connection.execute(text("SELECT count(*) FROM items")).scalar_one()
            connection.execute(text("INSERT INTO items (name) VALUES (:name)"), {"name": f"after {count}"})
            seen.append(count)

    with first.write() as connection:
        connection.execute(text("INSERT INTO items (name) VALUES ('first')"))
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert began.wait(timeout=10)  # so the first commits while the second is inside its BEGIN
        assert not seen  # it cannot have written: the lock is held
    thread.join(timeout=30)
    assert seen == [1] and _names(first) == ["first", "after 1"]
    first.close()
    second.close()


def test_a_transaction_inside_another_on_one_thread_gets_its_own_connection(path: Path) -> None:
    database = Database(path)
    _table(database)
    with database.write() as outer:
        outer.execute(text("INSERT INTO items (name) VALUES ('uncommitted')"))
        with database.read() as inner:
            assert inner is not outer
            assert inner.execute(text("SELECT count(*) FROM items")).scalar() == 0
    assert _names(database) == ["uncommitted"]
    database.close()


def test_a_thread_that_ended_gives_its_connection_back(path: Path) -> None:
    database = Database(path)
    _table(database)  # this thread keeps a connection
    for _ in range(5):  # each new thread's first transaction gives back the ended threads' connections
        thread = threading.Thread(target=_names, args=(database,))
        thread.start()
        thread.join()
    pool = database.engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedout() == 2  # this thread's and the last one's
    database.close()
    assert pool.checkedout() == 0


def test_closing_leaves_a_live_threads_connection_to_it(path: Path) -> None:
    """`osint serve` closes the index while a request thread may still be searching: closing that
    thread's connection under it crashed the process (SIGSEGV in the sqlite3 module)."""
    database = Database(path)
    _table(database)
    with database.write() as connection:
        connection.execute(text("INSERT INTO items (name) VALUES ('a'), ('b')"))
    holding, close_done, seen = threading.Event(), threading.Event(), []

    def search() -> None:
        with database.read() as connection:
            holding.set()
            close_done.wait(10)
            seen.extend(connection.execute(text("SELECT name FROM items ORDER BY id")).scalars())

    thread = threading.Thread(target=search)
    thread.start()
    assert holding.wait(10)
    database.close()
    close_done.set()
    thread.join(10)
    assert seen == ["a", "b"]  # the search finished on its own connection, not closed under it


# migrations ----------------------------------------------------------------------------------------


def _step(name: str, log: list[str]) -> Step:
    def step(connection: Connection) -> None:
        log.append(name)
        connection.execute(text(f"CREATE TABLE {name} (x INTEGER)"))

    return step


def _tables(database: Database) -> set[str]:
    with database.read() as connection:
        return set(inspect(connection).get_table_names())


def test_migrations_apply_once_and_in_order(path: Path) -> None:
    log: list[str] = []
    first = Migrations("store", [_step("one", log), _step("two", log)])
    database = Database(path)
    assert database.version(first) == 0
    assert database.migrate(first) == 2
    assert log == ["one", "two"]
    assert database.migrate(first) == 2 and log == ["one", "two"]  # nothing to do
    database.close()

    later = Migrations("store", [*first.steps, _step("three", log)])
    reopened = Database(path)
    assert reopened.migrate(later) == 3
    assert log == ["one", "two", "three"]  # only the new step
    assert reopened.version(later) == 3 and {"one", "two", "three", "schema_versions"} <= _tables(reopened)
    reopened.close()


def test_stores_sharing_a_database_keep_their_own_versions(path: Path) -> None:
    log: list[str] = []
    database = Database(path)
    database.migrate(Migrations("ledger", [_step("runs", log)]))
    database.migrate(Migrations("scheduler", [_step("schedule", log), _step("locks", log)]))
    assert log == ["runs", "schedule", "locks"]
    with database.read() as connection:
        rows = connection.execute(text("SELECT store, version FROM schema_versions ORDER BY store")).all()
    assert [tuple(row) for row in rows] == [("ledger", 1), ("scheduler", 2)]
    database.close()


def test_a_failed_step_leaves_the_database_as_it_was(path: Path) -> None:
    log: list[str] = []

    def broken(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE half (x INTEGER)"))
        raise RuntimeError("step failed")

    database = Database(path)
    with pytest.raises(RuntimeError, match="step failed"):
        database.migrate(Migrations("store", [_step("one", log), broken]))
    assert database.version(Migrations("store", [])) == 0
    assert not {"one", "half"} & _tables(database)  # DDL is transactional too
    database.close()


def test_a_newer_database_is_refused(path: Path) -> None:
    log: list[str] = []
    database = Database(path)
    database.migrate(Migrations("store", [_step("one", log), _step("two", log)]))
    with pytest.raises(SchemaVersionError, match=r"store schema version 2 is newer .*\(1\)"):
        database.migrate(Migrations("store", [_step("one", log)]))
    database.close()


def test_concurrent_openers_migrate_once(path: Path) -> None:
    log: list[str] = []
    migrations = Migrations("store", [_step("one", log), _step("two", log)])
    databases = [Database(path) for _ in range(4)]
    start = threading.Barrier(len(databases))
    errors: list[BaseException] = []

    def open_it(database: Database) -> None:
        try:
            start.wait(timeout=10)
            database.migrate(migrations)
        except BaseException as error:  # a thread's exception is otherwise only a warning
            errors.append(error)

    threads = [threading.Thread(target=open_it, args=(database,)) for database in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(thread.is_alive() for thread in threads)
    assert log == ["one", "two"]
    for database in databases:
        database.close()


def test_a_file_versioned_by_user_version_starts_from_it_and_keeps_its_data(path: Path) -> None:
    """Written before schema_versions existed: PRAGMA user_version = 1, with data."""
    path.parent.mkdir(parents=True)
    legacy = sqlite3.connect(path)
    legacy.executescript("CREATE TABLE one (x INTEGER); INSERT INTO one VALUES (1), (2); PRAGMA user_version = 1;")
    legacy.close()
    log: list[str] = []

    def add_column(connection: Connection) -> None:
        log.append("add column")
        connection.execute(text("ALTER TABLE one ADD COLUMN y INTEGER NOT NULL DEFAULT 0"))

    migrations = Migrations("store", [_step("one", log), add_column], user_version=True)
    database = Database(path)
    assert database.version(migrations) == 1
    assert database.migrate(migrations) == 2
    assert log == ["add column"]  # step 1 was there already
    with database.read() as connection:
        assert connection.execute(text("SELECT x, y FROM one ORDER BY x")).all() == [(1, 0), (2, 0)]
    database.close()
    legacy = sqlite3.connect(path)  # software older than schema_versions still reads its version
    assert legacy.execute("PRAGMA user_version").fetchone()[0] == 2
    legacy.close()


def test_the_engine_level_transaction_is_the_same_contract(path: Path) -> None:
    database = Database(path)
    _table(database)
    with transaction(database.engine) as connection:
        connection.execute(text("INSERT INTO items (name) VALUES ('engine')"))
    with pytest.raises(KeyError), transaction(database.engine) as connection:
        connection.execute(text("INSERT INTO items (name) VALUES ('lost')"))
        raise KeyError("x")
    assert _names(database) == ["engine"]
    database.close()


def test_run_compiles_once_and_runs_on_the_driver(path: Path) -> None:
    database = Database(path)
    _table(database)
    insert = text("INSERT INTO items (id, name) VALUES (:id, :name)")
    rename = text("UPDATE items SET name = :name WHERE id = :id")
    lookup = query("SELECT name, id FROM items WHERE id = :id OR name = :name ORDER BY id", "name", "id")
    with database.write() as connection:
        assert run(connection, insert, [{"id": 1, "name": "a"}, {"name": "b", "id": 2}]).rowcount == 2
        assert run(connection, rename, {"name": "c", "id": 2}).rowcount == 1
        assert run(connection, lookup, {"id": 1, "name": "c"}).fetchall() == [("a", 1), ("c", 2)]
        with pytest.raises(IntegrityError):  # the driver's error, as SQLAlchemy's
            run(connection, insert, {"id": 1, "name": "again"})
    assert _names(database) == ["a", "c"]  # SQLite undid the failed statement only; the rest committed
    with database.read() as connection, pytest.raises(ValueError, match="expanding"):
        run(connection, text("SELECT 1 WHERE 1 IN :ids").bindparams(bindparam("ids", expanding=True)), {"ids": [1]})
    database.close()
