"""The capture store (captures/): WARC records written with real files, read back with warcio.

Every file a test writes is read back record by record with warcio's own digest checks, the way a
third-party WARC tool would read it, so these tests hold the store to the format, not only to
what its own reader accepts.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import types
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from captures.catalog import Catalog
from captures.store import CATALOG_NAME, CaptureStore, Exchange
from captures.warc import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED, RecordSpec, http_headers, serialise
from schema.document import Capture, Document

T0 = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
HTML = "text/html; charset=utf-8"


# -- helpers ------------------------------------------------------------------------------------


@dataclass
class ReadRecord:
    """One record as warcio read it from a file."""

    type: str
    headers: dict[str, str]
    payload: bytes
    offset: int
    length: int
    digests_passed: bool | None
    http_line: str  # the HTTP status or request line, if the record has HTTP headers


def read_warc(path: Path) -> list[ReadRecord]:
    """Every record of `path`, start to end, with warcio checking block and payload digests; the
    records must tile the file exactly (no torn or stray bytes at the end)."""
    records = []
    with path.open("rb") as handle:
        iterator = ArchiveIterator(handle, check_digests=True)
        for record in iterator:
            payload = record.raw_stream.read()
            records.append(
                ReadRecord(
                    type=record.rec_type,
                    headers=dict(record.rec_headers.headers),
                    payload=payload,
                    offset=iterator.get_record_offset(),
                    length=iterator.get_record_length(),
                    digests_passed=record.digest_checker.passed,
                    http_line=record.http_headers.protocol + " " + record.http_headers.statusline
                    if record.http_headers is not None
                    else "",
                )
            )
    position = 0
    for record in records:
        assert record.offset == position, f"{path.name}: a gap or overlap before offset {record.offset}"
        position += record.length
        # revisits carry no payload to check; every other record must pass, never merely be unchecked
        if record.type == "revisit":
            assert record.digests_passed is None
        else:
            assert record.digests_passed is True, (path.name, record.type, record.offset)
    assert position == path.stat().st_size, f"{path.name}: {path.stat().st_size - position} bytes after the last record"
    return records


def warc_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.warc.gz"))


def warcio_check(paths: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    """`warcio check` over `paths` (its Python entry point): exit status 0, nothing reported."""
    capsys.readouterr()
    status = Checker(types.SimpleNamespace(inputs=[str(path) for path in paths], verbose=False)).process_all()
    printed = capsys.readouterr().out
    assert status == 0 and not printed.strip(), printed


def exchange(
    url: str,
    body: bytes,
    *,
    status: int = 200,
    at: datetime = T0,
    headers: list[tuple[str, str]] | None = None,
) -> Exchange:
    return Exchange(
        url=url,
        status=status,
        body=body,
        response_headers=headers if headers is not None else [("Content-Type", HTML)],
        fetched_at=at,
        ip="127.0.0.1",
        request_headers=[("Host", url.split("/")[2]), ("Accept", "*/*")],
        reason="OK" if status == 200 else "",
    )


def page(text: str) -> bytes:
    return f"<html><head><title>{text}</title></head><body><p>{text}</p></body></html>".encode()


def record_by_id(directory: Path, record_id: str) -> ReadRecord:
    for path in warc_files(directory):
        for record in read_warc(path):
            if record.headers.get("WARC-Record-ID") == record_id:
                return record
    raise AssertionError(f"{record_id} is in no WARC file of {directory}")


def die_without_closing(store: CaptureStore) -> str:
    """What SIGKILL leaves of a writer: its file's descriptor (and flock) gone, its catalog row
    still open, nothing else tidied. The file's name."""
    assert store.current is not None
    name = store.current.path.name
    os.close(store.current.fd)
    store.current = None
    store.catalog.close()
    return name


@pytest.fixture
def store(tmp_path: Path):
    opened = CaptureStore(tmp_path / "captures")
    yield opened
    with contextlib.suppress(Exception):
        opened.close()


# -- records ------------------------------------------------------------------------------------


