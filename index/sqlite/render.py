"""The query tree rendered for the embedded index: FTS5 MATCH expressions and SQL conditions.

Only the structure from index/query.py is rendered, never the analyst's raw text: every word
becomes an FTS5 string (double-quoted, inner quotes doubled) under an explicit column filter,
and every filter value is a bound SQL parameter.

A word matches its exact form in title/text, its Snowball stem in the stem columns for each
language the search covers (stems carry their language, "fr_fusil", so French inflections only
match French documents), and, when it is a designation, its folded key in the designations column.
Subtrees of words alone become one MATCH expression; filters, and words mixed with filters under
OR or NOT, become SQL conditions on the document's rowid.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from index.analysis import designation_key, prefixed, stem, stem_language, stem_token, words
from index.query import And, Filter, Near, Node, Not, Or, Query, Term
from index.sqlite.schema import AUTHOR_PREFIX, URL_PREFIX, facet_key

#: text field -> (exact FTS columns, stem FTS columns, the prefix of its tokens)
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "": (("title", "text"), ("title_stem", "text_stem"), ""),
    "title": (("title",), ("title_stem",), ""),
    "text": (("text",), ("text_stem",), ""),
    "author": (("author",), (), AUTHOR_PREFIX),
    "url": (("url",), (), URL_PREFIX),
}

#: (word, most edits or None for by-length, FTS columns, token prefix) -> the indexed tokens it stands for
FuzzyExpander = Callable[[str, int | None, Sequence[str], str], list[str]]


def fts_string(text: str) -> str:
    """Text as an FTS5 string. The tokenizer splits it, so "ak-47" becomes the phrase ak 47."""
    return '"' + text.replace('"', '""') + '"'


def _columns(names: Sequence[str]) -> str:
    return "{" + " ".join(names) + "}"


#: the script of each stemmed language's words, when not Latin (unicodedata's name prefix)
_SCRIPTS = {"ar": "ARABIC", "ru": "CYRILLIC", "el": "GREEK", "hi": "DEVANAGARI", "hy": "ARMENIAN"}


def script_matches(tokens: list[str], code: str) -> bool:
    """Whether any letter of `tokens` is in the script `code`'s language is written in."""
    script = _SCRIPTS.get(code, "LATIN")
    return any(char.isalpha() and unicodedata.name(char, "").startswith(script) for token in tokens for char in token)


def _any(expressions: list[str]) -> str:
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"


@dataclass
class Renderer:
    """Renders terms for the stems of `languages` (codes of index/analysis.SNOWBALL_LANGUAGES)."""

    languages: Sequence[str]
    expand_fuzzy: FuzzyExpander
    _fuzzy: dict[tuple[str, int | None, str], list[str]] = field(default_factory=dict)

    # -- FTS5 expressions
    def term(self, term: Term) -> str:
        scope = term.fields[0] if term.fields else ""
        exact, stemmed, prefix = _FIELDS[scope]
        form = prefixed(words(term.text), prefix) if prefix else term.text
        if term.mode == "prefix":
            return f"{_columns(exact)}: {fts_string(form)}*"
        if term.mode == "fuzzy":
            return f"{_columns(exact)}: {_any([fts_string(token) for token in self.fuzzy_words(term)])}"
        if term.mode != "word" or not stemmed:
            return f"{_columns(exact)}: {fts_string(form)}"
        stems = [fts_string(" ".join(tokens)) for tokens in self.stems(words(term.text))]
        if scope:
            return _any([f"{_columns(exact)}: {fts_string(form)}", *(f"{_columns(stemmed)}: {s}" for s in stems)])
        # Unscoped, a word needs no column filter (every other column holds prefixed tokens or
        # designation keys): FTS5 then scores it at half the cost.
        options = [fts_string(form), *stems]
        key = designation_key(term.text)
        if key and words(term.text) != [key]:  # (as one word, the key is the word itself)
            options.append(f"designations: {fts_string(key)}")
        return _any(options)

    def stems(self, tokens: list[str]) -> Iterator[list[str]]:
        """The tokens' stem tokens in each language whose stems can add a match.

        A stemmer leaves words of another script as they are: their stems then only match what
        the exact columns match already, so that language is left out of the expression."""
        for code in self.languages:
            stems = [stem(token, code) for token in tokens]
            if stems != tokens or script_matches(tokens, code):
                yield [stem_token(item, code) for item in stems]

    def fuzzy_words(self, term: Term) -> list[str]:
        exact, _, prefix = _FIELDS[term.fields[0] if term.fields else ""]
        key = (term.text, term.edits, exact[0])
        if key not in self._fuzzy:
            self._fuzzy[key] = self.expand_fuzzy(term.text, term.edits, exact, prefix) or [prefix + term.text]
        return self._fuzzy[key]

    def near(self, near: Near) -> str:
        exact, stemmed, prefix = _FIELDS[near.fields[0] if near.fields else ""]
        groups = [words(word) for word in near.words]
        # FTS5 counts the words of the phrases between the first and the last; the engine's
        # max_gaps (and the analyst) only the words between them all
        sizes = sorted(len(group) or 1 for group in groups)
        distance = near.distance + sum(sizes[:-2])  # (exact for one-word terms; for phrases, the least)
        phrases = " ".join(
            fts_string(prefixed(group, prefix) if prefix else word)
            for group, word in zip(groups, near.words, strict=True)
        )
        options = [f"{_columns(exact)}: NEAR({phrases}, {distance})"]
        if stemmed:
            flat = [token for group in groups for token in group]
            for stems in self.stems(flat):
                stem_of = dict(zip(flat, stems, strict=True))
                phrases = " ".join(fts_string(" ".join(stem_of[token] for token in group)) for group in groups)
                options.append(f"{_columns(stemmed)}: NEAR({phrases}, {distance})")
        return _any(options)

    def fts(self, node: Node) -> str | None:
        """`node` as one MATCH expression, or None when FTS5 cannot say it (filters, a lone NOT)."""
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Near):
            return self.near(node)
        if isinstance(node, Or):
            parts = [self.fts(child) for child in node.children]
            return None if any(part is None for part in parts) else "(" + " OR ".join(p for p in parts if p) + ")"
        if isinstance(node, And):
            positive = [self.fts(child) for child in node.children if not isinstance(child, Not)]
            negative = [self.fts(child.child) for child in node.children if isinstance(child, Not)]
            if not positive or any(part is None for part in positive + negative):
                return None
            expression = "(" + " AND ".join(p for p in positive if p) + ")"
            return f"({expression} NOT {_any([n for n in negative if n])})" if negative else expression
        return None

    # -- SQL conditions on documents `d`
    def condition(self, node: Node) -> tuple[str, list[object]]:
        expression = self.fts(node)
        if expression is not None:
            return "d.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [expression]
        if isinstance(node, Filter):
            return _filter_condition(node)
        if isinstance(node, Not):
            sql, params = self.condition(node.child)
            return f"NOT {sql}", params
        if isinstance(node, And | Or):
            parts = [self.condition(child) for child in node.children]
            joiner = " AND " if isinstance(node, And) else " OR "
            return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]
        raise TypeError(f"cannot render {type(node).__name__}")  # Term and Near always render to FTS

    def scoring(self, query: Query) -> str | None:
        """Every word that can make a document match, as one expression to rank and highlight with."""
        parts = [self.fts(node) for node in query.text_nodes()]
        return _any([part for part in parts if part]) if parts else None


