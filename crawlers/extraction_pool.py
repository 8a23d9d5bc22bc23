"""One process pool per crawl run, shared by every source's pipeline, fed in batches.

A run crawls each source with its own Scrapy crawler, in one process; the pool belongs to the run
(crawlers/runner.py creates it, hands it to every crawler in the OSINT_EXTRACTION_POOL setting and
shuts it down when the run ends), so the workers start and load the gazetteers once per run, not
once per source (a run of 200 feeds would otherwise start 400 processes, each ~1 s of warm-up,
and hold one set per crawler in memory). Under a plain `scrapy crawl` the pipeline makes a pool of
its own and shuts it down when the spider closes.

Start-up: the workers are started with the crawl (`start()`: the runner calls it before Scrapy
starts, a pipeline's own pool when its spider opens), so their warm-up (imports, gazetteers, the
spaCy model, and the parts the first pages would load lazily) overlaps Scrapy's start-up and the
first fetches instead of holding up the first documents. They are spawned without the parent's
main module, and end at once when the crawl does (`shutdown()`): a crawl with nothing new to
extract spends their warm-up's CPU, but does not wait for it.

Batching: a document goes to a worker at once when one is free; while every worker is busy,
documents wait, and the next worker to finish takes its share of them (the waiting documents
divided by the workers, so the others find theirs when they finish) as one task, up to
MAX_BATCH_DOCUMENTS and MAX_BATCH_BYTES. A task extracts its documents with one
`extractors.extract_batch`, whose entity model reads them all in one `nlp.pipe` pass. No timer:
nothing waits at low load, and batches grow only while the workers are the bottleneck.

Isolation: one document must never cost another its extraction. An unexpected exception inside a
batch makes the worker extract that batch's documents one by one (only the culprit fails with
`extraction_error`). A worker that dies (out of memory, a crash in a parser) breaks the whole pool
and every batch in flight: each of those documents is extracted again alone, in a new pool, with
nothing else running, so the pool breaking again has one possible culprit, recorded as
`extraction_crashed`; the others are extracted normally.

Workers must not outlive the crawler: a crawl killed with SIGKILL runs no atexit or finally, and
a worker blocked on the pool's call queue never sees it end-of-file (every worker inherits the
queue's write end too). So each worker watches its parent itself (crawlers/parent_watch.py).
When the crawler and its workers are gone, the multiprocessing resource tracker they all share
reads end-of-file on its pipe and exits as well.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import logging
import multiprocessing
import os
import sys
import threading
import time
import types
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from crawlers.parent_watch import die_with_parent

if TYPE_CHECKING:
    from extractors.result import Extraction

_T = TypeVar("_T")

#: the Scrapy setting that carries a run's pool to its crawlers
POOL_SETTING = "OSINT_EXTRACTION_POOL"

#: The most documents one task extracts. Through the spaCy model, 320 generated 600-word articles
#: take 20.1 s of CPU one by one, 19.1 s in batches of 8 and 18.6 s in batches of 16, for a peak
#: memory per worker of +10, +90 and +177 MB (the real pages of the crawl benchmark gain nothing:
#: they are long enough alone). Also the longest a document waits for the others of its batch.
MAX_BATCH_DOCUMENTS = 16
#: The most body bytes one task extracts (a larger document goes alone). HTML and plain text hold
#: at most one character per byte, so a batch never gives the model much more text to read in one
#: pass than one long document does (model_layer.MODEL_MAX_CHARS, 200,000 characters). Pages carry
#: ~5 % of their bytes as text: this is ~3 of the crawl benchmark's real pages (median 80 KB).
MAX_BATCH_BYTES = 256 * 1024

#: a page that reaches what extraction otherwise loads on the first documents that need it: the
#: HTML readers, and the stop words (spaCy's) of the gazetteer's check for names ("Mr Wagner")
WARM_UP_PAGE = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Warm-up</title></head><body>"
    b"<nav><a href='/'>Home</a></nav><article><h1>Warm-up</h1><p>Published on 12 March 2024.</p>"
    b"<p>Customs officers said AK-47 rifles were seen in Iraq; Mr Wagner denied it the same day.</p>"
    b"</article><footer>Footer</footer></body></html>"
)


class ExtractionFailure(NamedTuple):
    """Why a resource gave no document: an `extractors.errors` reason, `extraction_error` (an
    unexpected exception) or `extraction_crashed` (it killed its worker)."""

    reason: str
    detail: str


CRASHED = ExtractionFailure("extraction_crashed", "the extraction worker process died")


class Fetched(NamedTuple):
    """A resource to extract: the fields of `extractors.Resource`, which the crawler process does
    not import (its module loads trafilatura, htmldate and pypdf, which only the workers need)."""

    body: bytes
    url: str
    content_type: str
    encoding: str | None
    language_hint: str | None


class Extracted(NamedTuple):
    """One resource's result, and its share of its batch's CPU seconds per stage."""

    result: Extraction | ExtractionFailure
    timings: dict[str, float]


#: each resource's result, in order, and the batch's CPU seconds per stage
BatchResult = tuple[list["Extraction | ExtractionFailure"], dict[str, float]]
#: what a worker runs on a batch
BatchTask = Callable[[list[Fetched], str], BatchResult]


def extract_in_worker(batch: list[Fetched], spacy_model: str) -> BatchResult:
    """Extract a batch (in a worker, or in the crawler process with workers=0): each resource's
    Extraction or ExtractionFailure, and the CPU seconds per stage of the whole batch.
    Failures travel as plain tuples: exceptions with custom constructors do not survive pickling."""
    from extractors.entities.model_layer import use_model
    from extractors.timing import measure

    use_model(spacy_model)  # the crawl's OSINT_SPACY_MODEL, in whichever process this runs
    started = time.process_time()
    with measure() as timings:
        if len(batch) == 1:
            results = [_extract_alone(batch[0])]
        else:
            try:
                results = _extract_together(batch)
            except Exception:
                # one hostile document broke the batch: each on its own, so only that one fails
                results = [_extract_alone(fetched) for fetched in batch]
    timings["extraction_total"] = time.process_time() - started
    return results, timings


def _extract_together(batch: list[Fetched]) -> list[Extraction | ExtractionFailure]:
    from extractors import ExtractionError, Resource, extract_batch

    results = extract_batch([Resource(*fetched) for fetched in batch])
    return [ExtractionFailure(r.reason, r.detail) if isinstance(r, ExtractionError) else r for r in results]


def _extract_alone(fetched: Fetched) -> Extraction | ExtractionFailure:
    try:
        return _extract_together([fetched])[0]
    except Exception as exc:  # a bug on one hostile document must not take the crawl down
        logging.getLogger(__name__).exception("Extraction error on %s", fetched.url)
        return ExtractionFailure("extraction_error", f"{type(exc).__name__}: {exc}")


def _start_worker(parent_pid: int, parent_death_signal: bool, spacy_model: str, cache_dir: Path | None) -> None:
    """Worker initializer: first tie the worker's life to the crawler's, then warm up."""
    from extractors.entities.compiled_cache import use_cache_dir

    die_with_parent(parent_pid, parent_death_signal)
    use_cache_dir(cache_dir)
    _warm_up(spacy_model)
    # What the warm-up loaded (gazetteers, model, modules) lives as long as the worker: keep it out
    # of every later collection, and out of the one at exit (~0.4 s a worker at the end of a crawl).
    gc.freeze()


def _warm_up(spacy_model: str) -> None:
    """Load the gazetteers (and the spaCy model, if one is chosen) once per worker, before the
    first document arrives. A failure here is logged, not raised: an initializer error would break
    the pool for every document, while the same error raised per document is recorded against each
    one with its reason."""
    try:
        extract_in_worker([Fetched(WARM_UP_PAGE, "http://warm-up.invalid/", "text/html", None, None)], spacy_model)
    except Exception:
        logging.getLogger(__name__).exception("Extraction worker warm-up failed")


def _ready() -> None:
    """A task that does nothing: one per worker makes the pool start them all at once."""


@contextmanager
def _without_main_module() -> Iterator[None]:
    """Spawned workers run the parent's main module again (multiprocessing does, for functions
    defined there, and the pool runs none): for `osint`, app.cli and every command it imports,
    ~0.9 s of CPU per worker. They start faster without it."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class _Job(NamedTuple):
    fetched: Fetched
    done: asyncio.Future[Extracted]


