"""Editing watchlist files from the CLI without disturbing what people wrote in them.

Edits splice text: a new source is rendered on its own and inserted after the last one, a removed
source's lines are cut out, and every other byte (comments, quoting, blank lines, key order)
stays as it was. ruamel.yaml's round-trip parser only tells us where things are. Each result is
validated as a whole watchlist before it replaces the file (atomically).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from watchlists.model import Scope, Source, Watchlist, WatchlistError, load_watchlist, parse_watchlist
from watchlists.yaml_loader import load_yaml

#: the order keys are written in, as in settings/watchlists/example.yaml
SOURCE_KEYS = ("id", "name", "kind", "urls", "tags", "language", "render_js", "scope", "schedule", "revisit", "enabled")

TEMPLATE = """\
# Watchlist: sources an analyst follows. Check it with `osint watchlist validate {path}`;
# add sources with `osint watchlist add-source {path} ID --kind feed --url URL`.
# Editors: the JSON Schema from `osint watchlist schema` gives autocompletion.
name: {name}
owner: {owner}
description: {description}
{schedule}
sources: []
"""


def _scalar(value: str) -> str:
    """A YAML scalar for a free-text value (quoted only when YAML needs it)."""
    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump(value, buffer)
    return buffer.getvalue().removesuffix("\n...\n").strip()


def create_watchlist(
    path: Path, name: str, owner: str = "", description: str = "", schedule: str | None = None
) -> Watchlist:
    if path.exists():
        raise FileExistsError(f"{path} exists; edit it with add-source / remove-source")
    text = TEMPLATE.format(
        path=path,
        name=_scalar(name),
        owner=_scalar(owner),
        description=_scalar(description),
        schedule=f"schedule: {_scalar(schedule)}  # default for sources without their own"
        if schedule
        else "# schedule: every 6 hours   # default for sources without their own",
    )
    return _write(path, text)


def source_yaml(source: Source, indent: int) -> str:
    """One source as a block sequence item at column `indent`, lists in flow style like the examples."""
    data = source.model_dump(mode="json", exclude_defaults=True)
    data["kind"], data["urls"] = source.kind, source.urls
    if "scope" in data:
        data["scope"] = Scope.model_validate(data["scope"]).model_dump(mode="json", exclude_defaults=True)
    ordered = CommentedMap((key, data[key]) for key in SOURCE_KEYS if key in data and data[key] not in ({}, []))
    for key, value in ordered.items():
        if isinstance(value, list):
            ordered[key] = _flow(value)
        elif isinstance(value, dict):
            ordered[key] = CommentedMap((k, _flow(v) if isinstance(v, list) else v) for k, v in value.items())
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    buffer = io.StringIO()
    yaml.dump(CommentedSeq([ordered]), buffer)
    return "".join(" " * indent + line if line.strip() else line for line in buffer.getvalue().splitlines(True))


def _flow(values: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def add_source(path: Path, source: Source | dict[str, Any]) -> Watchlist:
    source = source if isinstance(source, Source) else Source.model_validate(source)
    data, lines = _load(path)
    if any(existing.get("id") == source.id for existing in data.get("sources") or []):
        raise WatchlistError(path, [f"{path}: a source {source.id!r} exists already"])
    sources = data.get("sources")
    if isinstance(sources, CommentedSeq) and len(sources):
        first_line = sources.lc.item(0)[0]
        indent = len(lines[first_line]) - len(lines[first_line].lstrip(" -")) - 2
        end = _sequence_end(data, lines)
        separated = first_line > 0 and len(sources) > 1 and not lines[sources.lc.item(1)[0] - 1].strip()
        block = ("\n" if separated else "") + source_yaml(source, indent)
        lines[end:end] = block.splitlines(True)
    else:
        if "sources" in data:
            key_line = data.lc.key("sources")[0]
            lines[key_line] = lines[key_line].replace("[]", "", 1).rstrip() + "\n"
            insert_at = key_line + 1
        else:
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
            lines.append("sources:\n")
            insert_at = len(lines)
        lines[insert_at:insert_at] = source_yaml(source, 2).splitlines(True)
    return _write(path, "".join(lines))


def remove_source(path: Path, source_id: str) -> Watchlist:
    data, lines = _load(path)
    sources: CommentedSeq = data.get("sources") or CommentedSeq()
    position = next((i for i, item in enumerate(sources) if item.get("id") == source_id), None)
    if position is None:
        known = ", ".join(str(item.get("id")) for item in sources) or "none"
        raise KeyError(f"no source {source_id!r} in {path} (sources: {known})")
    start = sources.lc.item(position)[0]
    end = sources.lc.item(position + 1)[0] if position + 1 < len(sources) else _sequence_end(data, lines)
    dash_column = len(lines[start]) - len(lines[start].lstrip())
    # comments and blank lines before the next source belong to it (section headings, notes)
    while end > start + 1 and _is_blank_or_heading(lines[end - 1], dash_column):
        end -= 1
    del lines[start:end]
    if start > 0 and not lines[start - 1].strip() and (start == len(lines) or not lines[start].strip()):
        del lines[start - 1]  # the blank line that separated the removed source from the one before
    if len(sources) == 1:
        key_line = data.lc.key("sources")[0]
        lines[key_line] = lines[key_line].rstrip("\n").rstrip() + " []\n"
    return _write(path, "".join(lines))


def _is_blank_or_heading(line: str, column: int) -> bool:
    stripped = line.strip()
    return not stripped or (stripped.startswith("#") and len(line) - len(line.lstrip()) <= column)


def _sequence_end(data: CommentedMap, lines: list[str]) -> int:
    """Line index just after the sources sequence: the next top-level key, or the end of the file."""
    keys = list(data.keys())
    following = keys[keys.index("sources") + 1 :]
    if not following:
        end = len(lines)
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        if end and not lines[end - 1].endswith("\n"):
            lines[end - 1] += "\n"
        return end
    first_line: int = data.lc.key(following[0])[0]
    end = first_line
    while (
        end > 0
        and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#"))
        and not lines[end - 1].startswith(" ")
    ):
        end -= 1
    return end


def _load(path: Path) -> tuple[CommentedMap, list[str]]:
    load_watchlist(path)  # refuse to edit a file that is already broken: its problems come first
    text = path.read_text(encoding="utf-8")
    return load_yaml(text), text.splitlines(True)  # the bounded loader again: the file may have changed since


def _write(path: Path, text: str) -> Watchlist:
    watchlist = parse_watchlist(text, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return watchlist
