"""What preserving captures costs a crawl (issue: citable evidence).

Serves N generated articles of ~600 words (the crawl benchmark's site: an RSS feed and a sitemap)
and crawls them into fresh data directories, captures off and on in turn (`--rounds` pairs,
interleaved so a noisy machine slows both alike), with the real `osint crawl`. Reports the median
documents/s of each, their ratio (target: captures on >= 90 % of off), and the bytes the capture
directory takes per 1,000 pages (WARC files and catalog). A second crawl of the same data directory
(nothing changed) shows what an unchanged re-crawl adds.

    .venv/bin/python benchmarks/capture_bench.py --docs 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.crawl_bench import build_site, crawl  # noqa: E402


def _directory_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file()) if path.exists() else 0


def _watchlist(path: Path, base: str, docs: int) -> None:
    scope = {"max_pages": docs}
    sources = [
        {"id": "bench-feed", "kind": "feed", "urls": [f"{base}/feed.xml"], "scope": scope},
        {"id": "bench-sitemap", "kind": "sitemap", "urls": [f"{base}/sitemap.xml"], "scope": scope},
    ]
    path.write_text(json.dumps({"name": "bench", "sources": sources}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rates: dict[str, list[float]] = {"off": [], "on": []}
    crawler_cpu: dict[str, list[float]] = {"off": [], "on": []}  # the crawler process's CPU seconds
    capture_cpu: list[float] = []  # of which preserving captures (middleware and versions)
    sizes: list[tuple[int, int, int]] = []  # (documents, capture bytes after first crawl, after second)
    with tempfile.TemporaryDirectory() as tmp, build_site(args.docs) as site:
        watchlist = Path(tmp) / "bench.yaml"
        _watchlist(watchlist, site.base_url, args.docs)
        for round_number in range(args.rounds):
            for mode in ("off", "on"):
                data = Path(tmp) / f"data-{mode}-{round_number}"
                env = {
                    **os.environ,
                    "OSINT_DATA_DIR": str(data),
                    "OSINT_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
                    "OSINT_INDEX_URL": f"sqlite:///{data / 'index.sqlite3'}",
                    "OSINT_SPACY_MODEL": "none",
                    "OSINT_CAPTURES": "1" if mode == "on" else "0",
                }
                report, seconds, _ = crawl(watchlist, env)
                rates[mode].append(report["indexed"] / seconds)
                crawler_cpu[mode].append(report["cpu_seconds"].get("crawler_process", 0.0))
                if mode == "on":
                    capture_cpu.append(report["cpu_seconds"].get("captures", 0.0))
                if mode == "on":
                    first_bytes = _directory_bytes(data / "captures")
                    crawl(watchlist, env)  # unchanged: revisits (or nothing, where the feed answers 304)
                    sizes.append((report["indexed"], first_bytes, _directory_bytes(data / "captures")))
    median = {mode: statistics.median(values) for mode, values in rates.items()}
    documents, first_bytes, second_bytes = sizes[-1]
    results = {
        "documents": args.docs,
        "rounds": args.rounds,
        "documents_per_second": {mode: [round(v, 1) for v in values] for mode, values in rates.items()},
        "median_documents_per_second": {mode: round(v, 1) for mode, v in median.items()},
        "ratio_on_to_off": round(median["on"] / median["off"], 3),
        "crawler_process_cpu_seconds": {mode: [round(v, 1) for v in values] for mode, values in crawler_cpu.items()},
        "capture_cpu_seconds": [round(v, 2) for v in capture_cpu],
        "capture_bytes_per_1000_pages": round(first_bytes * 1000 / documents),
        "capture_bytes_added_by_unchanged_recrawl": second_bytes - first_bytes,
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.docs} articles, {args.rounds} rounds (captures off, on)")
    for mode in ("off", "on"):
        print(f"  captures {mode:3}: {results['documents_per_second'][mode]} documents/s, median {median[mode]:.1f}")
    print(f"  ratio on/off: {results['ratio_on_to_off']:.3f}  (target >= 0.90)")
    print(f"  crawler process CPU s: {results['crawler_process_cpu_seconds']}; of which captures {capture_cpu}")
    print(f"  capture bytes per 1,000 pages: {results['capture_bytes_per_1000_pages']:,}")
    print(f"  bytes added by an unchanged re-crawl: {results['capture_bytes_added_by_unchanged_recrawl']:,}")


if __name__ == "__main__":
    main()
