"""The one parse of an HTML page (an lxml tree every reader shares) and the cleaning that readies
it for main-text extraction: invisible parts removed, layout tables turned into blocks.

The parser is trafilatura's own configuration (comments and processing instructions dropped,
no ids collected), so handing trafilatura this tree gives the text it would have got from the
markup, without a second parse. htmldate and the metadata readers read the same tree.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import lxml.html
from lxml import etree

#: Markup beyond this many characters is not parsed; bounds time (about 3 s of CPU at the
#: cap) and memory on huge pages. Oversized pages lose scripts and styles before the cut.
MAX_HTML_CHARS = 2_000_000

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
_TABLE_PARTS = ("thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col")
_LAYOUT_CONTENT = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "article"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: Characters XML (and so lxml's text API) refuses; they carry no text.
_INVALID_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HEAVY_OPENING = re.compile(r"<(script|style|svg|template)\b[^>]*>", re.IGNORECASE)
_HEAVY_CLOSING = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style", "svg", "template")}
_PRESERVE_WHITESPACE = ("pre", "textarea")
#: what BeautifulSoup counts as blank (form feed too, which the parse never sees)
_BLANK = " \n\t\r"
_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True)
# Every element an HtmlElement, looked up in C: lxml.html's own lookup (forms, inputs and labels
# get classes of their own, which no reader here uses) runs Python for every element a walk
# touches, ours and trafilatura's and htmldate's alike.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


class ParsedHtml(NamedTuple):
    tree: lxml.html.HtmlElement
    #: the markup as parsed (XML declaration dropped, oversized pages bounded)
    markup: str
    #: nesting deeper than libxml2 builds trees (256 levels) left the deeper content out
    cut_short: bool

    def whole(self) -> lxml.html.HtmlElement:
        """The tree, or for a page cut short a new tree of all of it, read through libxml2's event
        interface, which has no depth limit (and takes longer)."""
        if not self.cut_short:
            return self.tree
        builder = etree.TreeBuilder(parser=_PARSER)  # builds HtmlElements, as the parser's lookup does
        parser = etree.HTMLParser(  # _PARSER's options
            target=builder, collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
        )
        parser.feed(self.markup)
        root = parser.close()
        assert isinstance(root, lxml.html.HtmlElement)  # the builder's lookup is the HTML parser's
        return root


def parse_html(html: str) -> ParsedHtml | None:
    """The page's tree, rooted at <html> even for a fragment; None when there is no markup.

    A hostile page nested thousands of levels deep is cut short at libxml2's depth limit: what
    is there is what trafilatura would have read, and `whole()` has the rest for the fallbacks."""
    # lxml refuses str input that carries an encoding declaration; the text is decoded already.
    html = _XML_DECLARATION.sub("", html, count=1)
    if len(html) > MAX_HTML_CHARS:
        # Inline bundles and SVG can dwarf the article; drop them (JSON-LD excepted) before cutting.
        html = _drop_heavy_elements(html)[:MAX_HTML_CHARS]
    html = _INVALID_XML_CHARS.sub("", html)
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):  # "Document is empty"; nothing a parser could read
        return None
    cut_short = any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in _PARSER.error_log)
    return ParsedHtml(tree, html, cut_short)


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


def clean_for_reading(tree: lxml.html.HtmlElement) -> None:
    """Ready the tree for main-text extraction, in place: whitespace as BeautifulSoup leaves it,
    what a reader never sees dropped, layout tables unwrapped.

    Whitespace first, as BeautifulSoup did it while parsing: a blank run between elements becomes
    one newline (one space if it has no line break), outside <pre> and <textarea>, and class
    lists lose their stray spaces. trafilatura weighs text lengths and tests some class values
    whole (`@class="..."`); it was tuned here on BeautifulSoup's markup, and the raw runs change
    its choice of main text on some pages. The same walk finds the `hidden`, `aria-hidden` and
    inline `display:none` / `visibility:hidden` elements, dropped with INVISIBLE_TAGS (the text
    after each, its tail, stays).
    """
    preserved = {kept for block in tree.iter(*_PRESERVE_WHITESPACE) for kept in block.iter()}
    hidden = []
    for element in tree.iter(etree.Element):
        text, tail = element.text, element.tail
        if text is not None and _collapsible(text) and element not in preserved:
            element.text = "\n" if "\n" in text else " "
        if tail is not None and _collapsible(tail) and element.getparent() not in preserved:
            element.tail = "\n" if "\n" in tail else " "
        attributes = element.attrib
        if attributes:
            classes = attributes.get("class")
            if classes is not None and classes != " ".join(names := classes.split()):
                attributes["class"] = " ".join(names)
            if _is_hidden(attributes):
                hidden.append(element)
    _drop(list(tree.iter(*INVISIBLE_TAGS)))
    _drop(hidden)
    _unwrap_layout_tables(tree)


def _unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    """Turn tables used for page layout (cells holding paragraphs or headings) into divs.

    Extractors render data tables as rows of cells; a layout table would otherwise come out as
    one "row" holding the menu and the whole article. Data tables (plain cells) are kept.
    """
    for table in list(tree.iter("table")):
        if any(element.tag in _LAYOUT_CONTENT for element in table.iterdescendants()):
            for element in [table, *table.iter(*_TABLE_PARTS)]:
                element.tag = "div"


def _collapsible(run: str) -> bool:
    """A blank run BeautifulSoup would have rewritten (one not already a newline or a space)."""
    return run != "\n" and run != " " and not run.strip(_BLANK)


def _drop(elements: list[lxml.html.HtmlElement]) -> None:
    for element in elements:
        if element.getparent() is None:  # the root itself: nothing of the page is visible
            element.clear()
        else:  # a nested match goes with its ancestor; dropping it again inside the detached part is harmless
            element.drop_tree()


def _is_hidden(attributes: Any) -> bool:
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    style = attributes.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


def serialize(tree: lxml.html.HtmlElement) -> str:
    return lxml.html.tostring(tree, encoding="unicode")
