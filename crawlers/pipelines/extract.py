"""Run the extractors (content, language, entities) on a fetched resource, in a process pool so
extraction uses every core while the crawler keeps downloading. The pool is the run's
(crawlers/extraction_pool.py), or the pipeline's own under a plain `scrapy crawl`."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

from scrapy.crawler import Crawler

from crawlers.documents import build_document
from crawlers.extraction_pool import POOL_SETTING, ExtractionPool
from crawlers.items import FetchedResource
from crawlers.outcomes import Outcome
from extractors.result import Extraction
from settings.config import from_crawler_settings

logger = logging.getLogger(__name__)

#: extraction failures that mean "not a document" rather than "something broke"
SKIP_REASONS = {"empty", "binary_content", "unsupported_type"}


def extract_in_worker(
    body: bytes,
    url: str,
    content_type: str,
    encoding: str | None,
    language_hint: str | None,
    spacy_model: str = "auto",
) -> tuple[Extraction | ExtractionFailure, dict[str, float]]:
    """Runs in a worker process; returns (Extraction or an ExtractionFailure, CPU seconds per stage).
    Failures travel as plain tuples: exceptions with custom constructors do not survive pickling."""
    from extractors import ExtractionError, extract
    from extractors.entities.model_layer import use_model
    from extractors.timing import measure

    use_model(spacy_model)  # the crawl's OSINT_SPACY_MODEL, in whichever process this runs

    started = time.process_time()
    try:
        with measure() as timings:
            result: Extraction | ExtractionFailure = extract(
                body, url=url, content_type=content_type, encoding=encoding, language_hint=language_hint
            )
    except ExtractionError as exc:
        result = ExtractionFailure(exc.reason, exc.detail)
    except Exception as exc:  # a bug on one hostile document must not take the crawl down
        logging.getLogger(__name__).exception("Extraction error on %s", url)
        result = ExtractionFailure("extraction_error", f"{type(exc).__name__}: {exc}")
    timings["extraction_total"] = time.process_time() - started
    return result, timings


class ExtractionFailure(NamedTuple):
    reason: str
    detail: str


class ExtractPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        config = from_crawler_settings(crawler.settings)
        self.spacy_model = config.spacy_model
        shared = crawler.settings.get(POOL_SETTING)
        self.owns_pool = not isinstance(shared, ExtractionPool)
        self.pool = (
            shared if isinstance(shared, ExtractionPool) else ExtractionPool(config.extract_workers, config.spacy_model)
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def close_spider(self) -> None:
        if self.owns_pool:
            self.pool.shutdown()

    async def process_item(self, item: FetchedResource) -> FetchedResource:
        args = (item.body, item.url, item.content_type, item.encoding, item.language_hint, self.spacy_model)
        pool = self.pool.executor()
        if pool is None:
            result, timings = extract_in_worker(*args)
        else:
            try:
                result, timings = await asyncio.get_running_loop().run_in_executor(pool, extract_in_worker, *args)
            except BrokenProcessPool:
                # A worker died (out of memory, a crash in a parser): this document is lost, the crawl is not.
                self.pool.shutdown(wait=False)
                raise Outcome("failed", "extraction_crashed", "the extraction worker process died") from None
        for stage, seconds in timings.items():
            # CPU seconds are a float sum: Scrapy annotates `count` as int, but inc_value adds any number
            self.crawler.stats.inc_value(f"osint/cpu/{stage}", seconds)  # type: ignore[arg-type]
        if isinstance(result, ExtractionFailure):
            outcome = "skipped" if result.reason in SKIP_REASONS else "failed"
            raise Outcome(outcome, result.reason, result.detail)
        item.document = build_document(item, result)
        item.body = b""  # the text is extracted; keep memory flat on long crawls
        return item
