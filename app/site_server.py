"""A small static web server on 127.0.0.1 (a free port) for the demo site and the tests.

Text files may contain ``{{BASE}}``, replaced by the server's base URL, so feeds and sitemaps
carry absolute links whatever port the server got. Extra dynamic routes can be registered
(the tests add hostile endpoints this way).
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: a route returns (status, headers, body)
Route = Callable[["SiteHandler"], tuple[int, dict[str, str], bytes]]
_TEMPLATED = {".html", ".htm", ".xml", ".txt", ".json"}


class SiteHandler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test and demo output quiet
        self.server.requests.append(self.path)

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        path = unquote(urlsplit(self.path).path)
        route = self.server.routes.get(path)
        status, headers, body = route(self) if route else self.server.static(path)
        self.send_response(status)
        headers = {"Content-Length": str(len(body)), **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    # A crawler opens many connections at once; the default listen backlog (5) drops some of
    # them under load, and a dropped robots.txt request means "no rules" to Scrapy.
    request_queue_size = 256

    def __init__(
        self,
        root: Path | str | None = None,
        routes: dict[str, Route] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__((host, port), SiteHandler)
        self.root = Path(root).resolve() if root else None
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[str] = []
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        assert isinstance(host, str)  # an AF_INET/AF_INET6 socket's name is (str, int, ...)
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def static(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if self.root is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.root) or not target.is_file():
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>Not found</body></html>"
        body = target.read_bytes()
        if target.suffix in _TEMPLATED:
            body = body.replace(b"{{BASE}}", self.base_url.encode())
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("xml"):
            content_type += "; charset=utf-8"
        return 200, {"Content-Type": content_type}, body

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self.serve_forever, name="site-server", daemon=True)
        self._thread.start()
        return self

    def serve_forever_wait(self) -> None:
        """Block until the serving thread ends (Ctrl-C raises KeyboardInterrupt here)."""
        if self._thread is not None:
            while self._thread.is_alive():
                self._thread.join(timeout=1.0)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
