"""A guarded forward proxy that the rendering browser sends every connection through.

Playwright's route handler sees only the first URL of a redirect chain and never a WebSocket, and
Chromium resolves host names on its own (DNS rebinding). Launched with this proxy for every host,
loopback included, Chromium hands each redirect hop, sub-resource, frame, fetch, WebSocket and
HTTPS connection to it; the proxy resolves the host with the crawler's address guard
(`network.addresses.allowed_addresses`) and connects to exactly the address it checked.

One request per client connection, in one of two forms:

- absolute-form (`GET http://host:port/path HTTP/1.1`): forwarded with `Connection: close` and
  its answer relayed, the answer's head rebuilt so that an upstream cannot forge the refusal marker;
- `CONNECT host:port` (HTTPS, ws://, wss://): answered `200` once connected, then tunnelled.

A refused destination is answered `403` with the header `X-Osint-Refused: <reason>`, which only
this proxy can set on a plain-HTTP response (crawlers/middlewares/browser_guard.py reads it).
Heads are bounded in size, every wait in time, and malformed input gets a 4xx, never a crash.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

from network.addresses import Allowance, UnsafeDestination, allowed_addresses

logger = logging.getLogger(__name__)

REFUSAL_HEADER = "X-Osint-Refused"
MAX_REQUEST_HEAD = 64 * 1024
MAX_RESPONSE_HEAD = 256 * 1024  # Chromium's own bound for a response head
MAX_HEADERS = 200
MAX_REQUEST_BODY = 32 * 1024 * 1024
MAX_INTERIM_RESPONSES = 8  # 1xx heads skipped before the final one
HEAD_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
IDLE_TIMEOUT = 60.0
_CHUNK = 64 * 1024

_DIGITS = re.compile(r"[0-9]{1,12}")  # str.isdigit() also accepts '²', which int() does not
_LINE_BREAKING = re.compile(r"[\r\n\0]")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HOST = re.compile(r"[0-9A-Za-z.\-_]+|\[[0-9A-Fa-f:.]+\]")
# Headers that describe one connection, not the message: never passed from one side to the other.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "proxy-authenticate",
        "te",
        "trailer",
        "upgrade",
    }
)


class _Answer(Exception):
    """End the exchange by answering the client `status` (nothing has been sent to it yet);
    `refused` names the guard's reason when the destination itself was refused."""

    def __init__(self, status: HTTPStatus, detail: str, refused: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.refused = refused


@dataclass(frozen=True)
class _Head:
    start_line: str
    headers: list[tuple[str, str]]


async def _read_head(reader: asyncio.StreamReader) -> _Head:
    """One message head (start line and headers), bounded by the reader's limit and MAX_HEADERS."""
    raw = await reader.readuntil(b"\r\n\r\n")
    start_line, *lines = raw[:-4].decode("latin-1").split("\r\n")
    if len(lines) > MAX_HEADERS:
        raise ValueError("too many header lines")
    if _LINE_BREAKING.search(start_line) or any(_LINE_BREAKING.search(line) for line in lines):
        # a bare LF passed on would be a line break to the other side: a header smuggled in
        raise ValueError("stray CR, LF or NUL in a message head")
    headers = []
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name):  # also refuses obsolete line folding
            raise ValueError(f"malformed header line {line[:80]!r}")
        headers.append((name, value.strip()))
    return _Head(start_line, headers)


