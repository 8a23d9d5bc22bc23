"""Watchlists: YAML files of sources an analyst follows, validated with pydantic.

Errors name the file, line and field, e.g. ``watchlists/x.yaml:14: sources[2].kind: …``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from watchlists.yaml_loader import MAX_BYTES, WatchlistYAMLError, check_size, load_yaml

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Scope(BaseModel):
    """Where a `site` crawl may go; also bounds links followed from other kinds."""

    model_config = ConfigDict(extra="forbid")

    allowed_domains: list[str] = Field(
        default_factory=list,
        description="Hosts (and their subdomains) the crawl may visit; default: the hosts of `urls`.",
    )
    allow: list[str] = Field(default_factory=list, description="Regular expressions; when given, a URL must match one.")
    deny: list[str] = Field(default_factory=list, description="Regular expressions; a matching URL is skipped.")
    max_depth: int = Field(default=2, ge=0, le=20, description="Links followed from the start URLs.")
    max_pages: int = Field(default=500, ge=1, le=1_000_000, description="Documents fetched per run at most.")

    @field_validator("allow", "deny")
    @classmethod
    def _regexes_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            # sre's parser recurses per group and refuses huge repeat counts with OverflowError
            except (re.error, OverflowError, RecursionError) as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns

    @field_validator("allowed_domains")
    @classmethod
    def _bare_hosts(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            if "/" in host or (":" in host.strip("[]") and not host.startswith("[")):
                raise ValueError(f"{host!r} is not a bare host name (no scheme, port or path)")
        return [host.lower().lstrip(".") for host in hosts]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Short unique id: lowercase letters, digits, '-' and '_'.")
    kind: Literal["feed", "sitemap", "site", "page", "document"] = Field(
        description="feed: RSS/Atom/RDF; sitemap: sitemaps, news sitemaps and indexes; site: scoped link-following crawl; page: single pages; document: PDF and other documents."
    )
    urls: list[str] = Field(min_length=1)
    name: str = ""
    tags: list[str] = Field(default_factory=list)
    language: str | None = Field(default=None, description="ISO 639-1 hint; detection still decides.")
    render_js: bool = Field(default=False, description="Render pages in headless Chromium (scrapy-playwright).")
    scope: Scope = Field(default_factory=Scope)
    schedule: str | None = Field(
        default=None, description="Cron expression or interval ('every 30 minutes', 'daily at 06:00 UTC')."
    )
    revisit: str | None = Field(
        default=None,
        description="Re-fetch known articles after this long ('7 days'); default: only when a feed or sitemap says they changed.",
    )
    enabled: bool = True

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not SOURCE_ID.match(value):
            raise ValueError(
                "must be lowercase letters, digits, '-' or '_' (at most 64), starting with a letter or digit"
            )
        return value

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not re.match(r"^https?://[^/\s]+", url):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[a-z]{2,3}", value):
            raise ValueError("must be an ISO 639 code such as 'en' or 'ar'")
        return value

    @field_validator("schedule", "revisit")
    @classmethod
    def _schedule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            from watchlists.schedule import parse_schedule

            parse_schedule(value)
        return value


def source_from_fields(
    fields: Mapping[str, Any], scope: Mapping[str, Any] | None = None, enabled: bool = True
) -> Source:
    """A Source from the values a person gave (`osint watchlist add-source`'s options, the
    workbench's form). Values left empty are left out, so the model's defaults apply: None, "", [],
    {} and False among `fields`, None and [] in `scope`. Raises ValidationError."""
    given_scope = {key: value for key, value in (scope or {}).items() if value not in (None, [])}
    data = {
        key: value for key, value in {**fields, "scope": given_scope}.items() if value not in (None, "", [], {}, False)
    }
    if not enabled:
        data["enabled"] = False
    return Source.model_validate(data)


def error_message(error: ErrorDetails) -> str:
    """A pydantic error's message as problems are worded (without pydantic's "Value error, ")."""
    return error["msg"].removeprefix("Value error, ")


class Watchlist(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    owner: str = ""
    description: str = ""
    schedule: str | None = Field(default=None, description="Default schedule for sources without their own.")
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Watchlist:
        seen: set[str] = set()
        for position, source in enumerate(self.sources):
            if source.id in seen:
                raise ValueError(f"sources[{position}].id: duplicate source id {source.id!r}")
            seen.add(source.id)
        return self

    @field_validator("schedule")
    @classmethod
    def _schedule_parses(cls, value: str | None) -> str | None:
        return Source._schedule_parses(value)

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise KeyError(f"no source {source_id!r} in watchlist {self.name!r} (sources: {known})")

    def schedule_of(self, source: Source) -> str | None:
        return source.schedule or self.schedule


class WatchlistError(ValueError):
    """A watchlist that cannot be used; `problems` are `file:line: field: message` strings."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(problems))


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest YAML node along a pydantic error location. A key merged in
    with `<<: *anchor` has no position of its own in the mapping: the mapping's line stands."""
    line = None
    for key in loc:
        if (isinstance(node, CommentedMap) and key in node) or (
            isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node)
        ):
            position = node.lc.data.get(key)
        else:
            break
        if position:
            line = position[0] + 1
        node = node[key]
    return line


