"""What an arsenal profile is asked for, read the same way by the CLI and the web: the group a
name stands for, how a supplier is labelled, and the period `new within` looks back."""

from __future__ import annotations

import re
from datetime import timedelta

from extractors.entities.filters import resolve_filter
from index.backend import IndexBackend
from index.query import Filter, Query, SearchRequest
from schema.countries import country_label

#: the longest period `new within` looks back: a hundred years, older than anything crawled
MAX_PERIOD_DAYS = 36_500
_PERIOD = re.compile(r"(\d{1,5})\s*([dw]?)")


def canonical_group(backend: IndexBackend, given: str) -> str | None:
    """The group `given` names: the gazetteer's canonical name for it, else the name as documents
    store it (a group of an older gazetteer); None when neither knows it."""
    known = resolve_filter("group", given)
    if known is not None:
        return known
    stored = backend.search(SearchRequest(query=Query(where=Filter(name="group", values=[given])), size=0, facets={}))
    return given if stored.total else None


def supplier_label(name: str, kind: str) -> str:
    """A supplier as a reader knows it: a country by its name (the index stores its ISO code),
    a group as named."""
    return country_label(name) if kind == "country" else name


def period(text: str) -> timedelta | None:
    """A period back from now: 90d, 12w, or a plain number of days (90); None for anything else,
    for no time at all and for more than MAX_PERIOD_DAYS."""
    match = _PERIOD.fullmatch(text.strip().lower())
    if not match:
        return None
    amount = int(match[1])
    length = timedelta(weeks=amount) if match[2] == "w" else timedelta(days=amount)
    return length if timedelta(days=1) <= length <= timedelta(days=MAX_PERIOD_DAYS) else None
