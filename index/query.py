"""The analyst query, parsed (index/syntax.py) into one tree that every backend renders safely.

A Query is a boolean tree of terms, proximity groups and filters (`where`), plus a date range
and, for alerts, a set of document ids. Nothing the user types reaches an engine as query
syntax: backends only ever see this structure, and quote or escape every term themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

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
MAX_DEPTH = 10
MAX_QUERY_CHARS = 2000


class QuerySyntaxError(ValueError):
    """A malformed analyst query; the message is meant for the analyst (with the column, when known)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.column = column
        super().__init__(f"near column {column}: {message}" if column else message)


#: Text fields a term can be scoped to (title:, text:, author:, url:); no field means title and text.
TextField = Literal["title", "text", "author", "url"]
TEXT_FIELDS: tuple[str, ...] = ("title", "text", "author", "url")
#: How a term matches: a word (exact form or any inflection, and every written form of a
#: designation), a phrase or =word (exact forms only), a prefix, or a fuzzy word (misspellings).
TermMode = Literal["word", "phrase", "exact", "prefix", "fuzzy"]


class Term(BaseModel):
    kind: Literal["term"] = "term"
    text: str  # one or more words; several words are matched as a phrase
    mode: TermMode = "word"
    edits: int | None = None  # fuzzy: the most edits allowed; None: by length (0, 1 or 2)
    fields: tuple[TextField, ...] = ()


class Near(BaseModel):
    """Every word within `distance` words of the others, in any order, in one field."""

    kind: Literal["near"] = "near"
    words: list[str]
    distance: int
    fields: tuple[TextField, ...] = ()


class Filter(BaseModel):
    kind: Literal["filter"] = "filter"
    name: str  # a key of FILTER_FIELDS
    values: list[str]  # any of these

    @property
    def fields(self) -> tuple[str, ...]:
        return FILTER_FIELDS[self.name]


class And(BaseModel):
    kind: Literal["and"] = "and"
    children: list[Node]


class Or(BaseModel):
    kind: Literal["or"] = "or"
    children: list[Node]


class Not(BaseModel):
    kind: Literal["not"] = "not"
    child: Node


Node = Annotated[Term | Near | Filter | And | Or | Not, Field(discriminator="kind")]
for _model in (And, Or, Not):
    _model.model_rebuild()


def walk(node: Node | None, negated: bool = False) -> Iterator[tuple[Node, bool]]:
    """Every node under `node` (itself first), with whether an odd number of NOTs sits above it."""
    if node is None:
        return
    yield node, negated
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child, negated)
    elif isinstance(node, Not):
        yield from walk(node.child, not negated)


def transform(node: Node, change: Callable[[Node], Node]) -> Node:
    """A copy of the tree, bottom-up, each node replaced by `change(node)`."""
    if isinstance(node, And | Or):
        node = node.model_copy(update={"children": [transform(child, change) for child in node.children]})
    elif isinstance(node, Not):
        node = node.model_copy(update={"child": transform(node.child, change)})
    return change(node)


def is_text(node: Node) -> bool:
    return isinstance(node, Term | Near)


class Query(BaseModel):
    where: Node | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: list[str] | None = None  # only these document ids (alerts match a saved query on new documents)

    @property
    def has_text(self) -> bool:
        """Whether any search words count towards a match (ranking needs them)."""
        return any(is_text(node) and not negated for node, negated in walk(self.where))

    def text_nodes(self) -> list[Term | Near]:
        """The terms and proximity groups that can make a document match (not those under NOT)."""
        return [node for node, negated in walk(self.where) if isinstance(node, Term | Near) and not negated]

    def filters(self) -> list[Filter]:
        return [node for node, _ in walk(self.where) if isinstance(node, Filter)]

    def resolved(self, canonical: Callable[[str, str], str]) -> Query:
        """A copy whose filter values are named by `canonical(filter, value)`, so "country:Iran"
        matches the stored code IR. Every filter goes through `canonical`, which decides which
        names denote entities and returns the values of the others unchanged (the gazetteer's
        `canonicalize_filter` is the one list of entity filters)."""

        def rename(node: Node) -> Node:
            if isinstance(node, Filter):
                return node.model_copy(update={"values": [canonical(node.name, value) for value in node.values]})
            return node

        if self.where is None:
            return self
        return self.model_copy(update={"where": transform(self.where, rename)})

    def expanded(self, entities: Callable[[str], list[tuple[str, list[str]]]]) -> Query:
        """A copy in which each plain word also matches the entities it names: `entities(word)`
        gives (filter name, stored values) pairs, e.g. "ISIS" -> [("group", ["Islamic State"])]."""

        def expand(node: Node) -> Node:
            if isinstance(node, Term) and node.mode == "word" and not node.fields:
                found = entities(node.text)
                if found:
                    return Or(children=[node, *(Filter(name=name, values=values) for name, values in found)])
            return node

        if self.where is None:
            return self
        return self.model_copy(update={"where": transform(self.where, expand)})


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
    #: for the analyst: filter values nothing is known by, with suggestions (never an error)
    warnings: list[str] = Field(default_factory=list)
    #: the query as it was run, when it was expanded (--expand)
    explain: str | None = None


def parse_query(text: str) -> Query:
    """Parse the analyst syntax (index/syntax.py). Raises QuerySyntaxError with a message for the analyst."""
    from index.syntax import parse

    return parse(text)


def canonical_query(text: str, canonical: Callable[[str, str], str] | None = None) -> Query:
    """`text` parsed, with filter values named as documents store them ("country:Iran" -> IR,
    "weapon:ak47" -> AK-47, "actor:rebels" -> rebel): what a search and a saved alert both run.

    `canonical` defaults to the entity gazetteer's `canonicalize_filter`, imported only when the
    query has filters (a words-only query loads neither the gazetteers nor spaCy).
    """
    query = parse_query(text)
    if not query.filters():
        return query
    if canonical is None:
        from extractors.entities.filters import canonicalize_filter

        canonical = canonicalize_filter
    return query.resolved(canonical)
