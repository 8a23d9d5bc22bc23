"""A site crawl follows links as deep as its source's `max_depth` allows (the watchlist allows up
to 20), and every page it asks for ends with an outcome: Scrapy's DEPTH_LIMIT must not drop any."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from app.site_server import Route, SiteServer
from tests.crawl.helpers import write_watchlist
from watchlists.model import Scope

MAX_DEPTH = Scope.model_json_schema()["properties"]["max_depth"]["maximum"]  # the deepest a watchlist may ask for
CHAIN = [f"/d{n}.html" for n in range(MAX_DEPTH + 2)]  # one page past the deepest allowed


def _html(body: bytes) -> Route:
    return lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, body)


def page(path: str) -> bytes:
    """A chain /d0 → /d1 → …: each page links only to the next one."""
    at = CHAIN.index(path)
    link = f"<a href='{CHAIN[at + 1]}'>next</a>" if at + 1 < len(CHAIN) else ""
    text = (
        f"Report {path}: investigators traced the rifles seized at the border to a shipment that "
        f"left the port in March, according to customs records reviewed for this page {path}."
    )
    return f"<html lang='en'><head><title>Report {path}</title></head><body><article><p>{text}</p></article><nav>{link}</nav></body></html>".encode()


def test_a_chain_as_deep_as_the_watchlist_allows_is_crawled_to_its_end(osint, tmp_path: Path):
    routes = {path: _html(page(path)) for path in CHAIN}
    with SiteServer(routes=routes) as site:
        watchlist = write_watchlist(
            tmp_path / "deep.yaml",
            [
                {"id": "chain", "kind": "site", "urls": [site.url(CHAIN[0])], "scope": {"max_depth": MAX_DEPTH}},
            ],
        )
        report = osint.json("crawl", str(watchlist))
        run = osint.json("runs", "show", report["run_id"])
        fetched = [path for path in site.requests if path != "/robots.txt"]
    outcomes = {row["url"].removeprefix(site.base_url): (row["outcome"], row["reason"]) for row in run["outcomes"]}
    reachable = CHAIN[: MAX_DEPTH + 1]  # depths 0..max_depth; the last page's link is not followed
    assert outcomes == {path: ("indexed", "") for path in reachable}
    assert report["urls"] == report["indexed"] == len(reachable)
    assert sorted(fetched) == sorted(reachable)


def test_scrapys_depth_limit_is_no_lower_than_the_deepest_scope():
    settings = Settings()
    settings.setmodule("settings.crawl")
    limit = settings.getint("DEPTH_LIMIT")
    assert limit == 0 or limit >= MAX_DEPTH  # 0: no limit


def test_a_recrawl_asks_conditionally_only_for_pages_whose_links_are_not_followed(osint, tmp_path: Path):
    """A 304 carries no links: pages above `max_depth` are fetched in full again, so the crawl still
    finds what they link to; pages at `max_depth` are asked with their validators."""
    paths = CHAIN[:3]  # /d0 → /d1 → /d2, crawled with max_depth 1: /d2 is never reached
    conditional: list[str] = []

    def route(path: str):
        body = page(path)
        etag = '"' + path.strip("/") + '"'

        def answer(handler):
            if handler.headers.get("If-None-Match"):
                conditional.append(path)
            if handler.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "text/html; charset=utf-8", "ETag": etag}, body

        return answer

    with SiteServer(routes={path: route(path) for path in paths}) as site:
        watchlist = write_watchlist(
            tmp_path / "shallow.yaml",
            [
                {"id": "shallow", "kind": "site", "urls": [site.url(paths[0])], "scope": {"max_depth": 1}},
            ],
        )
        first = osint.json("crawl", str(watchlist))
        assert first["indexed"] == first["urls"] == 2 and conditional == []
        second = osint.json("crawl", str(watchlist))
        run = osint.json("runs", "show", second["run_id"])
    outcomes = {row["url"].removeprefix(site.base_url): (row["outcome"], row["reason"]) for row in run["outcomes"]}
    assert conditional == ["/d1.html"]
    assert outcomes["/d1.html"] == ("unchanged", "not_modified")
    assert outcomes["/d0.html"] == ("unchanged", "same_content")  # downloaded in full, found unchanged
    assert set(outcomes) == {"/d0.html", "/d1.html"}
