"""One process pool per crawl run, shared by every source's pipeline.

A run crawls each source with its own Scrapy crawler, in one process; the pool belongs to the run
(crawlers/runner.py creates it, hands it to every crawler in the OSINT_EXTRACTION_POOL setting and
shuts it down when the run ends), so the workers start and load the gazetteers once per run, not
once per source (a run of 200 feeds would otherwise start 400 processes, each ~1 s of warm-up,
and hold one set per crawler in memory). Under a plain `scrapy crawl` the pipeline makes a pool of
its own and shuts it down when the spider closes.

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

#: the Scrapy setting that carries a run's pool to its crawlers
POOL_SETTING = "OSINT_EXTRACTION_POOL"


def _start_worker(parent_pid: int, parent_death_signal: bool, spacy_model: str) -> None:
    """Worker initializer: first tie the worker's life to the crawler's, then warm up."""
    die_with_parent(parent_pid, parent_death_signal)
    _warm_up(spacy_model)


def _warm_up(spacy_model: str) -> None:
    """Load the gazetteers (and the spaCy model, if one is chosen) once per worker, before the
    first document arrives. A failure here is logged, not raised: an initializer error would break
    the pool for every document, while the same error raised per document is recorded against each
    one with its reason."""
    try:
        from extractors import extract_text
        from extractors.entities.model_layer import use_model

        use_model(spacy_model)
        extract_text("Warm-up: AK-47 rifles seen in Iraq.", language_hint="en")
    except Exception:
        logging.getLogger(__name__).exception("Extraction worker warm-up failed")


class ExtractionPool:
    """Extraction worker processes, started on first use and restarted after a crash."""

    def __init__(self, workers: int, spacy_model: str = "auto") -> None:
        self.workers = workers
        self.spacy_model = spacy_model
        self._executor: ProcessPoolExecutor | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> ExtractionPool:
        # Scrapy deep-copies settings for every crawler: the run's crawlers must share this one pool
        return self

    def executor(self) -> ProcessPoolExecutor | None:
        """The running pool, or None when extraction should run in the crawler process (workers=0).

        Python 3.11 starts spawn-context workers on demand, in the thread that submits work: the
        thread that first asks for the pool here, since the pipeline submits from the thread it
        asks from. Linux delivers PR_SET_PDEATHSIG when that *thread* ends, so the signal is only
        used when it is the main thread, which lives as long as the process; elsewhere the watch
        thread alone notices the crawler's death.
        """
        if self.workers <= 0:
            return None
        if self._executor is None:
            on_main_thread = threading.current_thread() is threading.main_thread()
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(), on_main_thread, self.spacy_model),
            )
            atexit.register(self.shutdown)
        return self._executor

    def shutdown(self, wait: bool = True) -> None:
        """Stop the workers (a later `executor()` starts new ones)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            atexit.unregister(self.shutdown)
            executor.shutdown(wait=wait, cancel_futures=True)
