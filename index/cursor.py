"""Paging cursors: the one place that decides whether a `search_after` value can be used.

A cursor is handed to the analyst (`--after '…'`, the web page's "More results" link) and comes
back as text anyone can edit, so it is checked strictly before a backend binds it as an SQL
parameter or sends it to the engine. Two shapes exist, both JSON lists of two items:

* ``[sort value, document id]``: the last hit's score (a finite number) or publication time
  (epoch milliseconds, a 64-bit integer, or null for undated documents in the embedded index);
* ``["collapsed", offset]``: the engine's pages of collapsed stories, numbered by offset.

Anything else (another length, NaN, an integer SQLite cannot hold, 3,000 nested lists) is a
`CursorError`, which is a `QuerySyntaxError`: exit 2 on the command line, 400 on the web.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal, TypeGuard

from index.query import QuerySyntaxError

#: text of a cursor: ours are under 60 characters. The bound also keeps the JSON decoder's
#: recursion (one level per "[") far below Python's limit.
MAX_CURSOR_CHARS = 256
MAX_ID_CHARS = 200
#: the engines' default index.max_result_window: deeper collapsed pages are refused by them
MAX_COLLAPSED_OFFSET = 10_000
COLLAPSED = "collapsed"
_INT64 = (-(2**63), 2**63 - 1)
_NOT_OURS = "not a cursor printed by a previous search"

SortValue = int | float | None


class CursorError(QuerySyntaxError):
    """A paging cursor that no search of this kind produced; the message says what is wrong."""


def parse_cursor(text: str) -> list[Any]:
    """The cursor in `text` (JSON, as printed with a page of results), shape-checked."""
    if len(text) > MAX_CURSOR_CHARS:
        raise CursorError(f"{_NOT_OURS}: longer than {MAX_CURSOR_CHARS} characters")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except CursorError:
        raise
    except ValueError as exc:  # JSONDecodeError, or an integer of more digits than Python converts
        raise CursorError(f"{_NOT_OURS}: {exc}") from None
    return check_cursor(value)


def check_cursor(value: object) -> list[Any]:
    """`value` if it has one of the two cursor shapes, else CursorError."""
    if not isinstance(value, list) or len(value) != 2:
        raise CursorError(f"{_NOT_OURS}: a cursor is a list of two items")
    first, second = value
    if first == COLLAPSED:
        if not _is_int(second) or not 0 <= second <= MAX_COLLAPSED_OFFSET:
            raise CursorError(
                f"{_NOT_OURS}: a collapsed page offset is a whole number from 0 to {MAX_COLLAPSED_OFFSET:,}"
            )
        return value
    if not (
        first is None
        or (_is_int(first) and _INT64[0] <= first <= _INT64[1])
        or (isinstance(first, float) and math.isfinite(first))
    ):
        raise CursorError(f"{_NOT_OURS}: the sort value must be a finite number within 64 bits, or null")
    if not (isinstance(second, str) and 0 < len(second) <= MAX_ID_CHARS and second.isprintable()):
        raise CursorError(f"{_NOT_OURS}: the document id must be printable text of 1 to {MAX_ID_CHARS} characters")
    return value


def sort_after(cursor: object, sort: Literal["relevance", "date"], *, undated: bool) -> tuple[SortValue, str]:
    """(sort value, document id) of a cursor for a search sorted by `sort`. A relevance cursor
    holds a score; a date cursor an epoch-millisecond integer, or None where the backend pages
    undated documents with it (`undated`: the embedded index does, the engine never)."""
    first, document_id = check_cursor(cursor)
    if first == COLLAPSED:
        raise CursorError(f"{_NOT_OURS}: a collapsed-stories cursor, for a search without --collapse")
    if sort == "relevance" and first is None:
        raise CursorError(f"{_NOT_OURS}: a date-sorted cursor, for a search by relevance")
    if sort == "date" and not (_is_int(first) or (first is None and undated)):
        raise CursorError(f"{_NOT_OURS}: a relevance cursor, for a search sorted by date")
    return first, document_id


def collapsed_offset(cursor: object) -> int:
    """The offset of a collapsed-stories cursor."""
    first, offset = check_cursor(cursor)
    if first != COLLAPSED:
        raise CursorError(f"{_NOT_OURS}: a cursor of single documents, for a search with --collapse")
    return int(offset)  # check_cursor made sure it is an int


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _refuse_constant(name: str) -> float:
    raise CursorError(f"{_NOT_OURS}: {name} is not a number a search sorts by")
