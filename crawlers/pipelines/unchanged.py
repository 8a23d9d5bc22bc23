"""Drop a fetched resource whose bytes are identical to what was last indexed from its URL."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawlers.items import FetchedResource
from crawlers.outcomes import Outcome


class SkipUnchangedPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SkipUnchangedPipeline":
        return cls(crawler)

    def process_item(self, item: FetchedResource) -> FetchedResource:
        record = self.crawler.osint_ledger.url(item.requested_url)
        if record is None or record.doc_id is None:
            item.change = "new"
        elif record.body_hash == item.body_hash:
            raise Outcome("unchanged", "same_content")
        else:
            item.change = "changed"
        return item
