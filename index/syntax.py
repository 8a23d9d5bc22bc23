"""The analyst query language, parsed by recursive descent into index/query.py's tree.

Grammar (operators are case-insensitive; OR binds tighter than AND, as in web search engines,
so ``kornet Syria OR Iraq`` is kornet AND (Syria OR Iraq); parentheses say anything else)::

    query    := and_expr
    and_expr := or_expr ( [AND] or_expr )*          juxtaposition is AND
    or_expr  := unary ( OR unary )*
    unary    := ( NOT | "-" ) unary | primary
    primary  := "(" and_expr ")" | NEAR "(" words [ "," N ] ")" | field ":" value
              | '"' words '"' [ "~" N ] | "=" word | word [ "*" | "~" [ N ] ]
    value    := "(" and_expr ")" | '"' words '"' | bare        (bare: a,b means either)

A lower-case operator that does not stand between two terms is a word ("rock and"); an
upper-case one there is an error. Errors name the column they were found at.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from index.query import (
    DATE_FILTERS,
    FILTER_FIELDS,
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    TEXT_FIELDS,
    And,
    Filter,
    Near,
    Node,
    Not,
    Or,
    Query,
    QuerySyntaxError,
    Term,
)

DEFAULT_NEAR = 10
MAX_NEAR = 100
MIN_PREFIX = 3

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<near>(?i:near)\()
  | (?P<field>[A-Za-z_]+):
  | (?P<neg>[-!])(?=[^\s-])
  | (?P<eq>=)(?=[^\s=])
  | \+(?=\S)
  | (?P<phrase>"(?P<words>[^"]*)(?P<closed>"?)(?:~(?P<slop>\d+))?)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_OPERATORS = {"and": "AND", "&&": "AND", "or": "OR", "||": "OR", "not": "NOT"}
_WORD_CHARS = re.compile(r"[^\w'’.-]+", re.UNICODE)
_SUFFIX = re.compile(r"(?P<body>.*?)(?:(?P<star>\*)|~(?P<edits>\d*))?", re.DOTALL)
_DESIGNATION_LETTERS = re.compile(r"[A-Z]{1,4}")
_DESIGNATION_NUMBER = re.compile(r"\d{1,3}(?:[^\W\d_][^\W_]*)?")  # as index/analysis.SPACED_DESIGNATION
_DATE = re.compile(r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?")
MAX_FUZZY = 8  # fuzzy words per query: each is looked up in the vocabulary


@dataclass
class _Token:
    kind: str  # lparen rparen near field phrase word op neg eq end
    text: str
    column: int  # 1-based
    value: str = ""  # op: AND/OR/NOT; phrase: the words; field: the name
    slop: str | None = None
    closed: bool = True


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # unreachable: every character matches some alternative
            raise QuerySyntaxError("cannot read the query here", position + 1)
        kind = match.lastgroup or ""
        column = position + 1
        position = match.end()
        raw = match.group()
        if match["space"] is not None:
            continue
        if match["phrase"] is not None:
            tokens.append(
                _Token("phrase", raw, column, value=match["words"], slop=match["slop"], closed=bool(match["closed"]))
            )
        elif match["field"] is not None:
            tokens.append(_Token("field", raw, column, value=match["field"].lower()))
        elif match["word"] is not None:
            tokens.append(_word_token(raw, column))
        elif kind:  # a "+" before a term has no name: it changes nothing
            tokens.append(_Token(kind, raw, column))
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def _word_token(raw: str, column: int) -> _Token:
    operator = _OPERATORS.get(raw.lower()) or ("NOT" if raw == "!" else None)
    return _Token("op", raw, column, value=operator) if operator else _Token("word", raw, column)


def _clean(raw: str) -> str:
    """A typed word as searchable text: separators other than ' ’ . - become spaces."""
    return " ".join(_WORD_CHARS.sub(" ", raw).strip(" .-'’").split())


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.query = Query()
        self.terms = 0
        self.depth = 0
        self.guarded = 0  # OR / NOT levels above the current token: since:/until: cannot be there
        self.fuzzy = 0

    # -- the token stream
    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> _Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.token
        self.index += 1
        return token

    def is_operator(self, name: str) -> bool:
        """An operator here; a lower-case one that no term follows is read as a word ("rifles or")."""
        token = self.token
        if token.kind != "op" or token.value != name:
            return False
        return not token.text.islower() or self.starts_operand(self.peek())

    def starts_operand(self, token: _Token | None = None) -> bool:
        token = token or self.token
        return token.kind not in ("end", "rparen") and not (token.kind == "op" and token.value in ("AND", "OR"))

    # -- grammar
    def parse(self) -> Query:
        node = self.and_expr()
        if self.token.kind == "rparen":
            raise QuerySyntaxError("unexpected closing parenthesis", self.token.column)
        self.query.where = node
        if self.query.since and self.query.until and self.query.since > self.query.until:
            raise QuerySyntaxError("since: is after until:")
        return self.query

    def and_expr(self, field: str | None = None) -> Node | None:
        children: list[Node] = []
        while self.token.kind not in ("end", "rparen"):
            token = self.token
            if token.kind == "op" and token.value in ("AND", "OR"):
                if token.value == "AND" and children and self.starts_operand(self.peek()):
                    self.advance()
                    continue
                if not token.text.islower():
                    raise QuerySyntaxError(
                        f"{token.value} must stand between two terms, as in: rifles {token.value} carbines",
                        token.column,
                    )
                token.kind = "word"  # "and rifles", "or": a word after all
            node = self.or_expr(field)
            if node is not None:
                children.append(node)
        return _combine(And, children)

    def or_expr(self, field: str | None) -> Node | None:
        first = self.unary(field)
        options = [first] if first is not None else []
        while self.is_operator("OR"):
            token = self.advance()
            if not options or not self.starts_operand():
                raise QuerySyntaxError("OR must stand between two terms, as in: rifles OR carbines", token.column)
            self.guarded += 1
            option = self.unary(field)
            self.guarded -= 1
            if option is not None:
                options.append(option)
        return _combine(Or, options)

    def unary(self, field: str | None) -> Node | None:
        if self.token.kind == "neg" or self.is_operator("NOT"):
            token = self.advance()
            if not self.starts_operand():
                raise QuerySyntaxError(f"{token.text} needs a term after it, as in: rifles NOT airsoft", token.column)
            self.guarded += 1
            self.enter(token)
            child = self.unary(field)
            self.depth -= 1
            self.guarded -= 1
            return Not(child=child) if child is not None else None
        return self.primary(field)

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"the query nests too deeply (the limit is {MAX_DEPTH} levels)", token.column)

    def group(self, opening: _Token, field: str | None) -> Node | None:
        """What stands between `opening` (a parenthesis, already read) and its closing one."""
        self.enter(opening)
        node = self.and_expr(field)
        self.depth -= 1
        if self.token.kind != "rparen":
            raise QuerySyntaxError("unclosed parenthesis", opening.column)
        self.advance()
        return node

    def primary(self, field: str | None) -> Node | None:
        token = self.advance()
        if token.kind == "lparen":
            return self.group(token, field)
        if token.kind == "near":
            return self.near(token, field)
        if token.kind == "field":
            return self.fielded(token, field)
        if token.kind == "phrase":
            return self.phrase(token, field)
        if token.kind == "eq":
            word = self.advance()
            if word.kind != "word":
                raise QuerySyntaxError("= takes a word, as in =rifle", token.column)
            return self.term(_clean(word.text), "exact", field, word.column)
        if token.kind == "word" or token.kind == "op":
            return self.word(token, field)
        if token.kind == "rparen":
            raise QuerySyntaxError("unexpected closing parenthesis", token.column)
        raise QuerySyntaxError(f"unexpected {token.text!r}", token.column)  # neg/eq handled above

    def word(self, token: _Token, field: str | None) -> Node | None:
        if field in FILTER_FIELDS:
            return self.filter_values(field, token.text, token.column)
        parts = _SUFFIX.fullmatch(token.text)
        assert parts is not None  # the pattern matches any text
        text = _clean(parts["body"])
        if not text:
            return None
        if parts["star"]:
            if " " in text:
                raise QuerySyntaxError(f"a prefix search takes one word: {token.text!r}", token.column)
            if len(text) < MIN_PREFIX:
                raise QuerySyntaxError(
                    f"a prefix search needs at least {MIN_PREFIX} characters before '*': {token.text!r}", token.column
                )
            return self.term(text, "prefix", field, token.column)
        if parts["edits"] is not None:
            edits = int(parts["edits"]) if parts["edits"] else None
            if edits is not None and edits > 2:
                raise QuerySyntaxError(f"a fuzzy word allows at most 2 edits: {token.text!r}", token.column)
            if " " in text:
                raise QuerySyntaxError(f"a fuzzy search takes one word: {token.text!r}", token.column)
            self.fuzzy += 1
            if self.fuzzy > MAX_FUZZY:
                raise QuerySyntaxError(f"too many fuzzy words (the limit is {MAX_FUZZY})", token.column)
            return self.term(text, "fuzzy", field, token.column, edits)
        following = self.token
        if (
            _DESIGNATION_LETTERS.fullmatch(parts["body"])
            and following.kind == "word"
            and _DESIGNATION_NUMBER.fullmatch(following.text)
            and following.column == token.column + len(token.text) + 1
        ):  # "AK 47", "RPG 7": one designation, as the index reads it (not "NATO 2024")
            self.advance()
            text = f"{text} {_clean(following.text)}"
        return self.term(text, "word", field, token.column)

    def phrase(self, token: _Token, field: str | None) -> Node | None:
        if not token.closed:
            raise QuerySyntaxError('a phrase is missing its closing quote (")', token.column)
        if field in FILTER_FIELDS:
            return self.filter_values(field, token.value, token.column, split=False)
        words = _clean(token.value)
        if not words:
            return None
        if token.slop is not None:
            return self.near_words(words.split(), int(token.slop), field, token.column)
        return self.term(words, "phrase", field, token.column)

    def near(self, token: _Token, field: str | None) -> Node | None:
        if field in FILTER_FIELDS:
            raise QuerySyntaxError(f"NEAR cannot be a value of {field}:", token.column)
        words: list[str] = []
        distance = DEFAULT_NEAR
        while self.token.kind not in ("rparen", "end"):
            item = self.advance()
            if item.kind == "word" and "," in item.text:  # "sudan," or "sudan,10" or ",10"
                head, _, tail = item.text.partition(",")
                words.extend(_clean(head).split())
                distance = self.near_distance(tail or self.advance().text, item.column)
                break
            if item.kind not in ("word", "op"):
                raise QuerySyntaxError(
                    "NEAR takes words, then a comma and a distance: NEAR(kornet sudan, 10)", item.column
                )
            words.extend(_clean(item.text).split())
        if self.token.kind != "rparen":
            raise QuerySyntaxError("unclosed parenthesis", token.column)
        self.advance()
        if not words:
            raise QuerySyntaxError("NEAR needs words: NEAR(kornet sudan, 10)", token.column)
        return self.near_words(words, distance, field, token.column)

    def near_distance(self, text: str, column: int) -> int:
        if not text.strip().isdigit():
            raise QuerySyntaxError(f"NEAR's distance must be a number, got {text!r}", column)
        distance = int(text)
        if distance > MAX_NEAR:
            raise QuerySyntaxError(f"a proximity distance is at most {MAX_NEAR} words", column)
        return distance

    def near_words(self, words: list[str], distance: int, field: str | None, column: int) -> Node:
        self.near_distance(str(distance), column)
        self.count(len(words), column)
        fields = _text_fields(field)
        if len(words) == 1:
            return Term.model_validate({"text": words[0], "fields": fields})
        return Near.model_validate({"words": words, "distance": distance, "fields": fields})

    def fielded(self, token: _Token, outer: str | None) -> Node | None:
        name = token.value
        if outer is not None:
            raise QuerySyntaxError(f"{name}: cannot stand inside {outer}:(...)", token.column)
        if name not in FILTER_FIELDS and name not in TEXT_FIELDS and name not in DATE_FILTERS:
            known = ", ".join(f"{key}:" for key in (*FILTER_FIELDS, *DATE_FILTERS, *TEXT_FIELDS))
            raise QuerySyntaxError(f"unknown field {name}: (known: {known})", token.column)
        value = self.token
        if value.column != token.column + len(token.text) or value.kind in ("end", "rparen"):
            raise QuerySyntaxError(f"{name}: needs a value, as in {name}:value", token.column)
        if name in DATE_FILTERS:
            self.advance()
            self.set_date(name, value.value if value.kind == "phrase" else value.text, token.column)
            return None
        if value.kind == "lparen":
            return self.group(self.advance(), name)
        if value.kind == "field":  # url:https://example.org/path: the rest of the run is the value
            return self.word(self.adjacent_run(), name)
        if value.kind in ("neg", "eq", "near"):
            raise QuerySyntaxError(f"{name}: needs a value, as in {name}:value", token.column)
        self.advance()
        if value.kind == "phrase":
            return self.phrase(value, name)
        return self.word(value, name)

    def adjacent_run(self) -> _Token:
        """The tokens from here that touch each other (no space between), read as one word."""
        first = self.advance()
        text = first.text
        while self.token.kind in ("field", "word") and self.token.column == first.column + len(text):
            text += self.advance().text
        return _Token("word", text, first.column)

    def filter_values(self, name: str, text: str, column: int, split: bool = True) -> Node | None:
        values = [part.strip() for part in (text.split(",") if split else [text]) if part.strip()]
        if not values:
            raise QuerySyntaxError(f"{name}: needs a value, as in {name}:value", column)
        self.count(len(values), column)
        return Filter(name=name, values=values)

    def term(self, text: str, mode: str, field: str | None, column: int, edits: int | None = None) -> Node | None:
        if not text:
            return None
        self.count(1, column)
        return Term.model_validate({"text": text, "mode": mode, "edits": edits, "fields": _text_fields(field)})

    def count(self, terms: int, column: int) -> None:
        self.terms += terms
        if self.terms > MAX_TERMS:
            raise QuerySyntaxError(f"too many terms (the limit is {MAX_TERMS})", column)

    def set_date(self, name: str, value: str, column: int) -> None:
        if self.guarded:
            raise QuerySyntaxError(f"{name}: applies to the whole query; it cannot stand inside OR or NOT", column)
        setattr(self.query, name, _parse_date(name, value, column))