def test_a_response_and_its_request_read_back_with_their_digests_checked(store, capsys):
    body = page("Customs seize rifle magazines at the northern crossing")
    capture = store.record_exchange(exchange("http://news.example/seizure.html", body))
    store.close()

    assert capture.payload_sha256 == hashlib.sha256(body).hexdigest()
    assert (capture.url, capture.status, capture.ip) == ("http://news.example/seizure.html", 200, "127.0.0.1")
    [path] = warc_files(store.directory)
    assert capture.warc == path.name
    records = read_warc(path)
    assert [record.type for record in records] == ["warcinfo", "response", "request"]
    response, request = records[1], records[2]
    assert response.headers["WARC-Record-ID"] == capture.record_id
    assert response.headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert response.headers["WARC-Target-URI"] == "http://news.example/seizure.html"
    assert response.headers["WARC-IP-Address"] == "127.0.0.1"
    assert response.payload == body
    assert (response.offset, response.length) == (capture.offset, capture.length)
    assert request.headers["WARC-Concurrent-To"] == capture.record_id
    assert response.http_line == "HTTP/1.1 200 OK"
    assert request.http_line.startswith("GET /seizure.html") and request.payload == b""
    warcio_check([path], capsys)

    # the catalog's offset and length read the same record on their own
    entry, stored = store.payload_record(capture.record_id) or (None, None)
    assert entry is not None and stored is not None
    assert stored.payload == body and stored.header("WARC-Type") == "response"
    assert stored.http_headers is not None and stored.http_headers.get_statuscode() == "200"


def test_a_gzip_encoded_body_is_stored_as_received_and_decoded_on_demand(store, capsys):
    plain = page("Crates of ammunition found under spare parts") * 20
    compressed = gzip.compress(plain, mtime=0)
    headers = [("Content-Type", HTML), ("Content-Encoding", "gzip"), ("Content-Length", str(len(compressed)))]
    capture = store.record_exchange(exchange("http://news.example/zipped.html", compressed, headers=headers))
    store.close()

    assert capture.payload_sha256 == hashlib.sha256(compressed).hexdigest()
    _, stored = store.payload_record(capture.record_id) or (None, None)
    assert stored is not None
    assert stored.payload == compressed  # the bytes as they came over the wire
    assert stored.decoded_payload() == plain
    assert stored.http_headers is not None and stored.http_headers.get_header("Content-Encoding") == "gzip"
    [path] = warc_files(store.directory)
    assert read_warc(path)[1].payload == compressed
    warcio_check([path], capsys)


