"""Run the extractors (content, language, entities) on a fetched resource, in a process pool so
extraction uses every core while the crawler keeps downloading; documents reach the workers in
batches while they are busy (crawlers/extraction_pool.py). The pool is the run's, or the
pipeline's own under a plain `scrapy crawl`."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawlers.documents import build_document
from crawlers.extraction_pool import POOL_SETTING, ExtractionFailure, ExtractionPool, Fetched
from crawlers.items import FetchedResource
from crawlers.outcomes import Outcome
from settings.config import from_crawler_settings

#: extraction failures that mean "not a document" rather than "something broke"
SKIP_REASONS = {"empty", "binary_content", "unsupported_type"}


class ExtractPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        shared = crawler.settings.get(POOL_SETTING)
        self.owns_pool = not isinstance(shared, ExtractionPool)
        if isinstance(shared, ExtractionPool):
            self.pool = shared
        else:  # a plain `scrapy crawl`
            config = from_crawler_settings(crawler.settings)
            self.pool = ExtractionPool(config.extract_workers, config.spacy_model, cache_dir=config.cache_dir)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        # the workers warm up while the first pages are fetched (the run's pool is already started)
        self.pool.start()

    def close_spider(self) -> None:
        if self.owns_pool:
            self.pool.shutdown()

    async def process_item(self, item: FetchedResource) -> FetchedResource:
        fetched = Fetched(item.body, item.url, item.content_type, item.encoding, item.language_hint)
        result, timings = await self.pool.extract(fetched)
        for stage, seconds in timings.items():
            # CPU seconds are a float sum: Scrapy annotates `count` as int, but inc_value adds any number
            self.crawler.stats.inc_value(f"osint/cpu/{stage}", seconds)  # type: ignore[arg-type]
        if isinstance(result, ExtractionFailure):
            outcome = "skipped" if result.reason in SKIP_REASONS else "failed"
            raise Outcome(outcome, result.reason, result.detail)
        item.document = build_document(item, result)
        item.fingerprint = result.fingerprint
        item.body = b""  # the text is extracted; keep memory flat on long crawls
        return item
