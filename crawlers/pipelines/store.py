"""Write documents to the index in batches and record, per URL, whether they made it."""

from __future__ import annotations

import logging
import time

from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from crawlers import signals as osint_signals
from crawlers.documents import canonical_note
from crawlers.extensions.capture_archive import crawl_captures
from crawlers.extensions.outcome_ledger import crawl_ledger
from crawlers.items import FetchedResource
from crawlers.pipelines.unchanged import remember_fetch
from index.backend import IndexBackend, open_backend
from schema.document import Document, utcnow
from settings.config import IndexOptions, from_crawler_settings

logger = logging.getLogger(__name__)


class IndexPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        config = from_crawler_settings(crawler.settings)
        self.batch_size = config.index_batch
        self.index_url = config.index_url
        self.index_options: IndexOptions = config.index_options()
        self.backend: IndexBackend | None = None
        self.pending: list[FetchedResource] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IndexPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.backend = open_backend(self.index_url, **self.index_options)

    def close_spider(self) -> None:
        self.flush()
        if self.backend is not None:
            self.backend.close()

    def process_item(self, item: FetchedResource) -> FetchedResource:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.pending or self.backend is None:
            return
        batch, self.pending = self.pending, []
        indexed_at = utcnow()
        documents = [self._with_versions(item.document).model_copy(update={"indexed": indexed_at}) for item in batch]
        started = time.process_time()
        result = self.backend.upsert(documents)
        # CPU seconds are a float sum: Scrapy annotates `count` as int, but inc_value adds any number
        self.crawler.stats.inc_value("osint/cpu/index", time.process_time() - started)  # type: ignore[arg-type]
        failures = {failure.id: failure for failure in result.failures}
        for item in batch:
            failure = failures.get(item.document.id)
            if failure is None:
                remember_fetch(crawl_ledger(self.crawler), item)
                # spooled documents wait on disk for the engine and are replayed by the next flush
                self._report(item, "indexed", "spooled" if result.spooled else "", canonical_note(item.document))
            else:
                self._report(item, "failed", f"index_{failure.reason}", failure.detail)

    def _with_versions(self, document: Document) -> Document:
        """The document with the captures of its earlier versions (other content), from the catalog."""
        store = crawl_captures(self.crawler)
        if store is None or document.capture is None:
            return document
        started = time.process_time()
        try:
            versions = store.versions_for(document.id, document.capture, document.content_hash)
        except SQLAlchemyError as exc:  # a locked or full catalog: the document is indexed all the same
            logger.error("Could not list the earlier versions of %s: %s", document.url, exc)
            versions = []
        self.crawler.stats.inc_value("osint/cpu/captures", time.process_time() - started)  # type: ignore[arg-type]
        return document.model_copy(update={"versions": versions})

    def _report(self, item: FetchedResource, outcome: str, reason: str = "", detail: str = "") -> None:
        self.crawler.signals.send_catch_log(
            osint_signals.url_outcome,
            url=item.requested_url,
            source_id=item.source_id,
            outcome=outcome,
            reason=reason,
            detail=detail,
            doc_id=item.document.id,
            fetched=True,
            change=item.change if outcome == "indexed" else "",
        )
