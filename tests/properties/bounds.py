"""A time bound per call that a busy machine does not break: CPU seconds of this process, not
wall-clock time (other processes' load stretches the latter, never the former)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cpu_bound(seconds: float, what: str) -> Iterator[None]:
    """Fail if the block used more than `seconds` of CPU (raising inside it is the block's business)."""
    started = time.process_time()
    try:
        yield
    finally:
        spent = time.process_time() - started
        assert spent < seconds, f"{what} took {spent:.2f} CPU seconds (bound: {seconds})"
