"""The engine and the embedded index side by side: bulk indexing speed and search latency.

    python -m benchmarks.index_bench [--engine URL] [--index-docs 20000] [--search-docs 100000] [--json]

1. Bulk indexing: the same --index-docs generated documents (benchmarks/corpus.py, seed 0)
   into a fresh engine index and a fresh SQLite file; documents/s counts time in upsert() and
   the final refresh only (generation excluded).
2. Search: both indices are filled up to --search-docs documents (the same documents again),
   then typical two-word analyst queries with the default facets are timed, sorted by
   relevance and by date: median and p95 in milliseconds.

Without --engine a node is started by scripts/engine/run.py (data in a temporary directory on
disk, not tmpfs, so figures reflect a real disk) and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

from benchmarks.corpus import sample_queries
from benchmarks.search_bench import index_documents, measure_queries
from index.backend import open_backend
from tests.engine_fixture import engine_runner

BATCH = 500


def run(engine_url: str, scratch: Path, index_docs: int, search_docs: int, words: int, queries: int) -> dict:
    backends = {
        "engine": open_backend(f"{engine_url}?index=bench-{uuid.uuid4().hex[:8]}", spool_root=scratch / "spool"),
        "sqlite": open_backend(f"sqlite:///{scratch / 'bench.sqlite3'}"),
    }
    report: dict = {"documents_indexed": index_docs, "documents_searched": search_docs, "words": words, "backends": {}}
    texts = sample_queries(queries, seed=0)
    for name, backend in backends.items():
        figures: dict = {"bulk_indexing": index_documents(backend, index_docs, words, seed=0, batch_size=BATCH)}
        print(f"{name}: bulk {figures['bulk_indexing']}", file=sys.stderr)
        if search_docs > index_docs:
            figures["fill_to_search_size"] = index_documents(
                backend, search_docs, words, seed=0, batch_size=BATCH, start=index_docs
            )
        figures["documents"] = backend.count()
        figures["search_relevance"] = measure_queries(backend, texts, "relevance")
        figures["search_date"] = measure_queries(backend, texts, "date")
        print(f"{name}: search {figures['search_relevance']} / {figures['search_date']}", file=sys.stderr)
        status = backend.status()
        figures["backend"] = f"{status.backend} {status.engine_version}".strip()
        report["backends"][name] = figures
        backend.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", help="engine URL (default: start a node with scripts/engine/run.py)")
    parser.add_argument("--index-docs", type=int, default=20_000)
    parser.add_argument("--search-docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--heap", default="1g", help="heap of the node this benchmark starts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="index-bench-") as scratch_name:
        scratch = Path(scratch_name)
        runner = engine_runner()
        engine = None
        if not args.engine:
            engine = runner.start(scratch / "engine-state", heap=args.heap, temp_parent=scratch)
        try:
            report = run(
                args.engine or engine.url, scratch, args.index_docs, args.search_docs, args.words, args.queries
            )
        finally:
            if engine is not None:
                runner.stop(scratch / "engine-state")
    report["machine"] = {"cores": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        for name, figures in report["backends"].items():
            print(f"{name}: {json.dumps(figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
