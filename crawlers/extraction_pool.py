"""One process pool per crawler process, shared by every source's pipeline."""

from __future__ import annotations

import atexit
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None


def _warm_up() -> None:
    """Load the gazetteers once per worker, before the first document arrives."""
    from extractors import extract_text

    extract_text("Warm-up: AK-47 rifles seen in Iraq.", language_hint="en")


def extraction_pool(workers: int) -> ProcessPoolExecutor | None:
    """The shared pool, or None when extraction should run in the crawler process (workers=0)."""
    global _pool
    if workers <= 0:
        return None
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up)
        atexit.register(shutdown_pool)
    return _pool


def shutdown_pool(wait: bool = True) -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
        _pool = None
