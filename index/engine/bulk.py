"""Bulk indexing that loses nothing: bounded chunks, per-item checks, retries with backoff.

A ``_bulk`` request answers 200 while single documents fail, so every item is read:
- indexed (2xx): done;
- retryable (429, 5xx): sent again, alone with the other retryable ones, after a backoff;
- anything else (a mapping error, an immense term): recorded as an IndexFailure with a short,
  groupable reason.
Ids are the documents' own deterministic ids, so a retry after a lost answer overwrites instead
of duplicating. What is still undelivered when the attempts run out (engine unreachable or
overloaded) is handed back to the caller, which spools it to disk.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from index.backend import IndexFailure
from index.engine.client import EngineClient, EngineRequestError, EngineUnavailable
from index.engine.mapping import to_source
from schema.document import Document

log = logging.getLogger(__name__)

MAX_CHUNK_DOCS = 500
MAX_CHUNK_BYTES = 5 * 1024 * 1024
BULK_TIMEOUT = 120.0

_MAPPING_ERRORS = {
    "mapper_parsing_exception",
    "document_parsing_exception",
    "strict_dynamic_mapping_exception",
    "illegal_argument_exception",
    "mapper_exception",
    "parse_exception",
}


def failure_reason(error_type: str) -> str:
    """Group engine error types into the short reasons IndexFailure carries."""
    if error_type in _MAPPING_ERRORS:
        return "mapping_error"
    if error_type == "cluster_block_exception":
        return "index_blocked"
    if error_type == "index_not_found_exception":
        return "index_missing"
    return error_type or "engine_error"


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits between d/2 and d, d = base * 2**n (capped)."""

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 10.0
    sleep: Callable[[float], None] = time.sleep

    def wait(self, attempt: int) -> None:
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        self.sleep(ceiling / 2 + random.uniform(0, ceiling / 2))


@dataclass
class Action:
    document: Document
    payload: bytes  # action line + source line, NDJSON


@dataclass
class ChunkOutcome:
    indexed: int = 0
    failures: list[IndexFailure] = field(default_factory=list)
    undelivered: list[Document] = field(default_factory=list)
    unreachable: bool = False  # the engine did not answer at all: stop trying for a while


def make_action(index: str, document: Document, op_type: str = "index", require_alias: bool = False) -> Action:
    """One bulk action. With require_alias, a missing alias fails the item instead of letting
    the engine auto-create a plain index with a guessed mapping under that name."""
    meta: dict[str, Any] = {"_index": index, "_id": document.id}
    if require_alias:
        meta["require_alias"] = True
    head = json.dumps({op_type: meta}, separators=(",", ":"))
    body = json.dumps(to_source(document), ensure_ascii=False, separators=(",", ":"))
    return Action(document, f"{head}\n{body}\n".encode("utf-8", "surrogatepass"))


def chunked(
    actions: Iterable[Action], max_docs: int = MAX_CHUNK_DOCS, max_bytes: int = MAX_CHUNK_BYTES
) -> Iterator[list[Action]]:
    chunk: list[Action] = []
    size = 0
    for action in actions:
        if chunk and (len(chunk) >= max_docs or size + len(action.payload) > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(action)
        size += len(action.payload)
    if chunk:
        yield chunk


def send_chunk(client: EngineClient, chunk: list[Action], policy: RetryPolicy) -> ChunkOutcome:
    outcome = ChunkOutcome()
    pending = chunk
    for attempt in range(policy.attempts):
        if attempt:
            policy.wait(attempt - 1)
        try:
            response = client.request(
                "POST", "/_bulk", ndjson=b"".join(a.payload for a in pending), timeout=BULK_TIMEOUT
            )
        except EngineUnavailable as exc:
            log.warning(
                "bulk of %d documents: engine unreachable (attempt %d/%d): %s",
                len(pending),
                attempt + 1,
                policy.attempts,
                exc,
            )
            outcome.unreachable = True
            continue
        except EngineRequestError as exc:
            if exc.retryable:
                log.warning(
                    "bulk of %d documents refused with %s (attempt %d/%d)",
                    len(pending),
                    exc.status,
                    attempt + 1,
                    policy.attempts,
                )
                continue
            if exc.status == 413 and len(pending) > 1:
                middle = len(pending) // 2
                for half in (pending[:middle], pending[middle:]):
                    _merge(outcome, send_chunk(client, half, policy))
                return outcome
            outcome.failures += [
                _failure(a.document, failure_reason(exc.error_type), exc.reason, False) for a in pending
            ]
            return outcome
        outcome.unreachable = False
        pending = _read_items(response, pending, outcome)
        if not pending:
            return outcome
        log.warning(
            "bulk: %d documents refused for now, retrying (attempt %d/%d)", len(pending), attempt + 1, policy.attempts
        )
    outcome.undelivered = [a.document for a in pending]
    return outcome


def _read_items(response: dict[str, Any], pending: list[Action], outcome: ChunkOutcome) -> list[Action]:
    """Count successes and permanent failures; return the actions worth sending again."""
    items = response.get("items", [])
    if len(items) != len(pending):
        # Never assume success for items the engine did not report on.
        log.error("bulk answered %d items for %d actions; resending the chunk", len(items), len(pending))
        return pending
    retry: list[Action] = []
    for action, item in zip(pending, items, strict=True):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if 200 <= status < 300:
            outcome.indexed += 1
        elif status == 429 or status >= 500:
            retry.append(action)
        else:
            error = result.get("error") or {}
            error_type = error.get("type", "") if isinstance(error, dict) else str(error)
            detail = error.get("reason", "") if isinstance(error, dict) else str(error)
            caused = error.get("caused_by", {}) if isinstance(error, dict) else {}
            if caused.get("reason"):
                detail = f"{detail}: {caused['reason']}"
            outcome.failures.append(_failure(action.document, failure_reason(error_type), detail, False))
    return retry


def _failure(document: Document, reason: str, detail: str, retryable: bool) -> IndexFailure:
    return IndexFailure(id=document.id, url=document.url, reason=reason, detail=detail[:1000], retryable=retryable)


def _merge(into: ChunkOutcome, other: ChunkOutcome) -> None:
    into.indexed += other.indexed
    into.failures += other.failures
    into.undelivered += other.undelivered
    into.unreachable = into.unreachable or other.unreachable
