"""A site crawl asks for each page once, however many pages link to it, and spends its page
budget on distinct pages."""

from __future__ import annotations

from pathlib import Path

from app.site_server import Route, SiteServer
from tests.crawl.helpers import write_watchlist

PAGES = ["/a.html", "/b.html", "/c.html", "/d.html"]


def _html(body: bytes) -> Route:
    return lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, body)


def page(path: str) -> bytes:
    """A chain a ⇄ b ⇄ c ⇄ d: every page links back to the one before it."""
    at = PAGES.index(path)
    links = "".join(f"<a href='{other}'>{other}</a> " for other in PAGES[max(0, at - 1) : at + 2] if other != path)
    text = (
        f"Report {path}: investigators traced the rifles seized at the border to a shipment that "
        f"left the port in March, according to customs records reviewed for this page {path}."
    )
    return f"<html lang='en'><head><title>Report {path}</title></head><body><article><p>{text}</p></article><nav>{links}</nav></body></html>".encode()


def test_pages_linked_from_each_other_are_fetched_once_within_the_budget(osint, tmp_path: Path):
    routes = {path: _html(page(path)) for path in PAGES}
    with SiteServer(routes=routes) as site:
        watchlist = write_watchlist(
            tmp_path / "site.yaml",
            [
                {
                    "id": "mesh",
                    "kind": "site",
                    "urls": [site.url("/a.html")],
                    "scope": {"max_depth": 3, "max_pages": 4},
                },
            ],
        )
        report = osint.json("crawl", str(watchlist))
        fetched = [path for path in site.requests if path != "/robots.txt"]
    assert report["indexed"] == 4 and report["urls"] == 4
    assert sorted(fetched) == PAGES


def test_links_to_parts_of_a_page_are_one_page(osint, tmp_path: Path):
    article = page("/b.html")
    index = (
        b"<html lang='en'><head><title>Index</title></head><body><article><p>"
        + b"Reports on seized rifles. " * 12
        + b"</p></article><a href='/b.html'>b</a> <a href='/b.html#sources'>sources</a> <a href='/b.html#top'>top</a></body></html>"
    )
    routes = {
        "/a.html": lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, index),
        "/b.html": lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, article),
    }
    with SiteServer(routes=routes) as site:
        watchlist = write_watchlist(
            tmp_path / "site.yaml",
            [
                {"id": "parts", "kind": "site", "urls": [site.url("/a.html")], "scope": {"max_depth": 1}},
            ],
        )
        report = osint.json("crawl", str(watchlist))
        fetched = [path for path in site.requests if path != "/robots.txt"]
    assert (report["urls"], report["indexed"], report["reasons"]) == (2, 2, {})
    assert sorted(fetched) == ["/a.html", "/b.html"]
