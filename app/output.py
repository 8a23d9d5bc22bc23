"""Printing for people and for scripts. Crawled text is hostile: it never reaches the terminal
as markup or control sequences."""

from __future__ import annotations

import html
import json
import re
import sys
from datetime import datetime
from typing import Any, NoReturn

from pydantic import BaseModel
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_WHITESPACE = re.compile(r"\s+")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)  # an error is one line, whatever its length


def safe(text: str) -> str:
    """Strip terminal control characters and bidi overrides from crawled text; one line."""
    return _CONTROL.sub("", _WHITESPACE.sub(" ", text or ""))


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
