from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from crawlers.items import ListingHints
from crawlers.sitemaps import SitemapError, parse_sitemap
from crawlers.spiders.base import SourceSpider

MAX_SITEMAP_DEPTH = 3


class SitemapSpider(SourceSpider):
    """Sitemaps, news sitemaps and sitemap indexes; `lastmod` decides what is fetched again."""

    name = kind = "sitemap"

    def start_requests_for(self, url: str) -> Iterator[scrapy.Request]:
        yield self.navigation_request(url, self.parse_sitemap, osint_sitemap_depth=0)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # gunzip raises _DecompressionMaxSizeExceeded or OSError
                self.report(response.url, "failed", "malformed_sitemap", f"gzip: {exc}", fetched=True)
                return
        try:
            entries = parse_sitemap(body)
        except SitemapError as exc:
            self.report(response.url, "failed", exc.reason, str(exc), fetched=True)
            return
        self.report(response.url, "followed", fetched=True)
        depth = response.meta.get("osint_sitemap_depth", 0)
        for entry in entries:
            if entry.is_sitemap:
                if depth < MAX_SITEMAP_DEPTH:
                    yield self.navigation_request(entry.url, self.parse_sitemap, osint_sitemap_depth=depth + 1)
                continue
            hints: ListingHints = {"title": entry.title, "published": entry.published}
            request = self.document_request(entry.url, hints, lastmod=entry.lastmod)
            if request is not None:
                yield request
