"""The crawl's extraction pool: documents reach real worker processes in batches while the workers
are busy, every document gets its own outcome whatever its batch-mates do (a hostile one that
raises, one that kills its worker), and each document's CPU seconds reach the crawl's stats."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator, Sequence

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawlers.extraction_pool import (
    CRASHED,
    MAX_BATCH_BYTES,
    MAX_BATCH_DOCUMENTS,
    POOL_SETTING,
    Extracted,
    ExtractionFailure,
    ExtractionPool,
    Fetched,
    extract_in_worker,
)
from crawlers.items import FetchedResource
from crawlers.outcomes import Outcome
from crawlers.pipelines.extract import ExtractPipeline
from extractors.result import Extraction
from tests.crashing_extraction import CRASH_MARK, extract_or_die

SITE = "http://pool.test"
#: the stages every HTML article goes through (the model's is not: these pools read gazetteers only)
ARTICLE_STAGES = {"decode", "parse", "metadata", "main_text", "language", "gazetteer", "relations"}
#: the bytes of a PNG file: a binary body served as text/html
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def article(number: int, padding: int = 0) -> bytes:
    text = (
        f"Report {number}: customs officers at the port said the crates held Kalashnikov rifles and "
        "RPG-7 launchers shipped from Bulgaria, destined for fighters in Somalia, the ministry said."
    )
    comment = f"<!-- {'x' * padding} -->" if padding else ""
    return (
        f"<html lang='en'><head><title>Seizure {number}</title>{comment}</head>"
        f"<body><article><p>{text}</p></article></body></html>"
    ).encode()


def page(number: int, padding: int = 0) -> Fetched:
    return Fetched(article(number, padding), f"{SITE}/{number}.html", "text/html; charset=utf-8", None, None)


def hostile(url: str) -> Fetched:
    """A resource whose body a buggy spider handed over as text: extraction raises TypeError on it."""
    markup: str = article(0).decode()
    return Fetched(markup, url, "text/html", None, None)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractionPool]:
    """One real worker, shared by the module's tests (its warm-up is paid once)."""
    pool = ExtractionPool(1, "none")
    pool.start()
    yield pool
    pool.shutdown()


def extract_all(pool: ExtractionPool, documents: Sequence[Fetched]) -> list[Extracted]:
    """Every document handed to the pool at once, as a crawl's pipelines do with the pages they hold."""

    async def run() -> list[Extracted]:
        return await asyncio.gather(*(pool.extract(document) for document in documents))

    return asyncio.run(run())


def test_every_document_of_a_batch_gets_its_own_outcome() -> None:
    batch = [
        page(1),
        Fetched(b"", f"{SITE}/empty", "text/html", None, None),
        Fetched(PNG, f"{SITE}/image", "text/html", None, None),
        hostile(f"{SITE}/hostile"),
        page(2),
    ]
    results, timings = extract_in_worker(batch, "none")
    first, empty, binary, broken, second = results
    assert isinstance(first, Extraction) and first.url == f"{SITE}/1.html" and "Kalashnikov" in first.text
    assert isinstance(second, Extraction) and second.url == f"{SITE}/2.html" and "Report 2" in second.text
    assert empty == ExtractionFailure("empty", "no bytes")
    assert isinstance(binary, ExtractionFailure) and binary.reason == "binary_content"
    assert isinstance(broken, ExtractionFailure) and broken.reason == "extraction_error"
    assert broken.detail.startswith("TypeError: ")
    # the stages are exclusive: with the broken first attempt, they add up to at most the total
    assert timings.keys() >= ARTICLE_STAGES
    assert (
        sum(seconds for stage, seconds in timings.items() if stage != "extraction_total")
        <= timings["extraction_total"] + 1e-6
    )


def batches(results: Sequence[Extracted]) -> list[list[int]]:
    """Which documents went together: the documents of one batch share its CPU seconds equally,
    so they carry equal timings, and batches are taken in order."""
    groups = itertools.groupby(range(len(results)), key=lambda index: sorted(results[index].timings.items()))
    return [list(indexes) for _, indexes in groups]


