"""The capture store: every fetched response preserved as WARC records under one directory.

`record_exchange` writes a request/response pair (or, for a payload already stored, a request and
a `revisit` pointing at it; for a 304, a `revisit` saying the server's copy had not changed) and
returns the `Capture` a document points at. `record_rendering` adds what the browser made of a
page (its DOM and a screenshot) as `resource` records concurrent to that response. Each process
writes files of its own, rotated by size; the catalog (captures/catalog.py) says where every
record is and how much of each file is complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from captures.catalog import Catalog, FileEntry, RecordEntry
from captures.warc import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    RecordSpec,
    StoredRecord,
    WarcFile,
    delete_unless_open,
    http_headers,
    read_record,
    serialise,
    sha256_digest,
    truncate_torn_tail,
    warc_date,
    warcinfo,
)
from network.redaction import without_userinfo
from schema.document import Capture

SOFTWARE = "osint-crawler"
DEFAULT_MAX_FILE_BYTES = 1024**3
CATALOG_NAME = "catalog.sqlite3"
#: a closed file younger than this is appended to by the next writer (if it has room)
REOPEN_WITHIN = timedelta(hours=12)
#: with retention on, originals this close to their file's deletion are not referred to
RETENTION_MARGIN = timedelta(days=1)


@dataclass
class Exchange:
    """One HTTP request and the response to it, as they went over the wire."""

    url: str
    status: int
    body: bytes  # as received: before any content decoding
    response_headers: list[tuple[str, str]]
    fetched_at: datetime
    ip: str = ""
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""
    protocol: str = "HTTP/1.1"


#: request headers that carry the crawler's own secrets (a proxy's login from the environment, a
#: site's credentials): evidence of what a site served needs none of them
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def without_credentials(exchange: Exchange) -> Exchange:
    """The exchange as it may be preserved and shared: no user:password@ in its URL (nor in a Host
    header built from it), no credential headers in its request."""
    request_headers = [
        (name, value.rpartition("@")[2] if name.lower() == "host" else value)
        for name, value in exchange.request_headers
        if name.lower() not in _SECRET_HEADERS
    ]
    return replace(exchange, url=without_userinfo(exchange.url), request_headers=request_headers)


def capture_of(entry: RecordEntry, content_hash: str = "") -> Capture:
    return Capture(
        warc=entry.warc,
        offset=entry.offset,
        length=entry.length,
        record_id=entry.record_id,
        payload_sha256=entry.payload_sha256,
        fetched_at=datetime.fromisoformat(entry.date),
        ip=entry.ip,
        url=entry.uri,
        status=entry.status,
        content_hash=content_hash,
    )


class CaptureStore:
    def __init__(
        self,
        directory: Path | str,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        *,
        writer: bool = True,
        retention_days: int = 0,
    ) -> None:
        """`writer`: this store will write, so it first recovers the files of writers that died;
        a reader (`osint capture get`, stats, export) leaves that to the next writer.
        `retention_days`: a payload is not stored again only when its original is in a file that
        retention will keep for at least another day (never a revisit of a file about to go)."""
        self.retention_days = retention_days
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_file_bytes = max_file_bytes
        self.catalog = Catalog(self.directory / CATALOG_NAME)
        self.current: WarcFile | None = None
        self._serial = 0
        if writer:
            self.recover()

    def __deepcopy__(self, memo: dict[int, object]) -> CaptureStore:
        # Scrapy deep-copies settings for every crawler: a run's crawlers must share this one store
        return self

    def close(self) -> None:
        self._close_current()
        self.catalog.close()

    # writing ----------------------------------------------------------------
    def record_exchange(self, exchange: Exchange) -> Capture:
        exchange = without_credentials(exchange)
        digest = sha256_digest(exchange.body)
        fetched = exchange.fetched_at.astimezone(UTC)
        response_headers = http_headers(
            f"{exchange.status} {exchange.reason}".strip(), exchange.response_headers, exchange.protocol, request=False
        )
        common = {"WARC-IP-Address": exchange.ip} if exchange.ip else {}
        earlier = self._earlier(exchange, digest)
        if earlier is not None:
            profile = SERVER_NOT_MODIFIED if exchange.status == 304 else IDENTICAL_PAYLOAD
            main = RecordSpec(
                "revisit",
                exchange.url,
                fetched,
                http_headers=response_headers,
                warc_headers={
                    **common,
                    "WARC-Profile": profile,
                    "WARC-Refers-To": earlier.record_id,
                    "WARC-Refers-To-Target-URI": earlier.uri,
                    "WARC-Refers-To-Date": warc_date(datetime.fromisoformat(earlier.date)),
                    "WARC-Payload-Digest": "sha256:" + earlier.payload_sha256,
                },
            )
            payload_sha256, payload_length = earlier.payload_sha256, earlier.payload_length
        else:
            digests = {"WARC-Payload-Digest": "sha256:" + digest}  # computed once, above
            main = RecordSpec(
                "response", exchange.url, fetched, exchange.body, response_headers, warc_headers={**common, **digests}
            )
            payload_sha256, payload_length = digest, len(exchange.body)
        path = exchange.url.split("://", 1)[-1].partition("/")[2]
        request = RecordSpec(
            "request",
            exchange.url,
            fetched,
            http_headers=http_headers(
                f"{exchange.method} /{path} {exchange.protocol}", exchange.request_headers, exchange.protocol, True
            ),
            warc_headers={**common, "WARC-Concurrent-To": main.record_id},
        )
        entries = self._append(
            [main, request],
            main=dict(
                payload_sha256=payload_sha256,
                payload_length=payload_length,
                refers_to=earlier.record_id if earlier else None,
                status=exchange.status,
                ip=exchange.ip,
                content_type=_header(exchange.response_headers, "content-type"),
            ),
        )
        return capture_of(entries[0])

    def record_rendering(self, capture: Capture, dom: bytes, screenshot: bytes | None) -> list[Capture]:
        """The rendered DOM (text/html) and a full-page screenshot (image/png) of the page `capture`
        holds, linked to it by WARC-Concurrent-To."""
        now = datetime.now(UTC)
        link = {"WARC-Concurrent-To": capture.record_id}
        specs = [RecordSpec("resource", capture.url, now, dom, content_type="text/html", warc_headers=link)]
        if screenshot is not None:
            specs.append(
                RecordSpec("resource", capture.url, now, screenshot, content_type="image/png", warc_headers=link)
            )
        return [capture_of(entry) for entry in self._append(specs)]

    def _earlier(self, exchange: Exchange, digest: str) -> RecordEntry | None:
        """What a revisit would point at: for a 304, the URL's latest capture; for a payload stored
        before, its response. An empty payload (a redirect) is not worth a reference."""
        if exchange.status == 304:
            return self.catalog.latest(exchange.url)
        if not exchange.body:
            return None
        if self.retention_days:
            since = datetime.now(UTC) - timedelta(days=self.retention_days) + RETENTION_MARGIN
            return self.catalog.original(digest, since=since.isoformat())
        return self.catalog.original(digest)

    def _append(self, specs: list[RecordSpec], main: dict[str, object] | None = None) -> list[RecordEntry]:
        """Serialise `specs`, append them with one write, list them in the catalog. `main`: the
        catalog columns of the first record (its payload, status, address)."""
        blobs = [serialise(spec) for spec in specs]
        warc = self._file_for(sum(map(len, blobs)))
        offset = warc.append(b"".join(blobs))
        entries = []
        for index, (spec, blob) in enumerate(zip(specs, blobs, strict=True)):
            extra: dict[str, object] = dict(main or {}) if index == 0 else {}
            if spec.type == "resource":
                extra = {
                    "payload_sha256": sha256_digest(spec.payload),
                    "payload_length": len(spec.payload),
                    "content_type": spec.content_type,
                }
            entries.append(
                RecordEntry(
                    record_id=spec.record_id,
                    warc=warc.path.name,
                    offset=offset,
                    length=len(blob),
                    type=spec.type,
                    uri=spec.uri,
                    date=spec.date.isoformat(),
                    concurrent_to=spec.warc_headers.get("WARC-Concurrent-To"),
                    **extra,  # type: ignore[arg-type]
                )
            )
            offset += len(blob)
        self.catalog.commit(warc.path.name, warc.size, entries)
        return entries

    def _file_for(self, size: int) -> WarcFile:
        current = self.current
        if current is not None and current.size + size > self.max_file_bytes and current.size > 0:
            self._close_current()
            current = self.current = self._create_file()  # not _reopen_last: it would reopen this full file
        if current is None:
            current = self.current = self._reopen_last(size) or self._create_file()
        return current

    def _reopen_last(self, size: int) -> WarcFile | None:
        """The newest closed file, if `size` more bytes fit and no other process writes it:
        appending to it (gzip members one after another) keeps frequent short runs from leaving a
        file each."""
        newest = self.catalog.files(newest_only=True)
        if not newest:
            return None
        last = newest[0]
        if (
            not last.closed or last.size == 0 or last.size + size > self.max_file_bytes
        ):  # (0: killed before its warcinfo)
            return None
        if datetime.fromisoformat(last.created) < datetime.now(UTC) - REOPEN_WITHIN:
            return None  # an old file is retention's to delete, not a writer's to grow
        path = self.directory / last.name
        if not path.exists():
            return None
        try:
            warc = WarcFile(path)
        except BlockingIOError:
            return None
        if warc.size != last.size:  # not what the catalog committed: leave it to recovery
            warc.close()
            return None
        self.catalog.reopen_file(last.name, os.getpid())
        return warc

    def _create_file(self) -> WarcFile:
        now = datetime.now(UTC)
        self._serial += 1
        name = f"OSINT-{now:%Y%m%d%H%M%S%f}-{os.getpid()}-{self._serial:05d}.warc.gz"
        warc = WarcFile(self.directory / name)  # created and locked first: a listed file always exists
        self.catalog.add_file(name, now.isoformat(), os.getpid())
        info = warcinfo(name, SOFTWARE, now)
        warc.append(serialise(info))
        self.catalog.commit(name, warc.size, [])
        return warc

    def _close_current(self) -> None:
        if self.current is not None:
            # closed in the catalog while still locked: recovery never takes it for a dead writer's
            self.catalog.close_file(self.current.path.name, self.current.size)
            self.current.close()
            self.current = None

    def recover(self) -> list[str]:
        """Close the files of writers that died (SIGKILL, power loss): each is cut back to its
        last complete record, so every record in it reads, and the next file starts clean."""
        recovered = []
        files = self.catalog.files()
        listed = {entry.name for entry in files}
        for path in self.directory.glob("OSINT-*.warc.gz"):
            # killed between creating its file and listing it: an empty file no one will write
            try:
                empty = path.stat().st_size == 0
            except FileNotFoundError:  # another writer's recovery removed it first
                continue
            if path.name not in listed and empty and delete_unless_open(path):
                recovered.append(path.name)
        for entry in files:
            if entry.closed or (self.current is not None and entry.name == self.current.path.name):
                continue
            state = truncate_torn_tail(self.directory / entry.name, partial(self.catalog.open_size, entry.name))
            if state is not None:  # None: a live writer holds it
                self.catalog.close_file(entry.name)
                recovered.append(entry.name)
        return recovered

    # retention --------------------------------------------------------------
    def prune(self, older_than_days: int, dry_run: bool = False) -> tuple[list[str], list[str]]:
        """Delete the closed files created more than `older_than_days` ago, but for those holding
        the original of a revisit in a file that stays (so every kept record still reads whole).
        Returns (deleted or, with `dry_run`, deletable; kept for revisits)."""
        cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
        doomed = [
            entry.name
            for entry in self.catalog.files()
            if entry.closed and datetime.fromisoformat(entry.created) < cutoff
        ]
        kept: set[str] = set()
        while True:  # a file kept for a revisit may hold revisits of its own: keep what they need too
            needed = self.catalog.referenced_from_other_files(doomed)
            if not needed:
                break
            kept |= needed
            doomed = [name for name in doomed if name not in needed]
        if not dry_run:
            doomed = [name for name in doomed if delete_unless_open(self.directory / name)]
            self.catalog.forget_files(doomed)
        return doomed, sorted(kept)

    # reading ----------------------------------------------------------------
    def read(self, entry: RecordEntry) -> StoredRecord:
        return read_record(self.directory / entry.warc, entry.offset, entry.length)

    def payload_record(self, record_id: str) -> tuple[RecordEntry, StoredRecord] | None:
        """The record holding the payload of `record_id`: itself, or the original a revisit refers to."""
        entry = self.catalog.record(record_id)
        return self.payload_of(entry) if entry is not None else None

    def payload_of(self, entry: RecordEntry) -> tuple[RecordEntry, StoredRecord] | None:
        """The record holding the payload of the record `entry` lists: itself, or the original a
        revisit refers to (None when that is no longer listed)."""
        seen = set()
        current: RecordEntry | None = entry
        while current is not None and current.type == "revisit" and current.refers_to and current.record_id not in seen:
            seen.add(current.record_id)
            current = self.catalog.record(current.refers_to)
        if current is None or current.type == "revisit":
            return None
        return current, self.read(current)

    def files(self) -> list[FileEntry]:
        return self.catalog.files()

    # documents --------------------------------------------------------------
    def versions_for(self, doc_id: str, capture: Capture, content_hash: str) -> list[Capture]:
        """Note that the document's current version was made from `capture`; return the captures
        of its earlier versions with other content, newest first (those retention removed are gone)."""
        history = self.catalog.add_document_capture(
            doc_id, capture.record_id, content_hash, capture.fetched_at.isoformat()
        )
        versions = []
        for record_id, version_hash, _fetched in history:
            if version_hash == content_hash or record_id == capture.record_id:
                continue
            entry = self.catalog.record(record_id)
            if entry is not None:
                versions.append(capture_of(entry, version_hash))
        return versions


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "").split(";")[0].strip().lower()
