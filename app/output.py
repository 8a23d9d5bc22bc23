"""Printing for people and for scripts. Crawled text is hostile: it never reaches the terminal
as markup or control sequences."""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
#: CSI (7-bit and C1), OSC up to its terminator (BEL, ST or C1 ST; unterminated: to the next ESC), other ESC pairs
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?"
)
_WHITESPACE = re.compile(r"\s+")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)  # an error is one line, whatever its length


def safe(text: str) -> str:
    """Strip terminal escape sequences, control characters and bidi overrides from crawled text; one line."""
    return _CONTROL.sub("", _WHITESPACE.sub(" ", without_escapes(text)))


def without_escapes(text: str) -> str:
    """Crawled text with its terminal escape sequences (colours, titles, hyperlinks, cursor moves)
    removed whole, so none of their parameters is left behind as stray text."""
    return _ESCAPE_SEQUENCE.sub("", text or "")


def safe_block(text: str) -> str:
    """Like `safe`, for many lines: escape sequences and control characters go, line breaks and
    tabs stay (a carriage return, which would let a line overwrite itself, becomes a line break)."""
    return _CONTROL.sub("", without_escapes(text).replace("\r\n", "\n").replace("\r", "\n"))


def snippet_text(snippet_html: str) -> Text:
    """An escaped-HTML snippet with <mark> hits, as styled terminal text (never parsed as markup)."""
    text = Text()
    position = 0
    for match in _MARK.finditer(snippet_html):
        text.append(safe(html.unescape(snippet_html[position : match.start()])))
        text.append(safe(html.unescape(match[1])), style="bold yellow")
        position = match.end()
    text.append(safe(html.unescape(snippet_html[position:])))
    return text


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    error_console.print(Text(f"Error: {message}", style="red"))
    raise SystemExit(code)


@contextmanager
def replaced_whole(path: Path) -> Iterator[Path]:
    """The path to write `path` at (`path`.part), renamed to `path` once the block completes and
    removed if it fails or is interrupted: never a half file under the name asked for."""
    part = path.with_name(path.name + ".part")
    try:
        yield part
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def count_progress(as_json: bool) -> Progress:
    """A progress bar counting items, on stderr, shown only on a terminal and never with --json."""
    return Progress(
        *Progress.get_default_columns()[:-1],
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=error_console,
        disable=as_json or not error_console.is_terminal,
        transient=True,
    )
