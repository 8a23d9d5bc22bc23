"""Naming what became of a URL: exceptions pipelines raise, and failure → reason mapping for errbacks."""

from __future__ import annotations

import re

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


class ListingError(ValueError):
    """A feed or sitemap that cannot be read; `reason` is short and groupable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class Outcome(DropItem):
    """Raised by a pipeline step to end an item's journey with a recorded outcome."""

    def __init__(self, outcome: str, reason: str = "", detail: str = "") -> None:
        super().__init__(f"{outcome}: {reason} {detail}".strip())
        self.outcome = outcome
        self.reason = reason
        self.detail = detail


_IGNORE_REASONS = (
    (re.compile(r"robots\.txt", re.I), "robots_txt"),
    (re.compile(r"max redirections|redirect", re.I), "redirect_loop"),
    (re.compile(r"DOWNLOAD_MAXSIZE|maxsize|exceed", re.I), "too_large"),
    (re.compile(r"offsite|allowed_domains", re.I), "out_of_scope"),
)


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(outcome, reason) for a request that failed before reaching a callback. An exception that
    names its own `outcome` keeps it: a 304 (crawlers/middlewares/conditional.py) is unchanged / not_modified."""
    exc = failure.value
    outcome, reason = _classify(exc)
    return getattr(exc, "outcome", outcome), reason


def _classify(exc: object) -> tuple[str, str]:
    # object: a Failure's value is typed `BaseException | None`, and Twisted accepts any object there
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and isinstance(exc, IgnoreRequest):
        return "skipped", reason
    if isinstance(exc, HttpError):
        return "failed", f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        for pattern, name in _IGNORE_REASONS:
            if pattern.search(str(exc)):
                return ("skipped" if name in ("robots_txt", "out_of_scope") else "failed"), name
        return "skipped", "ignored"
    # Scrapy 2.13+ wraps Twisted's errors in its own (scrapy/utils/_download_handlers.py); both are named alike
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "failed", "dns_error"
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "failed", "timeout"
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "failed", "connection_refused"
    if isinstance(exc, DownloadCancelledError):
        return "failed", "too_large" if re.search(r"maxsize|larger than", str(exc), re.I) else "cancelled"
    if isinstance(exc, CancelledError):
        return "failed", "too_large" if "size" in str(exc).lower() else "cancelled"
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived, DownloadFailedError, ResponseDataLossError)):
        return "failed", "connection_lost"
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()
    return "failed", name
