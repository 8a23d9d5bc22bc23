"""Elasticsearch 8.x / OpenSearch 2.x backend: a versioned index behind an alias.

``open_engine_backend("http://host:9200")`` (or ``?index=NAME`` for another alias than
``osint-documents``). Writes go through index/engine_bulk.py; what the engine cannot take is
spooled under ``data_dir()/spool/`` and replayed by ``flush_spool()`` or the next ``upsert``
(spooled documents first, so an older copy never overwrites a newer one).

Reads see this backend's own writes: after a write, the next search, count or export refreshes
the index once (the crawler, which only writes, never pays for it).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from index.backend import BulkResult, IndexBackend, IndexStatus, data_dir
from index.document import Document
from index.engine_bulk import ChunkOutcome, RetryPolicy, chunked, make_action, send_chunk
from index.engine_client import EngineClient, EngineConfig, EngineRequestError, EngineUnavailable, parse_engine_url
from index.engine_mapping import MAPPING_VERSION, concrete_index, from_source, index_template
from index.engine_query import parse_search, render_search
from index.engine_spool import Spool
from index.query import SearchRequest, SearchResult

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
    ):
        self.config = config
        self.alias = config.alias
        self.client = EngineClient(config)
        self.retry = retry or RetryPolicy()
        self.cooldown = cooldown
        slug = f"{self.alias}-{hashlib.sha256(config.url.encode()).hexdigest()[:10]}"
        self.spool = Spool(spool_dir or data_dir() / "spool" / slug)
        self._ready = False
        self._dirty = False
        self._unavailable_until = 0.0

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.client.distribution or "engine"

    # -- index lifecycle --------------------------------------------------------------------
    def ensure_index(self) -> None:
        """Install the template and create ``<alias>-v<N>`` behind the alias if there is none."""
        if self._ready:
            return
        self._install_template()
        if self._alias_target() is None:
            index = concrete_index(self.alias)
            try:
                self.client.request("PUT", f"/{index}", {"aliases": {self.alias: {"is_write_index": True}}})
            except EngineRequestError as exc:
                if exc.error_type != "resource_already_exists_exception":
                    raise
                self._point_alias(index)
            self.client.request("GET", f"/_cluster/health/{index}", params={"wait_for_status": "yellow", "timeout": "30s"})
        self._ready = True

    def _install_template(self) -> None:
        template = index_template(self.alias, self.config.shards, self.config.replicas)
        name = f"{self.alias}-template"
        try:
            installed = self.client.request("GET", f"/_index_template/{name}")["index_templates"][0]["index_template"]
            if installed.get("_meta", {}).get("fingerprint") == template["_meta"]["fingerprint"]:
                return
        except EngineRequestError as exc:
            if exc.status != 404:
                raise
        self.client.request("PUT", f"/_index_template/{name}", template)

    def _alias_target(self) -> str | None:
        try:
            answer = self.client.request("GET", f"/_alias/{self.alias}")
        except EngineRequestError as exc:
            if exc.status == 404:
                return None
            raise
        writers = [name for name, data in answer.items() if data["aliases"][self.alias].get("is_write_index", True)]
        return (writers or sorted(answer))[0]

    def _point_alias(self, index: str, previous: str | None = None) -> None:
        actions: list[dict[str, Any]] = []
        if previous:
            actions.append({"remove": {"index": previous, "alias": self.alias}})
        actions.append({"add": {"index": index, "alias": self.alias, "is_write_index": True}})
        self.client.request("POST", "/_aliases", {"actions": actions})

    def mapping_version(self) -> int:
        index = self._alias_target()
        if index is None:
            return 0
        answer = self.client.request("GET", f"/{index}/_mapping")
        return int(answer[index]["mappings"].get("_meta", {}).get("mapping_version", 0))

    def upgrade_mapping(self, delete_old: bool = True) -> int:
        """Copy the documents into an index with the current mapping and swap the alias.

        Searches keep working throughout. Writes made during the copy land in the old index;
        a second, create-only pass after the swap carries over documents added meanwhile.
        Returns the number of documents in the new index.
        """
        self._ready = True  # the template is installed below; the alias must not be recreated
        self._install_template()
        old = self._alias_target()
        new = concrete_index(self.alias)
        if old == new:
            return self.count()
        self.client.request("PUT", f"/{new}")
        self.client.request("GET", f"/_cluster/health/{new}", params={"wait_for_status": "yellow", "timeout": "30s"})
        if old is not None:
            self._copy_index(old, new, "index")
        self._point_alias(new, old)
        if old is not None:
            self._copy_index(old, new, "create")
            if delete_old:
                self.client.request("DELETE", f"/{old}")
        self.client.request("POST", f"/{new}/_refresh")
        return self.count()

    def _copy_index(self, source: str, target: str, op_type: str) -> None:
        self.client.request("POST", f"/{source}/_refresh")
        for batch in _batched(self._scan(source, 500), 500):
            outcome = send_chunk(self.client, [make_action(target, doc, op_type) for doc in batch], self.retry)
            lost = [f for f in outcome.failures if f.reason != "version_conflict_engine_exception"]
            if lost or outcome.undelivered:
                raise RuntimeError(f"copying {source} to {target} failed for {len(lost) + len(outcome.undelivered)} documents; alias unchanged")

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
        for chunk in chunked(make_action(self.alias, doc) for doc in documents):
            if spool_everything or self._cooling_down():
                result.spooled += self.spool.append([action.document for action in chunk])
                continue
            outcome = send_chunk(self.client, chunk, self.retry)
            self._absorb(outcome, result)
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

    def _absorb(self, outcome: ChunkOutcome, result: BulkResult) -> None:
        result.indexed += outcome.indexed
        result.failures += outcome.failures
        if outcome.indexed:
            self._dirty = True
        if outcome.undelivered:
            result.spooled += self.spool.append(outcome.undelivered)
            log.warning("spooled %d documents to %s", len(outcome.undelivered), self.spool.directory)
        if outcome.unreachable:
            self._unavailable_until = time.monotonic() + self.cooldown

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
                for chunk in chunked(make_action(self.alias, doc) for doc in documents):
                    if remaining:
                        remaining += [action.document for action in chunk]
                        continue
                    outcome = send_chunk(self.client, chunk, self.retry)
                    result.indexed += outcome.indexed
                    result.failures += outcome.failures
                    self._dirty = self._dirty or bool(outcome.indexed)
                    remaining += outcome.undelivered
                self.spool.replace(path, remaining)
                if remaining:
                    self._unavailable_until = time.monotonic() + self.cooldown
                    break
            result.spooled = self.spool.count()
        return result

    @staticmethod
    def _log_replay(result: BulkResult) -> None:
        if result.indexed or result.failures:
            log.info("replayed spool: %d indexed, %d failed, %d still spooled", result.indexed, len(result.failures), result.spooled)
        for failure in result.failures:
            log.error("spooled document %s (%s) failed: %s %s", failure.id, failure.url, failure.reason, failure.detail)

    def delete(self, document_ids: Iterable[str]) -> int:
        self.ensure_index()
        deleted = 0
        ids = list(document_ids)
        for start in range(0, len(ids), 1000):
            lines = "".join(f'{{"delete":{{"_index":"{self.alias}","_id":"{doc_id}"}}}}\n' for doc_id in ids[start:start + 1000])
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
        try:
            answer = self.client.request("GET", f"/{self.alias}/_doc/{document_id}")
        except EngineRequestError as exc:
            if exc.status == 404:
                return None
            raise
        return from_source(answer["_source"]) if answer.get("found") else None

    def search(self, request: SearchRequest) -> SearchResult:
        self._before_read()
        answer = self.client.request("POST", f"/{self.alias}/_search", render_search(request))
        return parse_search(request, answer)

    def count(self) -> int:
        self._before_read()
        return int(self.client.request("GET", f"/{self.alias}/_count")["count"])

    def iter_documents(self, batch_size: int = 500) -> Iterator[Document]:
        self._before_read()
        yield from self._scan(self.alias, batch_size)

    def _scan(self, index: str, batch_size: int) -> Iterator[Document]:
        after: list | None = None
        while True:
            body: dict[str, Any] = {"size": batch_size, "sort": [{"id": "asc"}], "query": {"match_all": {}}}
            if after:
                body["search_after"] = after
            hits = self.client.request("POST", f"/{index}/_search", body)["hits"]["hits"]
            for hit in hits:
                yield from_source(hit["_source"])
            if len(hits) < batch_size:
                return
            after = hits[-1]["sort"]

    def status(self) -> IndexStatus:
        spooled = self.spool.count()
        try:
            self.ensure_index()
            health = self.client.request("GET", "/_cluster/health")
            index = self._alias_target() or ""
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
                backend=self.client.distribution or "engine", location=self.config.url, index=self.alias,
                documents=0, mapping_version=0, health=f"unreachable ({exc.__class__.__name__})", spooled=spooled,
            )

    def close(self) -> None:
        self.client.close()


def _batched(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for document in documents:
        batch.append(document)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def open_engine_backend(url: str) -> EngineBackend:
    """Backend for an Elasticsearch 8.x or OpenSearch 2.x cluster, told apart by GET /."""
    return EngineBackend(parse_engine_url(url))


__all__ = ["EngineBackend", "open_engine_backend", "MAPPING_VERSION"]
