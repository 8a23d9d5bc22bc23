"""Helpers for the engine tests: documents, fresh backends, and a gate in front of the engine.

The gate is a real TCP forwarder on 127.0.0.1. Closed, its port is bound but not listening, so
a client gets "connection refused" at once, exactly as from a stopped engine; opened, it
forwards to the real node. Tests use it to take the engine away and give it back without
restarting the node.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from index.engine.backend import EngineBackend
from index.engine.bulk import RetryPolicy
from index.engine.client import parse_engine_url
from schema.document import Document

BASE_DATE = datetime(2024, 1, 1, tzinfo=UTC)


def make_documents(count: int, prefix: str = "doc", start: int = 0) -> list[Document]:
    return [
        Document.new(
            f"https://news.example.org/{prefix}/{number}",
            title=f"Shipment report {number}",
            text=f"Port officials logged consignment {number} of small arms parts bound for a licensed dealer.",
            language="en",
            published=BASE_DATE + timedelta(hours=number),
            source_id="harbour-watch",
            countries=["Kenya"] if number % 2 else ["Sudan"],
        )
        for number in range(start, start + count)
    ]


def fresh_backend(url: str, spool_dir: Path, **options) -> EngineBackend:
    """A backend on a new, uniquely named alias; options go to EngineBackend."""
    options.setdefault("retry", RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))
    return EngineBackend(parse_engine_url(f"{url}?index=test_{uuid.uuid4().hex}"), spool_dir=spool_dir, **options)


def ids(documents: Iterable[Document]) -> list[str]:
    return [document.id for document in documents]


class Gate:
    def __init__(self, engine_url: str):
        target = urlsplit(engine_url)
        self.target = (target.hostname, target.port)
        self.connections = 0
        self._listener: socket.socket | None = None
        self._open_sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._bind(0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _bind(self, port: int) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        self.port = listener.getsockname()[1]
        self._listener = listener

    def open(self) -> None:
        if self._listener is None:
            self._bind(self.port)
        self._listener.listen(16)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def close(self) -> None:
        """Refuse new connections and cut the open ones; the port stays reserved."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _shutdown(listener)  # wakes the thread blocked in accept()
        with self._lock:
            for sock in self._open_sockets:
                _shutdown(sock)
            self._open_sockets.clear()
        self._bind(self.port)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            with self._lock:
                self.connections += 1
                self._open_sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def shutdown(self) -> None:
        self.close()
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _shutdown(sink)
        _shutdown(source)


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
