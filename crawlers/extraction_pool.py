"""One process pool per crawler process, shared by every source's pipeline."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None


def _warm_up() -> None:
    """Load the gazetteers once per worker, before the first document arrives. A failure here is
    logged, not raised: an initializer error would break the pool for every document, while the
    same error raised per document is recorded against each one with its reason."""
    try:
        from extractors import extract_text

        extract_text("Warm-up: AK-47 rifles seen in Iraq.", language_hint="en")
    except Exception:
        logging.getLogger(__name__).exception("Extraction worker warm-up failed")


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
