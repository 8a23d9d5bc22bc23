"""A time bound per call that a busy machine does not break: CPU seconds of this process, not
wall-clock time (other processes' load stretches the latter, never the former).

The bounds catch blow-ups (quadratic work, runaway recursion: 10x and more), not constant factors,
so while a line tracer runs (coverage, a debugger) they are TRACING_SLOWDOWN times as generous:
tracing slows pure-Python code by about that much (the megabyte entity test: 9 s → 54 s)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

TRACING_SLOWDOWN = 6


def allowance(seconds: float) -> float:
    """`seconds`, or the traced equivalent while a tracer runs in this thread."""
    return seconds * TRACING_SLOWDOWN if sys.gettrace() is not None else seconds


@contextmanager
def cpu_bound(seconds: float, what: str) -> Iterator[None]:
    """Fail if the block used more than `seconds` of CPU (raising inside it is the block's business)."""
    bound = allowance(seconds)
    started = time.process_time()
    try:
        yield
    finally:
        spent = time.process_time() - started
        assert spent < bound, f"{what} took {spent:.2f} CPU seconds (bound: {bound:g})"
