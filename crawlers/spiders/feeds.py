from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.feeds import FeedError, parse_feed
from crawlers.items import ListingHints
from crawlers.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    """RSS, Atom and RDF feeds: every entry's link is a document."""

    name = kind = "feed"

    def start_requests_for(self, url: str) -> Iterator[scrapy.Request]:
        yield self.navigation_request(url, self.parse_feed)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        try:
            entries = parse_feed(response.body, response.url)
        except FeedError as exc:
            self.report(response.url, "failed", exc.reason, str(exc), fetched=True)
            return
        self.report(response.url, "followed", fetched=True)
        for entry in entries:
            hints: ListingHints = {"title": entry.title, "published": entry.published}
            request = self.document_request(entry.url, hints, lastmod=entry.updated or entry.published)
            if request is not None:
                yield request