def _field_path(loc: tuple[Any, ...]) -> str:
    text = ""
    for key in loc:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top level)"


def parse_watchlist(text: str, path: Path | str = "<string>") -> Watchlist:
    """Raises WatchlistError (problems as `file:line: field: message`), also for text beyond the
    bounds of watchlists/yaml_loader.py (size, nesting, alias expansion)."""
    return parse_watchlist_yaml(text, path)[1]


def parse_watchlist_yaml(text: str, path: Path | str = "<string>") -> tuple[Any, Watchlist]:
    """`parse_watchlist`, also handing back the round-trip YAML it read (where each key stands:
    watchlists/edit.py splices the text by it)."""
    try:
        data = load_yaml(text)
    except WatchlistYAMLError as exc:
        raise WatchlistError(path, [f"{path}:{exc.line}: {exc.message}"]) from None
    if not isinstance(data, dict):
        raise WatchlistError(path, [f"{path}:1: a watchlist is a mapping with name, owner, description and sources"])
    try:
        watchlist = Watchlist.model_validate(_plain(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error_message(error)
            if message.startswith("sources[") and ":" in message:  # model-level error naming its own field
                field, message = message.split(": ", 1)
                loc = _loc_from_path(field)
            line = _line_of(data, loc) or 1
            problems.append(f"{path}:{line}: {_field_path(loc)}: {message}")
        raise WatchlistError(path, problems) from None
    return data, watchlist


def _loc_from_path(field: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for name, index in re.findall(r"(\w+)|\[(\d+)\]", field):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def load_watchlist(path: Path | str) -> Watchlist:
    return parse_watchlist(read_watchlist_text(path), path)


def read_watchlist_text(path: Path | str) -> str:
    """The text of the watchlist file at `path`: WatchlistError if it is missing, unreadable, too
    big or not UTF-8."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            # never more than the bound: an 18 MB file (or /dev/zero) is refused after 1 MiB read
            data = file.read(MAX_BYTES + 1)
            size = max(len(data), os.fstat(file.fileno()).st_size)
    except FileNotFoundError:
        raise WatchlistError(path, [f"{path}: no such file"]) from None
    except OSError as exc:
        raise WatchlistError(path, [f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    try:
        check_size(size)
        return data.decode("utf-8")
    except WatchlistYAMLError as exc:
        raise WatchlistError(path, [f"{path}:{exc.line}: {exc.message}"]) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise WatchlistError(path, [f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None


def watchlist_json_schema() -> dict[str, Any]:
    schema = Watchlist.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "OSINT crawler watchlist"
    return schema
