"""The analyst query syntax, parsed into one structure that every backend renders safely.

Syntax: words (all required), ``"exact phrases"``, ``OR`` between two terms, ``-exclusions``,
``word*`` prefixes (3+ characters), and filters ``field:value`` / ``field:"two words"`` /
``field:a,b`` (either value) / ``-field:value``. Filters on the same field all apply (AND).
``since:`` and ``until:`` take ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

Nothing the user types reaches an engine as query syntax: backends only ever see the
structure below, and quote or escape every term themselves.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

#: filter name -> Document fields it matches (any of them).
FILTER_FIELDS: dict[str, tuple[str, ...]] = {
    "weapon": ("weapons",),
    "category": ("weapon_categories", "weapon_categories_implied"),
    "origin": ("weapon_origins",),
    "country": ("countries",),
    "state": ("historical_states",),
    "group": ("armed_groups",),
    "actor": ("generic_actors",),
    "lang": ("language",),
    "source": ("source_id",),
    "watchlist": ("watchlist",),
    "kind": ("kind",),
    "tag": ("tags",),
    "story": ("story_id",),
}
DATE_FILTERS = ("since", "until")
#: facets shown by default, in display order (name -> Document field).
DEFAULT_FACETS: dict[str, str] = {
    "weapons": "weapons",
    "weapon_categories": "weapon_categories",
    "weapon_origins": "weapon_origins",
    "countries": "countries",
    "armed_groups": "armed_groups",
    "language": "language",
    "source": "source_id",
    "kind": "kind",
}
MAX_TERMS = 64
MAX_QUERY_CHARS = 2000


class QuerySyntaxError(ValueError):
    """A malformed analyst query; the message is meant for the analyst."""


class Term(BaseModel):
    text: str
    phrase: bool = False
    prefix: bool = False


class Filter(BaseModel):
    name: str  # a key of FILTER_FIELDS
    values: list[str]  # any of these
    negated: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return FILTER_FIELDS[self.name]


class Query(BaseModel):
    all_of: list[list[Term]] = Field(default_factory=list)  # each inner list: any of its terms
    none_of: list[Term] = Field(default_factory=list)
    filters: list[Filter] = Field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    ids: list[str] | None = None  # only these document ids (alerts match a saved query on new documents)

    @property
    def has_text(self) -> bool:
        return bool(self.all_of)

    def positive_terms(self) -> list[Term]:
        return [term for group in self.all_of for term in group]

    def resolved(self, canonical: Callable[[str, str], str]) -> Query:
        """A copy whose filter values are named by `canonical(filter, value)`, so "country:Iran"
        matches the stored code IR. Every filter goes through `canonical`, which decides which
        names denote entities and returns the values of the others unchanged (the gazetteer's
        `canonicalize_filter` is the one list of entity filters)."""
        filters = [
            f.model_copy(update={"values": [canonical(f.name, value) for value in f.values]}) for f in self.filters
        ]
        return self.model_copy(update={"filters": filters})


class SearchRequest(BaseModel):
    query: Query = Field(default_factory=Query)
    sort: Literal["relevance", "date"] = "relevance"
    size: int = Field(default=10, ge=0, le=1000)
    search_after: list[Any] | None = None  # opaque cursor from SearchResult.next_cursor
    facets: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_FACETS))
    facet_size: int = Field(default=10, ge=1, le=500)
    histogram: Literal["day", "week", "month", "year"] | None = None
    collapse_stories: bool = False


class Hit(BaseModel):
    id: str
    url: str
    title: str
    snippet: str  # HTML-escaped text; matches wrapped in <mark>…</mark>
    score: float
    published: datetime | None
    language: str
    source_id: str = ""
    kind: str = ""
    page: int | None = None  # for paginated documents (PDF): the page the snippet comes from, to cite


class SearchResult(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = Field(default_factory=dict)
    histogram: list[tuple[str, int]] = Field(default_factory=list)
    next_cursor: list[Any] | None = None


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<neg>-)?(?P<field>[A-Za-z_]+):(?:"(?P<fquoted>[^"]*)"?|(?P<fvalue>[^\s"]*))
      | (?P<pneg>-)?"(?P<phrase>[^"]*)(?P<closed>"?)
      | (?P<word>[^\s"]+)
    )""",
    re.VERBOSE,
)
_WORD_CHARS = re.compile(r"[^\w'’.-]+", re.UNICODE)


