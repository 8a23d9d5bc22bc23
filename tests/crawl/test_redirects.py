"""A redirect to a page the crawl asks for anyway is fetched once, and both URLs keep an outcome:
Scrapy's duplicate filter drops the second request for the page, and the run records why."""

from __future__ import annotations

from pathlib import Path

from tests.crawl.helpers import crawl_site


def article(path: str, links: list[str] = ()) -> tuple[int, dict[str, str], bytes]:
    nav = "".join(f"<a href='{link}'>{link}</a> " for link in links)
    text = (
        f"Report {path}: investigators traced the rifles seized at the border to a shipment that "
        f"left the port in March, according to customs records reviewed for this page {path}."
    )
    body = f"<html lang='en'><head><title>Report {path}</title></head><body><article><p>{text}</p></article><nav>{nav}</nav></body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def moved(target: str):
    return lambda handler: (301, {"Location": target, "Content-Type": "text/plain"}, b"moved")


def _crawl(osint, tmp_path: Path, routes: dict, start: str) -> tuple[dict, dict[str, tuple[str, str]], list[str]]:
    report, outcomes, fetched = crawl_site(osint, tmp_path, routes, start, max_depth=3)
    return report, {path: (row["outcome"], row["reason"]) for path, row in outcomes.items()}, fetched


def test_a_redirect_to_a_page_already_asked_for_is_recorded_as_a_duplicate(osint, tmp_path: Path):
    routes = {
        "/index.html": lambda handler: article("/index.html", ["/new.html", "/old.html"]),
        "/new.html": lambda handler: article("/new.html"),
        "/old.html": moved("/new.html"),
    }
    report, outcomes, fetched = _crawl(osint, tmp_path, routes, "/index.html")
    assert outcomes == {
        "/index.html": ("indexed", ""),
        "/new.html": ("indexed", ""),
        "/old.html": ("skipped", "duplicate"),  # fetched (a 301), its target already requested
    }
    assert report["urls"] == 3 and report["fetched"] == 3
    assert sorted(fetched) == ["/index.html", "/new.html", "/old.html"]  # the page once, not twice


def test_every_url_keeps_one_outcome_whichever_request_reaches_a_page_first(osint, tmp_path: Path):
    # /old.html (depth 1) redirects to /new.html, which /other.html links to (depth 2): whichever
    # request for /new.html comes second is the one dropped, and its URL still gets an outcome.
    routes = {
        "/index.html": lambda handler: article("/index.html", ["/old.html", "/other.html"]),
        "/old.html": moved("/new.html"),
        "/other.html": lambda handler: article("/other.html", ["/new.html"]),
        "/new.html": lambda handler: article("/new.html"),
    }
    report, outcomes, fetched = _crawl(osint, tmp_path, routes, "/index.html")
    assert sorted(outcomes) == ["/index.html", "/new.html", "/old.html", "/other.html"]
    assert report["urls"] == 4
    assert fetched.count("/new.html") == 1
    dropped = [path for path in ("/old.html", "/new.html") if outcomes[path] == ("skipped", "duplicate")]
    assert len(dropped) == 1
    assert [outcomes[path] for path in ("/old.html", "/new.html") if path not in dropped] == [("indexed", "")]
