"""Export speed and memory: `osint export '' --format F` over a large embedded index.

Builds an index of --docs synthetic documents (benchmarks/corpus.py, as search_bench.py does; kept
with --index PATH to measure again), then runs the real command in a process of its own per
format and reports documents/s (wall clock, interpreter start-up included), the output's size
and the command's peak resident memory (the kernel's own figure for that process, from wait4).
Targets (issue "Evidence an analyst can cite"): CSV at ≥ 5,000 documents/s in < 300 MB.

    python -m benchmarks.export_bench --docs 100000 [--formats csv,jsonl,ftm,graphml,gexf] [--index PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.search_bench import index_documents
from index.backend import open_backend

REPO = Path(__file__).resolve().parents[1]
TARGET_DOCS_PER_SECOND = 5000
TARGET_RSS_MB = 300


def run_export(index: Path, query: str, export_format: str, output: Path) -> dict[str, object]:
    """`osint export QUERY --format F -o OUTPUT --json` in a new process: its summary, wall time and peak RSS."""
    environment = {
        **os.environ,
        "OSINT_INDEX_URL": f"sqlite:///{index}",
        "OSINT_DATA_DIR": str(index.parent),
        "PYTHONPATH": str(REPO),
    }
    command = [sys.executable, "-m", "app.cli", "export", query, "--format", export_format, "-o", str(output), "--json"]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not every child's maximum
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {stderr.decode()[-2000:]}")
    summary = json.loads(stdout)
    return {
        "format": export_format,
        "documents": summary["documents"],
        "seconds": round(seconds, 2),
        "docs_per_second": round(summary["documents"] / seconds, 1),
        "output_mb": round(summary["bytes"] / 2**20, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # ru_maxrss is in KiB on Linux
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the index (default 100000)")
    parser.add_argument("--words", type=int, default=600, help="words per document (default 600)")
    parser.add_argument("--formats", default="csv", help="comma-separated formats to time (default csv)")
    parser.add_argument("--index", type=Path, help="keep the index here (reused when it holds --docs documents)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="export-bench-") as scratch:
        index = args.index or Path(scratch) / "index.sqlite3"
        index.parent.mkdir(parents=True, exist_ok=True)
        report: dict[str, object] = {"docs": args.docs, "words": args.words, "load_before": os.getloadavg()[0]}
        with open_backend(f"sqlite:///{index}") as backend:
            if backend.count() < args.docs:
                report["indexing"] = index_documents(backend, args.docs, args.words, args.seed, 500)
            report["documents"] = backend.count()
        # the cost of starting the command at all (interpreter, imports, opening the index)
        report["startup"] = run_export(index, "zeppelinxyz", "csv", Path(scratch) / "empty.csv")
        report["exports"] = [
            run_export(index, "", name, Path(scratch) / f"export.{name}") for name in args.formats.split(",")
        ]
        report["load_after"] = os.getloadavg()[0]
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        for key, value in report.items():
            if key != "exports":
                print(f"{key}: {value}")
        for row in report["exports"]:  # type: ignore[attr-defined]
            print(
                f"{row['format']:8} {row['documents']} documents in {row['seconds']} s: "
                f"{row['docs_per_second']} documents/s, {row['output_mb']} MB written, peak RSS {row['peak_rss_mb']} MB"
            )
        print(f"targets: CSV ≥ {TARGET_DOCS_PER_SECOND} documents/s, RSS < {TARGET_RSS_MB} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
