"""/forum/ and /forum/index.html are one page: a site crawl fetches it once, indexes one document,
and records the second form as skipped/alias of the first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.site_server import SiteServer
from tests.crawl.helpers import OsintCli, crawl_site, write_watchlist


def html(title: str, text: str, links: Sequence[str] = ()) -> tuple[int, dict[str, str], bytes]:
    nav = "".join(f"<a href='{link}'>{link}</a> " for link in links)
    body = (
        f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p></article>"
        f"<nav>{nav}</nav></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


HOME = (
    "The harbour desk follows arms seizures at the region's ports and publishes the customs "
    "records it obtains, with photographs of the markings found on each recovered weapon."
)
FORUM = (
    "Members of the collectors' board compare stamped receiver marks and crate stencils to work "
    "out which arsenal produced a rifle and how it reached the port where it was seized."
)


def _crawl(osint: OsintCli, tmp_path: Path, routes: dict, start: str) -> tuple[dict, dict, list[str], int]:
    report, outcomes, fetched = crawl_site(osint, tmp_path, routes, start, max_depth=2)
    return report, outcomes, fetched, osint.json("search", "", "--size", "0")["total"]


def forum(handler) -> tuple[int, dict[str, str], bytes]:
    """What a web server does: the directory URL and its index.html are the same file."""
    return html("Collectors' board", FORUM, ["/", "/forum/index.html"])


def test_a_directory_and_its_index_html_linked_from_one_page_are_one_document(osint: OsintCli, tmp_path: Path):
    routes = {
        "/": lambda h: html("Harbour desk", HOME, ["/forum/", "/forum/index.html"]),
        "/forum/": forum,
        "/forum/index.html": forum,
    }
    report, outcomes, fetched, documents = _crawl(osint, tmp_path, routes, "/")

    assert fetched.count("/forum/") + fetched.count("/forum/index.html") == 1  # fetched once
    assert {path: (row["outcome"], row["reason"]) for path, row in outcomes.items()} == {
        "/": ("indexed", ""),
        "/forum/": ("indexed", ""),  # linked first
        "/forum/index.html": ("skipped", "alias"),
    }
    assert outcomes["/forum/index.html"]["detail"].endswith("/forum/")  # names the page it is an alias of
    assert not outcomes["/forum/index.html"]["fetched"]
    assert documents == 2
    assert (report["urls"], report["indexed"], report["skipped"], report["new_documents"]) == (3, 2, 1, 2)


def test_a_start_page_named_by_its_index_html_is_not_fetched_again_under_its_directory(osint: OsintCli, tmp_path: Path):
    def board(handler) -> tuple[int, dict[str, str], bytes]:
        return html("Collectors' board", FORUM, ["/board/", "/board/topic-1.html"])

    routes = {
        "/board/index.html": board,
        "/board/": board,
        "/board/topic-1.html": lambda h: html("Crate stencils", HOME, ["/board/index.html"]),
    }
    report, outcomes, fetched, documents = _crawl(osint, tmp_path, routes, "/board/index.html")

    assert sorted(fetched) == ["/board/index.html", "/board/topic-1.html"]
    assert {path: (row["outcome"], row["reason"]) for path, row in outcomes.items()} == {
        "/board/index.html": ("indexed", ""),
        "/board/topic-1.html": ("indexed", ""),
        "/board/": ("skipped", "alias"),
    }
    assert documents == 2 and report["new_documents"] == 2


def test_the_document_id_is_the_same_whichever_form_was_fetched(osint: OsintCli, tmp_path: Path):
    """A page without a declared canonical URL gets its id from the directory form, so a crawl that
    meets /forum/index.html first updates the document an earlier crawl of /forum/ made."""
    routes = {"/forum/": forum, "/forum/index.html": forum}
    with SiteServer(routes=routes) as site:
        for start in ("/forum/", "/forum/index.html"):
            watchlist = write_watchlist(
                tmp_path / "page.yaml", [{"id": "board", "kind": "page", "urls": [site.url(start)]}]
            )
            osint.json("crawl", str(watchlist))
        hits = osint.json("search", "", "--size", "10")["hits"]
    assert len(hits) == 1 and hits[0]["url"] == site.url("/forum/index.html")  # the last fetch, one document
