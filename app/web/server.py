"""The HTTP server behind `osint serve`: the standard library's WSGI server with one thread per
connection and a time limit on every client, so a slow or idle client holds its own thread only,
never the page for everybody else.

The browser-workbench issue moves the page to an ASGI app under uvicorn; until then this is the
production server. The standard library already bounds what a client can make it read: a request
line of 64 KiB (else 414) and 100 header lines of 64 KiB each (else 431). Each connection carries
one request (HTTP/1.0 semantics), so no keep-alive connection lingers after its answer.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

log = logging.getLogger(__name__)

#: seconds a client may stay silent, while sending its request or reading the answer, before it is dropped
CLIENT_TIMEOUT = 15.0

WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Any]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # no access log on the terminal
        pass


class _Streamed:
    """A streamed answer (WSGI iterable) that calls `done` when the server closes it, which the
    server does once it was sent or the client went away."""

    def __init__(self, answer: Iterable[bytes], done: Callable[[], None]) -> None:
        self._answer = answer
        self._done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._answer)

    def close(self) -> None:
        try:
            close = getattr(self._answer, "close", None)
            if close is not None:
                close()
        finally:
            self._done()


class SearchServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a client still connected never keeps the process from stopping
    request_queue_size = 64  # a burst of page loads waits in the kernel instead of being refused

    def __init__(self, address: tuple[str, int], app: WSGIApplication, client_timeout: float = CLIENT_TIMEOUT):
        self.client_timeout = client_timeout
        self._answering = 0  # requests inside the application (searching the index) right now
        self._closing = False
        self._changed = threading.Condition()
        super().__init__(address, QuietHandler)
        self.set_app(self._counted(app))

    def _counted(self, app: WSGIApplication) -> WSGIApplication:
        """`app`, counted while it answers, refusing (503) once the server is closing."""

        def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            with self._changed:
                closing = self._closing
                if not closing:
                    self._answering += 1
            if closing:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"shutting down"]
            try:
                answer = app(environ, start_response)
            except BaseException:
                self._answered()
                raise
            if isinstance(answer, list):  # the whole answer is computed already
                self._answered()
                return answer
            return _Streamed(answer, self._answered)  # an export: answering until the server closes it

        return counted

    def _answered(self) -> None:
        with self._changed:
            self._answering -= 1
            self._changed.notify_all()

    def drain(self, timeout: float) -> bool:
        """Refuse new requests and wait up to `timeout` s for those being answered, so that the
        index is not closed under a search; whether none was left."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
            return self._changed.wait_for(lambda: self._answering == 0, timeout)

    def server_close(self) -> None:
        if not self.drain(self.client_timeout):
            log.warning("stopping with requests still being answered after %.0f s", self.client_timeout)
        super().server_close()

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.settimeout(self.client_timeout)  # every read and write on it, in the handler's thread
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went silent (timeout) or hung up is routine; anything else is a bug, logged
        with its traceback through logging (where credentials are masked) instead of raw stderr."""
        error = sys.exc_info()[1]
        if isinstance(error, (TimeoutError, ConnectionError)):
            log.debug("dropped client %s: %r", client_address, error)
        else:
            log.error("request from %s failed", client_address, exc_info=True)
