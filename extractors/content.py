"""HTML -> main text and metadata, through a fallback chain that records which step won.

Chain: "trafilatura" (boilerplate removal tuned on news and blogs), then "bs4-main" (a
readability-like heuristic: the semantic main/article container, else the element holding the
most paragraph text, after dropping navigation, headers, footers, comments), then
"bs4-fulltext" (every visible text node). The first candidate at least MIN_MAIN_CHARS long
(or half the page's visible text, on shorter pages) wins, so a short forum post never comes
back empty when the page shows text.

The page is parsed once (extractors/html_tree.py): metadata, links, htmldate and trafilatura
read that one lxml tree. BeautifulSoup, whose tree the fallbacks walk, is built from the cleaned
tree only when trafilatura's text is short, the only case where the fallbacks can win.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from bs4 import BeautifulSoup, Tag
from lxml.html import HtmlElement

from extractors.html_text import clean_inline, normalize_text, remove_boilerplate, visible_text
from extractors.html_tree import ParsedHtml, clean_for_reading, parse_html, serialize
from extractors.links import canonical_url, outbound_links, page_identity
from extractors.metadata import read_metadata
from extractors.timing import stage

logger = logging.getLogger(__name__)

#: How trafilatura is asked for the main text (the benchmarks' plain trafilatura runs share them).
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "deduplicate": False,
    "output_format": "txt",
}
#: A main-text candidate this long (or half the page's visible text, if less) is accepted.
MIN_MAIN_CHARS = 200
_MAIN_SELECTORS = ("main", '[role="main"]', '[itemprop="articleBody"]', "article")


@dataclass
class HtmlContent:
    text: str
    method: str
    canonical_url: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    links: list[str] = field(default_factory=list)
    declared_language: str | None = None


def extract_html(html: str, url: str) -> HtmlContent:
    """Main text (without the title) and metadata of an HTML page; `text` may be empty."""
    with stage("parse"):
        page = parse_html(html)
    if page is None:  # no markup at all: nothing to read
        return HtmlContent(text="", method="bs4-fulltext", canonical_url=page_identity(url))
    tree = page.tree
    with stage("metadata"):
        meta = read_metadata(tree, page.markup, url)  # the markup as parsed: declaration dropped, bounded
        canonical = canonical_url(tree, url)
        links = outbound_links(tree, url)
    with stage("main_text"):
        # trafilatura gets the cleaned tree: it would keep <template> and hidden elements.
        clean_for_reading(tree)
        text, method = _main_text(page, url)
    return HtmlContent(
        text=drop_leading_title(text, meta.title),
        method=method,
        canonical_url=canonical,
        title=meta.title,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        links=links,
        declared_language=meta.declared_language,
    )


def drop_leading_title(text: str, title: str) -> str:
    """Text excludes the title: extractors often repeat the headline as the first line."""
    first, _, rest = text.partition("\n")
    if title and clean_inline(first).casefold() == clean_inline(title).casefold():
        return rest
    return text


def _main_text(page: ParsedHtml, url: str) -> tuple[str, str]:
    candidate = _trafilatura_text(page.tree, url)
    if len(candidate) >= MIN_MAIN_CHARS:
        return candidate, "trafilatura"
    whole = page.whole()
    if whole is not page.tree:
        clean_for_reading(whole)
    soup = BeautifulSoup(serialize(whole), "lxml")
    full = visible_text(soup.body or soup)
    enough = min(MIN_MAIN_CHARS, len(full) // 2)
    if candidate and len(candidate) >= enough:
        return candidate, "trafilatura"
    candidate = main_container_text(soup)
    if candidate and len(candidate) >= enough:
        return candidate, "bs4-main"
    return full, "bs4-fulltext"


def _trafilatura_text(tree: HtmlElement, url: str) -> str:
    try:
        extracted = trafilatura.extract(tree, url=url or None, **TRAFILATURA_OPTIONS)  # on its own copy
    except Exception as exc:  # trafilatura raises assorted errors on hostile markup; fall back
        logger.debug("trafilatura failed on %s: %s", url, exc)
        return ""
    return normalize_text(extracted or "")


def main_container_text(soup: BeautifulSoup) -> str:
    """Readability-like: the largest semantic container, else the densest paragraph parent."""
    body = soup.body or soup
    remove_boilerplate(body)
    containers = [tag for selector in _MAIN_SELECTORS for tag in body.select(selector)]
    if not containers:
        containers = _densest_paragraph_parents(body)
    texts = [visible_text(tag) for tag in containers]
    return max(texts, key=len, default="")


def _densest_paragraph_parents(body: Tag) -> list[Tag]:
    scores: Counter[int] = Counter()
    parents: dict[int, Tag] = {}
    for paragraph in body.find_all("p"):
        parent = paragraph.parent
        if isinstance(parent, Tag):
            scores[id(parent)] += len(paragraph.get_text(" ", strip=True))
            parents[id(parent)] = parent
    return [parents[key] for key, _score in scores.most_common(1)]
