"""The search server's stop: what it is answering is answered before the index behind it closes
(closing it under a running search crashed `osint serve`), and what arrives meanwhile is refused."""

from __future__ import annotations

import threading
from typing import Any

from app.web.server import SearchServer
from tests.serving import http_get


class HeldApp:
    """A WSGI app whose answers wait until released, like a slow search."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.entered.set()
        self.release.wait(30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"answered"]


def test_closing_waits_for_the_request_being_answered_and_refuses_new_ones() -> None:
    app = HeldApp()
    server = SearchServer(("127.0.0.1", 0), app, client_timeout=30)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}/"
    answers: list[tuple[int, str]] = []
    first = threading.Thread(target=lambda: answers.append(http_get(url, timeout=30)[::2]))
    first.start()
    assert app.entered.wait(30)

    closed = threading.Event()

    def close() -> None:
        server.drain(30)  # what server_close does first
        closed.set()

    closing = threading.Thread(target=close)
    closing.start()
    with server._changed:  # the stop has begun
        assert server._changed.wait_for(lambda: server._closing, 30)
    assert http_get(url, timeout=30)[::2] == (503, "shutting down")  # arrived while stopping
    assert not closed.is_set()  # still answering the first
    app.release.set()
    first.join(30)
    closing.join(30)
    assert closed.is_set() and answers == [(200, "answered")]
    server.shutdown()
    server.server_close()
