"""Bulk indexing against the real engine: every item checked, retries, permanent failures."""

from __future__ import annotations

from pathlib import Path

from index.engine.bulk import MAX_CHUNK_BYTES, RetryPolicy, chunked, make_action
from index.engine.mapping import concrete_index
from index.query import SearchRequest, parse_query
from tests.engine_support import Gate, fresh_backend, make_documents


def assert_backoff(waits: list[float], policy: RetryPolicy) -> None:
    """The n-th wait (n = 0, 1, ...) lies between d/2 and d with d = min(max_delay, base_delay * 2**n):
    RetryPolicy's exponential backoff with jitter. Constant or missing waits fall outside it."""
    for attempt, seconds in enumerate(waits):
        ceiling = min(policy.max_delay, policy.base_delay * 2**attempt)
        assert ceiling / 2 <= seconds <= ceiling, (attempt, seconds, waits)


def test_chunks_are_bounded_by_count_and_bytes() -> None:
    documents = make_documents(25)
    by_count = list(chunked((make_action("a", d) for d in documents), max_docs=10))
    assert [len(chunk) for chunk in by_count] == [10, 10, 5]
    one = len(make_action("a", documents[0]).payload)
    by_bytes = list(chunked((make_action("a", d) for d in documents), max_docs=100, max_bytes=one * 3 + 10))
    assert all(sum(len(a.payload) for a in chunk) <= one * 3 + 10 for chunk in by_bytes)
    assert sum(len(chunk) for chunk in by_bytes) == 25
    assert MAX_CHUNK_BYTES <= 10 * 1024 * 1024


def test_one_bad_document_fails_alone_with_a_groupable_reason(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    good = make_documents(9)
    bad = make_documents(1, prefix="x" * 40_000)[0]  # a URL longer than any keyword term may be
    result = backend.upsert([*good[:4], bad, *good[4:]])
    assert result.indexed == 9 and result.spooled == 0
    (failure,) = result.failures
    assert (failure.id, failure.reason, failure.retryable) == (bad.id, "mapping_error", False)
    assert "immense term" in failure.detail
    assert backend.count() == 9
    assert backend.get(bad.id) is None


def test_retry_overwrites_instead_of_duplicating(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    documents = make_documents(30)
    assert backend.upsert(documents).indexed == 30
    assert backend.upsert(documents[10:]).indexed == 20
    assert backend.count() == 30
    assert backend.search(SearchRequest(query=parse_query("consignment"), size=0)).total == 30


def test_items_refused_with_429_are_retried_until_accepted(engine_url: str, tmp_path: Path) -> None:
    """The flood-stage block makes the real engine answer 200 with every item at 429."""
    waits: list[float] = []
    backend = fresh_backend(engine_url, tmp_path / "spool")
    backend.ensure_index()
    index = concrete_index(backend.alias)
    block = {"index.blocks.read_only_allow_delete": True}
    backend.client.request("PUT", f"/{index}/_settings", block)

    def lift_block_while_waiting(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:  # refused three times, then the disk "frees up"
            backend.client.request("PUT", f"/{index}/_settings", {"index.blocks.read_only_allow_delete": None})

    backend.retry = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05, sleep=lift_block_while_waiting)
    result = backend.upsert(make_documents(12))
    assert (result.indexed, result.failures, result.spooled) == (12, [], 0)
    assert len(waits) == 3
    assert_backoff(waits, backend.retry)  # [0.005, 0.01], [0.01, 0.02], [0.02, 0.04]: a constant wait fails
    assert backend.count() == 12


def test_items_still_refused_after_all_attempts_are_spooled_not_dropped(engine_url: str, tmp_path: Path) -> None:
    backend = fresh_backend(engine_url, tmp_path / "spool")
    backend.ensure_index()
    index = concrete_index(backend.alias)
    backend.client.request("PUT", f"/{index}/_settings", {"index.blocks.read_only_allow_delete": True})
    backend.retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01)
    documents = make_documents(7)
    result = backend.upsert(documents)
    assert (result.indexed, result.failures, result.spooled) == (0, [], 7)
    backend.client.request("PUT", f"/{index}/_settings", {"index.blocks.read_only_allow_delete": None})
    replay = backend.flush_spool()
    assert (replay.indexed, replay.spooled) == (7, 0)
    assert backend.count() == 7


def test_connection_loss_is_retried_with_backoff(engine_url: str, tmp_path: Path) -> None:
    gate = Gate(engine_url)
    gate.open()
    backend = fresh_backend(gate.url, tmp_path / "spool")
    backend.ensure_index()
    gate.close()
    waits: list[float] = []

    def reopen_on_third_wait(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            gate.open()

    backend.retry = RetryPolicy(attempts=6, base_delay=0.01, max_delay=1.0, sleep=reopen_on_third_wait)
    try:
        result = backend.upsert(make_documents(5))
        assert (result.indexed, result.spooled, result.failures) == (5, 0, [])
        assert len(waits) == 3
        assert_backoff(waits, backend.retry)  # [0.005, 0.01], [0.01, 0.02], [0.02, 0.04]
        assert backend.count() == 5
    finally:
        gate.shutdown()


def test_retry_policy_waits_grow_exponentially_with_jitter_up_to_the_cap() -> None:
    waits: list[float] = []
    policy = RetryPolicy(attempts=8, base_delay=0.5, max_delay=10.0, sleep=waits.append)
    for _ in range(200):  # jitter: many draws, every one inside its attempt's bounds
        waits.clear()
        for attempt in range(policy.attempts):
            policy.wait(attempt)
        assert_backoff(waits, policy)
        assert waits[-1] <= policy.max_delay


def test_permanent_failures_are_not_retried(engine_url: str, tmp_path: Path) -> None:
    waits: list[float] = []
    backend = fresh_backend(engine_url, tmp_path / "spool", retry=RetryPolicy(attempts=4, sleep=waits.append))
    result = backend.upsert(make_documents(1, prefix="y" * 40_000))
    assert [failure.reason for failure in result.failures] == ["mapping_error"]
    assert waits == []
