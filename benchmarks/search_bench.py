"""Search latency and bulk indexing throughput of an index backend on synthetic documents.

    python -m benchmarks.search_bench --docs 100000 [--backend URL] [--words 600] [--json]

Without --backend a fresh SQLite file in a temporary directory is used. Indexing throughput
counts only time spent in upsert() (document generation is excluded). Latency is measured on
typical two-word queries with the default facets, sorted by relevance and by date, on proximity
queries ("a b"~10) and on boolean queries with three groups ((a OR b) AND (c OR d) NOT e). The synthetic
corpus is all arms-trade news, so its domain words are commoner than in a real collection: a
two-word query matches about 11% of the documents (median), which makes this a heavy case.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from benchmarks.corpus import DOMAIN_WORDS, generate_documents, sample_queries
from index.backend import IndexBackend, open_backend
from index.query import SearchRequest, parse_query
from schema.document import Document


def _batches(documents: Iterator[Document], size: int) -> Iterator[list[Document]]:
    while batch := list(islice(documents, size)):
        yield batch


def index_documents(backend: IndexBackend, count: int, words: int, seed: int, batch_size: int, start: int = 0) -> dict:
    """Index documents number start..count-1 of the corpus; time only the backend. A document
    spooled (engine unreachable) counts as failed: it is not searchable yet."""
    elapsed = 0.0
    indexed = failed = 0
    for batch in _batches(islice(generate_documents(count, seed=seed, words=words), start, None), batch_size):
        started = time.perf_counter()
        result = backend.upsert(batch)
        elapsed += time.perf_counter() - started
        indexed += result.indexed
        failed += len(result.failures) + result.spooled
    started = time.perf_counter()
    backend.refresh()
    elapsed += time.perf_counter() - started
    return {
        "indexed": indexed,
        "failed": failed,
        "seconds": round(elapsed, 2),
        "docs_per_second": round(indexed / elapsed, 1),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_queries(backend: IndexBackend, queries: list[str], sort: str, warmup: int = 10) -> dict:
    """Wall-clock latency, and CPU time of this process (less distorted on a busy shared machine)."""
    for text in queries[:warmup]:
        backend.search(SearchRequest(query=parse_query(text), sort=sort))
    latencies, cpu_times, totals = [], [], []
    for text in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = backend.search(SearchRequest(query=parse_query(text), sort=sort))
        latencies.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        totals.append(result.total)
    return {
        "queries": len(queries),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "cpu_median_ms": round(statistics.median(cpu_times), 1),
        "cpu_p95_ms": round(percentile(cpu_times, 0.95), 1),
        "median_matches": statistics.median(totals),
    }


def proximity_queries(count: int, seed: int = 0) -> list[str]:
    """Two domain words within ten words of each other, in any order."""
    rng = random.Random(seed + 1)
    return ['"{} {}"~10'.format(*rng.sample(DOMAIN_WORDS, 2)) for _ in range(count)]


def boolean_queries(count: int, seed: int = 0) -> list[str]:
    """Three groups: (a OR b) AND (c OR d) NOT e."""
    rng = random.Random(seed + 2)
    return ["({} OR {}) AND ({} OR {}) NOT {}".format(*rng.sample(DOMAIN_WORDS, 5)) for _ in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", help="index URL (default: a fresh SQLite file in a temporary directory)")
    parser.add_argument("--docs", type=int, default=100_000, help="documents to index (default 100000)")
    parser.add_argument("--words", type=int, default=600, help="words per document (default 600)")
    parser.add_argument("--queries", type=int, default=200, help="queries per measurement (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=500, help="documents per upsert() call")
    parser.add_argument(
        "--reuse", action="store_true", help="skip indexing when the backend already holds --docs documents"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="search-bench-") as scratch:
        url = args.backend or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        with open_backend(url) as backend:
            report: dict = {"backend": url, "docs": args.docs, "words": args.words, "load_before": os.getloadavg()[0]}
            if args.reuse and backend.count() >= args.docs:
                report["indexing"] = None
            else:
                report["indexing"] = index_documents(backend, args.docs, args.words, args.seed, args.batch)
            report["documents"] = backend.count()
            queries = sample_queries(args.queries, seed=args.seed)
            report["search_relevance"] = measure_queries(backend, queries, "relevance")
            report["search_date"] = measure_queries(backend, queries, "date")
            report["search_proximity"] = measure_queries(
                backend, proximity_queries(args.queries, args.seed), "relevance"
            )
            report["search_boolean"] = measure_queries(backend, boolean_queries(args.queries, args.seed), "relevance")
            if url.startswith("sqlite:///"):
                path = Path(url.removeprefix("sqlite:///"))
                report["index_bytes"] = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
            report["load_after"] = os.getloadavg()[0]
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
