"""Drop a fetched resource whose bytes are identical to what was last indexed from its URL."""

from __future__ import annotations

from scrapy.crawler import Crawler

from crawlers.items import FetchedResource
from crawlers.ledger import now_iso
from crawlers.outcomes import Outcome


class SkipUnchangedPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SkipUnchangedPipeline":
        return cls(crawler)

    def process_item(self, item: FetchedResource) -> FetchedResource:
        record = item.known = self.crawler.osint_ledger.url(item.requested_url)
        if record is None or record.doc_id is None:
            item.change = "new"
        elif record.body_hash == item.body_hash:
            # the server's validators may be new even though the bytes are not: keep them, so the
            # next request can be conditional, and restart the revisit clock
            self.crawler.osint_ledger.remember(item.requested_url, item.source_id, last_fetched=now_iso(),
                                               etag=item.etag, last_modified=item.last_modified)
            raise Outcome("unchanged", "same_content")
        else:
            item.change = "changed"
        return item
