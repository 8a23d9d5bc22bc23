"""Citation formats (app/citing.py) and the terminal rendering of a document (app/commands/show.py),
fed hostile crawled content: rich markup, terminal escapes, TeX specials, Markdown syntax."""

from __future__ import annotations

import io
import json
import re
from html import escape

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from app.citing import (
    NO_CAPTURE,
    as_bibtex,
    as_csl,
    bibtex_escape,
    citation,
    markdown_escape,
    publisher,
    render,
)
from app.commands.show import marked, print_document
from app.output import safe, safe_block
from schema.document import Document
from tests.citing_documents import HOSTILE, HOSTILE_TITLE, LETTER, LETTER_SHA256, WEB_PAGE
from tests.csl_data import assert_csl_data

# -- terminal escapes ----------------------------------------------------------------------------


def test_escape_sequences_go_whole_and_lines_stay() -> None:
    hostile = "a\x1b[31mred\x1b[0m \x1b]8;;http://x.example\x07link\x1b]8;;\x07 \x9b2Jb\x1b(Bc\x00d\r\ne\rf\u202eg"
    assert safe_block(hostile) == "ared link bcd\ne\nfg"
    assert safe(hostile) == "ared link bcd e fg"


def test_marked_text_styles_mentions_and_keeps_markup_literal() -> None:
    shown = marked(HOSTILE.text, HOSTILE.entities)
    assert "\x1b" not in shown.plain and "\r" not in shown.plain and "\u202e" not in shown.plain
    assert "[link=file:///etc/passwd]open me[/link]" in shown.plain  # shown as written, never interpreted
    assert [shown.plain[span.start : span.end] for span in shown.spans] == ["AK-47"]
    assert shown.spans[0].style == "bold red"


def test_a_mention_whose_offsets_do_not_frame_its_text_is_not_marked() -> None:
    moved = HOSTILE.entities[0].model_copy(update={"start": 0, "end": 5})
    assert marked(HOSTILE.text, [moved]).spans == []


def _render(document: Document, terminal: bool) -> str:
    output = io.StringIO()
    colours = "truecolor" if terminal else None
    print_document(document, [], Console(file=output, force_terminal=terminal, color_system=colours, width=100))
    return output.getvalue()


def test_a_terminal_gets_colour_but_never_the_crawled_escapes() -> None:
    coloured = _render(HOSTILE, terminal=True)
    assert "\x1b[" in coloured  # our own colours
    for crawled in ("\x1b]0;pwned", "\x1b[2J", "\x1b[1A", "\x1b[31mred", "\x1b[31mSecond", "\u202e", "\r"):
        assert crawled not in coloured
    assert "[bold red]Breaking[/]" in coloured and "[link=file:///etc/passwd]open me[/link]" in coloured


def test_plain_output_has_no_colour_codes() -> None:
    plain = _render(LETTER, terminal=False)
    assert "\x1b" not in plain
    assert LETTER.title in plain and "Amina Odhiambo, Tomas Lindqvist" in plain


# -- the citation's fields ------------------------------------------------------------------------


def test_publisher_is_the_host_without_www_else_the_source() -> None:
    assert publisher(LETTER) == "panel.example.org"
    assert publisher(LETTER.model_copy(update={"url": "urn:x"})) == "panel-letters"


def test_a_capture_is_cited_with_its_time_and_digest_and_its_absence_said() -> None:
    assert citation(LETTER).provenance == f"captured 2024-03-06 10:15:02 UTC, SHA-256 {LETTER_SHA256}"
    assert citation(WEB_PAGE).provenance == f"accessed 1 February 2024; {NO_CAPTURE}"
    for style in ("text", "markdown", "bibtex", "csl-json"):
        assert LETTER_SHA256 in render(LETTER, style)
        assert NO_CAPTURE in render(WEB_PAGE, style) and "SHA-256" not in render(WEB_PAGE, style)


def test_text_citation() -> None:
    assert render(LETTER, "text", page=2) == (
        "Amina Odhiambo, Tomas Lindqvist. “Letter dated 4 March 2024 from the Panel of Experts”. "
        "panel.example.org, 4 March 2024, p. 2. https://www.panel.example.org/letters/2024-17.pdf "
        f"(captured 2024-03-06 10:15:02 UTC, SHA-256 {LETTER_SHA256})"
    )


