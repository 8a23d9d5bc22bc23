"""The crawl's capture store (captures/), shared by the middleware that writes each response to it
and the pipeline that lists a document's earlier versions.

A run (crawlers/runner.py) opens one store for all its sources and hands it over as the
`OSINT_CAPTURE_STORE` setting, so a run appends to one WARC file, not one per source; a crawler
started any other way (`scrapy crawl`) opens its own here and closes it when it stops.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from captures.store import CaptureStore
from settings.config import Config, from_crawler_settings

STORE_SETTING = "OSINT_CAPTURE_STORE"


def open_capture_store(config: Config) -> CaptureStore | None:
    """A crawl's capture store as configured (directory, file size, retention); None when captures are off."""
    if not config.captures:
        return None
    return CaptureStore(
        config.captures_dir, max_file_bytes=config.capture_file_bytes, retention_days=config.capture_retention_days
    )


class CaptureArchive:
    def __init__(self, crawler: Crawler):
        shared = crawler.settings.get(STORE_SETTING)
        self.owns_store = not isinstance(shared, CaptureStore)
        store = (
            shared if isinstance(shared, CaptureStore) else open_capture_store(from_crawler_settings(crawler.settings))
        )
        if store is None:
            raise NotConfigured("captures are off (OSINT_CAPTURES=0)")
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureArchive:
        extension = cls(crawler)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        if self.owns_store:
            self.store.close()


def crawl_captures(crawler: Crawler) -> CaptureStore | None:
    """The capture store of `crawler`'s run, or None when captures are off."""
    extension = crawler.get_extension(CaptureArchive)
    return extension.store if extension is not None else None
