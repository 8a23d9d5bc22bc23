from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from crawlers.items import FetchedResource
from crawlers.spiders.base import SourceSpider
from extractors.links import page_url

_NON_DOCUMENT = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|mp4|mp3|zip|gz|exe|woff2?)$", re.I)


class SiteSpider(SourceSpider):
    """A scoped link-following crawl: allowed domains, allow/deny patterns, depth and page limits."""

    name = kind = "site"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        scope = self.source.scope
        self.allowed_domains = scope.allowed_domains or sorted({urlsplit(u).hostname or "" for u in self.source.urls})
        # Hosts are compared without ports (LinkExtractor's allow_domains compares host:port).
        self.links = LinkExtractor(allow=scope.allow, deny=scope.deny, deny_extensions=[], unique=True)
        self.max_depth = scope.max_depth

    def _in_domains(self, host: str) -> bool:
        # a list here (set in __init__): Scrapy types the attribute `list[str] | None`
        return any(host == domain or host.endswith("." + domain) for domain in self.allowed_domains or ())

    def _page_request(self, url: str, depth: int) -> scrapy.Request | None:
        # Pages whose links are still followed are fetched in full (a 304 carries no links): only
        # pages at the last depth are asked conditionally (crawlers/middlewares/conditional.py).
        return self.document_request(url, osint_unconditional=depth < self.max_depth)

    def start_requests_for(self, url: str) -> Iterator[scrapy.Request]:
        request = self._page_request(url, 0)
        if request is not None:
            yield request.replace(dont_filter=True)

    def parse_document(self, response: Response) -> Iterator[scrapy.Request | FetchedResource]:
        yield self.fetched(response)
        # Scrapy's DepthMiddleware keeps meta["depth"] (0 for start URLs, +1 per link followed) and
        # drops requests deeper than DEPTH_LIMIT, which is at least any source's max_depth
        depth = response.meta.get("depth", 0)
        if depth >= self.max_depth or not isinstance(response, TextResponse):
            return
        for link in self.links.extract_links(response):
            parts = urlsplit(link.url)
            if _NON_DOCUMENT.search(parts.path) or not self._in_domains(parts.hostname or ""):
                continue
            request = self._page_request(page_url(link.url), depth + 1)  # /a and /a#top are one page
            if request is not None:
                yield request
