"""End-to-end crawl benchmarks (issues: collection pipeline; extraction at the speed of its parts).

Generated articles (the default): serves N generated articles of ~600 words on 127.0.0.1 through an
RSS feed and a sitemap (half each), crawls them with the real `osint crawl` into a fresh embedded
index, and reports documents/s end to end, CPU seconds per stage, and peak memory of the crawl
process tree; then crawls again with nothing changed and reports how many documents were
re-processed (expected: none).

    .venv/bin/python benchmarks/crawl_bench.py --docs 2000                # gazetteer-only entities
    .venv/bin/python benchmarks/crawl_bench.py --docs 2000 --model auto   # with the spaCy model

Real pages (`--pages [DIR]`, default: OSINT_BENCH_PAGES or ../shared/bench-pages, read in place; docs/BENCHMARK_PAGES.md):
serves every *.html file of DIR as it is (`Content-Type: text/html` without a charset, so each page's
own declaration decides, as a server that says nothing would; some pages are ISO-8859-1), one
sitemap listing them all, and robots.txt. Each round runs, in alternating order, the project's
`osint crawl` of a one-source sitemap watchlist into a fresh data directory and embedded index, and
the anchor, benchmarks/anchor_spider.py (a plain Scrapy SitemapSpider running trafilatura on each
page, with the project's politeness and concurrency settings), each in a process of its own. Reports
wall seconds of each, the ratio anchor / project per round and of the medians (the issue's targets:
>= 0.57 gazetteer-only, >= 0.40 with the model), pages indexed against pages extracted, why the
project did not index the others, the project's CPU seconds per stage, and each side's CPU seconds
(its whole process tree).

Both modes keep the compiled gazetteer between crawls, as a data directory does after its first
crawl (OSINT_CACHE_DIR, compiled once before the first crawl); `--cold-cache` makes every crawl's
workers compile their own, as on a data directory's first crawl.

    .venv/bin/python benchmarks/crawl_bench.py --pages --rounds 3                # gazetteer-only
    .venv/bin/python benchmarks/crawl_bench.py --pages DIR --model auto --json   # with the spaCy model
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.site_server import Route, SiteHandler, SiteServer  # noqa: E402
from benchmarks.corpus import generate_documents  # noqa: E402
from benchmarks.real_pages import DEFAULT_DIR as BENCH_PAGES  # noqa: E402
from benchmarks.real_pages import page_paths  # noqa: E402
from benchmarks.reports import documents_reprocessed  # noqa: E402

#: issue 16: anchor seconds / project seconds at least this, by entity model ("none" or any model)
RATIO_TARGETS = {"none": 0.57, "model": 0.40}


def article_html(title: str, text: str, published: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<meta property='article:published_time' content='{published}'></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><article><h1>{html.escape(title)}</h1>"
        f"{paragraphs}</article><footer>Benchmark site</footer></body></html>"
    ).encode()


def _robots(handler: SiteHandler) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"


def _sitemap(entries: list[tuple[str, str | None]]) -> Route:
    """A sitemap route listing (path, lastmod or None) with the server's own base URL."""

    def route(handler: SiteHandler) -> tuple[int, dict[str, str], bytes]:
        base = handler.server.base_url
        urls = "".join(
            f"<url><loc>{base}{html.escape(path)}</loc>"
            + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
            + "</url>"
            for path, lastmod in entries
        )
        return (
            200,
            {"Content-Type": "application/xml"},
            f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>".encode(),
        )

    return route


def _page(body: bytes, content_type: str) -> Route:
    return lambda handler: (200, {"Content-Type": content_type}, body)


def build_site(count: int) -> SiteServer:
    routes: dict[str, Route] = {}
    feed_items: list[tuple[str, str]] = []
    sitemap_urls: list[tuple[str, str | None]] = []
    for number, document in enumerate(generate_documents(count, seed=7, words=600)):
        path = f"/articles/{number}.html"
        published = (document.published or document.fetched).isoformat()
        routes[path] = _page(article_html(document.title, document.text, published), "text/html; charset=utf-8")
        if number % 2 == 0:
            feed_items.append((path, document.title))
        else:
            sitemap_urls.append((path, published))

    def feed(handler: SiteHandler) -> tuple[int, dict[str, str], bytes]:
        base = handler.server.base_url
        items = "".join(f"<item><title>{html.escape(t)}</title><link>{base}{p}</link></item>" for p, t in feed_items)
        return (
            200,
            {"Content-Type": "application/rss+xml"},
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>bench</title>{items}</channel></rss>".encode(),
        )

    routes["/feed.xml"] = feed
    routes["/sitemap.xml"] = _sitemap(sitemap_urls)
    routes["/robots.txt"] = _robots
    return SiteServer(routes=routes)


