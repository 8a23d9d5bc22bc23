"""`osint cite ID`: a citation of one document, with where its preserved copy is (app/citing.py)."""

from __future__ import annotations

import click

from app.citing import STYLES, Style, render
from app.commands.config import current_config, open_index
from app.document_ids import load_document
from app.output import fail
from app.page_numbers import find_words
from schema.document import Document


def cited_page(document: Document, page: int | None, snippet: str | None) -> int | None:
    """The page to cite: `page` checked against the document's pages, or the page `snippet` is on
    (None for a document without pages)."""
    if page is not None:
        numbers = [span.page for span in document.pages]
        if not numbers:
            raise click.BadParameter("the document has no pages (PDF documents have)", param_hint="--page")
        if page not in numbers:
            raise click.BadParameter(f"the document's pages are {min(numbers)}-{max(numbers)}", param_hint="--page")
        return page
    if snippet is None:
        return None
    # any case and any spacing: a quotation copied from a PDF viewer keeps neither exactly
    found = find_words(document.text, snippet.split(), ignore_case=True)
    if found is None:
        raise click.BadParameter("these words are not in the document's text", param_hint="--snippet")
    return document.page_at(found)


@click.command("cite")
@click.argument("document_id", metavar="ID")
@click.option("--style", type=click.Choice(STYLES), default="text", show_default=True, help="Citation format.")
@click.option("--page", type=click.IntRange(min=1), help="The page cited (documents with pages: PDF).")
@click.option("--snippet", metavar="TEXT", help="Words quoted from the document: cite the page they are on.")
def command(document_id: str, style: Style, page: int | None, snippet: str | None) -> None:
    """A citation of a document: title, site, authors, date, URL, page, and when its preserved copy
    was captured with the SHA-256 of the bytes served ("no capture preserved" when none was kept).

    ID is the document's id or a unique prefix of it (see `osint show`). csl-json imports into
    Zotero and other reference managers; bibtex is a biblatex @online entry.
    """
    if page is not None and snippet is not None:
        raise click.UsageError("--page and --snippet are alternatives: give one")
    try:
        with open_index(current_config()) as backend:
            document = load_document(backend, document_id)
    except (OSError, ConnectionError) as exc:
        fail(f"the index cannot be read: {exc}")
    click.echo(render(document, style, cited_page(document, page, snippet)))
