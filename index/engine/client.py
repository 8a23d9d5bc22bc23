"""One small request interface over the official Elasticsearch 8 and OpenSearch clients.

The URL chooses the cluster and the alias; the server's own answer to ``GET /`` chooses the
client (``version.distribution == "opensearch"`` or not). Credentials and TLS follow the usual
conventions: ``https://user:password@host:9200`` and ``?ca_certs=``/``?verify_certs=false`` in the
URL, or `EngineCredentials` given by the caller (the application's OSINT_INDEX_USERNAME /
OSINT_INDEX_PASSWORD, OSINT_INDEX_API_KEY (Elasticsearch), OSINT_INDEX_CA_CERTS (a CA bundle) and
OSINT_INDEX_VERIFY_CERTS=false (self-signed development clusters only), settings/config.py); what
the URL says wins.

Both clients' own retries are off: index/engine/bulk.py retries with backoff and spools, and
must see every failure to do so.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from network.redaction import redact_url

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch
    from opensearchpy import OpenSearch

log = logging.getLogger(__name__)

DEFAULT_ALIAS = "osint-documents"
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,200}$")


class EngineUnavailable(ConnectionError):
    """The engine could not be reached or did not answer in time (worth retrying later)."""


class EngineRequestError(Exception):
    """The engine answered with an error status."""

    def __init__(self, status: int, error_type: str, reason: str, body: Any = None):
        super().__init__(f"{status} {error_type}: {reason}")
        self.status = status
        self.error_type = error_type
        self.reason = reason
        self.body = body

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class EngineConfig:
    url: str  # scheme://host:port[/prefix], no credentials, no query
    alias: str = DEFAULT_ALIAS
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    verify_certs: bool = True
    replicas: str | None = None  # number or "0-1" style auto-expand; None: 0-1
    shards: int = 1
    timeout: float = 30.0


@dataclass(frozen=True)
class EngineCredentials:
    """Credentials and TLS settings for an engine URL that carries none of its own."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    ca_certs: str | None = None
    verify_certs: bool | None = None  # None: the URL's ?verify_certs=, else True


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def parse_engine_url(url: str, credentials: EngineCredentials | None = None) -> EngineConfig:
    """Split a cluster URL into connection settings; ``?index=NAME`` names the alias. `credentials`
    apply where the URL has none of its own."""
    given = credentials or EngineCredentials()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an engine URL: {redact_url(url)!r} (expected http(s)://host:port)")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    alias = query.get("index", DEFAULT_ALIAS)
    if not _INDEX_NAME.match(alias):
        raise ValueError(f"invalid index name {alias!r}: lowercase letters, digits, '-', '_' and '.' only")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    return EngineConfig(
        url=base,
        alias=alias,
        username=unquote(parts.username) if parts.username else given.username or None,
        password=unquote(parts.password) if parts.password else given.password or None,
        api_key=given.api_key or None,
        ca_certs=query.get("ca_certs") or given.ca_certs or None,
        verify_certs=(
            _truthy(query["verify_certs"], True)
            if "verify_certs" in query
            else (given.verify_certs if given.verify_certs is not None else True)
        ),
        replicas=query.get("replicas"),
        shards=int(query.get("shards", "1")),
        timeout=float(query.get("timeout", "30")),
    )


class EngineClient:
    """``request(method, path, body)`` over whichever official client fits the server."""

    def __init__(self, config: EngineConfig):
        self.config = config
        self.distribution = ""  # known after the first successful request
        self.version = ""
        self.cluster_name = ""
        self._opensearch = self._make_opensearch()
        self._elasticsearch: Elasticsearch | None = None
        self._connected = False

    def connect(self) -> None:
        """Ask the server what it is and pick the client; a no-op once done.

        Lazy, so a backend can be opened while the engine is down and spool meanwhile.
        """
        if self._connected:
            return
        info = self._opensearch_request("GET", "/", None, None, None, self.config.timeout)
        version = info.get("version", {})
        self.distribution = "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"
        self.version = str(version.get("number", ""))
        self.cluster_name = str(info.get("cluster_name", ""))
        if self.distribution == "elasticsearch":
            self._elasticsearch = self._make_elasticsearch()
            self._opensearch.close()
        self._connected = True

    # -- construction -------------------------------------------------------------------
    def _tls_kwargs(self) -> dict[str, Any]:
        if not self.config.url.startswith("https://"):
            return {}
        kwargs: dict[str, Any] = {"verify_certs": self.config.verify_certs}
        if self.config.ca_certs:
            kwargs["ca_certs"] = self.config.ca_certs
        if not self.config.verify_certs:
            kwargs["ssl_show_warn"] = False
        return kwargs

    def _make_opensearch(self) -> OpenSearch:
        from opensearchpy import OpenSearch

        kwargs: dict[str, Any] = {
            "hosts": [self.config.url],
            "max_retries": 0,
            "retry_on_timeout": False,
            "timeout": self.config.timeout,
        }
        if self.config.username:
            kwargs["http_auth"] = (self.config.username, self.config.password or "")
        return OpenSearch(**kwargs, **self._tls_kwargs())

    def _make_elasticsearch(self) -> Elasticsearch:
        from elasticsearch import Elasticsearch

        kwargs: dict[str, Any] = {
            "hosts": [self.config.url],
            "max_retries": 0,
            "retry_on_timeout": False,
            "request_timeout": self.config.timeout,
        }
        if self.config.api_key:
            kwargs["api_key"] = self.config.api_key
        elif self.config.username:
            kwargs["basic_auth"] = (self.config.username, self.config.password or "")
        tls = self._tls_kwargs()
        tls.pop("ssl_show_warn", None)
        return Elasticsearch(**kwargs, **tls)

    # -- requests -----------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        ndjson: bytes | None = None,
        timeout: float | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """Send one request; raise EngineUnavailable or EngineRequestError, else return the body.

        missing_ok: answer None for a 404 (an expected absence, not worth a logged warning).
        """
        timeout = timeout or self.config.timeout
        self.connect()
        if self._elasticsearch is not None:
            return self._elasticsearch_request(
                self._elasticsearch, method, path, body, params, ndjson, timeout, missing_ok
            )
        return self._opensearch_request(method, path, body, params, ndjson, timeout, missing_ok)

    def _opensearch_request(
        self,
        method: str,
        path: str,
        body: Any,
        params: dict[str, Any] | None,
        ndjson: bytes | None,
        timeout: float,
        missing_ok: bool = False,
    ) -> Any:
        from opensearchpy import exceptions

        headers = {"content-type": "application/x-ndjson"} if ndjson is not None else None
        try:
            answer = self._opensearch.transport.perform_request(
                method,
                path,
                params=params,
                body=ndjson if ndjson is not None else body,
                timeout=timeout,
                headers=headers,
                ignore=(404,) if missing_ok else (),
            )
            if missing_ok and isinstance(answer, dict) and answer.get("status") == 404 and "error" in answer:
                return None
            return answer
        except exceptions.ConnectionError as exc:  # includes ConnectionTimeout
            raise EngineUnavailable(f"{self.config.url}: {exc.__class__.__name__}: {exc.error}") from exc
        except exceptions.TransportError as exc:
            status = exc.status_code if isinstance(exc.status_code, int) else 599
            raise _request_error(status, exc.info) from exc

    def _elasticsearch_request(
        self,
        elasticsearch: Elasticsearch,
        method: str,
        path: str,
        body: Any,
        params: dict[str, Any] | None,
        ndjson: bytes | None,
        timeout: float,
        missing_ok: bool = False,
    ) -> Any:
        from elastic_transport import ConnectionError as TransportConnectionError
        from elastic_transport import ConnectionTimeout
        from elasticsearch import ApiError

        client = elasticsearch.options(request_timeout=timeout, ignore_status=(404,) if missing_ok else ())
        headers = {"accept": "application/json"}
        if ndjson is not None:
            headers["content-type"] = "application/x-ndjson"
            body = ndjson
        elif body is not None:
            headers["content-type"] = "application/json"
        try:
            response = client.perform_request(method, path, params=params, headers=headers, body=body)
            return None if missing_ok and response.meta.status == 404 else response.body
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise EngineUnavailable(f"{self.config.url}: {exc.__class__.__name__}: {exc}") from exc
        except ApiError as exc:
            raise _request_error(exc.meta.status, exc.body) from exc

    def close(self) -> None:
        if self._elasticsearch is not None:
            self._elasticsearch.close()
        else:
            self._opensearch.close()


def _request_error(status: int, body: Any) -> EngineRequestError:
    error_type, reason = "http_error", str(body)[:500]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        error_type = str(error.get("type", error_type))
        reason = str(error.get("reason", reason))
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        reason = body["error"]
    return EngineRequestError(status, error_type, reason, body)
