"""One process pool per crawler process, shared by every source's pipeline.

Workers must not outlive the crawler: a crawl killed with SIGKILL runs no atexit or finally, and
a worker blocked on the pool's call queue never sees it end-of-file (every worker inherits the
queue's write end too). So each worker watches its parent itself (crawlers/parent_watch.py).
When the crawler and its workers are gone, the multiprocessing resource tracker they all share
reads end-of-file on its pipe and exits as well.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from crawlers.parent_watch import die_with_parent

_pool: ProcessPoolExecutor | None = None


def _start_worker(parent_pid: int, parent_death_signal: bool) -> None:
    """Worker initializer: first tie the worker's life to the crawler's, then warm up."""
    die_with_parent(parent_pid, parent_death_signal)
    _warm_up()


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
    """The shared pool, or None when extraction should run in the crawler process (workers=0).

    Python 3.11 starts spawn-context workers on demand, in the thread that submits work: the
    thread that first asks for the pool here, since the pipeline submits from the thread it asks
    from. Linux delivers PR_SET_PDEATHSIG when that *thread* ends, so the signal is only used when
    it is the main thread, which lives as long as the process; elsewhere the watch thread alone
    notices the crawler's death.
    """
    global _pool
    if workers <= 0:
        return None
    if _pool is None:
        on_main_thread = threading.current_thread() is threading.main_thread()
        _pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(), on_main_thread),
        )
        atexit.register(shutdown_pool)
    return _pool


def shutdown_pool(wait: bool = True) -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
        _pool = None