def _filter_condition(node: Filter) -> tuple[str, list[object]]:
    fields, values = node.fields, [facet_key(value) for value in node.values]
    sql = (
        "d.rowid IN (SELECT f.doc_id FROM facets f WHERE f.value_id IN (SELECT id FROM facet_values"
        f" WHERE field IN ({', '.join('?' * len(fields))}) AND value_lower IN ({', '.join('?' * len(values))})))"
    )
    return sql, [*fields, *values]


@dataclass
class Plan:
    """How one search runs: documents `d`, joined to fts when `match` is set (then ranked by it)."""

    query: Query
    match: str | None
    conditions: list[str]
    params: list[object]
    #: a separate ranking expression when the words sit under OR with a filter
    score_match: str | None


def plan(query: Query, renderer: Renderer) -> Plan:
    root = query.where
    children = root.children if isinstance(root, And) else [root] if root is not None else []
    fts_parts: list[str] = []
    fts_negated: list[str] = []
    conditions: list[str] = []
    params: list[object] = []
    for child in children:
        target = child.child if isinstance(child, Not) else child
        expression = renderer.fts(target)
        if expression is not None and not isinstance(child, Not):
            fts_parts.append(expression)
        elif expression is not None:
            fts_negated.append(expression)
        else:
            sql, values = renderer.condition(child)
            conditions.append(sql)
            params.extend(values)
    match = None
    if fts_parts:
        match = " AND ".join(fts_parts)
        if fts_negated:
            match = f"({match}) NOT {_any(fts_negated)}"
    elif fts_negated:  # FTS5 NOT needs a positive side: exclude the matches of the negatives
        conditions.append("d.rowid NOT IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
        params.append(_any(fts_negated))
    score_match = None if match is not None else renderer.scoring(query)
    return Plan(query, match, conditions, params, score_match)


def indexed_languages(connection: sqlite3.Connection) -> list[str]:
    """The stemmed languages of the documents in the index (a query is stemmed for each)."""
    rows = connection.execute("SELECT value FROM facet_values WHERE field = 'language'").fetchall()
    return sorted({code for (value,) in rows if (code := stem_language(value))})


def query_languages(query: Query, connection: sqlite3.Connection) -> list[str]:
    """The languages to stem for: those a top-level lang: filter names, else all in the index."""
    root = query.where
    children = root.children if isinstance(root, And) else [root] if root is not None else []
    named: list[str] = []
    for child in children:
        options = child.children if isinstance(child, Or) else [child]
        if all(isinstance(option, Filter) and option.name == "lang" for option in options):
            named.extend(value for option in options if isinstance(option, Filter) for value in option.values)
    if named:
        return sorted({code for value in named if (code := stem_language(value))})
    return indexed_languages(connection)
