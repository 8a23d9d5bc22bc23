"""Ctrl-C and SIGTERM stop a command that serves until told otherwise.

A crawl changes the process's signal handlers: Scrapy installs its own for SIGINT and SIGTERM (a
graceful spider shutdown) and leaves them in place after the crawl, where they no longer stop
anything. `osint demo --serve`, which serves after crawling, therefore ignored both signals. And
SIGTERM, left alone, kills a process without closing its server or index.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def until_interrupted() -> Iterator[None]:
    """Run the block until SIGINT or SIGTERM, then leave it normally (the usual way to stop a server).

    Must be entered from the main thread, where Python runs signal handlers; the previous handlers
    are restored on the way out.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {signum: signal.signal(signum, interrupt) for signum in STOP_SIGNALS}
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
