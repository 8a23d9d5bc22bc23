from __future__ import annotations

from collections.abc import Iterator

import scrapy

from crawlers.spiders.base import SourceSpider


class PageSpider(SourceSpider):
    """Single pages named in the watchlist (statements, profiles, channel pages)."""

    name = kind = "page"

    def start_requests_for(self, url: str) -> Iterator[scrapy.Request]:
        request = self.document_request(url)
        if request is not None:
            yield request.replace(dont_filter=True)


class DocumentSpider(PageSpider):
    """PDFs and other document URLs (government letters, reports)."""

    name = kind = "document"