def test_documents_wait_while_the_worker_is_busy_and_go_together_within_the_caps(pool: ExtractionPool) -> None:
    documents = [page(number) for number in range(MAX_BATCH_DOCUMENTS + 8)]
    documents[5] = page(5, padding=MAX_BATCH_BYTES)  # too big to share a batch
    results = extract_all(pool, documents)
    for document, (result, _) in zip(documents, results, strict=True):
        assert isinstance(result, Extraction) and result.url == document.url
    # the first goes at once, alone; the others wait for it, then leave in batches within the caps
    after_the_cap = 6 + MAX_BATCH_DOCUMENTS
    assert batches(results) == [
        [0],
        [1, 2, 3, 4],
        [5],
        list(range(6, after_the_cap)),
        list(range(after_the_cap, len(documents))),
    ]
    # a document's share of its batch: all the batch's stages, split evenly
    shares = results[1].timings
    assert shares.keys() >= ARTICLE_STAGES and shares["extraction_total"] > 0


def test_a_document_goes_at_once_when_the_worker_is_free(pool: ExtractionPool) -> None:
    [(result, timings)] = extract_all(pool, [page(7)])
    assert isinstance(result, Extraction) and result.url == f"{SITE}/7.html"
    assert timings.keys() >= ARTICLE_STAGES


def crawler_with(pool: ExtractionPool) -> Crawler:
    return get_crawler(Spider, {POOL_SETTING: pool})


def fetched_item(document: Fetched) -> FetchedResource:
    return FetchedResource(
        url=document.url,
        requested_url=document.url,
        source_id="pool",
        watchlist="test",
        kind="page",
        status=200,
        content_type=document.content_type,
        body=document.body,
    )


def process_all(pipeline: ExtractPipeline, documents: Sequence[Fetched]) -> list[FetchedResource | BaseException]:
    async def run() -> list[FetchedResource | BaseException]:
        items = [pipeline.process_item(fetched_item(document)) for document in documents]
        return await asyncio.gather(*items, return_exceptions=True)

    return asyncio.run(run())


def outcome_of(result: FetchedResource | BaseException) -> tuple[str, str]:
    if isinstance(result, Outcome):
        return result.outcome, result.reason
    assert isinstance(result, FetchedResource), result
    return "extracted", result.document.url


def test_a_worker_that_dies_mid_batch_costs_only_the_document_that_killed_it() -> None:
    """Two workers, batches in flight on both when one dies: every document of both is extracted
    again, alone, in new workers; only the culprit is recorded as crashed."""
    pool = ExtractionPool(2, "none", task=extract_or_die)
    pipeline = ExtractPipeline(crawler_with(pool))
    documents = [page(number) for number in range(12)]
    documents[5] = Fetched(article(5), f"{SITE}{CRASH_MARK}", "text/html", None, None)
    documents[7] = Fetched(b"   ", f"{SITE}/blank", "text/html", None, None)
    documents[9] = hostile(f"{SITE}/hostile")
    try:
        pipeline.open_spider()
        outcomes = [outcome_of(result) for result in process_all(pipeline, documents)]
    finally:
        pool.shutdown()
    expected = [("extracted", document.url) for document in documents]
    expected[5] = ("failed", CRASHED.reason)
    expected[7] = ("skipped", "empty")
    expected[9] = ("failed", "extraction_error")
    assert outcomes == expected
    stats = pipeline.crawler.stats.get_stats()
    assert {f"osint/cpu/{stage}" for stage in ARTICLE_STAGES | {"extraction_total"}} <= stats.keys()


def test_without_workers_the_crawler_process_extracts() -> None:
    pipeline = ExtractPipeline(crawler_with(ExtractionPool(0)))
    first, blank = process_all(pipeline, [page(3), Fetched(b"", f"{SITE}/none", "text/html", None, None)])
    assert outcome_of(first) == ("extracted", f"{SITE}/3.html")
    assert outcome_of(blank) == ("skipped", "empty")
    stats = pipeline.crawler.stats.get_stats()
    assert {f"osint/cpu/{stage}" for stage in ARTICLE_STAGES | {"extraction_total"}} <= stats.keys()
