"""Reading a watchlist's YAML within bounds, so no file can stall or crash the loader.

A watchlist is small (1,000 sources are about 150-250 KB and 20,000 values), but YAML lets a short
file ask for a lot: ten lines of nested aliases expand to a billion values ("billion laughs"),
900 levels of ``[`` exhaust Python's recursion limit, and ruamel.yaml's pure-Python parser
needs seconds per megabyte. So:

* the text is refused beyond `MAX_BYTES` before any parsing;
* nesting beyond `MAX_DEPTH` is refused while composing (ruamel's scanner and parser are
  iterative state machines; only the composer and what follows it recurse);
* explicit tags (``!!set``, ``!!python/object``, ``!custom``) are refused: a watchlist needs none;
* aliases stay allowed (a shared ``scope: *defaults`` is a real convenience), but every alias
  is counted at its expanded size and depth the moment it is read, and the document is refused
  once it would hold more than `MAX_VALUES` values or be nested deeper than `MAX_DEPTH`
  expanded. An alias inside the node it names (a cycle) is refused outright.

Every refusal, and every error ruamel lets escape without a position (a date that is no date such
as 2024-02-30, an integer of 5,000 digits, an escape beyond U+10FFFF), is a `WatchlistYAMLError`
carrying the 1-based line it concerns.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, MaxDepthExceededError
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import RoundTripScanner

#: 1 MiB: about 7,000 sources written compactly, 4 to 7 times a 1,000-source watchlist.
MAX_BYTES = 1 << 20
#: levels of nesting, aliases expanded; a watchlist needs 6 (sources > source > scope > allow > pattern).
MAX_DEPTH = 50
#: values (scalars, lists, mappings) in the document, aliases expanded: what 1 MiB of compact
#: sources holds (16 values each), 4 to 8 times a 1,000-source watchlist. ruamel's pure-Python
#: parser (the price of a line number for every error) spends about 0.1 ms per value: this bound
#: is also the worst case, about 12 CPU seconds.
MAX_VALUES = 120_000

_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


class WatchlistYAMLError(Exception):
    """Text that is not a watchlist's YAML, or asks for more than the bounds allow."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class _Refused(MarkedYAMLError):
    """Valid YAML a watchlist does not accept, raised inside ruamel so it carries the position."""


class _Unreadable(MarkedYAMLError):
    """A value or character ruamel could not read, with its position."""


class _BoundedComposer(Composer):
    """ruamel's composer, counting every value once per place it appears in the expanded document,
    and refusing explicit tags: strings, numbers, booleans, lists and mappings need none, while
    `!!set`, `!!binary`, `!!omap` or a `!!seq` put on a scalar reach ruamel constructors that fail
    in ways of their own (AttributeError, TypeError)."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.values = 0
        self._open_anchors: list[str] = []
        self._expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth), aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open_anchors:
                raise _Refused(
                    None, None, f"alias *{event.anchor} is inside the node it names (a cycle)", event.start_mark
                )
            node = super().compose_node(parent, index)
            values, depth = self._size(node)
            if self.depth + depth > MAX_DEPTH:
                raise _Refused(
                    None,
                    None,
                    f"alias *{event.anchor} nests the watchlist deeper than {MAX_DEPTH} levels",
                    event.start_mark,
                )
            self._count(values, event, f"alias *{event.anchor} expands the watchlist beyond {MAX_VALUES:,} values")
            return node
        if event.tag not in (None, "!"):
            tag = event.ctag.handle + event.ctag.suffix if event.ctag.handle else event.tag
            raise _Refused(
                None,
                None,
                f"YAML tags such as {tag} are not used in watchlists (quote the value instead)",
                event.start_mark,
            )
        self._count(1, event, f"the watchlist holds more than {MAX_VALUES:,} values")
        opens_collection = isinstance(event, CollectionStartEvent) and event.anchor is not None
        if opens_collection:
            self._open_anchors.append(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            if opens_collection:
                self._open_anchors.pop()

    def _count(self, values: int, event: Any, message: str) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            raise _Refused(None, None, message, event.start_mark)

    def _size(self, node: Node) -> tuple[int, int]:
        """(values, depth) of `node` with its aliases expanded. Nodes named by an alias were sized
        when that alias was read, so this only descends into the (depth-bounded) composed tree."""
        known = self._expanded.get(id(node))
        if known is not None:
            return known
        if isinstance(node, SequenceNode):
            children = [self._size(child) for child in node.value]
        elif isinstance(node, MappingNode):
            children = [self._size(part) for pair in node.value for part in pair]
        else:
            children = []
        size = (1 + sum(values for values, _ in children), 1 + max((depth for _, depth in children), default=0))
        self._expanded[id(node)] = size
        return size


class _MarkedScanner(RoundTripScanner):
    """Refuses deep flow nesting as it is read, and gives a position to the errors ruamel's
    scanner raises without one (chr() of a too-large escape)."""

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        # Each open `[`/`{` may start a simple key, and the scanner rechecks every pending one
        # per token: 900 levels cost a second before the composer ever sees the depth.
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(None, None, _TOO_DEEP, self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)

    def fetch_more_tokens(self) -> Any:
        try:
            return super().fetch_more_tokens()
        except (ValueError, OverflowError, ReaderError) as exc:
            raise _Unreadable(None, None, str(exc), self.reader.get_mark()) from None


class _MarkedConstructor(RoundTripConstructor):
    """Gives a position to the errors ruamel's constructors raise without one (int(), float(), dates;
    IndexError from its integer constructor on "-_", which the resolver takes for an integer)."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError, IndexError) as exc:
            raise _Unreadable(None, None, f"cannot read this value: {exc}", node.start_mark) from None


def _bounded_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.max_depth = MAX_DEPTH
    yaml.Composer = _BoundedComposer
    yaml.Scanner = _MarkedScanner
    yaml.Constructor = _MarkedConstructor
    return yaml


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise WatchlistYAMLError(
            1, f"the file is {size:,} bytes; a watchlist may be at most {MAX_BYTES:,} bytes (1 MiB)"
        )


def load_yaml(text: str) -> Any:
    """The round-trip YAML document in `text` (CommentedMap/CommentedSeq, with line numbers);
    raises WatchlistYAMLError."""
    check_size(len(text.encode("utf-8", "surrogatepass")))
    try:
        return _bounded_yaml().load(text)
    except MaxDepthExceededError as exc:
        raise WatchlistYAMLError(_line(exc), _TOO_DEEP) from None
    except _Refused as exc:
        raise WatchlistYAMLError(_line(exc), str(exc.problem)) from None
    except MarkedYAMLError as exc:
        raise WatchlistYAMLError(_line(exc), f"invalid YAML: {exc.problem or exc.context}") from None
    except ReaderError as exc:  # a character YAML does not allow, found before scanning began
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else 1
        raise WatchlistYAMLError(line, f"invalid YAML: {exc.reason} ({exc.character!r})") from None
    except YAMLError as exc:
        raise WatchlistYAMLError(1, f"invalid YAML: {exc}") from None


def _line(exc: MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 1
