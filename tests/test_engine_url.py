"""Engine URLs: alias choice, credentials and TLS by the usual conventions; distribution detection."""

from __future__ import annotations

import pytest

from index.backend import open_backend
from index.engine.backend import EngineBackend
from index.engine.client import DEFAULT_ALIAS, EngineCredentials, parse_engine_url


def test_plain_url_uses_the_default_alias() -> None:
    config = parse_engine_url("http://127.0.0.1:9200/")
    assert (config.url, config.alias, config.username, config.verify_certs) == (
        "http://127.0.0.1:9200",
        DEFAULT_ALIAS,
        None,
        True,
    )


def test_index_parameter_and_credentials_in_the_url() -> None:
    config = parse_engine_url(
        "https://analyst:s%40cret@search.internal:9243?index=osint-test&verify_certs=false",
    )
    assert (config.url, config.alias) == ("https://search.internal:9243", "osint-test")
    assert (config.username, config.password, config.verify_certs) == ("analyst", "s@cret", False)
    assert "s@cret" not in repr(config)


def test_credentials_and_tls_apply_where_the_url_has_none() -> None:
    credentials = EngineCredentials(
        username="elastic", password="changeme", ca_certs="/etc/osint/ca.crt", api_key="a2V5"
    )
    config = parse_engine_url("https://es01:9200", credentials)
    assert (config.username, config.password, config.ca_certs, config.api_key) == (
        "elastic",
        "changeme",
        "/etc/osint/ca.crt",
        "a2V5",
    )


@pytest.mark.parametrize("url", ["ftp://host:21", "http://", "http://h:9200?index=Upper", "http://h:9200?index=a/b"])
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_engine_url(url)


@pytest.mark.engine
def test_open_backend_detects_the_distribution(engine_url: str) -> None:
    backend = open_backend(f"{engine_url}?index=test_detect")
    assert isinstance(backend, EngineBackend)
    backend.client.connect()
    assert (backend.client.distribution, backend.name) == ("opensearch", "opensearch")
    backend.close()