def test_credentials_in_a_url_are_not_cited() -> None:
    private = WEB_PAGE.model_copy(update={"url": "https://reader:s3cret@feeds.example.org/item"})
    for style in ("text", "markdown", "bibtex", "csl-json"):
        assert "s3cret" not in render(private, style)


def test_every_style_of_hostile_content_is_one_clean_entry() -> None:
    for style in ("text", "markdown", "bibtex", "csl-json"):
        cited = render(HOSTILE, style)
        assert "\x1b" not in cited and "\x07" not in cited and "\u202e" not in cited, style
        if style != "bibtex" and style != "csl-json":
            assert "\n" not in cited, style


# -- Markdown ------------------------------------------------------------------------------------


def _links(markdown: str) -> list[tuple[str, str]]:
    """(href, text) of every link CommonMark finds in `markdown`."""
    tokens = MarkdownIt("commonmark").parseInline(markdown)
    found: list[tuple[str, str]] = []
    for token in tokens[0].children or []:
        if token.type == "link_open":
            found.append((str(token.attrs["href"]), ""))
        elif token.type == "text" and found and found[-1][1] == "" and token.content:
            found[-1] = (found[-1][0], token.content)
    return found


def test_markdown_has_one_link_and_shows_hostile_text_as_written() -> None:
    cited = render(HOSTILE, "markdown")
    assert [href for href, _ in _links(cited)] == ["https://hostile.example.com/item"]
    html = MarkdownIt("commonmark").render(cited)
    assert html.count("<a ") == 1 and "<em>" in html  # the site's name, and no other emphasis
    assert html.startswith("<p>")  # "1. Lead" starts no list
    assert "[click](http://evil.example)" in html and "[x](y)" in html  # as text, not links
    assert "50% off \\end{document} $x^2$ #1 ~" in html
    assert "Second &amp; Co_" in html


@pytest.mark.parametrize("start", ["1. ", "2024) ", "- ", "+ ", "> ", "# ", "=== "])
def test_markdown_never_starts_a_block(start: str) -> None:
    document = WEB_PAGE.model_copy(update={"authors": [start + "Someone"]})
    html = MarkdownIt("commonmark").render(render(document, "markdown"))
    assert html.startswith("<p>") and escape(f"{start.strip()} Someone") in html


def test_markdown_escape_covers_link_syntax() -> None:
    assert markdown_escape("[a](b) *c* `d` <e> \\") == "\\[a\\]\\(b\\) \\*c\\* \\`d\\` \\<e\\> \\\\"


def test_markdown_link_destination_cannot_be_closed_early() -> None:
    document = WEB_PAGE.model_copy(update={"url": "https://monitor.example.org/a>b (c)\\d"})
    assert _links(render(document, "markdown"))[0][0] == "https://monitor.example.org/a%3Eb%20(c)%5Cd"


# -- BibTeX --------------------------------------------------------------------------------------

_TEX_UNESCAPES = {
    r"\textbackslash{}": "\\",
    r"\textasciicircum{}": "^",
    r"\textasciitilde{}": "~",
    **{f"\\{special}": special for special in "{}%&$#_"},
}


def _bibtex_fields(entry: str) -> tuple[str, str, dict[str, str]]:
    """(type, key, field -> raw value) of one entry, checking as BibTeX does that every value's
    braces balance (escaped braces aside) and nothing is left over."""
    head = re.match(r"@(\w+)\{([^,\s]+),\n", entry)
    assert head, entry
    fields: dict[str, str] = {}
    position = head.end()
    while entry[position:] != "}":
        name = re.match(r"  (\w+) = \{", entry[position:])
        assert name, entry[position:]
        position += name.end()
        depth, start = 1, position
        while depth:
            character = entry[position]
            if character == "\\":
                position += 2
                continue
            depth += {"{": 1, "}": -1}.get(character, 0)
            position += 1
        fields[name[1]] = entry[start : position - 1]
        assert entry[position : position + 2] in (",\n", "\n}"), entry[position:]
        position += 2 if entry[position] == "," else 1
    return head[1], head[2], fields