def build_page_site(directory: Path) -> tuple[SiteServer, int]:
    """Every *.html file of `directory` under /pages/, held in memory, listed by /sitemap.xml."""
    routes: dict[str, Route] = {}
    for page in page_paths(directory):
        routes[f"/pages/{quote(page.name)}"] = _page(page.read_bytes(), "text/html")
    count = len(routes)
    routes["/sitemap.xml"] = _sitemap([(path, None) for path in routes])
    routes["/robots.txt"] = _robots
    return SiteServer(routes=routes), count


def write_watchlist(path: Path, sources: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps({"name": "bench", "sources": sources}))


def crawl_env(data: Path, model: str, cache: Path | None) -> dict[str, str]:
    """The environment of one `osint crawl`: its own data directory and embedded index, and the
    run's compiled-gazetteer cache (None: the data directory's own, empty)."""
    return {
        **os.environ,
        "OSINT_DATA_DIR": str(data),
        "OSINT_CACHE_DIR": str(cache or data / "cache"),
        "OSINT_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        "OSINT_INDEX_URL": f"sqlite:///{data / 'index.sqlite3'}",
        "OSINT_SPACY_MODEL": model,
    }


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Measured:
    output: str  # the command's stdout
    seconds: float  # wall time, process start-up included
    cpu_seconds: float  # user + system of the whole process tree (children it reaped included)
    peak_rss: int  # bytes, sampled every 0.2 s


