"""The contract every index backend fulfils, and the factory that picks one from a URL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from index.query import Hit, Query, SearchRequest, SearchResult
from network.redaction import redact_url
from schema.document import Document
from schema.relations import LinkedDocument

#: document ids per search when a saved query is matched by searching among them (Query.ids)
MATCH_CHUNK = 500


def has_links(linked: LinkedDocument) -> bool:
    """Whether a document can appear in an arsenal profile at all: a profile links armed groups
    to weapons, so a document needs at least one armed group and at least one weapon (a
    gazetteer WEAPON mention, or a sentence relation, which names one too). `iter_links` may
    skip the others, and the embedded index stores links only for these."""
    return bool(linked.armed_groups) and bool(linked.weapons or linked.relations)


def links_of(documents: Iterable[Document]) -> Iterator[LinkedDocument]:
    """`Document.linked()` of each of `documents` that `has_links`, in order."""
    for document in documents:
        if document.armed_groups:  # linked() is work: skip the many documents without a group first
            linked = document.linked()
            if has_links(linked):
                yield linked


class IndexFailure(BaseModel):
    id: str
    url: str = ""
    reason: str  # short, groupable: "mapping_error", "engine_unavailable", ...
    detail: str = ""
    retryable: bool = False


class BulkResult(BaseModel):
    indexed: int = 0
    failures: list[IndexFailure] = Field(default_factory=list)
    spooled: int = 0  # kept on disk because the engine was unreachable; replayed later


class IndexStatus(BaseModel):
    backend: str  # "sqlite", "elasticsearch", "opensearch"
    location: str  # file path or cluster URL (credentials removed)
    index: str
    documents: int
    mapping_version: int
    engine_version: str = ""
    cluster: str = ""
    health: str = ""
    spooled: int = 0


class IndexBackend(ABC):
    """A document store with full-text search and facets. Knows nothing of HTTP crawling or Scrapy.

    Capabilities some stores have are methods with a default for the stores that lack them:
    spooling (`flush_spool`: nothing spooled where writes are direct) and percolation
    (`percolate`, `sync_saved_queries`: by default each saved query is searched for among its
    documents, and nothing is kept per query).
    """

    name: str

    @abstractmethod
    def upsert(self, documents: Iterable[Document]) -> BulkResult:
        """Insert or replace documents by id. A retry with the same ids never duplicates."""

    @abstractmethod
    def get(self, document_id: str) -> Document | None: ...

    @abstractmethod
    def delete(self, document_ids: Iterable[str]) -> int: ...

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def iter_documents(self, batch_size: int = 500) -> Iterator[Document]:
        """Every stored document, for migration and export."""

    @abstractmethod
    def iter_matching(self, query: Query, batch_size: int = 500) -> Iterator[Document]:
        """Every document the query matches (no cap), newest first, undated last, ties by id:
        streamed in batches so memory stays flat whatever the size of the result set (exports)."""

    def iter_links(self, query: Query, batch_size: int = 500) -> Iterator[LinkedDocument]:
        """What an arsenal profile reads (`Document.linked()`) of every document the query
        matches, in `iter_matching` order, skipping the documents that can give a profile
        nothing (`has_links`: no armed group, or no weapon). Backends that can answer without
        reading whole documents override this; the answer must be the same."""
        return links_of(self.iter_matching(query, batch_size))

    @abstractmethod
    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        """Up to `limit` stored document ids starting with `prefix`, sorted: what lets an analyst
        name a document by a unique prefix of its id, as git does with commits."""

    @abstractmethod
    def status(self) -> IndexStatus: ...

    def upgrade(self) -> int:
        """Bring the index to this release's mapping (where that takes more than opening it);
        returns the number of documents."""
        return self.count()

    def refresh(self) -> None:  # noqa: B027 (a default for backends that need none, not abstract)
        """Make recent writes visible to search (no-op where writes are immediately visible)."""

    def flush_spool(self) -> BulkResult:
        """Replay documents kept on disk while the store was unreachable (none where writes are direct)."""
        return BulkResult()

    # -- saved queries (alerts) -----------------------------------------------------------------
    def search_among(self, query: Query, doc_ids: Sequence[str]) -> list[Hit]:
        """`query` as a search restricted to `doc_ids` (Query.ids), newest first: the very search
        `osint search` runs, so a saved query matches exactly what a search would find. Recent
        writes are made visible first."""
        self.refresh()
        hits: list[Hit] = []
        for start in range(0, len(doc_ids), MATCH_CHUNK):
            chunk = list(doc_ids[start : start + MATCH_CHUNK])
            request = SearchRequest(
                query=query.model_copy(update={"ids": chunk}), sort="date", size=len(chunk), facets={}
            )
            hits += self.search(request).hits
        return hits

    def percolate(self, queries: Mapping[str, Query], doc_ids: Mapping[str, Sequence[str]]) -> dict[str, list[Hit]]:
        """name -> the documents among `doc_ids[name]` that `queries[name]` matches, newest first
        (every name of `queries` is answered, with [] when it has no documents).

        By default each query is searched for among its own documents (search_among); a store
        with a percolator matches all the queries in one pass instead, with the same answer.
        """
        return {
            name: self.search_among(query, doc_ids[name]) if doc_ids.get(name) else []
            for name, query in queries.items()
        }

    def sync_saved_queries(self, queries: Iterable[tuple[str, Query]]) -> None:  # noqa: B027 (a default)
        """Make the store hold exactly these saved queries (name, query), for a store that keeps
        them to percolate; queries it held under other names go. By default the store keeps
        nothing per query and does not even iterate `queries`, so a lazy iterable costs nothing
        (building a query canonicalises its filter values, which loads the gazetteers)."""

    def close(self) -> None:  # noqa: B027 (a default for backends that need none, not abstract)
        """Release connections and files."""

    def __enter__(self) -> IndexBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sqlite_path(url: str) -> str:
    """`sqlite:///data/index.sqlite3` → `data/index.sqlite3`; `sqlite:////abs/path` → `/abs/path`."""
    if not url.startswith("sqlite:///"):
        raise ValueError(
            f"unsupported index URL {redact_url(url)!r}: use sqlite:///relative/path or sqlite:////absolute/path"
        )
    return url.removeprefix("sqlite:///")


def open_backend(
    url: str,
    *,
    spool_root: Path | None = None,
    username: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    ca_certs: str | None = None,
    verify_certs: bool | None = None,
) -> IndexBackend:
    """`sqlite:///path` for the embedded index; `http(s)://…` for Elasticsearch or OpenSearch.

    For an engine: `spool_root` holds what it cannot take yet (one directory per index under it;
    the application passes `<data dir>/spool`), and the credentials and TLS settings apply where
    the URL has none of its own (settings.config.Config.index_options() gives all of these).
    """
    if url.startswith("sqlite:"):
        from index.sqlite.backend import SqliteBackend

        return SqliteBackend(sqlite_path(url))
    if url.startswith(("http://", "https://")):
        from index.engine.backend import open_engine_backend
        from index.engine.client import EngineCredentials

        credentials = EngineCredentials(username, password, api_key, ca_certs, verify_certs)
        return open_engine_backend(url, spool_root=spool_root, credentials=credentials)
    raise ValueError(f"unsupported index URL {redact_url(url)!r}: use sqlite:///path or http(s)://host:port")
