"""Scrapy log lines that name a document without dumping it (items carry whole texts)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter

from crawlers.items import FetchedResource


class ConciseLogFormatter(logformatter.LogFormatter):
    def scraped(self, item: FetchedResource, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": getattr(item, "url", "?")}}

    def dropped(
        self, item: FetchedResource, exception: BaseException, response: Any, spider: Any
    ) -> logformatter.LogFormatterResult:
        return {
            "level": logging.INFO,
            "msg": "Not indexed %(url)s: %(exception)s",
            "args": {"url": getattr(item, "url", "?"), "exception": exception},
        }
