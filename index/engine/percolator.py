"""Saved queries matched by the engine's percolator: the documents ask which queries want them.

The queries live in ``<alias>-alerts``, an index whose mapping is the document mapping
(index/engine/mapping.py, so copy_to, analyzers and ``.lc`` subfields behave as in the document
index) plus a ``percolator`` field holding the query. Each saved query is stored under its name
with a key ``<name>:<hash of the rendered query>``; it is rendered by render_query
(index/engine/query.py), the code that renders searches, so a saved query matches what the same
search would find. Registration is idempotent and only writes what is missing or changed.

Percolation reads the new documents' ``_source`` from the document index (a realtime ``_mget``:
no refresh needed) and sends them in batches as ``percolate.documents``; each matching query
comes back with the slots of the documents it matched. Only queries whose key is the current
one are asked, so a stale copy left by another process never decides anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from index.engine.alias import create_index, search_pages, wait_for_index
from index.engine.mapping import from_source, index_settings, managed_meta, mappings
from index.engine.query import render_query
from index.query import Hit, Query
from index.snippets import leading_snippet

if TYPE_CHECKING:  # the backend percolates through this module (EngineBackend.percolate)
    from index.engine.backend import EngineBackend

log = logging.getLogger(__name__)

QUERY_FIELD = "query"
KEY_FIELD = "query_key"
NAME_FIELD = "query_name"
#: documents per percolate request, and their combined _source size
BATCH_DOCUMENTS = 200
BATCH_BYTES = 4 * 1024 * 1024
#: saved queries asked about per percolate request (the answer lists each matching one)
KEYS_PER_REQUEST = 1000


def percolator_index(alias: str) -> str:
    # Outside the template's "<alias>-v*" pattern, so it never gets the document template.
    return f"{alias}-alerts"


def percolator_body(shards: int, replicas: str | None) -> dict[str, Any]:
    document = mappings()
    properties = dict(document["properties"])
    properties[QUERY_FIELD] = {"type": "percolator"}
    properties[KEY_FIELD] = {"type": "keyword"}
    properties[NAME_FIELD] = {"type": "keyword"}
    body = {"settings": index_settings(shards, replicas), "mappings": {**document, "properties": properties}}
    body["mappings"]["_meta"] = managed_meta(body)
    return body


def query_key(name: str, rendered: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(rendered, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    return f"{name}:{digest}"


class EnginePercolator:
    """Named saved queries registered in the percolator index of one engine backend."""

    def __init__(self, backend: EngineBackend):
        self.backend = backend
        self.client = backend.client
        self.index = percolator_index(backend.alias)
        self._ready = False

    def ensure_index(self) -> None:
        """Create the percolator index; recreate it when the document mapping changed (its
        queries are registered again by the next register())."""
        if self._ready:
            return
        body = percolator_body(self.backend.config.shards, self.backend.config.replicas)
        answer = self.client.request("GET", f"/{self.index}/_mapping", missing_ok=True)
        if answer is not None:
            meta = next(iter(answer.values()))["mappings"].get("_meta", {})
            if meta.get("fingerprint") == body["mappings"]["_meta"]["fingerprint"]:
                self._ready = True
                return
            log.info("percolator index %s has an older mapping: recreating it", self.index)
            self.client.request("DELETE", f"/{self.index}", missing_ok=True)
        create_index(self.client, self.index, body)  # or another process was first: the same body
        wait_for_index(self.client, self.index)
        self._ready = True

    def registered(self) -> dict[str, str]:
        """name -> key of every query in the percolator index."""
        self.ensure_index()
        body = {
            "sort": [{NAME_FIELD: "asc"}],
            "_source": [NAME_FIELD, KEY_FIELD],
            "query": {"exists": {"field": KEY_FIELD}},
        }
        return {
            hit["_source"][NAME_FIELD]: hit["_source"][KEY_FIELD]
            for hit in search_pages(self.client, self.index, body, 1000)
        }

    def register(self, queries: dict[str, Query], exclusive: bool = False) -> dict[str, str]:
        """Make the index hold these queries (name -> key); with exclusive, only these.

        Writes only what is missing or changed, refreshed before returning.
        """
        self.ensure_index()
        rendered = {name: render_query(query.model_copy(update={"ids": None})) for name, query in queries.items()}
        keys = {name: query_key(name, body) for name, body in rendered.items()}
        present = self.registered()
        lines: list[str] = []
        for name, key in keys.items():
            if present.get(name) != key:
                lines.append(json.dumps({"index": {"_index": self.index, "_id": name}}))
                lines.append(
                    json.dumps({QUERY_FIELD: rendered[name], KEY_FIELD: key, NAME_FIELD: name}, ensure_ascii=False)
                )
        stale = sorted(set(present) - set(keys)) if exclusive else []
        lines += [json.dumps({"delete": {"_index": self.index, "_id": name}}) for name in stale]
        if lines:
            answer = self.client.request(
                "POST", "/_bulk", params={"refresh": "true"}, ndjson=("\n".join(lines) + "\n").encode()
            )
            errors = [
                item
                for item in answer.get("items", [])
                for result in item.values()
                if result.get("status", 500) >= 300 and not (result.get("status") == 404 and "delete" in item)
            ]
            if errors:
                raise RuntimeError(f"registering saved queries in {self.index} failed: {json.dumps(errors)[:1000]}")
            log.info(
                "percolator %s: %d queries registered, %d removed",
                self.index,
                (len(lines) - len(stale)) // 2,
                len(stale),
            )
        return keys

    def percolate(self, queries: dict[str, Query], doc_ids: list[str]) -> dict[str, list[Hit]]:
        """name -> the documents (among doc_ids) its query matches, newest first.

        The queries are registered first if they are not (or not in this version).
        """
        matches: dict[str, list[Hit]] = {name: [] for name in queries}
        if not (queries and doc_ids):
            return matches
        by_key = {key: name for name, key in self.register(queries).items()}
        key_list = sorted(by_key)
        for batch in self._source_batches(doc_ids):
            documents = [source for _, source in batch]
            hits: dict[int, Hit] = {}
            for start in range(0, len(key_list), KEYS_PER_REQUEST):
                wanted = key_list[start : start + KEYS_PER_REQUEST]
                body = {
                    "size": len(wanted),
                    "_source": [KEY_FIELD],
                    "query": {
                        "bool": {
                            "must": [{"percolate": {"field": QUERY_FIELD, "documents": documents}}],
                            "filter": [{"terms": {KEY_FIELD: wanted}}],
                        }
                    },
                }
                answer = self.client.request("POST", f"/{self.index}/_search", body)
                for hit in answer["hits"]["hits"]:
                    name = by_key[hit["_source"][KEY_FIELD]]
                    slots = hit.get("fields", {}).get("_percolator_document_slot", [])
                    for slot in slots:
                        if slot not in hits:
                            hits[slot] = _hit(batch[slot][1])
                        matches[name].append(hits[slot])
        for matched in matches.values():
            matched.sort(key=_newest_first)
        return matches

    def _source_batches(self, doc_ids: list[str]) -> Iterator[list[tuple[str, dict[str, Any]]]]:
        """(id, _source) of the documents that still exist, in batches bounded in count and bytes."""
        self.backend.ensure_index()
        batch: list[tuple[str, dict[str, Any]]] = []
        size = 0
        for start in range(0, len(doc_ids), BATCH_DOCUMENTS):
            answer = self.client.request(
                "POST", f"/{self.backend.alias}/_mget", {"ids": doc_ids[start : start + BATCH_DOCUMENTS]}
            )
            for item in answer["docs"]:
                if not item.get("found"):
                    continue  # deleted since it was indexed
                length = len(json.dumps(item["_source"], ensure_ascii=False))
                if batch and (len(batch) >= BATCH_DOCUMENTS or size + length > BATCH_BYTES):
                    yield batch
                    batch, size = [], 0
                batch.append((item["_id"], item["_source"]))
                size += length
        if batch:
            yield batch


def _hit(source: dict[str, Any]) -> Hit:
    document = from_source(source)
    return Hit(
        id=document.id,
        url=document.url,
        title=document.title,
        snippet=leading_snippet(document.text),
        score=0.0,
        published=document.published,
        language=document.language,
        source_id=document.source_id,
        kind=document.kind,
    )


def _newest_first(hit: Hit) -> tuple[bool, float, str]:
    # The order of a search sorted by date: newest first, undated last, ties by id.
    return (hit.published is None, -hit.published.timestamp() if hit.published else 0.0, hit.id)
