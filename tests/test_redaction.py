"""Credentials in URLs are masked wherever a URL is shown: one URL, free text, a log line with its traceback."""

from __future__ import annotations

import logging
import sys

import pytest

from index.backend import open_backend
from index.engine.client import parse_engine_url
from network.redaction import RedactingFormatter, redact_text, redact_url, without_userinfo


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://analyst:secret@127.0.0.1:9200", "http://***@127.0.0.1:9200"),
        (
            "https://analyst:secret@engine.example:9200/prefix?index=osint",
            "https://***@engine.example:9200/prefix?index=osint",
        ),
        ("https://token-only@engine.example/", "https://***@engine.example/"),  # a lone user name is often a token
        ("http://u:p@ss@engine.example:9200", "http://***@engine.example:9200"),  # unescaped "@" in the password
        ("http://engine.example:9200/a@b", "http://engine.example:9200/a@b"),  # "@" in the path is not userinfo
        ("sqlite:////data/index.sqlite3", "sqlite:////data/index.sqlite3"),
    ],
)
def test_redact_url(url: str, shown: str):
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://analyst:secret@feeds.example/private/1", "https://feeds.example/private/1"),
        ("http://u:p@ss@feeds.example:8080/x?y=1", "http://feeds.example:8080/x?y=1"),
        ("http://feeds.example/a@b", "http://feeds.example/a@b"),  # "@" in the path is not userinfo
    ],
)
def test_without_userinfo_keeps_an_address_usable(url: str, kept: str):
    assert without_userinfo(url) == kept


def test_redact_text_masks_every_url_in_a_message():
    text = "cannot reach 'http://a:one@h1:9200' nor https://b:two@h2/x; mail admin@example.org"
    assert redact_text(text) == "cannot reach 'http://***@h1:9200' nor https://***@h2/x; mail admin@example.org"


def test_log_lines_and_their_tracebacks_are_masked():
    try:
        raise ConnectionError("refused: http://analyst:secret@127.0.0.1:1/")
    except ConnectionError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "index %s is down", ("http://analyst:secret@h:1",), exc_info=sys.exc_info()
        )
    line = RedactingFormatter("%(message)s").format(record)
    assert (
        "secret" not in line and "index http://***@h:1 is down" in line and "refused: http://***@127.0.0.1:1/" in line
    )


def test_index_url_errors_do_not_repeat_the_password():
    with pytest.raises(ValueError) as not_engine:
        parse_engine_url("http://analyst:secret@/no-host")
    with pytest.raises(ValueError) as unsupported:
        open_backend("ftp://analyst:secret@files.example/index")
    assert "secret" not in str(not_engine.value) and "secret" not in str(unsupported.value)
