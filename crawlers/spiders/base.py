"""What every source spider shares: loading its source, building requests, reporting outcomes.

Spiders are named after source kinds, so Scrapy users can run
``scrapy crawl feed -a watchlist=settings/watchlists/example.yaml -a source=ID``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers import signals as osint_signals
from crawlers.extensions.capture_archive import crawl_captures
from crawlers.extensions.outcome_ledger import crawl_ledger
from crawlers.items import FetchedResource, ListingHints
from crawlers.middlewares.capture import CAPTURE
from crawlers.outcomes import failure_reason
from extractors.links import page_identity
from state.ledger import UrlRecord, requested_url
from watchlists.model import Source, Watchlist, load_watchlist
from watchlists.schedule import parse_duration

logger = logging.getLogger(__name__)


class SourceSpider(scrapy.Spider):
    kind = ""  # no `name`: the base is not a spider Scrapy should list
    run_id = ""  # the ledger's run, set by the OutcomeLedger extension when the spider opens

    def __init__(self, watchlist: Watchlist | str, source: Source | str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.watchlist = watchlist if isinstance(watchlist, Watchlist) else load_watchlist(watchlist)
        if source is None:
            ids = [s.id for s in self.watchlist.sources if s.kind == self.kind]
            raise ValueError(f"pass -a source=ID (sources of kind {self.kind!r}: {', '.join(ids) or 'none'})")
        self.source = source if isinstance(source, Source) else self.watchlist.source(source)
        if self.source.kind != self.kind:
            raise ValueError(
                f"source {self.source.id!r} is a {self.source.kind!r} source; run the {self.source.kind!r} spider"
            )
        self.watchlist_name = self.watchlist.name
        self.allowed_domains = self.source.scope.allowed_domains or None
        self.revisit = parse_duration(self.source.revisit) if self.source.revisit else None
        self.decided: set[str] = set()  # document URLs this source settled in this run, whatever became of them
        self.pages: dict[str, str] = {}  # page identity -> the first of those URLs that named the page
        self.requested = 0  # document requests issued in this run: what max_pages bounds

    # requests -------------------------------------------------------------
    def navigation_request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        """A feed, sitemap or index page: followed for its links, not indexed itself."""
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, dont_filter=True, meta={"osint_role": "navigation", **meta}
        )

    def document_request(
        self, url: str, hints: ListingHints | None = None, lastmod: datetime | None = None, **meta: Any
    ) -> scrapy.Request | None:
        """A request for a document, or None: when the URL was settled before or the source's page
        budget is spent, and with an outcome recorded when the URL names a page already asked for
        under another URL (an alias), another source of the run fetches the page, or the page is
        known and unchanged."""
        if url in self.decided:  # linked from several pages: one request, one share of the budget
            return None
        page = page_identity(url)
        if page in self.pages:  # /forum/index.html after /forum/: one page, and the alias says so
            self.decided.add(url)
            self.report(url, "skipped", "alias", f"same page as {self.pages[page]}")
            return None
        if self.requested >= self.source.scope.max_pages:
            self.crawler.stats.inc_value("osint/scope/max_pages")
            return None
        self.decided.add(url)
        self.pages[page] = url
        ledger = crawl_ledger(self.crawler)
        fetcher = ledger.claim(self.run_id, page, self.source.id)
        if fetcher != self.source.id:
            # this source's own outcome for the URL: the fetching source records the real one
            self.crawler.stats.inc_value("osint/claimed_by_another_source")
            self.report(url, "skipped", "claimed_by_another_source", f"fetched by source {fetcher!r} in this run")
            return None
        known = ledger.url(url)  # read once; middlewares and pipelines reuse it
        if self._known_and_unchanged(known, lastmod):
            self.report(url, "unchanged", "not_modified_since_last_fetch")
            return None
        self.requested += 1
        meta = {
            "osint_role": "document",
            "osint_hints": hints or {},
            "osint_lastmod": lastmod,
            "osint_known": known,
            **meta,
        }
        if self.source.render_js:
            from crawlers.browser_capture import screenshot_method  # scrapy-playwright: rendered sources only

            meta.update(playwright=True, playwright_include_page=False)
            if crawl_captures(self.crawler) is not None:  # the screenshot is kept with the capture
                meta["playwright_page_methods"] = [screenshot_method()]
        return scrapy.Request(url, callback=self.parse_document, errback=self.on_error, meta=meta)

    def _known_and_unchanged(self, record: UrlRecord | None, lastmod: datetime | None) -> bool:
        """Feeds and sitemaps name articles we may already hold: fetch them again only when the
        listing says they changed, or when the source's revisit interval has passed."""
        if self.kind not in ("feed", "sitemap", "site"):
            return False
        if record is None or record.doc_id is None or record.last_fetched is None:
            return False
        if self.revisit and datetime.fromisoformat(record.last_fetched) + self.revisit <= datetime.now(UTC):
            return False
        if self.kind == "site":
            return self.revisit is not None
        if lastmod is None:
            return True
        known = (
            datetime.fromisoformat(record.lastmod) if record.lastmod else datetime.fromisoformat(record.last_fetched)
        )
        return lastmod <= known

    # responses ------------------------------------------------------------
    def parse_document(self, response: Response) -> Iterator[scrapy.Request | FetchedResource]:
        # the document's FetchedResource; a spider that follows links (SiteSpider) yields their requests too
        yield self.fetched(response)

    def fetched(self, response: Response) -> FetchedResource:
        headers = response.headers
        url = requested_url(response.request) if response.request else response.url
        known = response.meta["osint_known"]  # every document request carries it (document_request)
        encoding = getattr(response, "encoding", None) if isinstance(response, scrapy.http.TextResponse) else None
        return FetchedResource(
            url=response.url,
            requested_url=url,
            source_id=self.source.id,
            watchlist=self.watchlist_name,
            kind=self.kind,
            status=response.status,
            content_type=(headers.get(b"Content-Type") or b"").decode("latin-1").split(";")[0].strip().lower(),
            body=response.body,
            encoding=encoding,
            tags=list(self.source.tags),
            language_hint=self.source.language,
            etag=(headers.get(b"ETag") or b"").decode("latin-1") or None,
            last_modified=(headers.get(b"Last-Modified") or b"").decode("latin-1") or None,
            lastmod=response.meta.get("osint_lastmod"),
            hints=response.meta.get("osint_hints", {}),
            body_hash=hashlib.sha256(response.body).hexdigest(),
            known=known,
            capture=response.meta.get(CAPTURE),
        )

    # outcomes -------------------------------------------------------------
    def report(self, url: str, outcome: str, reason: str = "", detail: str = "", fetched: bool = False) -> None:
        self.crawler.signals.send_catch_log(
            osint_signals.url_outcome,
            url=url,
            source_id=self.source.id,
            outcome=outcome,
            reason=reason,
            detail=detail,
            fetched=fetched,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        outcome, reason = failure_reason(failure)
        response = getattr(failure.value, "response", None)
        url = requested_url(request)
        logger.info("%s %s (%s): %s", outcome.capitalize(), url, reason, failure.getErrorMessage()[:200])
        self.report(url, outcome, reason, failure.getErrorMessage(), fetched=response is not None)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.urls:
            for request in self.start_requests_for(url):
                yield request

    def start_requests_for(self, url: str) -> Iterator[scrapy.Request]:
        raise NotImplementedError