def test_the_same_payload_again_is_a_revisit_of_the_first_response(store, capsys):
    body = page("Ministry statement on export licences")
    first = store.record_exchange(exchange("http://gov.example/statement", body, at=T0))
    second = store.record_exchange(exchange("http://mirror.example/statement", body, at=T0 + timedelta(minutes=5)))
    store.close()

    assert second.payload_sha256 == first.payload_sha256 == hashlib.sha256(body).hexdigest()
    revisit = record_by_id(store.directory, second.record_id)
    assert revisit.type == "revisit"
    assert revisit.headers["WARC-Profile"] == IDENTICAL_PAYLOAD
    assert revisit.headers["WARC-Refers-To"] == first.record_id
    assert revisit.headers["WARC-Refers-To-Target-URI"] == "http://gov.example/statement"
    assert revisit.headers["WARC-Payload-Digest"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert revisit.http_line == "HTTP/1.1 200 OK"
    assert revisit.payload == b""  # headers only: the payload is not stored twice

    entry, stored = store.payload_record(second.record_id) or (None, None)
    assert entry is not None and stored is not None
    assert entry.record_id == first.record_id and stored.payload == body
    assert store.catalog.record_counts() == {"response": 1, "revisit": 1, "request": 2}
    assert store.catalog.payload_bytes() == (len(body), len(body))
    warcio_check(warc_files(store.directory), capsys)


def test_a_revisits_block_digest_is_the_sha256_of_its_block(store):
    body = page("Communique repeated word for word")
    store.record_exchange(exchange("http://gov.example/communique", body, at=T0))
    second = store.record_exchange(exchange("http://mirror.example/communique", body, at=T0 + timedelta(minutes=5)))
    store.close()

    revisit = record_by_id(store.directory, second.record_id)
    assert revisit.type == "revisit"
    assert revisit.headers["WARC-Block-Digest"].startswith("sha256:")
    # warcio checks no digest of a revisit: recompute it over the block (its HTTP headers) as stored
    (path,) = warc_files(store.directory)
    raw = gzip.decompress(path.read_bytes()[revisit.offset : revisit.offset + revisit.length])
    block = raw.partition(b"\r\n\r\n")[2][: int(revisit.headers["Content-Length"])]
    assert revisit.headers["WARC-Block-Digest"] == "sha256:" + hashlib.sha256(block).hexdigest()


def test_a_304_is_a_server_not_modified_revisit_of_the_urls_latest_capture(store):
    url = "http://news.example/live.html"
    store.record_exchange(exchange(url, page("first edition"), at=T0))
    latest = store.record_exchange(exchange(url, page("second edition"), at=T0 + timedelta(hours=1)))
    not_modified = store.record_exchange(
        exchange(url, b"", status=304, at=T0 + timedelta(hours=2), headers=[("ETag", '"e2"')])
    )
    store.close()

    assert not_modified.status == 304
    assert not_modified.payload_sha256 == latest.payload_sha256
    revisit = record_by_id(store.directory, not_modified.record_id)
    assert revisit.type == "revisit"
    assert revisit.headers["WARC-Profile"] == SERVER_NOT_MODIFIED
    assert revisit.headers["WARC-Refers-To"] == latest.record_id
    assert revisit.http_line.startswith("HTTP/1.1 304") and revisit.payload == b""
    entry, stored = store.payload_record(not_modified.record_id) or (None, None)
    assert entry is not None and stored is not None
    assert entry.record_id == latest.record_id and stored.payload == page("second edition")

    # a later 304 refers to what is still the latest capture, not to the 304 before it
    again = CaptureStore(store.directory)
    try:
        third = again.record_exchange(exchange(url, b"", status=304, at=T0 + timedelta(hours=3)))
        assert again.catalog.record(third.record_id).refers_to == latest.record_id  # type: ignore[union-attr]
    finally:
        again.close()


def test_a_304_after_an_identical_payload_revisit_resolves_to_the_original(store):
    body = page("Syndicated wire copy")
    original = store.record_exchange(exchange("http://wire.example/a", body, at=T0))
    copy = store.record_exchange(exchange("http://paper.example/a", body, at=T0 + timedelta(minutes=1)))
    not_modified = store.record_exchange(
        exchange("http://paper.example/a", b"", status=304, at=T0 + timedelta(minutes=2))
    )
    assert store.catalog.record(not_modified.record_id).refers_to == copy.record_id  # type: ignore[union-attr]
    entry, stored = store.payload_record(not_modified.record_id) or (None, None)
    assert entry is not None and stored is not None
    assert entry.record_id == original.record_id and stored.payload == body


def test_empty_bodies_are_not_deduplicated(store):
    redirects = [
        store.record_exchange(
            exchange(f"http://news.example/old-{n}", b"", status=301, headers=[("Location", f"/new-{n}")])
        )
        for n in range(2)
    ]
    store.close()
    for capture in redirects:
        record = record_by_id(store.directory, capture.record_id)
        assert record.type == "response"
        assert "WARC-Refers-To" not in record.headers
        assert store.catalog.record(capture.record_id).refers_to is None  # type: ignore[union-attr]
        assert capture.payload_sha256 == hashlib.sha256(b"").hexdigest()
    assert store.catalog.record_counts().get("revisit", 0) == 0


# -- files --------------------------------------------------------------------------------------


def _random_exchanges(count: int, size: int, prefix: str = "http://files.example/") -> list[Exchange]:
    return [
        exchange(
            f"{prefix}{n}.bin",
            os.urandom(size),
            at=T0 + timedelta(seconds=n),
            headers=[("Content-Type", "application/octet-stream")],
        )
        for n in range(count)
    ]


def test_small_files_rotate_and_every_file_reads_whole(tmp_path, capsys):
    store = CaptureStore(tmp_path, max_file_bytes=8192)
    captures = [store.record_exchange(item) for item in _random_exchanges(12, 1500)]
    store.close()

    paths = warc_files(tmp_path)
    assert len(paths) >= 3
    files = {entry.name: entry for entry in store.files()}
    assert set(files) == {path.name for path in paths}
    responses = []
    for path in paths:
        records = read_warc(path)
        assert records[0].type == "warcinfo" and records[0].headers["WARC-Filename"] == path.name
        assert files[path.name].closed and files[path.name].size == path.stat().st_size
        assert files[path.name].records == len(records) - 1  # the warcinfo record is not listed
        responses += [record for record in records if record.type == "response"]
    assert len(responses) == len(captures) == 12
    for capture in captures:
        entry, stored = store.payload_record(capture.record_id) or (None, None)
        assert entry is not None and stored is not None
        assert hashlib.sha256(stored.payload).hexdigest() == capture.payload_sha256
    warcio_check(paths, capsys)


def test_a_rotated_file_stays_within_its_size_when_the_records_fit(tmp_path):
    store = CaptureStore(tmp_path, max_file_bytes=8192)
    for item in _random_exchanges(12, 1500):
        store.record_exchange(item)
    store.close()
    assert all(path.stat().st_size <= 8192 for path in warc_files(tmp_path))


def test_a_second_store_appends_to_the_newest_closed_file_with_room(tmp_path, capsys):
    first = CaptureStore(tmp_path, max_file_bytes=1024 * 1024)
    earlier = first.record_exchange(exchange("http://a.example/1", page("one")))
    first.close()
    [path] = warc_files(tmp_path)
    size = path.stat().st_size

    second = CaptureStore(tmp_path, max_file_bytes=1024 * 1024)
    later = second.record_exchange(exchange("http://a.example/2", page("two"), at=T0 + timedelta(hours=1)))
    assert later.warc == earlier.warc == path.name and later.offset == size
    [entry] = second.files()
    assert not entry.closed and entry.pid == os.getpid()
    second.close()

    assert warc_files(tmp_path) == [path]
    records = read_warc(path)
    assert [record.type for record in records] == ["warcinfo", "response", "request", "response", "request"]
    assert CaptureStore(tmp_path).files()[0].records == 4
    warcio_check([path], capsys)


def test_a_second_store_starts_a_new_file_when_the_newest_is_full(tmp_path):
    first = CaptureStore(tmp_path, max_file_bytes=4096)
    earlier = first.record_exchange(_random_exchanges(1, 5000)[0])
    first.close()
    second = CaptureStore(tmp_path, max_file_bytes=4096)
    later = second.record_exchange(exchange("http://a.example/after", page("after")))
    second.close()
    assert later.warc != earlier.warc
    assert len(warc_files(tmp_path)) == 2
    for path in warc_files(tmp_path):
        read_warc(path)


def test_an_old_closed_file_is_not_reopened(tmp_path):
    first = CaptureStore(tmp_path)
    earlier = first.record_exchange(exchange("http://a.example/1", page("one")))
    first.close()
    catalog = Catalog(tmp_path / CATALOG_NAME)
    try:  # the file as a run of two days ago left it: retention's to delete, not a writer's to grow
        with catalog.database.write() as connection:
            connection.exec_driver_sql(
                "UPDATE capture_files SET created = ?", ((datetime.now(UTC) - timedelta(days=2)).isoformat(),)
            )
    finally:
        catalog.close()
    second = CaptureStore(tmp_path)
    later = second.record_exchange(exchange("http://a.example/2", page("two")))
    second.close()
    assert later.warc != earlier.warc
    assert [len(read_warc(path)) for path in warc_files(tmp_path)] == [3, 3]


# -- recovery -----------------------------------------------------------------------------------


@pytest.mark.parametrize("torn", ["half a record", "a whole record never committed"])
def test_a_dead_writers_torn_tail_is_cut_back_at_the_next_open(tmp_path, torn, capsys):
    writer = CaptureStore(tmp_path)
    kept = [writer.record_exchange(item) for item in _random_exchanges(3, 2000)]
    assert writer.current is not None
    committed = writer.current.size
    blob = serialise(
        RecordSpec(
            "response",
            "http://files.example/torn",
            T0,
            os.urandom(4000),
            http_headers("200 OK", [("Content-Type", "application/octet-stream")], "HTTP/1.1", request=False),
        )
    )
    writer.current.append(blob[: len(blob) // 2] if torn == "half a record" else blob)
    name = die_without_closing(writer)
    path = tmp_path / name
    assert path.stat().st_size > committed
    if torn == "half a record":  # as the crash left it, the file does not read to its end
        with pytest.raises(AssertionError):  # warcio reads a short record, its digests unchecked
            read_warc(path)
    else:  # a record the catalog never listed, which no document can point at
        assert [record.type for record in read_warc(path)].count("response") == 4

    reopened = CaptureStore(tmp_path)
    try:
        [entry] = reopened.files()
        assert entry.closed and entry.size == committed == path.stat().st_size
        records = read_warc(path)
        assert [record.type for record in records].count("response") == 3
        for capture in kept:
            _, stored = reopened.payload_record(capture.record_id) or (None, None)
            assert stored is not None and hashlib.sha256(stored.payload).hexdigest() == capture.payload_sha256

        # appends go on after the cut, and read back like the rest
        after = reopened.record_exchange(exchange("http://files.example/after", page("after the crash")))
        assert after.warc == name and after.offset == committed
    finally:
        reopened.close()
    records = read_warc(path)
    assert records[-2].headers["WARC-Record-ID"] == after.record_id and records[-2].payload == page("after the crash")
    warcio_check([path], capsys)


def test_a_file_a_live_writer_holds_is_left_alone(tmp_path):
    live = CaptureStore(tmp_path)
    live.record_exchange(exchange("http://a.example/live", page("live")))
    assert live.current is not None
    name, committed = live.current.path.name, live.current.size
    # a record written but not yet listed in the catalog: what another process sees mid-write
    blob = serialise(RecordSpec("resource", "http://a.example/live", T0, b"in flight", content_type="text/plain"))
    live.current.append(blob)

    other = CaptureStore(tmp_path)  # recovery runs here, while `live` holds its file
    try:
        assert (tmp_path / name).stat().st_size == committed + len(blob)
        entry = next(entry for entry in other.files() if entry.name == name)
        assert not entry.closed and entry.size == committed
        # the other store writes a file of its own
        elsewhere = other.record_exchange(exchange("http://a.example/other", page("other")))
        assert elsewhere.warc != name
    finally:
        other.close()

    live.catalog.commit(name, live.current.size, [])  # the writer finishes its write
    live.record_exchange(exchange("http://a.example/live-2", page("live again")))
    live.close()
    for path in warc_files(tmp_path):
        read_warc(path)
    assert [record.type for record in read_warc(tmp_path / name)] == [
        "warcinfo",
        "response",
        "request",
        "resource",
        "response",
        "request",
    ]


def test_recovery_of_a_file_that_is_gone_closes_its_row(tmp_path):
    writer = CaptureStore(tmp_path)
    writer.record_exchange(exchange("http://a.example/1", page("one")))
    name = die_without_closing(writer)
    (tmp_path / name).unlink()
    reopened = CaptureStore(tmp_path)
    try:
        assert all(entry.closed for entry in reopened.files())
        fresh = reopened.record_exchange(exchange("http://a.example/2", page("two")))
        assert fresh.warc != name
    finally:
        reopened.close()


# -- rendered pages and versions ----------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_a_rendering_is_linked_to_its_response(store, capsys):
    capture = store.record_exchange(exchange("http://channel.example/", page("Loading posts…")))
    dom = page("Post 1: drone debris photographed")
    dom_capture, shot_capture = store.record_rendering(capture, dom, PNG)
    [only_dom] = store.record_rendering(capture, dom + b"<!-- again -->", None)
    store.close()

    for rendered, content_type, payload in ((dom_capture, "text/html", dom), (shot_capture, "image/png", PNG)):
        record = record_by_id(store.directory, rendered.record_id)
        assert record.type == "resource"
        assert record.headers["WARC-Concurrent-To"] == capture.record_id
        assert record.headers["Content-Type"] == content_type
        assert record.headers["WARC-Target-URI"] == "http://channel.example/"
        assert record.payload == payload
        assert rendered.payload_sha256 == hashlib.sha256(payload).hexdigest()
    linked = store.catalog.concurrent(capture.record_id)
    assert sorted((entry.type, entry.content_type) for entry in linked) == [
        ("request", ""),
        ("resource", "image/png"),
        ("resource", "text/html"),
        ("resource", "text/html"),
    ]
    assert only_dom.record_id in {entry.record_id for entry in linked}
    warcio_check(warc_files(store.directory), capsys)


def test_versions_are_the_earlier_captures_with_other_content_newest_first(store):
    url = "http://news.example/story.html"
    editions = [
        store.record_exchange(exchange(url, page(f"edition {n}"), at=T0 + timedelta(hours=n))) for n in range(1, 4)
    ]
    first, second, third = editions

    assert store.versions_for("doc-1", first, "hash-1") == []
    assert [v.record_id for v in store.versions_for("doc-1", second, "hash-2")] == [first.record_id]
    versions = store.versions_for("doc-1", third, "hash-3")
    assert [v.record_id for v in versions] == [second.record_id, first.record_id]
    assert [v.content_hash for v in versions] == ["hash-2", "hash-1"]
    assert [v.url for v in versions] == [url, url]

    # the same content fetched again (a revisit) is not an earlier version of itself
    again = store.record_exchange(exchange(url, page("edition 3"), at=T0 + timedelta(hours=4)))
    assert store.catalog.record(again.record_id).type == "revisit"  # type: ignore[union-attr]
    assert [v.record_id for v in store.versions_for("doc-1", again, "hash-3")] == [second.record_id, first.record_id]
    # asking again for the current capture changes nothing; other documents have histories of their own
    assert [v.record_id for v in store.versions_for("doc-1", again, "hash-3")] == [second.record_id, first.record_id]
    assert store.versions_for("doc-2", first, "hash-1") == []


def test_the_catalog_lists_what_a_closed_store_wrote(store):
    store.record_exchange(exchange("http://a.example/", page("a")))
    store.close()
    catalog = Catalog(store.directory / CATALOG_NAME)
    try:
        [entry] = catalog.files()
        assert entry.records == 2 and entry.closed
        assert entry.size == (store.directory / entry.name).stat().st_size
    finally:
        catalog.close()


# -- what the review of the first version found -------------------------------------------------


def test_credentials_never_reach_the_warc_files(store, capsys):
    leaky = Exchange(
        url="http://analyst:s3cret@feeds.example/private/feed.xml",
        status=200,
        body=page("members only"),
        response_headers=[("Content-Type", HTML)],
        fetched_at=T0,
        request_headers=[
            ("Host", "analyst:s3cret@feeds.example"),
            ("Authorization", "Basic YW5hbHlzdDpzM2NyZXQ="),
            ("Proxy-Authorization", "Basic cHJveHk6cGFzcw=="),
            ("Cookie", "session=abc123"),
            ("Accept", "*/*"),
        ],
    )
    capture = store.record_exchange(leaky)
    store.close()
    assert capture.url == "http://feeds.example/private/feed.xml"
    [path] = warc_files(store.directory)
    stored = path.read_bytes()
    plain = b"".join(gzip.decompress(stored[r.offset : r.offset + r.length]) for r in read_warc(path))
    for secret in (b"s3cret", b"YW5hbHlzdDpzM2NyZXQ", b"cHJveHk6cGFzcw", b"abc123", b"Authorization", b"Cookie"):
        assert secret not in plain, secret
    assert b"Host: feeds.example\r\n" in plain
    warcio_check([path], capsys)


def test_a_304_refers_to_the_last_good_capture_not_a_later_error_page(store):
    good = store.record_exchange(exchange("http://site.example/a", page("the statement")))
    store.record_exchange(
        exchange("http://site.example/a", b"temporarily broken", status=503, at=T0 + timedelta(hours=1))
    )
    store.record_exchange(exchange("http://site.example/a", b"", status=301, at=T0 + timedelta(hours=2)))
    revisit = store.record_exchange(exchange("http://site.example/a", b"", status=304, at=T0 + timedelta(hours=3)))
    assert store.catalog.record(revisit.record_id).refers_to == good.record_id
    assert revisit.payload_sha256 == good.payload_sha256


def test_a_recovery_working_from_a_stale_list_leaves_a_cleanly_closed_file_whole(tmp_path):
    from functools import partial

    from captures.warc import truncate_torn_tail

    writer = CaptureStore(tmp_path / "captures")
    writer.record_exchange(exchange("http://site.example/1", page("one")))
    name = writer.current.path.name
    stale = writer.catalog.open_size(name)  # what a recovery read while the writer was open
    writer.record_exchange(exchange("http://site.example/2", page("two")))
    writer.close()  # more committed, then closed: the stale size is no longer the file's
    path = tmp_path / "captures" / name
    size = path.stat().st_size
    assert stale is not None and stale < size
    assert truncate_torn_tail(path, partial(writer.catalog.open_size, name)) is None
    assert path.stat().st_size == size
    assert [r.type for r in read_warc(path)].count("response") == 2


def test_a_write_cut_short_leaves_no_torn_record_before_the_next(store, monkeypatch, capsys):
    store.record_exchange(exchange("http://site.example/1", page("one")))
    real_write = os.write

    def disk_full_halfway(fd: int, data: bytes | memoryview) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full_halfway)
    with pytest.raises(OSError, match="No space left"):
        store.record_exchange(exchange("http://site.example/2", page("two")))
    monkeypatch.setattr(os, "write", real_write)
    later = store.record_exchange(exchange("http://site.example/3", page("three")))
    store.close()
    [path] = warc_files(store.directory)
    assert [r.headers.get("WARC-Target-URI") for r in read_warc(path) if r.type == "response"] == [
        "http://site.example/1",
        "http://site.example/3",
    ]
    assert store.payload_record(later.record_id) is not None
    warcio_check([path], capsys)


def test_with_retention_a_payload_is_stored_again_rather_than_refer_to_a_file_about_to_go(tmp_path):
    first = CaptureStore(tmp_path / "captures", retention_days=30)
    original = first.record_exchange(exchange("http://site.example/a", page("kept a month")))
    first.close()
    catalog = Catalog(tmp_path / "captures" / CATALOG_NAME)
    with catalog.database.write() as connection:
        connection.exec_driver_sql(
            "UPDATE capture_files SET created = ?", ((datetime.now(UTC) - timedelta(days=29, hours=12)).isoformat(),)
        )
    catalog.close()
    second = CaptureStore(tmp_path / "captures", retention_days=30)
    again = second.record_exchange(exchange("http://site.example/a", page("kept a month"), at=T0 + timedelta(days=29)))
    unlimited = CaptureStore(tmp_path / "captures")  # no retention: the month-old original still serves
    revisit = unlimited.record_exchange(exchange("http://site.example/b", page("kept a month")))
    assert second.catalog.record(again.record_id).type == "response"
    assert unlimited.catalog.record(revisit.record_id).refers_to == original.record_id
    second.close()
    unlimited.close()


def test_a_wacz_title_may_start_with_a_dash(store, tmp_path):
    from captures.wacz import Page, records_with_context, validate_wacz, write_wacz

    capture = store.record_exchange(exchange("http://site.example/a", page("a page")))
    records = records_with_context(store, [capture.record_id])
    output = tmp_path / "dash.wacz"
    write_wacz(store, records, [Page(capture.url, "2026-05-04T09:30:00Z", "a page")], output, "-lang:fr rifles")
    validate_wacz(output)


@pytest.mark.parametrize(
    ("data", "refused"),
    [
        (b"\x1b]0;owned\x07<html>", True),  # a window title set by a hostile page
        ("\u009b31m".encode(), True),  # a C1 control sequence introducer
        (b"%PDF-1.7\n\x00\x01", True),
        ("<p>بيان وزارة الدفاع</p>\r\n\tok".encode(), False),
    ],
)
def test_capture_get_refuses_to_send_control_characters_to_a_terminal(data, refused):
    from app.commands.capture import _CONTROL

    assert bool(_CONTROL.search(data)) is refused


def test_a_documents_captures_by_version():
    def capture(name: str) -> Capture:
        return Capture(
            warc=f"{name}.warc.gz",
            offset=0,
            length=1,
            record_id=f"<urn:uuid:{name}>",
            payload_sha256="0",
            fetched_at=T0,
        )

    current, older = capture("current"), capture("older")
    document = Document.new("http://site.example/a", capture=current, versions=[older])
    assert document.capture_at(0) == current and document.capture_at(1) == older
    with pytest.raises(IndexError):
        document.capture_at(2)
    assert document.all_captures == [current, older]
    uncaptured = Document.new("http://site.example/b", versions=[older])
    assert uncaptured.capture_at(0) is None and uncaptured.all_captures == [older]
