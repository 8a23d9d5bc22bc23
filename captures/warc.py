"""WARC records (ISO 28500, WARC/1.1) built and read with warcio, and the append-only file they go to.

Each record is its own gzip member (as every WARC tool expects of a `.warc.gz`), built whole in
memory and appended with one write, so a record is either complete in the file or is the torn
tail a crash left; `truncate_torn_tail` cuts that tail back to the size the catalog committed.
Digests are SHA-256 in hex (`sha256:<hex>`, which warcio's checker and the WACZ tools accept): an
analyst compares them with `sha256sum` of the bytes the site served.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

WARC_VERSION = "1.1"
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
#: zlib level of each record's gzip member: 6 (zlib's default) costs about 2 ms for a 150 kB page
#: on this project's test machine and stores it in a quarter of the space; 9 gains under 2 % more
GZIP_LEVEL = 6


def sha256_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warc_date(moment: datetime) -> str:
    return str(datetime_to_iso_date(moment.replace(tzinfo=None) if moment.tzinfo else moment, use_micros=True))


def new_record_id() -> str:
    return str(StatusAndHeadersParser.make_warc_id())  # <urn:uuid:…>


@dataclass
class RecordSpec:
    """What one WARC record says: its type, target, headers, and (for response and resource
    records) its payload."""

    type: str
    uri: str
    date: datetime
    payload: bytes = b""
    http_headers: StatusAndHeaders | None = None
    content_type: str = ""  # a resource record's payload type (its WARC Content-Type)
    warc_headers: dict[str, str] = field(default_factory=dict)
    record_id: str = field(default_factory=new_record_id)


def serialise(spec: RecordSpec) -> bytes:
    """The record as one gzip member."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False, warc_version=WARC_VERSION)
    headers = {"WARC-Record-ID": spec.record_id, "WARC-Date": warc_date(spec.date), **spec.warc_headers}
    block = spec.http_headers.to_bytes() if spec.http_headers is not None else b""
    if spec.type != "revisit":  # a revisit's payload digest is its original's, given in its headers
        headers.setdefault("WARC-Payload-Digest", "sha256:" + sha256_digest(spec.payload))
    block_digest = hashlib.sha256(block)
    block_digest.update(spec.payload)  # (no copy of a large payload joined to its headers)
    headers["WARC-Block-Digest"] = "sha256:" + block_digest.hexdigest()
    record = writer.create_warc_record(
        spec.uri,
        spec.type,
        payload=io.BytesIO(spec.payload),
        length=len(spec.payload),
        warc_content_type=spec.content_type,
        warc_headers_dict=headers,
        http_headers=spec.http_headers,
    )
    writer.write_record(record)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(buffer.getvalue()) + compressor.flush()


def warcinfo(filename: str, software: str, date: datetime) -> RecordSpec:
    fields = f"software: {software}\r\nformat: WARC File Format 1.1\r\nfilename: {filename}\r\n"
    return RecordSpec(
        "warcinfo",
        "",
        date,
        payload=fields.encode("utf-8"),
        content_type="application/warc-fields",
        warc_headers={"WARC-Filename": filename},
    )


def lock_if_free(path: Path, flags: int) -> int | None:
    """`path` opened with `flags` and exclusively locked (`flock`): the descriptor, which the
    caller closes (releasing the lock); None when another open file holds the lock. Raises
    FileNotFoundError unless `flags` create the file."""
    fd = os.open(path, flags, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return None
        raise
    return fd


class WarcFile:
    """One WARC file open for appending by this process alone: an exclusive `flock` is held while
    it is open, which is how recovery tells a crashed writer's file from a live one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = lock_if_free(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        if fd is None:
            raise BlockingIOError(errno.EWOULDBLOCK, "another writer holds this WARC file", str(path))
        self.fd = fd
        self.size = os.fstat(self.fd).st_size

    def append(self, data: bytes) -> int:
        """Write `data` at the end of the file; its offset."""
        offset = self.size
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
        except OSError:  # a full disk mid-record: cut the part written, or the next record lands after it
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, offset)
            raise
        self.size += len(data)
        return offset

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.fsync(self.fd)  # a closed file is complete on disk, not only in the page cache
        os.close(self.fd)


def truncate_torn_tail(path: Path, committed: Callable[[], int | None]) -> bool | None:
    """Cut a file no process holds open back to its committed size, which `committed()` reads once
    the file is locked (a writer may have committed more, and closed it, since the caller looked;
    None: closed meanwhile, nothing to cut). True: cut (or already right); None: another process
    holds the file or closed it; False: the file is gone."""
    try:
        fd = lock_if_free(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    if fd is None:
        return None
    try:
        size = committed()
        if size is None:
            return None
        if os.fstat(fd).st_size > size:
            os.ftruncate(fd, size)
            os.fsync(fd)
        return True
    finally:
        os.close(fd)


def delete_unless_open(path: Path) -> bool:
    """Delete a file no writer holds (its flock free); False when one does."""
    try:
        fd = lock_if_free(path, os.O_RDONLY)
    except FileNotFoundError:
        return True
    if fd is None:
        return False
    try:
        path.unlink(missing_ok=True)  # while locked: no writer can have taken it in between
        return True
    finally:
        os.close(fd)


def read_record_bytes(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(length)


@dataclass(frozen=True)
class StoredRecord:
    """One record read back: its WARC headers, HTTP headers (if any) and payload as stored."""

    warc_headers: list[tuple[str, str]]
    http_headers: StatusAndHeaders | None
    payload: bytes  # as stored: for a response, the bytes as served (content encoding kept)
    block: bytes  # the uncompressed record as it appears in a .warc file

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.warc_headers if key.lower() == wanted), None)

    def decoded_payload(self) -> bytes:
        """The payload with its content encoding (gzip, deflate, br) undone, as a browser reads it."""
        record = _parse(self.block)
        return bytes(record.content_stream().read())


def _parse(data: bytes) -> ArcWarcRecord:
    for record in ArchiveIterator(io.BytesIO(data), arc2warc=False, ensure_http_headers=False):
        return record
    raise ValueError("no WARC record at this offset")


def read_record(path: Path, offset: int, length: int) -> StoredRecord:
    compressed = read_record_bytes(path, offset, length)
    block = zlib.decompress(compressed, zlib.MAX_WBITS | 16)
    record = _parse(block)
    payload = record.raw_stream.read()
    return StoredRecord(list(record.rec_headers.headers), record.http_headers, bytes(payload), block)


def http_headers(
    status_line: str, headers: Sequence[tuple[str, str]], protocol: str, request: bool
) -> StatusAndHeaders:
    return StatusAndHeaders(status_line, list(headers), protocol=protocol, is_http_request=request)
