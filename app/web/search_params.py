"""A search as its URL holds it, so that it can be bookmarked and shared: `q` as the analyst typed
it, `f=<filter>:<value>` and `x=<filter>:<value>` added by facet links (include, exclude),
`since`/`until` set by the histogram's bars, `sort`, `collapse=1`, `expand=1`, and for paging
`after` (the cursor of this page), `trail` (the cursors of the pages before it, for Previous)
and `page` (its number, for the count).

Only reading and writing the parameters: what they mean as a query is app/web/search_query.py's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urlencode

Sort = Literal["relevance", "date"]

#: earlier pages a Previous link can go back to (each is a cursor in the URL)
MAX_TRAIL = 10
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class SearchParams:
    """A search as its URL holds it. Filter parameters are kept as written ("country:IR") and
    checked when the query is built, so a bad one is reported, and can be removed, like a typo."""

    q: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    sort: Sort = "relevance"
    collapse: bool = False
    expand: bool = False
    after: str = ""
    trail: tuple[str, ...] = ()
    page: int = 1

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> SearchParams:
        """From a query string's (name, value) pairs; unknown names are ignored."""
        values: dict[str, list[str]] = {}
        for name, value in pairs:
            values.setdefault(name, []).append(value)

        def last(name: str) -> str:
            return values.get(name, [""])[-1].strip()

        page, after = last("page"), last("after")
        return cls(
            q=values.get("q", [""])[-1],
            include=tuple(dict.fromkeys(value.strip() for value in values.get("f", []) if value.strip())),
            exclude=tuple(dict.fromkeys(value.strip() for value in values.get("x", []) if value.strip())),
            since=last("since"),
            until=last("until"),
            sort="date" if last("sort") == "date" else "relevance",
            collapse=last("collapse") == "1",
            expand=last("expand") == "1",
            after=after,
            trail=tuple(values.get("trail", []))[-MAX_TRAIL:],
            # only a page reached by a cursor has a number other than 1 (it is the count's offset)
            page=min(int(page), MAX_PAGE) if after and page.isdecimal() and len(page) < 8 and int(page) > 0 else 1,
        )

    def pairs(self) -> list[tuple[str, str]]:
        """The query string's pairs, defaults left out."""
        pairs = [("q", self.q)] if self.q else []
        pairs += [("f", value) for value in self.include] + [("x", value) for value in self.exclude]
        pairs += [(name, value) for name, value in (("since", self.since), ("until", self.until)) if value]
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        pairs += [(name, "1") for name, on in (("collapse", self.collapse), ("expand", self.expand)) if on]
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        if self.after:
            pairs.append(("after", self.after))
        return pairs + [("trail", cursor) for cursor in self.trail]

    def href(self) -> str:
        pairs = self.pairs()
        return f"/?{urlencode(pairs)}" if pairs else "/"

    def restarted(self, **changes: Any) -> SearchParams:
        """Another search (a filter added or removed, another order): from its first page."""
        return replace(self, after="", trail=(), page=1, **changes)

    def narrowing(self) -> list[tuple[str, str]]:
        """The filters and dates the search form carries along (as hidden fields) when `q` changes."""
        return [(name, value) for name, value in self.pairs() if name in ("f", "x", "since", "until")]
