"""Visible text of parsed HTML (BeautifulSoup), block-aware, with invisible parts removed."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement

#: Elements whose content is never visible text (scripts, styles, embedded documents, head).
INVISIBLE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "select",
    "head",
    "link",
    "meta",
    "audio",
    "video",
    "source",
    "track",
)
#: Page furniture dropped by the main-content heuristic (not by the full-text fallback).
BOILERPLATE_TAGS = ("nav", "header", "footer", "aside", "form", "button", "menu", "dialog")
BOILERPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "dialog"})
_BOILERPLATE_NAME = re.compile(
    r"(?:^|[-_\s])(?:comments?|footer|nav|navbar|navigation|menu|sidebar|breadcrumbs?|cookies?|share|sharing|"
    r"social|related|advert|ads|promo|newsletter|subscribe|popup|banner|masthead|skip-link)(?:$|[-_\s])",
    re.IGNORECASE,
)
_KEEP = frozenset({"html", "body", "main", "article"})
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "body",
        "center",
        "legend",
    }
)
_TABLE_PARTS = ("thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col")
_LAYOUT_CONTENT = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "article")
_CELL_TAGS = frozenset({"td", "th"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def remove_invisible(soup: BeautifulSoup) -> None:
    _decompose(soup.find_all(INVISIBLE_TAGS))
    _decompose(soup.find_all(_is_hidden))


def unwrap_layout_tables(soup: BeautifulSoup) -> None:
    """Turn tables used for page layout (cells holding paragraphs or headings) into divs.

    Extractors render data tables as rows of cells; a layout table would otherwise come out as
    one "row" holding the menu and the whole article. Data tables (plain cells) are kept.
    """
    for table in soup.find_all("table"):
        if table.find(_LAYOUT_CONTENT) is not None:
            for tag in [table, *table.find_all(_TABLE_PARTS)]:
                tag.name = "div"


def remove_boilerplate(root: Tag) -> None:
    _decompose(root.find_all(BOILERPLATE_TAGS))
    _decompose(root.find_all(_is_boilerplate))


def _decompose(tags: list[Tag]) -> None:
    for tag in tags:
        if not tag.decomposed:  # a nested match goes with its decomposed ancestor
            tag.decompose()


def visible_text(root: Tag) -> str:
    """Text of `root` with one line per block element; inline markup does not split words."""
    parts: list[str] = []
    # Iterative walk: malformed pages nest deeper than Python's recursion limit.
    stack: list[PageElement | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:
            parts.append("\n")
        elif isinstance(node, Tag):
            if node.name in _BLOCK_TAGS:
                parts.append("\n")
                stack.append(None)
            elif node.name in _CELL_TAGS:
                parts.append(" ")
            stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:  # skips comments, CDATA, doctypes, processing instructions
            parts.append(str(node))
    return normalize_text("".join(parts))


def clean_inline(value: str) -> str:
    """One line: runs of whitespace, line breaks included, become one space."""
    return " ".join(value.split())


def normalize_text(text: str) -> str:
    """One space between words, no blank or padded lines, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _CONTROLS.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


def _is_boilerplate(tag: Tag) -> bool:
    if tag.name in _KEEP:
        return False
    if str(tag.get("role") or "").lower() in BOILERPLATE_ROLES:
        return True
    classes: str | list[str] = tag.get("class") or []
    names = " ".join(classes if isinstance(classes, list) else [str(classes)]) + " " + str(tag.get("id") or "")
    return bool(_BOILERPLATE_NAME.search(names))
