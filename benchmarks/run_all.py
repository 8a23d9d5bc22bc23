"""Run every benchmark in turn with the figures the issues ask for (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = [
    ["benchmarks/crawl_bench.py", "--docs", "2000"],
    ["benchmarks/crawl_bench.py", "--docs", "2000", "--model", "auto"],
    ["benchmarks/crawl_bench.py", "--pages", "--rounds", "3"],
    ["benchmarks/crawl_bench.py", "--pages", "--model", "auto", "--rounds", "3"],
    ["benchmarks/extract_bench.py"],
    ["-m", "benchmarks.search_bench", "--docs", "100000"],
    ["benchmarks/entities_eval.py"],
    ["benchmarks/entities_speed.py"],
    ["benchmarks/relations_eval.py", "--set", "heldout", "--model", "none"],
    ["benchmarks/relations_eval.py", "--set", "heldout", "--model", "auto"],
    ["-m", "benchmarks.arsenal_bench", "--dir", "/tmp/osint-arsenal-bench"],
    ["-m", "benchmarks.index_bench"],
    ["-m", "benchmarks.incremental_bench", "--sources", "200", "--articles", "20"],
    ["benchmarks/capture_bench.py", "--docs", "1000", "--rounds", "5"],
    ["-m", "benchmarks.export_bench", "--docs", "100000", "--formats", "csv,jsonl,ftm,graphml,gexf"],
]


def main() -> int:
    failed = 0
    for arguments in RUNS:
        print(f"\n$ python {' '.join(arguments)}", flush=True)
        failed += subprocess.run([sys.executable, *arguments], cwd=REPO).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
