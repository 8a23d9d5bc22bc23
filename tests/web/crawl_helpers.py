"""What the "crawl now" tests share: a loopback site whose one slow page the test holds back (so
a crawl stays running while the test looks at it), the environment a crawl's child inherits, and
waiting for a crawl in another process with a deadline."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.site_server import SiteHandler, SiteServer

#: a crawl's child starts an interpreter and imports Scrapy before it fetches anything
CRAWL_DEADLINE = 120.0

ARTICLE = (
    b"<html lang='en'><head><title>Harbour inspectors log a crate of flare pistols</title></head><body>"
    b"<article><h1>Harbour inspectors log a crate of flare pistols</h1><p>Inspectors at the northern harbour "
    b"opened a crate declared as marine spare parts and found forty flare pistols packed under coils of rope. "
    b"The shipping agent told them the crate had been consolidated at a transit warehouse, and the manifest "
    b"named a buyer nobody at the harbour had heard of. The pistols were sealed and sent for marking checks, "
    b"and the agent's other crates that week are being opened one by one.</p></article></body></html>"
)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Wait for `condition` (a crawl in another process: only polling can tell) with a deadline."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.1)


def crawl_environment(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """The server's environment, which a crawl's child inherits (as the scheduler's children do)."""
    monkeypatch.setenv("OSINT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("OSINT_INDEX_URL", f"sqlite:///{data_dir / 'index.sqlite3'}")
    monkeypatch.setenv("OSINT_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("OSINT_EXTRACT_WORKERS", "0")
    monkeypatch.setenv("OSINT_SPACY_MODEL", "none")
    monkeypatch.setenv("OSINT_INDEX_BATCH", "1")  # each document is indexed, and its outcome recorded, at once


class HeldSite:
    """/fast.html and /quick.html answer at once; /slow.html only once `release()` is called."""

    def __init__(self, server: SiteServer, asked: threading.Event, released: threading.Event) -> None:
        self.server, self.asked, self.released = server, asked, released

    def url(self, path: str) -> str:
        return self.server.url(path)

    def release(self) -> None:
        self.released.set()


@contextmanager
def held_site() -> Iterator[HeldSite]:
    asked, released = threading.Event(), threading.Event()

    def slow(_: SiteHandler) -> tuple[int, dict[str, str], bytes]:
        asked.set()
        released.wait(CRAWL_DEADLINE)
        return 200, HTML, ARTICLE.replace(b"flare", b"signal")

    routes = {
        "/fast.html": lambda _: (200, HTML, ARTICLE),
        "/slow.html": slow,
        "/quick.html": lambda _: (200, HTML, ARTICLE.replace(b"crate", b"box")),
    }
    with SiteServer(routes=routes) as server:
        try:
            yield HeldSite(server, asked, released)
        finally:
            released.set()  # a failing test must not leave the crawl's request hanging
