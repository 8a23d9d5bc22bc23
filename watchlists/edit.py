"""Editing watchlist files from the CLI without disturbing what people wrote in them.

Edits splice text: a new source is rendered on its own and inserted after the last one, a removed
source's lines are cut out, and every other byte (comments, quoting, blank lines, key order)
stays as it was. ruamel.yaml's round-trip parser only tells us where things are. Each result is
validated as a whole watchlist before it replaces the file (atomically).

An edit holds an exclusive lock on the file from reading it to replacing it, so two editors at
once (the workbench and `osint watchlist`, two workers of the server) queue instead of one
silently writing over the other's change. A new file is linked into place, which fails if
another editor created it first.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from watchlists.model import (
    Scope,
    Source,
    Watchlist,
    WatchlistError,
    parse_watchlist,
    parse_watchlist_yaml,
    read_watchlist_text,
)

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


Params = ParamSpec("Params")


def _one_editor_at_a_time(
    edit: Callable[Concatenate[Path, Params], Watchlist],
) -> Callable[Concatenate[Path, Params], Watchlist]:
    """Run `edit(path, ...)` holding the file's lock (see `_locked`) from its reading to its writing."""

    @functools.wraps(edit)
    def locked(path: Path, /, *args: Params.args, **kwargs: Params.kwargs) -> Watchlist:
        with _locked(Path(path)):
            return edit(path, *args, **kwargs)

    return locked


def _scalar(value: str) -> str:
    """A YAML scalar for a free-text value (quoted only when YAML needs it)."""
    buffer = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.width = 4096  # one line: a wrapped plain scalar would continue unindented, outside its key
    yaml.dump(value, buffer)
    return buffer.getvalue().removesuffix("\n...\n").strip()


def create_watchlist(
    path: Path, name: str, owner: str = "", description: str = "", schedule: str | None = None
) -> Watchlist:
    if path.exists():
        raise _exists(path)
    text = TEMPLATE.format(
        path=path,
        name=_scalar(name),
        owner=_scalar(owner),
        description=_scalar(description),
        schedule=f"schedule: {_scalar(schedule)}  # default for sources without their own"
        if schedule
        else "# schedule: every 6 hours   # default for sources without their own",
    )
    return _write(path, text, create=True)


def _exists(path: Path) -> FileExistsError:
    return FileExistsError(f"{path} exists; edit it with add-source / remove-source")


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


@_one_editor_at_a_time
def add_source(path: Path, source: Source | dict[str, Any]) -> Watchlist:
    source = source if isinstance(source, Source) else Source.model_validate(source)
    data, lines, _ = _load(path)
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


