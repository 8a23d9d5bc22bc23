"""Incremental re-crawls: time and requests of a first crawl, an unchanged re-crawl, and one with
a share of articles changed, against a local site of feed sources.

    python -m benchmarks.incremental_bench [--sources 200] [--articles 20] [--changed 0.05] [--json]

Each source is an RSS feed (with ETag/Last-Modified) listing its own articles, all served on
127.0.0.1 by one process. Requests are counted at the server; robots.txt (one per source
crawler and run) is counted apart. "Processed" counts documents that went through extraction
(indexed, or found unchanged by body or text hash after a download).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.reports import documents_reprocessed
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.incremental.changing_site import PARAGRAPHS, ChangingSite, later

WORDS = (
    "rifles",
    "mortars",
    "ammunition",
    "drones",
    "launchers",
    "grenades",
    "pistols",
    "crates",
    "convoy",
    "port",
    "border",
    "customs",
    "brokers",
    "licence",
    "embargo",
    "shipment",
    "markings",
    "serial",
    "depot",
)


def _body(rng: random.Random, source: int, article: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(60))
    return f"Report {source}-{article}: {words}. " + " ".join(rng.sample(PARAGRAPHS, 2))


def _crawl(cli: OsintCli, watchlist: Path, site: ChangingSite) -> dict:
    site.hits.clear()
    started = time.perf_counter()
    report = json.loads(cli.run("crawl", str(watchlist), "--json", timeout=3 * 3600).stdout)
    elapsed = time.perf_counter() - started
    return {
        "seconds": round(elapsed, 1),
        "requests": site.total_requests(),
        "robots_requests": site.requests_for("/robots.txt"),
        "not_modified_304": sum(n for (_, status), n in site.hits.items() if status == 304),
        "documents_processed": documents_reprocessed(report),
        "new": report["new_documents"],
        "changed": report["changed_documents"],
        "failed": report["failed"],
    }


def run(sources: int, articles: int, changed_share: float, workers: str) -> dict:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as scratch, ChangingSite() as site:
        for s in range(sources):
            for a in range(articles):
                site.publish(f"/s{s}/{a}.html", f"Source {s} article {a}", body=_body(rng, s, a))
            site.add_feed(f"/s{s}/feed.xml", f"/s{s}/")
        watchlist = write_watchlist(
            Path(scratch) / "bench.yaml",
            [{"id": f"s{s}", "kind": "feed", "urls": [site.server.url(f"/s{s}/feed.xml")]} for s in range(sources)],
        )
        cli = OsintCli(Path(scratch) / "data")
        cli.env["OSINT_EXTRACT_WORKERS"] = workers
        figures = {"sources": sources, "articles_per_source": articles, "first": _crawl(cli, watchlist, site)}
        figures["unchanged"] = _crawl(cli, watchlist, site)
        paths = sorted(site.articles)
        to_change = rng.sample(paths, max(1, int(len(paths) * changed_share)))
        for path in to_change:
            site.edit(path, edition=2, when=later(5))
        figures["changed_share"] = changed_share
        figures["articles_changed"] = len(to_change)
        figures["after_changes"] = _crawl(cli, watchlist, site)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--changed", type=float, default=0.05)
    parser.add_argument("--workers", default="2", help="OSINT_EXTRACT_WORKERS for the crawls")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = run(args.sources, args.articles, args.changed, args.workers)
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    print(f"{args.sources} feed sources x {args.articles} articles")
    for phase in ("first", "unchanged", "after_changes"):
        f = figures[phase]
        print(
            f"{phase:14} {f['seconds']:7.1f}s  requests {f['requests']:5} (+{f['robots_requests']} robots.txt, "
            f"{f['not_modified_304']} answered 304)  processed {f['documents_processed']:5}  "
            f"new {f['new']}  changed {f['changed']}  failed {f['failed']}"
        )


if __name__ == "__main__":
    main()