def _unescape(value: str) -> str:
    pattern = re.compile("|".join(map(re.escape, sorted(_TEX_UNESCAPES, key=len, reverse=True))))
    return pattern.sub(lambda match: _TEX_UNESCAPES[match[0]], value)


def test_bibtex_escapes_every_special_and_round_trips() -> None:
    kind, key, fields = _bibtex_fields(render(HOSTILE, "bibtex"))
    assert kind == "online" and re.fullmatch(r"[a-z0-9]+\d{4}-[0-9a-f]{12}", key)
    assert (
        re.search(
            r"(?<!\\)[%$#&_^~]", fields["title"].replace(r"\textasciicircum{}", "").replace(r"\textasciitilde{}", "")
        )
        is None
    )
    assert _unescape(fields["title"].removeprefix("{").removesuffix("}")) == safe(HOSTILE_TITLE)
    assert fields["author"] == r"{1. Lead \}author\{ [x](y)} and {Second \& Co\_}"
    assert fields["note"] == f"Accessed {HOSTILE.fetched.day} {HOSTILE.fetched:%B %Y}; no capture preserved"


def test_bibtex_entry_of_a_pdf() -> None:
    _, key, fields = _bibtex_fields(render(LETTER, "bibtex", page=2))
    assert key == f"panelexampleorg2024-{LETTER.id[:12]}"
    assert render(LETTER, "bibtex").startswith(f"@online{{{key},")  # stable: the same key every time
    assert fields == {
        "title": "{Letter dated 4 March 2024 from the Panel of Experts}",
        "author": "{Amina Odhiambo} and {Tomas Lindqvist}",
        "organization": "panel.example.org",
        "date": "2024-03-04",
        "url": "https://www.panel.example.org/letters/2024-17.pdf",
        "urldate": "2024-03-06",
        "pages": "2",
        "langid": "en",
        "note": f"Captured 2024-03-06 10:15:02 UTC, SHA-256 {LETTER_SHA256}",
    }


def test_bibtex_url_keeps_the_field_balanced() -> None:
    document = WEB_PAGE.model_copy(update={"url": "https://monitor.example.org/a}b{c%20d"})
    assert _bibtex_fields(as_bibtex(citation(document)))[2]["url"] == "https://monitor.example.org/a%7Db%7Bc%20d"


def test_bibtex_escape() -> None:
    assert bibtex_escape("\\}{%&$#_^~") == r"\textbackslash{}\}\{\%\&\$\#\_\textasciicircum{}\textasciitilde{}"


# -- CSL-JSON ------------------------------------------------------------------------------------


def test_csl_json_of_a_pdf() -> None:
    data = json.loads(render(LETTER, "csl-json", page=2))
    assert_csl_data(data)
    assert data == [
        {
            "id": LETTER.id,
            "type": "document",
            "title": "Letter dated 4 March 2024 from the Panel of Experts",
            "publisher": "panel.example.org",
            "URL": "https://www.panel.example.org/letters/2024-17.pdf",
            "accessed": {"date-parts": [[2024, 3, 6]]},
            "note": f"Captured 2024-03-06 10:15:02 UTC, SHA-256 {LETTER_SHA256}",
            "author": [{"literal": "Amina Odhiambo"}, {"literal": "Tomas Lindqvist"}],
            "issued": {"date-parts": [[2024, 3, 4]]},
            "page": "2",
            "language": "en",
        }
    ]


def test_csl_json_of_a_web_page_and_of_hostile_content() -> None:
    page = as_csl(citation(WEB_PAGE))
    assert page["type"] == "webpage" and page["container-title"] == "monitor.example.org"
    assert "issued" not in page and "author" not in page  # unknown, not invented
    assert_csl_data([page])
    hostile = json.loads(render(HOSTILE, "csl-json"))
    assert_csl_data(hostile)
    assert hostile[0]["title"] == safe(HOSTILE_TITLE)  # JSON needs no escaping beyond its own