def _text_fields(field: str | None) -> tuple[str, ...]:
    return (field,) if field in TEXT_FIELDS else ()


def _combine(kind: type[And] | type[Or], children: list[Node]) -> Node | None:
    """One node for `children`: nothing, the only child, or `kind` with nested `kind`s flattened."""
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else [child])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(children=flat)


def _parse_date(name: str, value: str, column: int | None) -> datetime:
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value.strip())
    if not match:
        raise QuerySyntaxError(f"{name}: expects a date like 2024, 2024-05 or 2024-05-17, got {value!r}", column)
    year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    end = name == "until"
    try:
        if not month:
            month, day = (12, 31) if end else (1, 1)
        elif not day:
            day = calendar.monthrange(year, month)[1] if end else 1
        moment = datetime(year, month, day, tzinfo=UTC)
    except ValueError as exc:
        raise QuerySyntaxError(f"{name}: {value!r} is not a valid date ({exc})", column) from None
    # the whole last day, to the millisecond both backends store dates with
    return moment.replace(hour=23, minute=59, second=59, microsecond=999_000) if end else moment


def date_param(name: str, value: str) -> datetime | None:
    """A date given on its own (a URL parameter, a command-line option) read as the filter `name`
    (since or until) reads it: a year, month or day's first moment, for until its last; None for
    none. Only a date is accepted: anything else is a QuerySyntaxError, never more syntax."""
    if not value:
        return None
    if not _DATE.fullmatch(value):
        raise QuerySyntaxError(f"{name} expects a date like 2024-05-17, 2024-05 or 2024, got {value!r}")
    return _parse_date(name, value, column=None)  # no query: no column to point at