def _end_to_end(headers: list[tuple[str, str]], drop: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The headers meant for the other side: hop-by-hop ones, those a Connection header lists,
    and `drop` are removed."""
    listed = {
        token.strip().lower() for name, value in headers if name.lower() == "connection" for token in value.split(",")
    }
    removed = _HOP_BY_HOP | listed | drop
    return [(name, value) for name, value in headers if name.lower() not in removed]


def _serialize(start_line: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [start_line, *(f"{name}: {value}" for name, value in headers), "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _content_length(headers: list[tuple[str, str]]) -> int:
    """The request body's length. Chromium sends HTTP/1.1 bodies with a Content-Length (it streams
    uploads only over HTTP/2), so that is the one framing forwarded; anything else is refused
    rather than guessed at."""
    if any(name.lower() == "transfer-encoding" for name, _ in headers):
        raise _Answer(HTTPStatus.NOT_IMPLEMENTED, "chunked request bodies are not forwarded")
    values = {value for name, value in headers if name.lower() == "content-length"}
    if not values:
        return 0
    (value,) = values if len(values) == 1 else ("",)
    if not _DIGITS.fullmatch(value):
        raise _Answer(HTTPStatus.BAD_REQUEST, "malformed Content-Length")
    length = int(value)
    if length > MAX_REQUEST_BODY:
        raise _Answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large")
    return length


def _answer(status: HTTPStatus, detail: str, refused: str | None) -> bytes:
    body = f"{detail}\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    if refused:
        headers.append((REFUSAL_HEADER, refused))
    return _serialize(f"HTTP/1.1 {status.value} {status.phrase}", headers) + body


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, length: int) -> None:
    """Exactly `length` bytes from reader to writer."""
    while length:
        chunk = await asyncio.wait_for(reader.read(min(length, _CHUNK)), IDLE_TIMEOUT)
        if not chunk:
            raise asyncio.IncompleteReadError(b"", length)
        writer.write(chunk)
        await writer.drain()
        length -= len(chunk)


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, activity: list[float]) -> None:
    """Everything from reader to writer until end of stream; `activity[0]` is the last transfer time."""
    loop = asyncio.get_running_loop()
    while chunk := await reader.read(_CHUNK):
        activity[0] = loop.time()
        writer.write(chunk)
        await writer.drain()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
) -> None:
    """Relay both ways until either side ends or neither has sent anything for IDLE_TIMEOUT."""
    loop = asyncio.get_running_loop()
    activity = [loop.time()]
    pumps = {
        asyncio.ensure_future(_pump(client[0], upstream[1], activity)),
        asyncio.ensure_future(_pump(upstream[0], client[1], activity)),
    }
    try:
        while True:
            idle_left = activity[0] + IDLE_TIMEOUT - loop.time()
            done, _ = await asyncio.wait(pumps, timeout=max(idle_left, 0), return_when=asyncio.FIRST_COMPLETED)
            if done or loop.time() - activity[0] >= IDLE_TIMEOUT:
                return
    finally:
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


#: hosts whose connected address is remembered at once (cleared past this)
MAX_NOTED_ADDRESSES = 4096


class GuardedProxy:
    """The proxy server, on 127.0.0.1 (a free port), serving from a daemon thread with an event loop
    of its own, so the crawler's reactor never waits on it.

    `allowance` is the guard's allow-list; None allows nothing at all: the proxy for the browser's
    own traffic (update checks, account look-ups), which a crawler has no use for."""

    def __init__(self, allowance: Allowance | None):
        self.allowance = allowance
        self.refusals: Counter[str] = Counter()  # guard reason -> connections refused
        #: (host, port) -> the address last connected to for it: a rendered page's capture names it
        self.connected: dict[tuple[str, int], str] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="browser-proxy", daemon=True)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> GuardedProxy:
        self._thread.start()
        listening = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0, limit=MAX_REQUEST_HEAD), self._loop
        )
        self._server = listening.result(timeout=CONNECT_TIMEOUT)
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=CONNECT_TIMEOUT)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CONNECT_TIMEOUT)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                head = await asyncio.wait_for(_read_head(reader), HEAD_TIMEOUT)
                method, target, version = head.start_line.split(" ")
                if not _TOKEN.fullmatch(method) or version not in ("HTTP/1.0", "HTTP/1.1"):
                    raise ValueError("malformed request line")
            except (TimeoutError, asyncio.LimitOverrunError, asyncio.IncompleteReadError, ValueError) as exc:
                raise _Answer(HTTPStatus.BAD_REQUEST, f"bad request: {exc}") from None
            logger.debug("Browser proxy: %s %s", method, target)
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, head.headers, reader, writer)
        except _Answer as answer:
            writer.write(_answer(answer.status, answer.detail, answer.refused))
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            logger.debug("Browser proxy connection ended: %r", exc)  # mid-relay: the answer has begun
        finally:
            writer.close()

    async def _forward(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        try:
            parts = urlsplit(target)
        except ValueError:  # e.g. an unbalanced [ in the host
            raise _Answer(HTTPStatus.BAD_REQUEST, "malformed URL") from None
        if not parts.scheme:
            raise _Answer(HTTPStatus.BAD_REQUEST, "a proxy request names an absolute http:// URL")
        if parts.scheme.lower() != "http":  # https and wss come as CONNECT; anything else is no web request
            raise self._refuse(target, UnsafeDestination("forbidden_scheme", f"{parts.scheme}:// is not http"))
        host, port = self._destination(parts.netloc.rpartition("@")[2], default_port=80)
        body_length = _content_length(headers)
        upstream_reader, upstream_writer = await self._connect(host, port)
        try:
            try:
                path = parts.path or "/"
                start_line = f"{method} {path}?{parts.query} HTTP/1.1" if parts.query else f"{method} {path} HTTP/1.1"
                upstream_writer.write(_serialize(start_line, _end_to_end(headers)))
                await _copy(reader, upstream_writer, body_length)
                response = await self._response_head(upstream_reader)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                raise _Answer(HTTPStatus.BAD_GATEWAY, f"bad answer from {host}:{port}: {exc}") from None
            # an upstream's own refusal marker would pass for the guard's: it never reaches the browser
            headers = _end_to_end(response.headers, drop=frozenset({REFUSAL_HEADER.lower()}))
            writer.write(_serialize(response.start_line, headers))
            await writer.drain()
            while chunk := await asyncio.wait_for(upstream_reader.read(_CHUNK), IDLE_TIMEOUT):
                writer.write(chunk)
                await writer.drain()
        finally:
            upstream_writer.close()

    async def _response_head(self, reader: asyncio.StreamReader) -> _Head:
        """The final response's head: interim (1xx) answers are dropped, since the client was told
        nothing that would make it expect them."""
        for _ in range(MAX_INTERIM_RESPONSES):
            head = await asyncio.wait_for(_read_head(reader), IDLE_TIMEOUT)
            version, _, rest = head.start_line.partition(" ")
            status = rest[:3]
            if not version.startswith("HTTP/1.") or not _DIGITS.fullmatch(status):
                raise ValueError(f"malformed status line {head.start_line[:80]!r}")
            if not status.startswith("1") or status == "101":
                return head
        raise ValueError("too many interim responses")

    async def _tunnel(self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host, port = self._destination(target, default_port=None)
        upstream = await self._connect(host, port)
        try:
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await writer.drain()
            await _splice((reader, writer), upstream)
        finally:
            upstream[1].close()

    @staticmethod
    def _destination(authority: str, default_port: int | None) -> tuple[str, int]:
        host, colon, port_text = authority.rpartition(":")
        if not colon or host.endswith(":"):  # no port, or a bare IPv6 address
            host, port_text = authority, ""
        if not _HOST.fullmatch(host) or not (_DIGITS.fullmatch(port_text) or (not port_text and default_port)):
            raise _Answer(HTTPStatus.BAD_REQUEST, "malformed host or port")
        port = int(port_text) if port_text else default_port
        if not port or not 0 < port < 65536:
            raise _Answer(HTTPStatus.BAD_REQUEST, "malformed port")
        return host.strip("[]"), port

    async def _connect(self, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to an address the guard allowed for `host`: the very address it checked."""
        if self.allowance is None:
            raise self._refuse(f"{host}:{port}", UnsafeDestination("browser_background", "the browser's own traffic"))
        loop = asyncio.get_running_loop()
        try:
            addresses = await asyncio.wait_for(
                loop.run_in_executor(None, allowed_addresses, host, self.allowance), CONNECT_TIMEOUT
            )
        except TimeoutError:
            raise _Answer(HTTPStatus.GATEWAY_TIMEOUT, f"{host}: name resolution timed out") from None
        except UnsafeDestination as exc:
            if exc.reason == "dns_error":
                raise _Answer(HTTPStatus.BAD_GATEWAY, str(exc)) from None
            raise self._refuse(f"{host}:{port}", exc) from None
        failure: Exception | None = None
        for address in addresses:
            try:
                connection = await asyncio.wait_for(
                    asyncio.open_connection(address, port, limit=MAX_RESPONSE_HEAD), CONNECT_TIMEOUT
                )
            except (TimeoutError, OSError) as exc:
                failure = exc
                continue
            if len(self.connected) >= MAX_NOTED_ADDRESSES:
                self.connected.clear()  # a bound, not a cache worth keeping: pages read it right away
            self.connected[(host.lower(), port)] = str(address)
            return connection
        raise _Answer(HTTPStatus.BAD_GATEWAY, f"cannot connect to {host}:{port}: {failure!r}")

    def _refuse(self, destination: str, exc: UnsafeDestination) -> _Answer:
        self.refusals[exc.reason] += 1
        # the browser's own traffic is refused on every launch: worth no warning
        level = logging.DEBUG if self.allowance is None else logging.WARNING
        logger.log(level, "Browser connection refused: %s (%s)", destination, exc.detail)
        return _Answer(
            HTTPStatus.FORBIDDEN, f"refused by the crawler's address guard: {exc.reason}", refused=exc.reason
        )


_proxies: dict[Allowance | None, GuardedProxy] = {}
_proxies_lock = threading.Lock()


def guarded_proxy(allowance: Allowance | None) -> GuardedProxy:
    """The process's proxy for this allow-list (None: the one that refuses everything), started on
    first use; every rendered source of a run shares it, and it lives as long as the process."""
    with _proxies_lock:
        if allowance not in _proxies:
            _proxies[allowance] = GuardedProxy(allowance).start()
        return _proxies[allowance]
