"""The contract every index backend fulfils, and the factory that picks one from a URL."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator

from pydantic import BaseModel, Field

from index.query import SearchRequest, SearchResult
from network.redaction import redact_url
from schema.document import Document
from settings.config import embedded_index_url, env_data_dir


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
    """A document store with full-text search and facets. Knows nothing of HTTP crawling or Scrapy."""

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
    def status(self) -> IndexStatus: ...

    def refresh(self) -> None:
        """Make recent writes visible to search (no-op where writes are immediately visible)."""

    def flush_spool(self) -> BulkResult:
        """Replay documents kept on disk while the store was unreachable (none where writes are direct)."""
        return BulkResult()

    def close(self) -> None:
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


def open_backend(url: str | None = None) -> IndexBackend:
    """`sqlite:///path` for the embedded index; `http(s)://…` for Elasticsearch or OpenSearch."""
    url = url or os.environ.get("OSINT_INDEX_URL") or embedded_index_url(env_data_dir())
    if url.startswith("sqlite:"):
        from index.sqlite.backend import SqliteBackend

        return SqliteBackend(sqlite_path(url))
    if url.startswith(("http://", "https://")):
        from index.engine.backend import open_engine_backend

        return open_engine_backend(url)
    raise ValueError(f"unsupported index URL {redact_url(url)!r}: use sqlite:///path or http(s)://host:port")