def _clean_word(raw: str) -> tuple[str, bool]:
    prefix = raw.endswith("*")
    word = _WORD_CHARS.sub(" ", raw.strip("*")).strip(" .-'’")
    return word, prefix


def _parse_date(name: str, value: str) -> datetime:
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value.strip())
    if not match:
        raise QuerySyntaxError(f"{name}: expects a date like 2024, 2024-05 or 2024-05-17, got {value!r}")
    year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    end = name == "until"
    try:
        if not month:
            month, day = (12, 31) if end else (1, 1)
        elif not day:
            day = calendar.monthrange(year, month)[1] if end else 1
        moment = datetime(year, month, day, tzinfo=UTC)
    except ValueError as exc:
        raise QuerySyntaxError(f"{name}: {value!r} is not a valid date ({exc})") from None
    # the whole last day, to the millisecond both backends store dates with
    return moment.replace(hour=23, minute=59, second=59, microsecond=999_000) if end else moment


def parse_query(text: str) -> Query:
    """Parse the analyst syntax. Raises QuerySyntaxError with a message for the analyst."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    query = Query()
    pending_or = False
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QuerySyntaxError(f"cannot read the query near {text[position : position + 20]!r}")
        position = match.end()
        if match["field"] is not None:
            _add_filter(
                query,
                match["field"].lower(),
                match["fquoted"] if match["fquoted"] is not None else match["fvalue"],
                bool(match["neg"]),
            )
            continue
        if match["phrase"] is not None:
            if not match["closed"]:
                raise QuerySyntaxError('a phrase is missing its closing quote (")')
            words = " ".join(_clean_word(w)[0] for w in match["phrase"].split())
            words = " ".join(words.split())
            if not words:
                continue
            term, negated = Term(text=words, phrase=True), bool(match["pneg"])
        else:
            raw = match["word"]
            if raw == "OR":
                if not query.all_of or pending_or:
                    raise QuerySyntaxError("OR must stand between two terms, as in: rifles OR carbines")
                pending_or = True
                continue
            if raw in ("AND", "+"):
                continue
            negated = raw.startswith("-") and len(raw) > 1
            word, prefix = _clean_word(raw[1:] if negated else raw)
            if not word:
                continue
            if prefix and len(word) < 3:
                raise QuerySyntaxError(f"a prefix search needs at least 3 characters before '*': {raw!r}")
            term = Term(text=word, prefix=prefix)
        if negated:
            if pending_or:
                raise QuerySyntaxError("an exclusion cannot be part of an OR")
            query.none_of.append(term)
        elif pending_or:
            query.all_of[-1].append(term)
            pending_or = False
        else:
            query.all_of.append([term])
        if len(query.positive_terms()) + len(query.none_of) > MAX_TERMS:
            raise QuerySyntaxError(f"too many terms (the limit is {MAX_TERMS})")
    if pending_or:
        raise QuerySyntaxError("OR must stand between two terms, as in: rifles OR carbines")
    if query.since and query.until and query.since > query.until:
        raise QuerySyntaxError("since: is after until:")
    return query


def canonical_query(text: str, canonical: Callable[[str, str], str] | None = None) -> Query:
    """`text` parsed, with filter values named as documents store them ("country:Iran" -> IR,
    "weapon:ak47" -> AK-47, "actor:rebels" -> rebel): what a search and a saved alert both run.

    `canonical` defaults to the entity gazetteer's `canonicalize_filter`, imported only when the
    query has filters (a words-only query loads neither the gazetteers nor spaCy).
    """
    query = parse_query(text)
    if not query.filters:
        return query
    if canonical is None:
        from extractors.entities.filters import canonicalize_filter

        canonical = canonicalize_filter
    return query.resolved(canonical)


def _add_filter(query: Query, name: str, value: str, negated: bool) -> None:
    value = value.strip()
    if not value:
        raise QuerySyntaxError(f"{name}: needs a value, as in {name}:value")
    if name in DATE_FILTERS:
        if negated:
            raise QuerySyntaxError(f"-{name}: cannot be negated")
        setattr(query, name, _parse_date(name, value))
        return
    if name not in FILTER_FIELDS:
        known = ", ".join(f"{key}:" for key in (*FILTER_FIELDS, *DATE_FILTERS))
        raise QuerySyntaxError(f"unknown filter {name}: (known filters: {known})")
    values = [part.strip() for part in value.split(",") if part.strip()]
    query.filters.append(Filter(name=name, values=values, negated=negated))