def parse(text: str) -> Query:
    """Parse the analyst syntax. Raises QuerySyntaxError with a message for the analyst."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    return _Parser(text).parse()


def unparse(query: Query) -> str:
    """The query written back in the analyst syntax (what `--expand` shows it ran)."""
    parts = [_written(query.where, top=True)] if query.where is not None else []
    for name in DATE_FILTERS:
        moment = getattr(query, name)
        if moment is not None:
            parts.append(f"{name}:{moment.date().isoformat()}")
    return " ".join(parts)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', " ") + '"'


def _value(text: str) -> str:
    """A filter value as typed: bare when it reads back as itself, else quoted."""
    bare = re.fullmatch(r"[^\s\"(),:!=-][^\s\"(),:]*", text) and text.lower() not in _OPERATORS
    return text if bare else _quoted(text)


def _word(text: str) -> str:
    """Words of one term written as one word (they search as a phrase either way): "AK 47" -> AK-47."""
    if text.lower() in _OPERATORS:
        return f"({text})"  # an operator's word with nothing to join is a word again
    return "-".join(text.split())


def _written(node: Node, top: bool = False) -> str:
    if isinstance(node, Term):
        scope = f"{node.fields[0]}:" if node.fields else ""
        text = {
            "word": _word(node.text),
            "phrase": _quoted(node.text),
            "exact": f"={_word(node.text)}",
            "prefix": f"{node.text}*",
            "fuzzy": f"{node.text}~{node.edits if node.edits is not None else ''}",
        }[node.mode]
        return scope + text
    if isinstance(node, Near):
        scope = f"{node.fields[0]}:" if node.fields else ""
        return f"{scope}{_quoted(' '.join(node.words))}~{node.distance}"
    if isinstance(node, Filter):
        values = [_value(value) for value in node.values]
        return f"{node.name}:{values[0]}" if len(values) == 1 else f"{node.name}:({' OR '.join(values)})"
    if isinstance(node, Not):
        inner = _written(node.child)
        if isinstance(node.child, Term | Filter) and " OR " not in inner:
            return f"-{inner}"
        return f"NOT {inner}" if isinstance(node.child, And) else f"NOT ({inner})"
    if isinstance(node, Or):
        return " OR ".join(
            f"({_written(child)})" if isinstance(child, And) else _written(child) for child in node.children
        )
    text = " ".join(_written(child) for child in node.children)
    return text if top else f"({text})"
