"""Credentials never reach a terminal, a log, a web page or an exception message.

Index and webhook URLs may carry ``user:password@`` (``OSINT_INDEX_URL=https://analyst:secret@host:9200``),
and so may a source URL an analyst copied from a private feed. Everything that prints or logs a
URL passes it through `redact_url`; free text that may embed one (an exception message, a log
record, a traceback) through `redact_text`. The whole userinfo goes, not only the password: a
lone user name is often a token (``https://TOKEN@host``).

Lives in network/ so that index/, crawlers/ and app/ can all use it without depending on each other.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"

# scheme://userinfo@ — greedy up to the last "@" before the path, so an unescaped "@" inside a
# password ("u:p@ss@host") is masked whole, as urlsplit would split it.
_USERINFO_IN_TEXT = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s]*@")


def redact_url(url: str) -> str:
    """`https://analyst:secret@host:9200/x` → `https://***@host:9200/x`; other URLs unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not even a URL (an invalid IPv6 literal): mask whatever looks like userinfo
        return redact_text(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=f"{MASK}@{parts.netloc.rpartition('@')[2]}"))


def without_userinfo(url: str) -> str:
    """`https://analyst:secret@host/x` → `https://host/x`: for a URL that is kept as an address
    (a WARC record's target), where a mask would make it another, invalid one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def redact_text(text: str) -> str:
    """Mask the userinfo of every URL inside free text."""
    return _USERINFO_IN_TEXT.sub(rf"\g<scheme>{MASK}@", text)


class RedactingFormatter(logging.Formatter):
    """A log formatter whose output (message, arguments and traceback alike) carries no credentials."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))
