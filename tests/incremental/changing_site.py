"""A local news site that changes between crawls, on 127.0.0.1.

Articles can be added, edited and deleted; feeds and sitemaps list them. Every resource can
answer conditional requests (ETag / Last-Modified, 304) or, for the "no validators" feeds,
never send a validator at all. `hits` counts what the crawler asked for, per path and status.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape

from app.site_server import SiteHandler, SiteServer

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

PARAGRAPHS = (
    "Customs officers at the northern border crossing opened a lorry declared as carrying spare parts for "
    "agricultural machinery and found crates of ammunition and several boxes of rifle magazines beneath them.",
    "A spokesperson for the border service said the driver had been detained and that the consignment was being "
    "examined by specialists who would compare the markings with records supplied by the manufacturer.",
    "Researchers who track illicit transfers in the region said the route had been used before, and that small "
    "shipments hidden among legitimate goods are harder to detect than the large cargoes that make headlines.",
    "The ministry added that it would share the serial numbers with partner agencies so that the weapons could be "
    "traced to their last legal owner, a process that usually takes several months to complete.",
)


@dataclass
class Article:
    slug: str
    title: str
    body: str
    updated: datetime

    def html(self) -> bytes:
        return (
            f"<html lang='en'><head><title>{escape(self.title)}</title></head><body><nav>Home | World</nav>"
            f"<article><h1>{escape(self.title)}</h1><p>{escape(self.body)}</p></article>"
            "<footer>Wire desk</footer></body></html>"
        ).encode()


def article_text(topic: str, edition: int = 1) -> str:
    return f"{topic}. " + " ".join(PARAGRAPHS) + f" Edition {edition} of this report."


class ChangingSite:
    def __init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.hits: Counter[tuple[str, int]] = Counter()
        self.failing: set[str] = set()  # paths answering 500
        self.lock = threading.Lock()
        #: notified after every recorded request (see `wait_until`)
        self.recorded = threading.Condition(self.lock)
        self.server = SiteServer(routes={})
        self.server.routes["/robots.txt"] = self._robots

    # content -----------------------------------------------------------------
    def publish(self, path: str, topic: str, when: datetime = T0, body: str | None = None) -> Article:
        article = Article(path, topic, body or article_text(topic), when)
        self.articles[path] = article
        self.server.routes[path] = self._article_route(path)
        return article

    def edit(self, path: str, edition: int, when: datetime) -> None:
        article = self.articles[path]
        article.body = article.body.split(" Edition ")[0] + f" Edition {edition} of this report."
        article.updated = when

    def delete(self, path: str) -> None:
        del self.articles[path]

    def add_feed(self, path: str, prefix: str, validators: bool = True) -> None:
        self.server.routes[path] = self._listing_route(lambda: self._rss(prefix), "application/rss+xml", validators)

    def add_sitemap(self, path: str, prefix: str) -> None:
        self.server.routes[path] = self._listing_route(lambda: self._sitemap(prefix), "application/xml", True)

    def requests_for(self, path: str) -> int:
        return sum(count for (hit, _), count in self.hits.items() if hit == path)

    def total_requests(self, exclude_robots: bool = True) -> int:
        return sum(count for (hit, _), count in self.hits.items() if not (exclude_robots and hit == "/robots.txt"))

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Block until `condition()` (re-checked after each recorded request) holds; False on timeout."""
        with self.recorded:
            return self.recorded.wait_for(condition, timeout)

    # HTTP ----------------------------------------------------------------------
    def _listed(self, prefix: str) -> list[Article]:
        return sorted((a for p, a in self.articles.items() if p.startswith(prefix)), key=lambda a: a.slug)

    def _rss(self, prefix: str) -> bytes:
        base = self.server.base_url
        items = "".join(
            f"<item><title>{escape(a.title)}</title><link>{base}{a.slug}</link><guid>{base}{a.slug}</guid>"
            f"<pubDate>{format_datetime(T0)}</pubDate>"
            f"<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>{a.updated.isoformat()}</atom:updated></item>"
            for a in self._listed(prefix)
        )
        return (
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>{prefix}</title><link>{base}/</link>"
            f"<description>news</description>{items}</channel></rss>"
        ).encode()

    def _sitemap(self, prefix: str) -> bytes:
        base = self.server.base_url
        urls = "".join(
            f"<url><loc>{base}{a.slug}</loc><lastmod>{a.updated.isoformat()}</lastmod></url>"
            for a in self._listed(prefix)
        )
        return (
            f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode()
        )

    def _robots(self, handler: SiteHandler) -> tuple[int, dict[str, str], bytes]:
        self._record(handler, 200)
        return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"

    def _record(self, handler: SiteHandler, status: int) -> None:
        with self.recorded:
            self.hits[(handler.path, status)] += 1
            self.recorded.notify_all()

    def _answer(
        self, handler: SiteHandler, body: bytes, content_type: str, modified: datetime | None, validators: bool
    ) -> tuple[int, dict[str, str], bytes]:
        if handler.path in self.failing:
            self._record(handler, 500)
            return 500, {"Content-Type": "text/plain"}, b"temporarily broken"
        headers = {"Content-Type": content_type}
        if validators:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers["ETag"] = etag
            if modified is not None:
                headers["Last-Modified"] = format_datetime(modified, usegmt=True)
            if _not_modified(handler, etag, modified):
                self._record(handler, 304)
                return 304, {"ETag": etag}, b""
        self._record(handler, 200)
        return 200, headers, body

    def _article_route(self, path: str) -> Callable[[SiteHandler], tuple[int, dict[str, str], bytes]]:
        def route(handler: SiteHandler) -> tuple[int, dict[str, str], bytes]:
            article = self.articles.get(path)
            if article is None:
                self._record(handler, 404)
                return 404, {"Content-Type": "text/html"}, b"<html><body>gone</body></html>"
            return self._answer(handler, article.html(), "text/html; charset=utf-8", article.updated, True)

        return route

    def _listing_route(self, render: Callable[[], bytes], content_type: str, validators: bool):
        def route(handler: SiteHandler) -> tuple[int, dict[str, str], bytes]:
            latest = max((a.updated for a in self.articles.values()), default=T0)
            return self._answer(handler, render(), content_type, latest, validators)

        return route

    def __enter__(self) -> ChangingSite:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


def _not_modified(handler: SiteHandler, etag: str, modified: datetime | None) -> bool:
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")]
    since = handler.headers.get("If-Modified-Since")
    if since and modified is not None:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def later(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)
