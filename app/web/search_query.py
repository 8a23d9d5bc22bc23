"""The query a search URL runs (`effective_query`): its parameters made one query in the analyst
syntax, which goes through app/searching.py like any typed query. Nothing from the URL reaches an
index as raw syntax, and "save as alert" and "export" carry exactly the query the page ran."""

from __future__ import annotations

from collections.abc import Iterable

from app.web.search_params import SearchParams
from index.query import FILTER_FIELDS, And, Filter, Node, Not, Query, QuerySyntaxError
from index.syntax import date_param, parse, unparse


def filter_param(text: str) -> tuple[str, str]:
    """("country", "IR") for "country:IR", or QuerySyntaxError (a hand-edited or outdated link)."""
    name, colon, value = text.partition(":")
    name, value = name.strip().lower(), value.strip()
    if not colon or name not in FILTER_FIELDS or not value:
        raise QuerySyntaxError(
            f"{text!r} is not a filter: a filter is name:value, the names {', '.join(FILTER_FIELDS)}"
        )
    return name, value


def all_of(nodes: Iterable[Node | None]) -> Node | None:
    """The nodes ANDed, nested ANDs flattened (as the parser builds them), or None for none."""
    flat: list[Node] = []
    for node in nodes:
        if node is not None:
            flat.extend(node.children if isinstance(node, And) else [node])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(children=flat)


def _added_text(params: SearchParams) -> str:
    """The URL's filters and dates in the analyst syntax: several values of one filter are
    alternatives (`country:(IR OR SY)`), each excluded value a NOT of its own."""
    included: dict[str, list[str]] = {}
    for text in params.include:
        name, value = filter_param(text)
        included.setdefault(name, []).append(value)
    nodes: list[Node] = [Filter(name=name, values=values) for name, values in included.items()]
    for text in params.exclude:
        name, value = filter_param(text)
        nodes.append(Not(child=Filter(name=name, values=[value])))
    since, until = date_param("since", params.since), date_param("until", params.until)
    return unparse(Query(where=all_of(nodes), since=since, until=until))


def effective_query(params: SearchParams) -> str:
    """The query the page runs, in the analyst syntax: `q` and the URL's filters and dates (which
    replace dates typed in `q`). Raises QuerySyntaxError for a query or a parameter that is not
    usable; errors in `q` name its own columns.

    The filters are appended to `q` as typed when that reads back as intended, so the saved
    alert or export shows the analyst's own words; a `q` that would change meaning with text
    after it (`rifles or`, an unclosed quote) is put in parentheses, or, failing that, rewritten."""
    typed = parse(params.q)
    added_text = _added_text(params)
    if not added_text:
        return params.q.strip()
    added = parse(added_text)
    intended = Query(
        where=all_of([typed.where, added.where]), since=added.since or typed.since, until=added.until or typed.until
    )
    if intended.since and intended.until and intended.since > intended.until:
        raise QuerySyntaxError("since: is after until:")
    if not params.q.strip():
        return added_text
    for text in (f"{params.q.strip()} {added_text}", f"({params.q.strip()}) {added_text}", unparse(intended)):
        try:
            if parse(text) == intended:
                return text
        except QuerySyntaxError:
            continue
    raise QuerySyntaxError("the query cannot be combined with the filters: remove them or rewrite the query")
