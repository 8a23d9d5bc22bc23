"""Drop what did not change since its URL was last indexed: identical bytes (before extraction)
or identical text (after it, before near-duplicate matching and indexing)."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawlers.extensions.outcome_ledger import crawl_ledger
from crawlers.items import FetchedResource
from crawlers.outcomes import Outcome
from state.ledger import Ledger, now_iso


class SkipUnchangedPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipUnchangedPipeline:
        return cls(crawler)

    def process_item(self, item: FetchedResource) -> FetchedResource:
        record = item.known
        if record is None or record.doc_id is None:
            item.change = "new"
        elif record.body_hash == item.body_hash:
            # the server's validators may be new even though the bytes are not: keep them, so the
            # next request can be conditional, and restart the revisit clock
            crawl_ledger(self.crawler).remember(
                item.requested_url,
                item.source_id,
                last_fetched=now_iso(),
                etag=item.etag,
                last_modified=item.last_modified,
            )
            raise Outcome("unchanged", "same_content")
        else:
            item.change = "changed"
        return item


def remember_fetch(ledger: Ledger, item: FetchedResource) -> None:
    """Record what this fetch of the URL produced, for the next crawl's comparisons."""
    ledger.remember(
        item.requested_url,
        item.source_id,
        doc_id=item.document.id,
        last_fetched=now_iso(),
        etag=item.etag,
        last_modified=item.last_modified,
        body_hash=item.body_hash,
        content_hash=item.document.content_hash,
        lastmod=item.lastmod.isoformat() if item.lastmod else None,
    )


class SkipUnchangedTextPipeline:
    """New bytes, same text (a footer's date, a rotated ad): nothing to re-index."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipUnchangedTextPipeline:
        return cls(crawler)

    def process_item(self, item: FetchedResource) -> FetchedResource:
        known = item.known
        if known and known.content_hash == item.document.content_hash and known.doc_id == item.document.id:
            remember_fetch(crawl_ledger(self.crawler), item)
            raise Outcome("unchanged", "same_text")
        return item