def run_measured(command: list[str], env: dict[str, str]) -> Measured:
    """Run `command` from the repository to completion; a non-zero exit ends the benchmark."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[2:4])} failed with exit code {process.returncode}")
    return Measured(output, seconds, _children_cpu() - cpu_before, peak)


def crawl(watchlist: Path, env: dict[str, str]) -> tuple[dict[str, Any], float, int]:
    """`osint crawl --json` of `watchlist`: its run report, wall seconds and peak memory."""
    run = crawl_measured(watchlist, env)
    return json.loads(run.output), run.seconds, run.peak_rss


def crawl_measured(watchlist: Path, env: dict[str, str]) -> Measured:
    command = [sys.executable, "-m", "app.cli", "crawl", str(watchlist), "--json", "--no-progress"]
    return run_measured(command, env)


def warm_cache(directory: Path, cold: bool) -> Path | None:
    """A cache directory holding the compiled gazetteer, as a data directory has it after its
    first crawl (extractors/entities/compiled_cache.py); None with `cold`: every crawl compiles."""
    if cold:
        return None
    from extractors.entities import compiled_cache, gazetteer

    compiled_cache.use_cache_dir(directory)
    compiled_cache.load_or_build("gazetteer", gazetteer.build)
    return directory


def generated_articles(docs: int, model: str, cold: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, build_site(docs) as site:
        cache = warm_cache(Path(tmp) / "cache", cold)
        data = Path(tmp) / "data"
        watchlist = Path(tmp) / "bench.yaml"
        write_watchlist(
            watchlist,
            [
                {"id": "bench-feed", "kind": "feed", "urls": [site.url("/feed.xml")], "scope": {"max_pages": docs}},
                {
                    "id": "bench-sitemap",
                    "kind": "sitemap",
                    "urls": [site.url("/sitemap.xml")],
                    "scope": {"max_pages": docs},
                },
            ],
        )
        env = crawl_env(data, model, cache)
        first, seconds, peak = crawl(watchlist, env)
        requests_before = len(site.requests)
        second, seconds_again, _ = crawl(watchlist, env)
        return {
            "documents": docs,
            "entity_model": model,
            "gazetteer_cache": "cold" if cold else "warm",
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


def print_generated(results: dict[str, Any]) -> None:
    first = results["first_crawl"]
    print(
        f"{results['documents']} articles, entities: {results['entity_model']}, gazetteer cache: {results['gazetteer_cache']}"
    )
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


def _side(run: Measured, requests: int) -> dict[str, Any]:
    return {
        "seconds": round(run.seconds, 2),
        "cpu_seconds": round(run.cpu_seconds, 2),
        "peak_memory_mb": round(run.peak_rss / 2**20),
        "requests": requests,
    }


def _project_round(site: SiteServer, watchlist: Path, data: Path, model: str, cache: Path | None) -> dict[str, Any]:
    requests_before = len(site.requests)
    run = crawl_measured(watchlist, crawl_env(data, model, cache))
    report = json.loads(run.output)
    not_indexed = {
        outcome: reasons
        for outcome, reasons in report["reasons_by_outcome"].items()
        if outcome not in ("indexed", "followed")
    }
    return {
        **_side(run, len(site.requests) - requests_before),
        "indexed": report["indexed"],
        "not_indexed": not_indexed,
        "cpu_seconds_per_stage": report["cpu_seconds"],
    }


def _anchor_round(site: SiteServer) -> dict[str, Any]:
    requests_before = len(site.requests)
    command = [sys.executable, "-m", "benchmarks.anchor_spider", site.url("/sitemap.xml")]
    run = run_measured(command, dict(os.environ))
    return {**_side(run, len(site.requests) - requests_before), **json.loads(run.output)}


def real_pages(directory: Path, model: str, rounds: int, cold: bool) -> dict[str, Any]:
    site, pages = build_page_site(directory)
    per_round: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, site:
        cache = warm_cache(Path(tmp) / "cache", cold)
        watchlist = Path(tmp) / "pages.yaml"
        scope = {"max_pages": pages}
        write_watchlist(
            watchlist, [{"id": "bench-pages", "kind": "sitemap", "urls": [site.url("/sitemap.xml")], "scope": scope}]
        )
        for round_number in range(rounds):
            # alternating order, so a machine that slows down or warms up favours neither side
            order = ("project", "anchor") if round_number % 2 == 0 else ("anchor", "project")
            # a fresh data directory every round: nothing known, everything fetched and indexed
            data = Path(tmp) / f"data-{round_number}"
            runs = {
                "project": partial(_project_round, site, watchlist, data, model, cache),
                "anchor": partial(_anchor_round, site),
            }
            sides = {side: runs[side]() for side in order}
            ratio = sides["anchor"]["seconds"] / sides["project"]["seconds"]
            per_round.append({"order": list(order), **sides, "ratio": round(ratio, 3)})
    median = {side: statistics.median(r[side]["seconds"] for r in per_round) for side in ("project", "anchor")}
    stages = sorted({stage for r in per_round for stage in r["project"]["cpu_seconds_per_stage"]})
    return {
        "pages": pages,
        "directory": str(directory),
        "entity_model": model,
        "gazetteer_cache": "cold" if cold else "warm",
        "rounds": per_round,
        "median_seconds": {side: round(value, 2) for side, value in median.items()},
        "ratio_of_medians": round(median["anchor"] / median["project"], 3),
        "median_ratio": round(statistics.median(r["ratio"] for r in per_round), 3),
        "target_ratio": RATIO_TARGETS["none" if model == "none" else "model"],
        "median_project_cpu_seconds_per_stage": {
            stage: round(statistics.median(r["project"]["cpu_seconds_per_stage"].get(stage, 0.0) for r in per_round), 2)
            for stage in stages
        },
    }


def print_real_pages(results: dict[str, Any]) -> None:
    print(
        f"{results['pages']} real pages from {results['directory']}, entities: {results['entity_model']}, gazetteer cache: {results['gazetteer_cache']}"
    )
    for number, entry in enumerate(results["rounds"], 1):
        project, anchor = entry["project"], entry["anchor"]
        print(
            f"  round {number} ({' first, '.join(entry['order'])} second): "
            f"project {project['seconds']} s ({project['indexed']} indexed, CPU {project['cpu_seconds']} s, "
            f"{project['peak_memory_mb']} MB, {project['requests']} requests), "
            f"anchor {anchor['seconds']} s ({anchor['extracted']} of {anchor['parsed']} extracted, "
            f"CPU {anchor['cpu_seconds']} s, {anchor['peak_memory_mb']} MB, {anchor['requests']} requests): "
            f"ratio {entry['ratio']}"
        )
        if project["not_indexed"]:
            print(f"    not indexed by the project: {project['not_indexed']}")
    median = results["median_seconds"]
    print(f"  median seconds: project {median['project']}, anchor {median['anchor']}")
    print(
        f"  ratio anchor/project: {results['ratio_of_medians']} of the medians, {results['median_ratio']} median of rounds "
        f"(target >= {results['target_ratio']})"
    )
    print(f"  project CPU seconds per stage (median): {results['median_project_cpu_seconds_per_stage']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--docs", type=int, default=2000, help="generated articles (the default mode)")
    mode.add_argument(
        "--pages",
        type=Path,
        nargs="?",
        const=BENCH_PAGES,
        metavar="DIR",
        help=f"real pages: every *.html file of DIR (default {BENCH_PAGES}; docs/BENCHMARK_PAGES.md)",
    )
    parser.add_argument("--model", default="none", help="OSINT_SPACY_MODEL: none (gazetteer only) or auto")
    parser.add_argument("--rounds", type=int, default=3, help="--pages: rounds of project and anchor")
    parser.add_argument(
        "--cold-cache",
        action="store_true",
        help="no compiled gazetteer kept from an earlier crawl: every crawl's workers compile their own",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    if args.pages is not None:
        results = real_pages(args.pages.resolve(), args.model, args.rounds, args.cold_cache)
    else:
        results = generated_articles(args.docs, args.model, args.cold_cache)
    if args.json:
        print(json.dumps(results, indent=2))
    elif args.pages is not None:
        print_real_pages(results)
    else:
        print_generated(results)


if __name__ == "__main__":
    main()
