"""An alert: a name, what it watches, and where to send what it finds.

Two kinds: a search alert saves a query in the analyst syntax and delivers the new documents it
matches; an arsenal alert names an armed group and delivers each weapon category or origin
country that a sentence of a new document links the group to for the first time
(alerts/arsenal.py)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Literal
from urllib.parse import unquote

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from index.query import Filter, Query, QuerySyntaxError, canonical_query, parse_query
from schema.document import utcnow

ALERT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

AlertKind = Literal["search", "arsenal"]
ALERT_KINDS: tuple[str, ...] = AlertKind.__args__  # type: ignore[attr-defined]


class Target(BaseModel):
    kind: Literal["webhook", "jsonl", "email"]
    address: str

    @classmethod
    def parse(cls, text: str) -> Target:
        """``webhook:URL`` / ``jsonl:PATH`` or ``file:PATH`` / ``email:ADDRESS``; a bare http(s) URL is
        a webhook, a bare address with '@' an e-mail, and a path ending in .jsonl a file. A file's
        path must be absolute (``file:/p``, ``file:///p`` and ``jsonl:/p`` alike): a relative one
        would land wherever the next crawl happens to be started from."""
        text = text.strip()
        kind, _, rest = text.partition(":")
        if kind in ("file", "jsonl") and rest:
            return cls(kind="jsonl", address=_absolute_file(text, rest, is_url=kind == "file"))
        if kind == "webhook" and rest and not rest.startswith("//"):
            return cls(kind="webhook", address=rest)
        if kind == "email" and rest and not rest.startswith("//"):
            return cls(kind="email", address=rest)
        if kind == "mailto":
            return cls(kind="email", address=rest)
        if re.match(r"^https?://[^/\s]+", text):
            return cls(kind="webhook", address=text)
        if re.fullmatch(r"[^@\s/]+@[^@\s/]+\.[^@\s/]+", text):
            return cls(kind="email", address=text)
        if text.endswith(".jsonl"):
            return cls(kind="jsonl", address=_absolute_file(text, text))
        raise ValueError(f"{text!r}: use webhook:https://…, jsonl:/path/file.jsonl or email:analyst@example.org")

    @field_validator("address")
    @classmethod
    def _address_fits_kind(cls, address: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind == "webhook" and not re.match(r"^https?://[^/\s]+", address):
            raise ValueError(f"a webhook needs an http(s) URL, not {address!r}")
        if kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
            raise ValueError(f"{address!r} is not an e-mail address")
        if kind == "jsonl" and not address.strip():
            raise ValueError("a JSONL target needs a file path")
        return address

    def __str__(self) -> str:
        return f"{self.kind}:{self.address}"


def _absolute_file(text: str, path: str, is_url: bool = False) -> str:
    """The absolute path a file target (`text`) names. ``file:`` is a file URL (RFC 8089:
    percent-encoded, an empty or ``localhost`` authority); ``jsonl:`` and a bare path are taken as
    written."""
    if path.startswith("//"):
        authority, _, rest = path[2:].partition("/")
        if authority not in ("", "localhost"):
            raise ValueError(f"{text!r}: a file target is a local file, such as file:///var/alerts/out.jsonl")
        path = "/" + rest
    if is_url:
        path = unquote(path)
    path = os.path.expanduser(path)
    if not os.path.isabs(path):
        raise ValueError(f"{text!r}: a file target needs an absolute path, such as file:/var/alerts/out.jsonl")
    return os.path.normpath(path)


class Alert(BaseModel):
    name: str
    kind: AlertKind = "search"
    query: str = Field("", validate_default=True)  # the search kind's
    group: str = Field("", validate_default=True)  # the arsenal kind's: a canonical armed group
    targets: list[Target] = Field(min_length=1)
    created: datetime = Field(default_factory=utcnow)

    @field_validator("name")
    @classmethod
    def _name_format(cls, name: str) -> str:
        if not ALERT_NAME.fullmatch(name):
            raise ValueError("letters, digits, '.', '-' or '_' (at most 64), starting with a letter or digit")
        return name

    def search_query(self) -> Query:
        """The documents the alert reads: a search alert's query as a search would run it (entity
        filter values named canonically); an arsenal alert's group, as the filter `group:`."""
        if self.kind == "arsenal":
            return Query(where=Filter(name="group", values=[self.group]))
        return canonical_query(self.query)

    @field_validator("query")
    @classmethod
    def _query_parses(cls, query: str, info: ValidationInfo) -> str:
        if info.data.get("kind") == "arsenal":
            if query:
                raise ValueError("query: an arsenal alert watches an armed group, not a query")
            return query
        try:
            parse_query(query)
        except QuerySyntaxError as exc:
            raise ValueError(f"query: {exc}") from None
        return query

    @field_validator("group")
    @classmethod
    def _group_fits_kind(cls, group: str, info: ValidationInfo) -> str:
        if info.data.get("kind") == "arsenal" and not group.strip():
            raise ValueError("an arsenal alert needs an armed group")
        if info.data.get("kind") == "search" and group:
            raise ValueError("only an arsenal alert names an armed group")
        return group
