"""Visible text of BeautifulSoup-parsed HTML, block-aware (the fallback extractors' reading), and
the text normalisation every extractor shares."""

from __future__ import annotations

import re

from bs4 import Tag
from bs4.element import NavigableString, PageElement

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
_CELL_TAGS = frozenset({"td", "th"})
_SPACES = re.compile(r"[^\S\n]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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


def _is_boilerplate(tag: Tag) -> bool:
    if tag.name in _KEEP:
        return False
    if str(tag.get("role") or "").lower() in BOILERPLATE_ROLES:
        return True
    classes: str | list[str] = tag.get("class") or []
    names = " ".join(classes if isinstance(classes, list) else [str(classes)]) + " " + str(tag.get("id") or "")
    return bool(_BOILERPLATE_NAME.search(names))
