"""CPU time per extraction stage, for crawl reports and benchmarks (off unless measured).

Stages nest exclusively: a stage opened inside another (htmldate's "date" inside "metadata")
is counted on its own and left out of the enclosing one, so the stages add up to the whole."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class _Timings:
    seconds: dict[str, float] = field(default_factory=dict)
    #: CPU seconds spent in the stages nested in each open stage, innermost last
    nested: list[float] = field(default_factory=list)


_current: ContextVar[_Timings | None] = ContextVar("extraction_timings", default=None)


@contextmanager
def measure() -> Iterator[dict[str, float]]:
    """Collect CPU seconds per stage of every extraction run inside the block."""
    timings = _Timings()
    token = _current.set(timings)
    try:
        yield timings.seconds
    finally:
        _current.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    timings = _current.get()
    if timings is None:
        yield
        return
    timings.nested.append(0.0)
    started = time.process_time()
    try:
        yield
    finally:
        elapsed = time.process_time() - started
        own = elapsed - timings.nested.pop()
        timings.seconds[name] = timings.seconds.get(name, 0.0) + own
        if timings.nested:
            timings.nested[-1] += elapsed
