"""Document metadata from an HTML page: title, authors, dates, declared language.

Precedence for every field is JSON-LD, then <meta> tags, then the page itself, because
structured data is written for machines and page text is only a guess.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

import lxml.html
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

from extractors.dates import may_hold_copyright, parse_date, without_copyright_years
from extractors.html_text import clean_inline
from extractors.language import normalize_language
from extractors.timing import stage

logger = logging.getLogger(__name__)

MAX_AUTHORS = 20
MAX_AUTHOR_CHARS = 120
#: htmldate's text search is the slowest step on big pages; it only sees this much markup.
HTMLDATE_MAX_CHARS = 500_000

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "blogposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "discussionforumposting",
        "socialmediaposting",
        "pressrelease",
        "webpage",
        "liveblogposting",
        "opinionnewsarticle",
    }
)
_TITLE_META = ("og:title", "twitter:title", "dc.title", "dcterms.title", "citation_title")
_AUTHOR_META = (
    "author",
    "article:author",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
)
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "sailthru.date",
    "parsely-pub-date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "lastmod",
)
_CODE_TAGS = ("script", "style", "template")
#: Bylines marked up as such, when neither JSON-LD nor meta tags name an author.
_AUTHOR_ELEMENTS = etree.XPath('//@itemprop[. = "author"]/.. | //@rel[contains(., "author")]/..')
_LANGUAGE_META = ("og:locale", "content-language", "language", "dc.language", "dcterms.language")


@dataclass
class HtmlMetadata:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    declared_language: str | None = None


def read_metadata(tree: HtmlElement, html: str, url: str) -> HtmlMetadata:
    """`tree` is `html` parsed (extractors/html_tree.py), read before it is cleaned: JSON-LD lives
    in <script> elements and htmldate searches the whole page. The tree is left as it was."""
    linked = _json_ld_article(tree)
    meta = _meta_values(tree)
    return HtmlMetadata(
        title=_title(tree, linked, meta),
        authors=_authors(tree, linked, meta),
        published=_published(tree, linked, meta, html, url),
        modified=_modified(tree, linked, meta),
        declared_language=_declared_language(tree, linked, meta),
    )


def _json_ld_article(tree: HtmlElement) -> dict[str, Any]:
    """The first article-like JSON-LD object, else the first object with a headline or dates."""
    fallback: dict[str, Any] = {}
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except (json.JSONDecodeError, RecursionError):
            logger.debug("unparseable JSON-LD block skipped")
            continue
        for node in _json_ld_nodes(data):
            types = {t.lower() for t in _strings(node.get("@type"))}
            if types & _ARTICLE_TYPES and ("headline" in node or "datePublished" in node):
                return node
            if not fallback and ("headline" in node or "datePublished" in node):
                fallback = node
    return fallback


def _json_ld_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (list, dict)):
                yield from _json_ld_nodes(data[key], depth + 1)


def _meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for tag in tree.iter("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                values.setdefault(key.strip().lower(), []).append(content.strip())
    return values


def _strings(value: Any) -> list[str]:
    """JSON-LD values are a string, an object with a name, or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _strings(value.get("name") or value.get("@value"))
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _title(tree: HtmlElement, linked: dict[str, Any], meta: dict[str, list[str]]) -> str:
    for candidate in [*_strings(linked.get("headline")), *(v for k in _TITLE_META for v in meta.get(k, []))]:
        if clean_inline(candidate):
            return clean_inline(candidate)
    # <title> is RCDATA: markup inside it is literal text and stays so.
    title = next(tree.iter("title"), None)
    page_title = clean_inline(_text(title)) if title is not None else ""
    headings = [clean_inline(_text(h, " ")) for h in islice(tree.iter("h1"), 2)]
    if len(headings) == 1 and headings[0] and (not page_title or headings[0] in page_title):
        return headings[0]  # "Headline | Site name" -> "Headline"
    return page_title


def _authors(tree: HtmlElement, linked: dict[str, Any], meta: dict[str, list[str]]) -> list[str]:
    candidates: list[str] = _strings(linked.get("author"))
    if not candidates:
        candidates = [v for k in _AUTHOR_META for v in meta.get(k, [])]
    if not candidates:
        marked = (tag for tag in _AUTHOR_ELEMENTS(tree) if tag.get("itemprop") == "author" or _has_author_rel(tag))
        candidates = [_text(tag, " ") for tag in islice(marked, MAX_AUTHORS)]
    return _distinct_names(candidates)


def _has_author_rel(element: HtmlElement) -> bool:
    return "author" in (element.get("rel") or "").split()


def _text(element: HtmlElement, separator: str = "") -> str:
    """The element's text without script, style or template content (as BeautifulSoup reads it)."""
    if next(element.iterdescendants(*_CODE_TAGS), None) is not None:
        element = deepcopy(element)  # a heading or a byline: small
        etree.strip_elements(element, *_CODE_TAGS, with_tail=False)
    return separator.join(element.itertext())


