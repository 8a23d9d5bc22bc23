"""A writer killed with SIGKILL while it writes large records: the next store to open the directory
cuts the dead writer's file back to its last committed record, and everything then reads.

The writer is a real child process (a CaptureStore writing 2-4 MB random bodies for ever); the
test kills it once it has committed some records, preferably caught with more bytes in its file
than the catalog has committed (inside a write, or between the write and the commit), and does
that a few times on the same directory.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from captures.store import CATALOG_NAME, CaptureStore, Exchange
from captures.warc import read_record
from tests.crawl.helpers import REPO

ROUNDS = 3
#: responses each round's writer must commit before it is killed
RECORDS_PER_ROUND = 3
#: how long a writer may take to commit them (it starts an interpreter and imports first)
COMMIT_TIMEOUT = 60.0

WRITER = """
import os, random, sys
from datetime import UTC, datetime
from captures.store import CaptureStore, Exchange

store = CaptureStore(sys.argv[1], max_file_bytes=int(sys.argv[2]))
print("ready", flush=True)
serial = 0
while True:
    serial += 1
    body = os.urandom(random.randint(2 * 1024 * 1024, 4 * 1024 * 1024))
    store.record_exchange(
        Exchange(
            url=f"http://bulk.example/{os.getpid()}/{serial}.bin",
            status=200,
            body=body,
            response_headers=[("Content-Type", "application/octet-stream")],
            fetched_at=datetime.now(UTC),
        )
    )
"""


def _catalog(directory: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{directory / CATALOG_NAME}?mode=ro", uri=True, timeout=10)


def _committed(directory: Path) -> int:
    if not (directory / CATALOG_NAME).exists():
        return 0
    try:
        with _catalog(directory) as connection:
            return connection.execute("SELECT count(*) FROM capture_records WHERE type = 'response'").fetchone()[0]
    except sqlite3.OperationalError:  # the writer has not created its tables yet
        return 0


def _open_files(directory: Path) -> list[tuple[str, int, int]]:
    """(name, committed size, writer pid) of the files the catalog says are open."""
    with _catalog(directory) as connection:
        return connection.execute("SELECT name, size, pid FROM capture_files WHERE closed = 0").fetchall()


def _torn(directory: Path) -> bool:
    """Whether an open file holds more bytes than the catalog committed (a write in progress)."""
    try:
        return any(
            (directory / name).exists() and (directory / name).stat().st_size > size
            for name, size, _ in _open_files(directory)
        )
    except sqlite3.OperationalError:
        return False


def _kill_after_commits(directory: Path, wanted: int) -> subprocess.Popen:
    """Start a writer; SIGKILL it once `wanted` responses are committed, as soon as its file is
    seen torn (or after a bounded wait for that). The killed, reaped process."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory), str(16 * 1024 * 1024)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + COMMIT_TIMEOUT
        while _committed(directory) < wanted:
            assert writer.poll() is None, writer.communicate()[1].decode()
            assert time.monotonic() < deadline, f"{wanted} responses were not committed in {COMMIT_TIMEOUT} s"
            time.sleep(0.01)
        # a record takes tens of milliseconds to compress and a moment to write: look for it mid-way
        torn_deadline = time.monotonic() + 5.0
        while not _torn(directory) and time.monotonic() < torn_deadline:
            assert writer.poll() is None, writer.communicate()[1].decode()
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
        writer.stdout.close()  # type: ignore[union-attr]
        writer.stderr.close()  # type: ignore[union-attr]
    assert writer.returncode == -signal.SIGKILL
    return writer


def _read_whole(path: Path) -> list[tuple[str, str, int, int]]:
    """(type, record id, offset, length) of every record of `path`, read start to end by warcio with
    its digests checked; the records tile the file exactly."""
    records = []
    with path.open("rb") as handle:
        iterator = ArchiveIterator(handle, check_digests=True)
        for record in iterator:
            record.raw_stream.read()
            if record.rec_type != "revisit":
                assert record.digest_checker.passed is True, (path.name, iterator.get_record_offset())
            records.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Record-ID"),
                    iterator.get_record_offset(),
                    iterator.get_record_length(),
                )
            )
    end = records[-1][2] + records[-1][3] if records else 0
    assert end == path.stat().st_size, f"{path.name}: {path.stat().st_size - end} stray bytes at the end"
    return records


def _check_directory(directory: Path) -> int:
    """Every file reads whole; the catalog lists exactly the responses the files hold, each at its
    offset and length with a matching digest. The number of responses."""
    in_files: dict[str, tuple[str, int, int]] = {}
    for path in sorted(directory.glob("*.warc.gz")):
        for kind, record_id, offset, length in _read_whole(path):
            if kind == "response":
                in_files[record_id] = (path.name, offset, length)
    with _catalog(directory) as connection:
        listed = connection.execute(
            "SELECT record_id, warc, offset, length, payload_sha256 FROM capture_records WHERE type = 'response'"
        ).fetchall()
    assert {row[0] for row in listed} == set(in_files)
    assert len(listed) == len(in_files)
    for record_id, warc, offset, length, payload_sha256 in listed:
        assert in_files[record_id] == (warc, offset, length)
        stored = read_record(directory / warc, offset, length)
        assert stored.header("WARC-Record-ID") == record_id
        assert hashlib.sha256(stored.payload).hexdigest() == payload_sha256
        assert stored.header("WARC-Payload-Digest") == "sha256:" + payload_sha256
    return len(in_files)


@pytest.mark.slow
def test_a_writer_killed_mid_write_leaves_files_that_recover_and_read_whole(tmp_path: Path):
    directory = tmp_path / "captures"
    directory.mkdir()
    torn_rounds = 0
    for round in range(1, ROUNDS + 1):
        before = _committed(directory)
        writer = _kill_after_commits(directory, before + RECORDS_PER_ROUND)
        dead = [(name, size) for name, size, pid in _open_files(directory) if pid == writer.pid]
        assert dead, "the killed writer left no open file"
        torn_rounds += any(
            (directory / name).stat().st_size > size for name, size in dead if (directory / name).exists()
        )

        store = CaptureStore(directory, max_file_bytes=16 * 1024 * 1024)  # recovery runs here
        try:
            for name, size in dead:  # closed, and cut back to what the catalog committed
                entry = next(entry for entry in store.files() if entry.name == name)
                assert entry.closed
                if (directory / name).exists():
                    assert (directory / name).stat().st_size == size == entry.size
            responses = _check_directory(directory)
            assert responses >= before + RECORDS_PER_ROUND

            body = f"appended after round {round}".encode() * 100
            after = store.record_exchange(
                Exchange(
                    url=f"http://after.example/{round}",
                    status=200,
                    body=body,
                    response_headers=[("Content-Type", "text/plain")],
                    fetched_at=datetime.now(UTC),
                )
            )
        finally:
            store.close()
        reader = CaptureStore(directory)
        try:
            _, stored = reader.payload_record(after.record_id) or (None, None)
        finally:
            reader.close()
        assert stored is not None and stored.payload == body
        assert _check_directory(directory) == responses + 1
    # how often a kill landed inside a write is up to the scheduler; report it with the result
    print(f"{torn_rounds} of {ROUNDS} kills left a torn tail to cut back")
