"""A worker task that dies like a worker killed by a hostile document: the pool's crash handling
is tested with real worker processes that really exit, since no real input is known to crash the
extractors (one that did would be a bug to fix there).

A module of its own, imported by the spawned workers: they must not import pytest or the tests."""

from __future__ import annotations

import os

from crawlers.extraction_pool import BatchResult, Fetched, extract_in_worker

#: a document whose URL ends so kills the worker that extracts it
CRASH_MARK = "/kills-its-worker"


def extract_or_die(batch: list[Fetched], spacy_model: str) -> BatchResult:
    """`extract_in_worker`, except that the process exits at once, as a segfault or the OOM killer
    would end it, when the batch holds a marked document."""
    if any(fetched.url.endswith(CRASH_MARK) for fetched in batch):
        os._exit(70)
    return extract_in_worker(batch, spacy_model)
