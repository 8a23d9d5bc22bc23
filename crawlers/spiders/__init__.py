"""One spider per source kind; `SPIDERS[kind]` picks the class for a watchlist source."""

from crawlers.spiders.base import SourceSpider
from crawlers.spiders.feeds import FeedSpider
from crawlers.spiders.pages import DocumentSpider, PageSpider
from crawlers.spiders.sitemaps import SitemapSpider
from crawlers.spiders.sites import SiteSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    spider.kind: spider for spider in (FeedSpider, SitemapSpider, SiteSpider, PageSpider, DocumentSpider)
}

__all__ = ["SPIDERS", "SourceSpider"]
