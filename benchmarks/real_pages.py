"""Where the benchmarks find the real web pages they measure extraction on (docs/BENCHMARK_PAGES.md).

The pages are third-party content and are not part of this repository: they are read in place
from OSINT_BENCH_PAGES, else from `../shared/bench-pages` beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path(os.environ.get("OSINT_BENCH_PAGES") or REPO.parent / "shared" / "bench-pages")


def page_paths(directory: Path) -> list[Path]:
    """The *.html files of `directory`, sorted by name; exits with a pointer to the docs if none."""
    paths = sorted(directory.glob("*.html")) if directory.is_dir() else []
    if not paths:
        raise SystemExit(f"no *.html pages in {directory}: see docs/BENCHMARK_PAGES.md for the page set")
    return paths