def _distinct_names(candidates: Iterable[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        name = clean_inline(candidate).removeprefix("By ").removeprefix("by ").strip()
        if not name or len(name) > MAX_AUTHOR_CHARS or name.startswith(("http://", "https://")):
            continue
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names[:MAX_AUTHORS]


def _first_date(*groups: Iterable[str]) -> datetime | None:
    for group in groups:
        for raw in group:
            parsed = parse_date(raw)
            if parsed is not None:
                return parsed
    return None


def _published(
    tree: HtmlElement, linked: dict[str, Any], meta: dict[str, list[str]], html: str, url: str
) -> datetime | None:
    found = _first_date(
        _strings(linked.get("datePublished")),
        _strings(linked.get("dateCreated")),
        *(meta.get(k, []) for k in _PUBLISHED_META),
    )
    if found or (found := _time_element(tree, "datePublished")):
        return found
    with stage("date"):
        return _date_in_page(tree, html, url)


def _modified(tree: HtmlElement, linked: dict[str, Any], meta: dict[str, list[str]]) -> datetime | None:
    found = _first_date(_strings(linked.get("dateModified")), *(meta.get(k, []) for k in _MODIFIED_META))
    return found or _time_element(tree, "dateModified")


def _time_element(tree: HtmlElement, itemprop: str) -> datetime | None:
    dated = [tag for tag in tree.iter("time") if "datetime" in tag.attrib]
    preferred = [tag for tag in dated if tag.get("itemprop") == itemprop]
    if itemprop == "datePublished":
        preferred += [tag for tag in dated if "pubdate" in tag.attrib] + dated[:20]
    return _first_date(tag.get("datetime", "") for tag in preferred)


def _date_in_page(tree: HtmlElement, html: str, url: str) -> datetime | None:
    """Last resort: htmldate's search of the URL and the visible text, in at most
    HTMLDATE_MAX_CHARS of markup (a bigger page is parsed again, cut)."""
    markup = html[:HTMLDATE_MAX_CHARS]
    try:
        # A parsed tree, never a string: htmldate fetches strings that look like URLs.
        searched = lxml.html.fromstring(markup) if len(html) > len(markup) else tree
        changes = _drop_copyright_years(searched) if may_hold_copyright(markup) else []
        try:
            found = find_date(searched, extensive_search=True, original_date=True, url=url or None)
        finally:  # htmldate searched a copy of its own; the shared tree gets its years back
            _undo(changes)
    except Exception as exc:  # htmldate raises assorted errors on odd markup; a date is optional
        logger.debug("htmldate failed: %s", exc)
        return None
    return parse_date(found)


#: a change to a tree: the element, "text", "tail" or "@" + an attribute's name, and the value before
_Change = tuple[HtmlElement, str, str | None]


def _drop_copyright_years(tree: HtmlElement) -> list[_Change]:
    """Take copyright years out of the tree htmldate searches (its text, attributes such as an
    image credit's alt text, and schema.org copyrightYear): its extensive search falls back on the
    copyright year, dating a page with only "© 2026" in its footer 2026-01-01. Returns the
    changes, for `_undo`."""
    changes: list[_Change] = []
    for element in tree.iter(etree.Element):
        if element.tag == "meta" and (element.get("itemprop") or "").lower() == "copyrightyear":
            changes.append((element, "@content", element.get("content")))
            element.set("content", "")
        text, tail = element.text, element.tail
        if text and _may_hold_notice(text) and (cleaned := without_copyright_years(text)) != text:
            changes.append((element, "text", text))
            element.text = cleaned
        if tail and _may_hold_notice(tail) and (cleaned := without_copyright_years(tail)) != tail:
            changes.append((element, "tail", tail))
            element.tail = cleaned
        for name, value in element.attrib.items():
            if _may_hold_notice(value) and (cleaned := without_copyright_years(value)) != value:
                changes.append((element, f"@{name}", value))
                element.set(name, cleaned)
    return changes


def _undo(changes: list[_Change]) -> None:
    for element, where, value in reversed(changes):
        if where == "text":
            element.text = value
        elif where == "tail":
            element.tail = value
        elif value is None:
            element.attrib.pop(where[1:], None)
        else:
            element.set(where[1:], value)


def _may_hold_notice(value: str) -> bool:
    """False for a string the notice pattern (extractors/dates.py) cannot match: it holds "©",
    "(c)" or "copyright" in any case, so "yr" at least. A cheap test before the pattern's."""
    folded = value.lower()
    return "yr" in folded or "©" in value or "(c)" in folded


def _declared_language(tree: HtmlElement, linked: dict[str, Any], meta: dict[str, list[str]]) -> str | None:
    candidates = [tree.get("lang") or "", tree.get("xml:lang") or ""]
    candidates += [v.split(",")[0] for k in _LANGUAGE_META for v in meta.get(k, [])]
    candidates += _strings(linked.get("inLanguage"))
    for candidate in candidates:
        language = normalize_language(candidate)
        if language:
            return language
    return None
