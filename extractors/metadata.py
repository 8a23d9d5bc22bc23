"""Document metadata from an HTML page: title, authors, dates, declared language.

Precedence for every field is JSON-LD, then <meta> tags, then the page itself, because
structured data is written for machines and page text is only a guess.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.html
from bs4 import BeautifulSoup, Tag
from htmldate import find_date

from extractors.dates import may_hold_copyright, parse_date, without_copyright_years
from extractors.html_text import clean_inline
from extractors.language import normalize_language

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
_LANGUAGE_META = ("og:locale", "content-language", "language", "dc.language", "dcterms.language")


@dataclass
class HtmlMetadata:
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    declared_language: str | None = None


def read_metadata(soup: BeautifulSoup, html: str, url: str) -> HtmlMetadata:
    """`soup` is `html` parsed; call before scripts are stripped: JSON-LD lives in <script> elements."""
    linked = _json_ld_article(soup)
    meta = _meta_values(soup)
    return HtmlMetadata(
        title=_title(soup, linked, meta),
        authors=_authors(soup, linked, meta),
        published=_published(soup, linked, meta, html, url),
        modified=_modified(soup, linked, meta),
        declared_language=_declared_language(soup, linked, meta),
    )


def _json_ld_article(soup: BeautifulSoup) -> dict[str, Any]:
    """The first article-like JSON-LD object, else the first object with a headline or dates."""
    fallback: dict[str, Any] = {}
    for script in soup.find_all("script", attrs={"type": lambda t: t is not None and "ld+json" in t.lower()}):
        try:
            data = json.loads(script.string or "", strict=False)
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


def _meta_values(soup: BeautifulSoup) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
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


def _title(soup: BeautifulSoup, linked: dict[str, Any], meta: dict[str, list[str]]) -> str:
    for candidate in [*_strings(linked.get("headline")), *(v for k in _TITLE_META for v in meta.get(k, []))]:
        if clean_inline(candidate):
            return clean_inline(candidate)
    # <title> is RCDATA: markup inside it is literal text and stays so.
    page_title = clean_inline(soup.title.get_text()) if soup.title else ""
    headings = [clean_inline(h.get_text(" ")) for h in soup.find_all("h1", limit=2)]
    if len(headings) == 1 and headings[0] and (not page_title or headings[0] in page_title):
        return headings[0]  # "Headline | Site name" -> "Headline"
    return page_title


def _authors(soup: BeautifulSoup, linked: dict[str, Any], meta: dict[str, list[str]]) -> list[str]:
    candidates: list[str] = _strings(linked.get("author"))
    if not candidates:
        candidates = [v for k in _AUTHOR_META for v in meta.get(k, [])]
    if not candidates:
        candidates = [
            tag.get_text(" ") for tag in soup.select('[rel~="author"], [itemprop="author"]', limit=MAX_AUTHORS)
        ]
    return _distinct_names(candidates)


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
    soup: BeautifulSoup, linked: dict[str, Any], meta: dict[str, list[str]], html: str, url: str
) -> datetime | None:
    found = _first_date(
        _strings(linked.get("datePublished")),
        _strings(linked.get("dateCreated")),
        *(meta.get(k, []) for k in _PUBLISHED_META),
    )
    return found or _time_element(soup, "datePublished") or _date_in_page(html, url)


def _modified(soup: BeautifulSoup, linked: dict[str, Any], meta: dict[str, list[str]]) -> datetime | None:
    found = _first_date(_strings(linked.get("dateModified")), *(meta.get(k, []) for k in _MODIFIED_META))
    return found or _time_element(soup, "dateModified")


def _time_element(soup: BeautifulSoup, itemprop: str) -> datetime | None:
    preferred = soup.select(f'time[itemprop="{itemprop}"][datetime]')
    if itemprop == "datePublished":
        preferred += soup.select("time[pubdate][datetime]") + soup.select("time[datetime]", limit=20)
    values = (tag.get("datetime", "") for tag in preferred if isinstance(tag, Tag))
    return _first_date(value for value in values if isinstance(value, str))  # datetime is single-valued


def _date_in_page(html: str, url: str) -> datetime | None:
    """Last resort: htmldate's search of the URL and the visible text."""
    try:
        # A parsed tree, never a string: htmldate fetches strings that look like URLs.
        tree = lxml.html.fromstring(html[:HTMLDATE_MAX_CHARS])
        if may_hold_copyright(html[:HTMLDATE_MAX_CHARS]):
            _drop_copyright_years(tree)
        found = find_date(tree, extensive_search=True, original_date=True, url=url or None)
    except Exception as exc:  # htmldate raises assorted errors on odd markup; a date is optional
        logger.debug("htmldate failed: %s", exc)
        return None
    return parse_date(found)


def _drop_copyright_years(tree: lxml.html.HtmlElement) -> None:
    """Take copyright years out of the tree htmldate searches (its text, attributes such as an
    image credit's alt text, and schema.org copyrightYear): its extensive search falls back on the
    copyright year, dating a page with only "© 2026" in its footer 2026-01-01."""
    for element in tree.iter():
        if not isinstance(element.tag, str):  # comments and processing instructions
            continue
        if element.tag == "meta" and (element.get("itemprop") or "").lower() == "copyrightyear":
            element.set("content", "")
        element.text = element.text and without_copyright_years(element.text)
        element.tail = element.tail and without_copyright_years(element.tail)
        for name, value in element.attrib.items():
            if (cleaned := without_copyright_years(value)) != value:
                element.set(name, cleaned)


def _declared_language(soup: BeautifulSoup, linked: dict[str, Any], meta: dict[str, list[str]]) -> str | None:
    html = soup.find("html")
    candidates: list[str] = []
    if isinstance(html, Tag):
        candidates += [str(html.get("lang") or ""), str(html.get("xml:lang") or "")]
    candidates += [v.split(",")[0] for k in _LANGUAGE_META for v in meta.get(k, [])]
    candidates += _strings(linked.get("inLanguage"))
    for candidate in candidates:
        language = normalize_language(candidate)
        if language:
            return language
    return None
