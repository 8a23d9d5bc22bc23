"""HTML for the search page. Every value from the index is escaped here, except snippets, which
the backends return escaped with only <mark> tags added."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode, urlsplit

from index.query import DEFAULT_FACETS, FILTER_FIELDS, SearchResult

#: facet name -> the query filter that narrows to one of its values (the filter over the facet's field)
FACET_FILTERS = {
    facet: next(name for name, fields in FILTER_FIELDS.items() if field in fields)
    for facet, field in DEFAULT_FACETS.items()
}
STYLE = """body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430}header{background:#1d2430;color:#fff;padding:12px 24px}
form{display:flex;gap:8px}input[name=q]{flex:1;padding:6px 8px;font-size:15px}main{display:flex;gap:32px;padding:16px 24px}
.hits{flex:3}.facets{flex:1;font-size:13px}.hit{margin-bottom:18px}.hit a.title{font-size:17px;color:#0b4f9c}
.meta{color:#5b6472;font-size:12px}mark{background:#ffe27a}.error{color:#a40000;padding:12px 24px}h3{margin:14px 0 4px}"""


def _link(query: str, sort: str, **extra: str) -> str:
    return "/?" + urlencode({"q": query, "sort": sort, **extra})


def _safe_href(url: str) -> str:
    return escape(url) if urlsplit(url).scheme in ("http", "https") else "#"


def render_page(query: str, sort: str, result: SearchResult | None, error: str | None) -> str:
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>OSINT search</title><style>{STYLE}</style></head><body>",
        "<header><form method='get' action='/'>",
        f"<input name='q' value='{escape(query)}' placeholder='kornet country:Syria since:2024' autofocus>",
        f"<select name='sort'><option value='relevance'>relevance</option><option value='date'{' selected' if sort == 'date' else ''}>newest</option></select>",
        "<button>Search</button></form></header>",
    ]
    if error:
        parts.append(f"<p class='error'>{escape(error)}</p>")
    if result is not None:
        parts.extend(f"<p class='error' role='status'>{escape(warning)}</p>" for warning in result.warnings)
        parts.append(f"<main><section class='hits'><p>{result.total} documents</p>")
        for hit in result.hits:
            published = hit.published.date().isoformat() if hit.published else "undated"
            parts.append(
                f"<div class='hit'><a class='title' rel='noopener noreferrer nofollow' href='{_safe_href(hit.url)}'>"
                f"{escape(hit.title or hit.url)}</a><div class='meta'>{escape(hit.url)} · {published} · "
                f"{escape(hit.language)} · {escape(hit.source_id)}{f' · page {hit.page}' if hit.page else ''}</div><div>{hit.snippet}</div></div>"
            )
        if result.next_cursor:
            parts.append(
                f"<a href='{escape(_link(query, sort, after=json.dumps(result.next_cursor)))}'>More results</a>"
            )
        parts.append("</section><aside class='facets'>")
        for name, values in result.facets.items():
            if not values:
                continue
            parts.append(f"<h3>{escape(name.replace('_', ' '))}</h3>")
            for value, count in values:
                narrowed = f'{query} {FACET_FILTERS.get(name, name)}:"{value}"'.strip()
                parts.append(f"<div><a href='{escape(_link(narrowed, sort))}'>{escape(value)}</a> ({count})</div>")
        if result.histogram:
            parts.append("<h3>published</h3>" + "".join(f"<div>{escape(b)}: {c}</div>" for b, c in result.histogram))
        parts.append("</aside></main>")
    parts.append("</body></html>")
    return "".join(parts)
