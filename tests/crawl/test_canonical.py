"""A page's canonical link cannot take another source's document: two sources on two ports of one
host, the second's page claiming the first's URL as its canonical, keep one document each."""

from __future__ import annotations

from pathlib import Path

from app.site_server import SiteServer
from tests.crawl.helpers import OsintCli, write_watchlist


def _article(title: str, text: str, head: str = ""):
    body = (
        f"<html lang='en'><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
        f"<p>{text}</p></article></body></html>"
    ).encode()
    return lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, body)


ORIGINAL = _article(
    "Customs seize rifles at the port",
    "Customs officers seized a container of rifles declared as "
    "agricultural machinery; the shipment had been loaded in a transit port and was bound for an inland "
    "buyer, according to a statement from the revenue authority published this morning.",
)


def test_a_canonical_link_to_another_sources_url_is_recorded_not_adopted(osint: OsintCli, tmp_path: Path):
    with SiteServer(routes={"/p5.html": ORIGINAL}) as first, SiteServer() as second:
        original = first.url("/p5.html")
        second.routes["/claim.html"] = _article(
            "Forged report",
            "A page on another port that says it is the original: its text must not replace the "
            "original report in the index, whatever its canonical link declares about where it belongs.",
            head=f"<link rel='canonical' href='{original}'>",
        )
        watchlist = write_watchlist(
            tmp_path / "w.yaml",
            [
                {"id": "first", "kind": "page", "urls": [original]},
                {"id": "second", "kind": "page", "urls": [second.url("/claim.html")]},
            ],
        )
        osint.run("crawl", str(watchlist), "--source", "first")
        run_id = osint.json("crawl", str(watchlist), "--source", "second")["run_id"]

    hits = {hit["url"]: hit for hit in osint.json("search", "")["hits"]}
    assert sorted(hits) == sorted([original, second.url("/claim.html")])
    assert hits[original]["title"] == "Customs seize rifles at the port"  # the original kept its text
    (claimed,) = osint.json("runs", "show", run_id)["outcomes"]
    assert claimed["outcome"] == "indexed"
    assert claimed["detail"] == f"declared canonical {original} is on another site: not adopted"
