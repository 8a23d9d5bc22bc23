"""HTML -> main text and metadata, through a fallback chain that records which step won.

Chain: "trafilatura" (boilerplate removal tuned on news and blogs), then "bs4-main" (a
readability-like heuristic: the semantic main/article container, else the element holding the
most paragraph text, after dropping navigation, headers, footers, comments), then
"bs4-fulltext" (every visible text node). The first candidate at least MIN_MAIN_CHARS long
(or half the page's visible text, on shorter pages) wins, so a short forum post never comes
back empty when the page shows text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import trafilatura
from bs4 import BeautifulSoup, Tag

from extractors.html_text import (
    clean_inline,
    normalize_text,
    remove_boilerplate,
    remove_invisible,
    unwrap_layout_tables,
    visible_text,
)
from extractors.links import canonical_url, outbound_links
from extractors.metadata import read_metadata

logger = logging.getLogger(__name__)

#: Markup beyond this many characters is not parsed; bounds time (about 3 s of CPU at the
#: cap) and memory on huge pages. Oversized pages lose scripts and styles before the cut.
MAX_HTML_CHARS = 2_000_000
#: A main-text candidate this long (or half the page's visible text, if less) is accepted.
MIN_MAIN_CHARS = 200
_HEAVY_OPENING = re.compile(r"<(script|style|svg|template)\b[^>]*>", re.IGNORECASE)
_HEAVY_CLOSING = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style", "svg", "template")}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
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
    # lxml refuses str input that carries an encoding declaration; the text is decoded already.
    html = _XML_DECLARATION.sub("", html, count=1)
    if len(html) > MAX_HTML_CHARS:
        # Inline bundles and SVG can dwarf the article; drop them (JSON-LD excepted) before cutting.
        html = _drop_heavy_elements(html)[:MAX_HTML_CHARS]
    soup = BeautifulSoup(html, "lxml")
    meta = read_metadata(soup, html, url)
    canonical = canonical_url(soup, url)
    links = outbound_links(soup, url)
    remove_invisible(soup)
    unwrap_layout_tables(soup)
    full = visible_text(soup.body or soup)
    # trafilatura gets the cleaned markup: it would keep <template> and hidden elements.
    text, method = _main_text(str(soup), url, soup, full)
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


def _drop_heavy_elements(html: str) -> str:
    """Remove script, style, svg and template elements except JSON-LD, in one forward scan."""
    kept: list[str] = []
    position = 0
    while (opening := _HEAVY_OPENING.search(html, position)) is not None:
        kept.append(html[position : opening.start()])
        if "ld+json" in opening.group(0).lower():
            kept.append(opening.group(0))
            position = opening.end()
            continue
        closing = _HEAVY_CLOSING[opening.group(1).lower()].search(html, opening.end())
        if closing is None:  # unclosed: a parser would swallow the rest as raw text anyway
            return "".join(kept)
        position = closing.end()
    kept.append(html[position:])
    return "".join(kept)


def drop_leading_title(text: str, title: str) -> str:
    """Text excludes the title: extractors often repeat the headline as the first line."""
    first, _, rest = text.partition("\n")
    if title and clean_inline(first).casefold() == clean_inline(title).casefold():
        return rest
    return text


def _main_text(html: str, url: str, soup: BeautifulSoup, full: str) -> tuple[str, str]:
    enough = min(MIN_MAIN_CHARS, len(full) // 2)
    candidate = _trafilatura_text(html, url)
    if candidate and len(candidate) >= enough:
        return candidate, "trafilatura"
    candidate = main_container_text(soup)
    if candidate and len(candidate) >= enough:
        return candidate, "bs4-main"
    return full, "bs4-fulltext"


def _trafilatura_text(html: str, url: str) -> str:
    try:
        extracted = trafilatura.extract(
            html,
            url=url or None,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            output_format="txt",
        )
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
