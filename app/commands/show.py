"""`osint show ID`: everything known about one document, its text with the entities marked, the
story it belongs to and its earlier versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from app.citing import NO_CAPTURE, utc
from app.commands.config import current_config, open_index
from app.document_ids import load_document, story_of
from app.entity_marks import grouped, markable, text_mentions, title_mentions
from app.output import console, fail, print_json, safe, safe_block
from exports.shareable import shareable
from index.query import Hit
from schema.document import Capture, Document
from schema.entities import Entity

ENTITY_STYLES = {
    "WEAPON": "bold red",
    "COUNTRY": "green",
    "HISTORICAL_STATE": "yellow",
    "ARMED_GROUP": "bold magenta",
    "GENERIC_ACTOR": "cyan",
}
OTHER_ENTITY_STYLE = "blue"  # labels of the statistical model (ORG, GPE, ...)
#: attributes that say how an entity was found rather than what it is
_HIDDEN_ATTRIBUTES = frozenset({"field", "evidence"})


@click.command("show")
@click.argument("document_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the document, its story and the id asked for as JSON.")
def command(document_id: str, as_json: bool) -> None:
    """Everything about one document: metadata, capture, text with entities marked, entities,
    pages, its story and earlier versions.

    ID is the document's id or any prefix of it that no other id has (as git names commits);
    a prefix several ids share, or one none has, exits 2 (the first lists the candidates).
    """
    try:
        with open_index(current_config()) as backend:
            document = shareable(load_document(backend, document_id))
            story = story_of(backend, document)
    except (OSError, ConnectionError) as exc:
        fail(f"the index cannot be read: {exc}")
    if as_json:
        print_json({**document.model_dump(mode="json"), "requested_id": document_id, "story": story})
    else:
        print_document(document, story)


# -- for people --------------------------------------------------------------------------------


def print_document(document: Document, story: list[Hit], out: Console = console) -> None:
    """The document for people, on `out` (colours only where `out` is a terminal)."""
    title = marked(document.title, title_mentions(document), style="bold")
    out.print(title if title.plain.strip() else Text("(untitled)", style="bold"))
    out.print(metadata(document))
    out.print()
    out.print(marked(document.text, text_mentions(document)))
    if document.entities:
        out.print()
        out.print(entity_table(document.entities))
    if document.pages:
        out.print(page_table(document))
    if document.story_id:
        out.print(*story_lines(document.story_id, story), sep="\n")
    if document.versions:
        out.print(*version_lines(document.versions), sep="\n")


def when(moment: datetime | None) -> str:
    return utc(moment) if moment else "-"


def metadata(document: Document) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    rows: list[tuple[str, str]] = [
        ("url", document.url),
        ("id", document.id),
        ("source", f"{document.source_id or '-'} (watchlist {document.watchlist or '-'})"),
        ("kind", f"{document.kind}, {document.content_type}"),
        ("language", f"{document.language} (confidence {document.language_confidence:.2f})"),
        ("authors", ", ".join(document.authors) or "-"),
        ("published", when(document.published)),
        ("fetched", when(document.fetched)),
        ("indexed", when(document.indexed)),
        ("content hash", document.content_hash or "-"),
    ]
    if document.canonical_url != document.url:
        rows.insert(1, ("canonical url", document.canonical_url))
    if document.tags:
        rows.append(("tags", ", ".join(document.tags)))
    capture = document.capture
    if capture is None:
        rows.append(("capture", NO_CAPTURE))
    else:
        rows += [
            ("capture sha256", capture.payload_sha256),
            ("capture warc", f"{capture.warc} (offset {capture.offset}, {capture.length} bytes)"),
            ("capture record", capture.record_id),
            (
                "captured",
                f"{when(capture.fetched_at)}  from {capture.ip or 'unknown address'}  (HTTP {capture.status})",
            ),
        ]
    for name, value in rows:
        grid.add_row(name, Text(safe(value)))  # Text: a crawled value is never read as rich markup
    return grid


def entity_style(label: str) -> str:
    return ENTITY_STYLES.get(label, OTHER_ENTITY_STYLE)


def marked(text: str, mentions: Iterable[Entity], style: str = "") -> Text:
    """`text` with each mention styled by its type. Escape sequences and control characters are
    removed piece by piece, after the offsets have been applied; a mention whose offsets do not
    frame its own text (or overlap an earlier one) is left unmarked rather than marked wrongly."""
    shown = Text(style=style)
    position = 0
    for entity in markable(text, mentions):
        shown.append(safe_block(text[position : entity.start]))
        shown.append(safe_block(text[entity.start : entity.end]), style=entity_style(entity.label))
        position = entity.end
    shown.append(safe_block(text[position:]))
    return shown


def attribute_text(attributes: dict[str, Any]) -> str:
    """What the gazetteer knows of an entity (origin, category, manufacturer, parent group, ...)."""
    shown = []
    for name, value in attributes.items():
        if name in _HIDDEN_ATTRIBUTES or value in (None, "", [], {}) or isinstance(value, dict):
            continue
        shown.append(f"{name}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return "; ".join(shown)


def entity_table(entities: list[Entity]) -> Table:
    table = Table(title="Entities", title_justify="left", show_header=True)
    for column in ("entity", "type", "mentions", "attributes"):
        table.add_column(column, justify="right" if column == "mentions" else "left")
    for group in grouped(entities):
        table.add_row(
            Text(safe(group.canonical), style=entity_style(group.label)),
            Text(safe(group.label)),
            Text(str(group.mentions)),
            Text(safe(attribute_text(group.attributes))),
        )
    return table


def opening(text: str, length: int = 48) -> str:
    """The start of a page, to recognise it by."""
    line = safe(text).strip()
    if len(line) <= length:
        return line
    cut = line[: length + 1]  # at a space where there is one (the one just after the length counts)
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut[:length]).rstrip() + "…"


def page_table(document: Document) -> Table:
    table = Table(title="Pages", title_justify="left", show_header=True)
    for column in ("page", "starts at", "begins"):
        table.add_column(column)
    for span in document.pages:
        table.add_row(Text(str(span.page)), Text(str(span.start)), Text(opening(document.text[span.start : span.end])))
    return table


def story_lines(story_id: str, story: list[Hit]) -> list[Text]:
    """One line per sibling, unabridged: its id is what `osint show` takes next (a table would
    cut it to the terminal's width)."""
    heading = Text(f"Story {safe(story_id)}: ", style="bold")
    heading.append(
        f"{len(story)} other document{'s' if len(story) > 1 else ''}" if story else "no other document",
        style="" if story else "dim",
    )
    lines = [heading]
    for hit in story:
        line = Text(f"  {safe(hit.id)}  ", style="dim")
        line.append(hit.published.astimezone(UTC).date().isoformat() if hit.published else "undated")
        line.append(f"  {safe(hit.source_id) or '-'}  ")
        line.append(safe(hit.title) or "(untitled)", style="cyan")
        line.append(f"  {safe(hit.url)}", style="dim")
        lines.append(line)
    return lines


def version_lines(versions: list[Capture]) -> list[Text]:
    """One line per earlier version, newest first, digests in full (they are checked, not read)."""
    lines = [Text("Earlier versions", style="bold")]
    for version in versions:
        line = Text(f"  {when(version.fetched_at)}  ")
        line.append(f"sha256 {safe(version.payload_sha256)}  warc {safe(version.warc)}", style="dim")
        line.append(f"  content hash {safe(version.content_hash) or '-'}", style="dim")
        lines.append(line)
    return lines
