"""What a reader is told when the search index does not answer, and the one way a handler says it.

An index that is down or restarting is not our bug, so it is a 503, not a 500; the reader's message
names no address (the index URL may carry credentials), the server log says why."""

from __future__ import annotations

import logging
from types import TracebackType

from fastapi import HTTPException

log = logging.getLogger(__name__)

UNAVAILABLE = "The search index is unreachable right now; try again in a minute."


def log_unreachable(exc: ConnectionError) -> None:
    """For the pages that answer anyway (the search page says so beside the box, the document page
    leaves out its story): the reason, for the server log only."""
    log.warning("search index unreachable: %s", exc)


class IndexUnreachableAs503:
    """`with IndexUnreachableAs503(): ...`: a ConnectionError from the block is logged and answered
    as a 503 with UNAVAILABLE (the app's error handler shows it as a page or as JSON)."""

    def __enter__(self) -> None:
        return None

    # returns None, not bool: it never swallows an exception, and mypy then knows a `return` inside
    # the block is the function's only way out
    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if isinstance(exc, ConnectionError):
            log_unreachable(exc)
            raise HTTPException(503, UNAVAILABLE) from None
