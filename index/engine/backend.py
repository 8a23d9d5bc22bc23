"""Elasticsearch 8.x / OpenSearch 2.x backend: a versioned index behind an alias.

``open_engine_backend("http://host:9200")`` (or ``?index=NAME`` for another alias than
``osint-documents``). Writes go through index/engine/bulk.py; what the engine cannot take is
spooled under ``spool_root/<alias>-<hash of the URL>/`` (the application's ``<data dir>/spool``)
and replayed by ``flush_spool()`` or the next ``upsert``
(spooled documents first, so an older copy never overwrites a newer one).

Reads see this backend's own writes: after a write, the next search, count or export refreshes
the index once (the crawler, which only writes, never pays for it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from index.backend import BulkResult, IndexBackend, IndexFailure, IndexStatus, links_of
from index.engine.alias import alias_target, ensure_alias, mapping_version, scan, search_pages, upgrade_index
from index.engine.bulk import Action, ChunkOutcome, RetryPolicy, chunked, make_action, send_chunk
from index.engine.client import (
    EngineClient,
    EngineConfig,
    EngineCredentials,
    EngineRequestError,
    EngineUnavailable,
    parse_engine_url,
)
from index.engine.mapping import LINKED_SOURCE, MAPPING_VERSION, from_source
from index.engine.percolator import EnginePercolator
from index.engine.query import DATE_SORT, parse_search, render_query, render_search
from index.engine.spool import Spool
from index.query import Hit, Query, SearchRequest, SearchResult
from schema.document import Document
from schema.relations import LinkedDocument

log = logging.getLogger(__name__)

#: after the engine stopped answering, spool straight away for this long before trying again.
UNAVAILABLE_COOLDOWN = 30.0


class EngineBackend(IndexBackend):
    def __init__(
        self,
        config: EngineConfig,
        retry: RetryPolicy | None = None,
        spool_dir: Path | None = None,
        cooldown: float = UNAVAILABLE_COOLDOWN,
        spool_root: Path | None = None,
    ):
        """`spool_dir` is this index's spool itself; else it is a directory of `spool_root` named
        after the index (without either, one under the system's temporary directory)."""
        self.config = config
        self.alias = config.alias
        self.client = EngineClient(config)
        self.retry = retry or RetryPolicy()
        self.cooldown = cooldown
        slug = f"{self.alias}-{hashlib.sha256(config.url.encode()).hexdigest()[:10]}"
        root = spool_root if spool_root is not None else Path(tempfile.gettempdir()) / "osint-spool"
        self.spool = Spool(spool_dir or root / slug)
        self._ready = False
        self._dirty = False
        self._unavailable_until = 0.0

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.client.distribution or "engine"

    # -- index lifecycle (index/engine/alias.py) -------------------------------------------
    def ensure_index(self) -> None:
        """Install the template and create ``<alias>-v<N>`` behind the alias if there is none."""
        if not self._ready:
            ensure_alias(self.client, self.config)
            self._ready = True
            version = self.mapping_version()
            if version < MAPPING_VERSION:  # writes will fail on the strict mapping: say what to do
                log.warning(
                    "the index %s has mapping version %d and this release writes version %d: "
                    "run `osint index upgrade` (documents are copied behind the alias; searches go on)",
                    self.alias,
                    version,
                    MAPPING_VERSION,
                )

    def mapping_version(self) -> int:
        return mapping_version(self.client, self.alias)

    def upgrade(self) -> int:
        return self.upgrade_mapping()

    def upgrade_mapping(self, delete_old: bool = True) -> int:
        """Move the documents to an index with the current mapping and swap the alias.

        Returns the number of documents behind the alias afterwards.
        """
        self._ready = True  # the alias must not be recreated meanwhile
        upgrade_index(self.client, self.config, self.retry, delete_old)
        return self.count()

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, documents: Iterable[Document]) -> BulkResult:
        result = BulkResult()
        if self.spool.pending() and not self._cooling_down():
            self._log_replay(self.flush_spool())
        spool_everything = self.spool.pending() or self._cooling_down()
        if not spool_everything:
            try:
                self._ensure_index_patiently()
            except EngineUnavailable as exc:
                log.warning("engine unreachable, spooling: %s", exc)
                self._unavailable_until = time.monotonic() + self.cooldown
                spool_everything = True
        for chunk in chunked(make_action(self.alias, doc, require_alias=True) for doc in documents):
            if spool_everything or self._cooling_down():
                result.spooled += self.spool.append([action.document for action in chunk])
                continue
            outcome = send_chunk(self.client, chunk, self.retry)
            self._absorb(outcome, result, chunk)
        return result

    def _ensure_index_patiently(self) -> None:
        """ensure_index() with the bulk retry policy: the engine may be restarting."""
        for attempt in range(self.retry.attempts):
            if attempt:
                self.retry.wait(attempt - 1)
            try:
                self.ensure_index()
                return
            except EngineUnavailable:
                if attempt == self.retry.attempts - 1:
                    raise
            except EngineRequestError as exc:
                if not exc.retryable or attempt == self.retry.attempts - 1:
                    raise

    def _settle(self, outcome: ChunkOutcome, chunk: list[Action]) -> tuple[list[IndexFailure], list[Document]]:
        """(permanent failures, documents to keep for later) of one sent chunk."""
        # The index vanished under us (deleted by hand?): keep those documents and recreate it.
        lost_index = {f.id for f in outcome.failures if f.reason == "index_missing"}
        if lost_index:
            self._ready = False
        if outcome.indexed:
            self._dirty = True
        if outcome.unreachable:
            self._unavailable_until = time.monotonic() + self.cooldown
        kept = outcome.undelivered + [a.document for a in chunk if a.document.id in lost_index]
        return [f for f in outcome.failures if f.id not in lost_index], kept

    def _absorb(self, outcome: ChunkOutcome, result: BulkResult, chunk: list[Action]) -> None:
        failures, kept = self._settle(outcome, chunk)
        result.indexed += outcome.indexed
        result.failures += failures
        if kept:
            result.spooled += self.spool.append(kept)
            log.warning("spooled %d documents to %s", len(kept), self.spool.directory)

    def _cooling_down(self) -> bool:
        return time.monotonic() < self._unavailable_until

    def flush_spool(self) -> BulkResult:
        """Send spooled documents in spooling order; what still cannot go stays spooled."""
        result = BulkResult()
        with self.spool.replay_lock() as locked:
            if not locked:
                result.spooled = self.spool.count()
                return result
            try:
                self._ensure_index_patiently()
            except EngineUnavailable:
                self._unavailable_until = time.monotonic() + self.cooldown
                result.spooled = self.spool.count()
                return result
            for path in self.spool.files():
                documents = self.spool.read(path)
                remaining: list[Document] = []
                for chunk in chunked(make_action(self.alias, doc, require_alias=True) for doc in documents):
                    if remaining:
                        remaining += [action.document for action in chunk]
                        continue
                    outcome = send_chunk(self.client, chunk, self.retry)
                    failures, kept = self._settle(outcome, chunk)
                    result.indexed += outcome.indexed
                    result.failures += failures
                    remaining += kept
                self.spool.replace(path, remaining)
                if remaining:
                    self._unavailable_until = time.monotonic() + self.cooldown
                    break
            result.spooled = self.spool.count()
        return result

    @staticmethod
    def _log_replay(result: BulkResult) -> None:
        if result.indexed or result.failures:
            log.info(
                "replayed spool: %d indexed, %d failed, %d still spooled",
                result.indexed,
                len(result.failures),
                result.spooled,
            )
        for failure in result.failures:
            log.error("spooled document %s (%s) failed: %s %s", failure.id, failure.url, failure.reason, failure.detail)

    def delete(self, document_ids: Iterable[str]) -> int:
        self.ensure_index()
        deleted = 0
        ids = list(document_ids)
        for start in range(0, len(ids), 1000):
            lines = "".join(
                json.dumps({"delete": {"_index": self.alias, "_id": doc_id}}) + "\n"
                for doc_id in ids[start : start + 1000]
            )
            answer = self.client.request("POST", "/_bulk", ndjson=lines.encode())
            deleted += sum(1 for item in answer.get("items", []) if item["delete"].get("result") == "deleted")
        self._dirty = self._dirty or bool(deleted)
        return deleted

    def refresh(self) -> None:
        self.ensure_index()
        self.client.request("POST", f"/{self.alias}/_refresh")
        self._dirty = False

    def _before_read(self) -> None:
        self.ensure_index()
        if self._dirty:
            self.refresh()

    # -- reads ------------------------------------------------------------------------------
    def get(self, document_id: str) -> Document | None:
        self.ensure_index()
        answer = self.client.request("GET", f"/{self.alias}/_doc/{quote(document_id, safe='')}", missing_ok=True)
        return from_source(answer["_source"]) if answer and answer.get("found") else None

    def search(self, request: SearchRequest) -> SearchResult:
        self._before_read()
        answer = self.client.request("POST", f"/{self.alias}/_search", render_search(request))
        return parse_search(request, answer)

    def count(self) -> int:
        self._before_read()
        return int(self.client.request("GET", f"/{self.alias}/_count")["count"])

    def iter_documents(self, batch_size: int = 500) -> Iterator[Document]:
        self._before_read()
        yield from scan(self.client, self.alias, batch_size)

    def iter_matching(self, query: Query, batch_size: int = 500) -> Iterator[Document]:
        # search_after on the date sort of search() itself (id breaks ties, so no page repeats or
        # skips a document); without a point in time, a document written during the export may
        # or may not be in it, as with the embedded index.
        self._before_read()
        body = {"query": render_query(query), "sort": DATE_SORT, "track_total_hits": False}
        for hit in search_pages(self.client, self.alias, body, batch_size):
            yield from_source(hit["_source"])

    def iter_links(self, query: Query, batch_size: int = 500) -> Iterator[LinkedDocument]:
        # iter_matching's search with only the fields linked() reads in each hit (LINKED_SOURCE:
        # no text), made into LinkedDocuments by linked() itself, so the answer is the default's.
        self._before_read()
        body = {
            "query": render_query(query),
            "sort": DATE_SORT,
            "track_total_hits": False,
            "_source": list(LINKED_SOURCE),
        }
        hits = search_pages(self.client, self.alias, body, batch_size)
        return links_of(from_source(hit["_source"]) for hit in hits)

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        # A `prefix` query on the keyword id: its value is literal (no wildcard or regex syntax),
        # and keyword order is UTF-8 byte order, the embedded index's order too.
        self._before_read()
        body = {
            "query": {"prefix": {"id": {"value": prefix}}},
            "sort": [{"id": "asc"}],
            "size": limit,
            "_source": ["id"],
            "track_total_hits": False,
        }
        answer = self.client.request("POST", f"/{self.alias}/_search", body)
        return [str(hit["_source"]["id"]) for hit in answer["hits"]["hits"]]

    def status(self) -> IndexStatus:
        spooled = self.spool.count()
        try:
            self.ensure_index()
            health = self.client.request("GET", "/_cluster/health")
            index = alias_target(self.client, self.alias) or ""
            return IndexStatus(
                backend=self.client.distribution,
                location=self.config.url,
                index=f"{self.alias} ({index})",
                documents=self.count(),
                mapping_version=self.mapping_version(),
                engine_version=self.client.version,
                cluster=self.client.cluster_name or str(health.get("cluster_name", "")),
                health=str(health.get("status", "")),
                spooled=spooled,
            )
        except EngineUnavailable as exc:
            return IndexStatus(
                backend=self.client.distribution or "engine",
                location=self.config.url,
                index=self.alias,
                documents=0,
                mapping_version=0,
                health=f"unreachable ({exc.__class__.__name__})",
                spooled=spooled,
            )

    # -- saved queries (index/engine/percolator.py) --------------------------------------------
    def percolate(self, queries: Mapping[str, Query], doc_ids: Mapping[str, Sequence[str]]) -> dict[str, list[Hit]]:
        """The percolator: the queries are registered in ``<alias>-alerts`` (if they are not, or not
        in this version) and the documents of all of them are percolated together, once; each
        query keeps the matches among its own documents."""
        asked = {name: query for name, query in queries.items() if doc_ids.get(name)}
        every = list(dict.fromkeys(doc_id for name in asked for doc_id in doc_ids[name]))
        found = EnginePercolator(self).percolate(asked, every)
        matches: dict[str, list[Hit]] = {}
        for name in queries:
            wanted = set(doc_ids.get(name, ()))
            matches[name] = [hit for hit in found.get(name, []) if hit.id in wanted]
        return matches

    def sync_saved_queries(self, queries: Iterable[tuple[str, Query]]) -> None:
        """Register these queries in the percolator index and remove the others."""
        EnginePercolator(self).register(dict(queries), exclusive=True)

    def close(self) -> None:
        self.client.close()


def open_engine_backend(
    url: str, spool_root: Path | None = None, credentials: EngineCredentials | None = None
) -> EngineBackend:
    """Backend for an Elasticsearch 8.x or OpenSearch 2.x cluster, told apart by GET /."""
    return EngineBackend(parse_engine_url(url, credentials), spool_root=spool_root)


__all__ = ["MAPPING_VERSION", "EngineBackend", "open_engine_backend"]
