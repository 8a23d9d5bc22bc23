"""End-to-end crawl benchmark (issue: collection pipeline).

Serves N generated articles of ~600 words on 127.0.0.1 through an RSS feed and a sitemap
(half each), crawls them with the real `osint crawl` into a fresh embedded index, and reports
documents/s end to end, CPU seconds per stage, and peak memory of the crawl process tree; then
crawls again with nothing changed and reports how many documents were re-processed (expected: none).

    .venv/bin/python benchmarks/crawl_bench.py --docs 2000                # gazetteer-only entities
    .venv/bin/python benchmarks/crawl_bench.py --docs 2000 --model auto   # with the spaCy model
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.site_server import SiteServer  # noqa: E402
from benchmarks.corpus import generate_documents  # noqa: E402
from benchmarks.reports import documents_reprocessed  # noqa: E402


def article_html(title: str, text: str, published: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<meta property='article:published_time' content='{published}'></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><article><h1>{html.escape(title)}</h1>"
        f"{paragraphs}</article><footer>Benchmark site</footer></body></html>"
    ).encode()


def build_site(count: int) -> SiteServer:
    routes: dict[str, object] = {}
    feed_items, sitemap_urls = [], []
    for number, document in enumerate(generate_documents(count, seed=7, words=600)):
        path = f"/articles/{number}.html"
        published = (document.published or document.fetched).isoformat()
        body = article_html(document.title, document.text, published)
        routes[path] = lambda handler, body=body: (200, {"Content-Type": "text/html; charset=utf-8"}, body)
        (feed_items if number % 2 == 0 else sitemap_urls).append((path, document.title, published))

    def feed(handler):
        base = handler.server.base_url
        items = "".join(f"<item><title>{html.escape(t)}</title><link>{base}{p}</link></item>" for p, t, _ in feed_items)
        return (
            200,
            {"Content-Type": "application/rss+xml"},
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>bench</title>{items}</channel></rss>".encode(),
        )

    def sitemap(handler):
        base = handler.server.base_url
        urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{d}</lastmod></url>" for p, _, d in sitemap_urls)
        return (
            200,
            {"Content-Type": "application/xml"},
            f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode(),
        )

    routes["/feed.xml"] = feed
    routes["/sitemap.xml"] = sitemap
    routes["/robots.txt"] = lambda handler: (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
    return SiteServer(routes=routes)  # type: ignore[arg-type]


def _tree_rss(root: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def crawl(watchlist: Path, env: dict[str, str]) -> tuple[dict, float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "crawl", str(watchlist), "--json", "--no-progress"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"crawl failed with exit code {process.returncode}")
    return json.loads(output), time.perf_counter() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--model", default="none", help="OSINT_SPACY_MODEL: none (gazetteer only) or auto")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, build_site(args.docs) as site:
        data = Path(tmp) / "data"
        watchlist = Path(tmp) / "bench.yaml"
        sources = [
            {"id": "bench-feed", "kind": "feed", "urls": [site.url("/feed.xml")], "scope": {"max_pages": args.docs}},
            {
                "id": "bench-sitemap",
                "kind": "sitemap",
                "urls": [site.url("/sitemap.xml")],
                "scope": {"max_pages": args.docs},
            },
        ]
        watchlist.write_text(json.dumps({"name": "bench", "sources": sources}))
        env = {
            **os.environ,
            "OSINT_DATA_DIR": str(data),
            "OSINT_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
            "OSINT_INDEX_URL": f"sqlite:///{data / 'index.sqlite3'}",
            "OSINT_SPACY_MODEL": args.model,
        }
        first, seconds, peak = crawl(watchlist, env)
        requests_before = len(site.requests)
        second, seconds_again, _ = crawl(watchlist, env)
        results = {
            "documents": args.docs,
            "entity_model": args.model,
            "first_crawl": {
                "indexed": first["indexed"],
                "failed": first["failed"],
                "seconds": round(seconds, 1),
                "documents_per_second": round(first["indexed"] / seconds, 1),
                "cpu_seconds_per_stage": first["cpu_seconds"],
                "peak_memory_mb": round(peak / 2**20),
            },
            "second_crawl_unchanged": {
                "indexed": second["indexed"],
                "unchanged": second["unchanged"],
                "reprocessed": documents_reprocessed(second),
                "requests": len(site.requests) - requests_before,
                "seconds": round(seconds_again, 1),
            },
        }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    first = results["first_crawl"]
    print(f"{args.docs} articles, entities: {args.model}")
    print(
        f"  first crawl:  {first['indexed']} indexed in {first['seconds']} s = {first['documents_per_second']} documents/s; "
        f"peak memory {first['peak_memory_mb']} MB"
    )
    print(f"  CPU seconds per stage: {first['cpu_seconds_per_stage']}")
    again = results["second_crawl_unchanged"]
    print(
        f"  second crawl (unchanged): {again['reprocessed']} re-processed, {again['unchanged']} unchanged, "
        f"{again['requests']} requests, {again['seconds']} s"
    )


if __name__ == "__main__":
    main()