class ExtractionPool:
    """Extraction worker processes, started with `start()` (or on first use), restarted after a
    crash; `extract()` batches documents to them."""

    def __init__(
        self,
        workers: int,
        spacy_model: str = "auto",
        task: BatchTask = extract_in_worker,
        cache_dir: Path | None = None,
    ) -> None:
        self.workers = workers
        self.spacy_model = spacy_model
        #: where workers keep the compiled gazetteer between runs (None: each compiles its own)
        self.cache_dir = cache_dir
        #: the function workers run on a batch (module-level, so the workers can import it)
        self.task = task
        self._executor: ProcessPoolExecutor | None = None
        self._waiting: deque[_Job] = deque()
        #: documents whose batch was in flight when a worker died: each is extracted again alone
        self._suspects: deque[_Job] = deque()
        self._running = 0  # batches in the workers

    def __deepcopy__(self, memo: dict[int, object]) -> ExtractionPool:
        # Scrapy deep-copies settings for every crawler: the run's crawlers must share this one pool
        return self

    def start(self) -> None:
        """Start every worker now (each warms up as it starts); nothing to do with workers=0 or
        when they are running. Python 3.11 starts spawn-context workers as tasks are submitted,
        one per task submitted while none is idle: one trivial task each starts them all."""
        if self.workers <= 0 or self._executor is not None:
            return
        executor = self._open()
        for _ in range(self.workers):
            self._submit_to(executor, _ready)

    def _open(self) -> ProcessPoolExecutor:
        """The running pool, or a new one whose workers start as work is submitted.

        Workers start in the thread that submits work. Linux delivers PR_SET_PDEATHSIG when that
        *thread* ends, so the signal is only used when it is the main thread, which lives as long
        as the process (the runner and Scrapy's event loop submit from it); elsewhere the watch
        thread alone notices the crawler's death.
        """
        if self._executor is None:
            on_main_thread = threading.current_thread() is threading.main_thread()
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(), on_main_thread, self.spacy_model, self.cache_dir),
            )
            atexit.register(self.shutdown)
        return self._executor

    @staticmethod
    def _submit_to(executor: ProcessPoolExecutor, task: Callable[..., _T], *args: object) -> Future[_T]:
        with _without_main_module():  # in case this submission starts a worker
            return executor.submit(task, *args)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the workers (a later `start()` or `extract()` starts new ones).

        With no batch in flight (the end of a crawl), a worker is idle or still warming up: it is
        ended at once rather than waited for, or a crawl with nothing new to extract would wait
        for a warm-up nobody uses (ProcessPoolExecutor.terminate_workers() from Python 3.14)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        atexit.unregister(self.shutdown)
        unused = [] if self._running else list(executor._processes.values())
        executor.shutdown(wait=wait and not unused, cancel_futures=True)
        for process in unused:
            process.terminate()
        for process in unused if wait else []:
            process.join()

    async def extract(self, fetched: Fetched) -> Extracted:
        """Extract one resource: in a worker, batched with the others waiting for one, or in
        this process with workers=0."""
        if self.workers <= 0:
            results, timings = self.task([fetched], self.spacy_model)
            return Extracted(results[0], timings)
        job = _Job(fetched, asyncio.get_running_loop().create_future())
        self._waiting.append(job)
        self._dispatch()
        return await job.done

    def _dispatch(self) -> None:
        """Hand waiting documents to free workers; a crash's suspects first, one at a time with
        nothing else running."""
        while True:
            if self._suspects:
                if not self._running:
                    self._submit([self._suspects.popleft()], isolated=True)
                return
            if not self._waiting or self._running >= self.workers:
                return
            self._submit(self._next_batch(), isolated=False)

    def _next_batch(self) -> list[_Job]:
        """A free worker's share of the waiting documents, within the caps; at least one."""
        share = min(MAX_BATCH_DOCUMENTS, -(-len(self._waiting) // self.workers))
        batch = [self._waiting.popleft()]
        size = len(batch[0].fetched.body)
        while self._waiting and len(batch) < share:
            size += len(self._waiting[0].fetched.body)
            if size > MAX_BATCH_BYTES:
                break
            batch.append(self._waiting.popleft())
        return batch

    def _submit(self, jobs: list[_Job], isolated: bool) -> None:
        executor = self._open()
        future: Future[BatchResult]
        try:
            future = self._submit_to(executor, self.task, [job.fetched for job in jobs], self.spacy_model)
        except BrokenProcessPool as exc:  # broken before its batches' callbacks have run
            future = Future()
            future.set_exception(exc)
        self._running += 1
        done = asyncio.wrap_future(future, loop=asyncio.get_running_loop())
        done.add_done_callback(partial(self._finished, executor, jobs, isolated))

    def _finished(
        self,
        executor: ProcessPoolExecutor,
        jobs: list[_Job],
        isolated: bool,
        done: asyncio.Future[BatchResult],
    ) -> None:
        self._running -= 1
        if done.cancelled():  # the pool was shut down under it
            for job in jobs:
                job.done.cancel()
        elif isinstance(error := done.exception(), BrokenProcessPool):
            self._replace(executor)
            if isolated:
                _settle(jobs[0], Extracted(CRASHED, {}))
            else:
                self._suspects.extend(jobs)
        elif error is not None:  # the task itself failed (extraction errors are results, not this)
            for job in jobs:
                _settle(job, error)
        else:
            results, timings = done.result()
            share = {stage: seconds / len(jobs) for stage, seconds in timings.items()}
            for job, result in zip(jobs, results, strict=True):
                _settle(job, Extracted(result, share))
        self._dispatch()

    def _replace(self, executor: ProcessPoolExecutor) -> None:
        """A worker died: stop its pool (every batch in it fails), once; the next submission opens
        a new one, whose workers start as they are needed (one while suspects run alone)."""
        if self._executor is executor:
            self.shutdown(wait=False)


def _settle(job: _Job, outcome: Extracted | BaseException) -> None:
    if job.done.done():  # its crawl stopped waiting for it
        return
    if isinstance(outcome, BaseException):
        job.done.set_exception(outcome)
    else:
        job.done.set_result(outcome)