@_one_editor_at_a_time
def remove_source(path: Path, source_id: str) -> Watchlist:
    data, lines, _ = _load(path)
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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the watchlist file until the edit has replaced it. The lock is on
    the file's inode, and an edit replaces the file with a new one: so once the lock is ours, the
    path must still name the file locked, or another editor replaced it while we waited and its
    new version is the one to lock (and read)."""
    while True:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below, after the edit
        except OSError:
            yield  # nothing to lock (missing, unreadable): reading it reports why, as without a lock
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if _names(path, handle.fileno()):
                    yield
                    return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _names(path: Path, descriptor: int) -> bool:
    """Whether `path` names the open file `descriptor` (not a newer file, nor nothing)."""
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False


def _load(path: Path) -> tuple[CommentedMap, list[str], Watchlist]:
    """The file as YAML (where each key stands), as lines and as a watchlist: read once (under the
    edit's lock, nobody changes it meanwhile). A file already broken is not edited: its problems
    come first."""
    text = read_watchlist_text(path)
    data, watchlist = parse_watchlist_yaml(text, path)
    return data, text.splitlines(True), watchlist


def _key_ranges(mapping: CommentedMap, lines: list[str], end: int, column: int) -> dict[str, tuple[int, int]]:
    """Key of `mapping` (keys at `column`) -> its lines [start, stop), the mapping ending at line
    `end`: comments and blank lines before the next key belong to that key (headings, notes)."""
    starts = sorted((mapping.lc.key(key)[0], str(key)) for key in mapping)
    ranges = {}
    for index, (start, key) in enumerate(starts):
        stop = starts[index + 1][0] if index + 1 < len(starts) else end
        while stop > start + 1 and _is_blank_or_heading(lines[stop - 1], column):
            stop -= 1
        ranges[key] = (start, stop)
    return ranges


def _keeping_comment(mapping: CommentedMap, key: str, lines: tuple[int, int], replacement: list[str]) -> list[str]:
    """`replacement` of a one-line `key` (its `lines`) with the end-of-line comment it had."""
    comment = _end_of_line_comment(mapping, key)
    start, stop = lines
    if not comment or stop != start + 1 or len(replacement) != 1:
        return replacement
    text = replacement[0].rstrip("\n")
    return [text + " " * max(2, mapping.ca.items[key][2].column - len(text)) + comment + "\n"]


#: an edit of a file's lines: [start, stop) replaced by new lines; `order` ranks edits at one line
Edit = tuple[int, int, int, list[str]]


def _spliced(lines: list[str], edits: list[Edit], start: int = 0) -> list[str]:
    """`lines` with `edits` made (from line `start` on; none overlap but those ending where the next begins)."""
    spliced, cursor = lines[:start], start
    for begin, stop, _, replacement in sorted(edits, key=lambda edit: (edit[0], edit[2])):
        spliced += lines[cursor:begin] + replacement
        cursor = max(cursor, stop)
    return spliced + lines[cursor:]


def _write(path: Path, text: str, create: bool = False) -> Watchlist:
    """Validate `text` and put it in place of `path` atomically (`create`: only if no file is
    there: linking a file into place fails when the name exists, unlike replacing)."""
    watchlist = parse_watchlist(text, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        if create:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise _exists(path) from None
            Path(temporary).unlink()
        else:
            if path.exists():
                os.chmod(temporary, path.stat().st_mode & 0o777)
            os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return watchlist


@_one_editor_at_a_time
def update_source(path: Path, source_id: str, source: Source | dict[str, Any]) -> Watchlist:
    """Replace source `source_id` with `source` where it stands, splicing only the keys whose value
    changed: unchanged keys keep their text byte for byte (quoting, anchors, comments inside
    them), a changed one-line key keeps its end-of-line comment, and the headings and notes around
    the source stay. New keys go where SOURCE_KEYS would put them among the keys written."""
    source = source if isinstance(source, Source) else Source.model_validate(source)
    data, lines, current = _load(path)
    sources: CommentedSeq = data.get("sources") or CommentedSeq()
    position = next((i for i, item in enumerate(sources) if item.get("id") == source_id), None)
    if position is None:
        known = ", ".join(str(item.get("id")) for item in sources) or "none"
        raise KeyError(f"no source {source_id!r} in {path} (sources: {known})")
    if source.id != source_id and any(item.get("id") == source.id for item in sources):
        raise WatchlistError(path, [f"{path}: a source {source.id!r} exists already"])
    item: CommentedMap = sources[position]
    first_line, key_column = item.lc.key(next(iter(item)))
    if item.fa.flow_style() or sources.fa.flow_style() or item.merge:
        raise WatchlistError(
            path,
            [
                f"{path}:{first_line + 1}: source {source_id!r} is written in flow style or with merge keys; edit it by hand"
            ],
        )
    end = sources.lc.item(position + 1)[0] if position + 1 < len(sources) else _sequence_end(data, lines)
    while end > first_line + 1 and lines[end - 1].strip() == "-":
        end -= 1  # the next item's dash, on a line of its own
    dash = lines[first_line][:key_column]
    has_dash = dash.strip().startswith("-")
    if has_dash:  # the item's dash is put back on whichever key ends up first
        lines[first_line] = " " * key_column + lines[first_line][key_column:]
    old = current.source(source_id).model_dump(mode="json")
    new = source.model_dump(mode="json")
    rendered = _rendered_keys(source, key_column)
    ranges = _key_ranges(item, lines, end, key_column)
    edits: list[Edit] = [
        (*ranges[key], SOURCE_KEYS.index(key), _keeping_comment(item, key, ranges[key], rendered.get(key, [])))
        for key in ranges
        if old[key] != new[key]
    ]
    starts = sorted((start, key) for key, (start, _) in ranges.items())
    for key in SOURCE_KEYS:
        if key in rendered and key not in ranges:
            after = [(line, k) for line, k in starts if SOURCE_KEYS.index(k) > SOURCE_KEYS.index(key)]
            if after:
                at = after[0][0]
            else:  # after the last key, before the notes that belong to what follows
                at = end
                while at > starts[-1][0] + 1 and _is_blank_or_heading(lines[at - 1], key_column):
                    at -= 1
            edits.append((at, at, SOURCE_KEYS.index(key), rendered[key]))
    spliced = _spliced(lines, edits, first_line)
    if has_dash:
        first = next(
            i for i in range(first_line, len(spliced)) if spliced[i].strip() and not spliced[i].lstrip().startswith("#")
        )
        spliced[first] = dash + spliced[first][key_column:]
    return _write(path, "".join(spliced))


def _rendered_keys(source: Source, key_column: int) -> dict[str, list[str]]:
    """The lines of each key `source_yaml` writes for `source`, its keys at `key_column`."""
    rendered: dict[str, list[str]] = {}
    current: list[str] = []
    for number, line in enumerate(source_yaml(source, key_column - 2).splitlines(True)):
        if number == 0:
            line = " " * key_column + line[key_column:]  # no dash: update_source puts it back
        if line[key_column : key_column + 1] not in (" ", "") and ":" in line:
            current = rendered.setdefault(line[key_column:].split(":", 1)[0], [])
        current.append(line)
    return rendered


def _end_of_line_comment(mapping: CommentedMap, key: str) -> str:
    """The `# ...` after `key`'s value on its line, if any (ruamel also hangs the comment lines that
    follow on it: only the first line is the key's own)."""
    tokens = mapping.ca.items.get(key)
    token = tokens[2] if tokens and len(tokens) > 2 else None
    if token is None or not token.value.lstrip(" ").startswith("#"):
        return ""
    text: str = token.value.split("\n", 1)[0].strip()
    return text


#: the watchlist's own keys, in the order create_watchlist writes them
HEADER_KEYS = ("name", "owner", "description", "schedule")


@_one_editor_at_a_time
def update_header(
    path: Path, name: str, owner: str = "", description: str = "", schedule: str | None = None
) -> Watchlist:
    """Change the watchlist's own keys (not its sources), rewriting only those whose value changed,
    each where it stands (a new one after the keys that precede it); comments and layout stay. A
    value that differs only in its white space (a folded `description: >` read back from a form)
    is unchanged."""
    data, lines, old = _load(path)
    new: dict[str, str | None] = {"name": name, "owner": owner, "description": description, "schedule": schedule}
    ranges = _key_ranges(data, lines, len(lines), 0)
    edits: list[Edit] = []
    for order, key in enumerate(HEADER_KEYS):
        value, before = new[key], getattr(old, key)
        if value == before or (value is not None and before is not None and value.split() == before.split()):
            continue
        if key not in data and not value:
            continue
        replacement = [] if value is None else [f"{key}: {_scalar(value)}\n"]
        if key in data:
            edits.append((*ranges[key], order, _keeping_comment(data, key, ranges[key], replacement)))
            continue
        preceding = [ranges[k][1] for k in HEADER_KEYS[:order] if k in ranges]
        following = [ranges[k][0] for k in (*HEADER_KEYS[order + 1 :], "sources") if k in ranges]
        if preceding:
            at = max(preceding)
        elif following:
            at = min(following)
            while at > 0 and lines[at - 1].lstrip().startswith("#"):
                at -= 1  # above the comments that head the next key
        else:
            at = len(lines)
            if lines and not lines[-1].endswith("\n"):
                lines[-1] += "\n"
        edits.append((at, at, order, replacement))
    return _write(path, "".join(_spliced(lines, edits)))
