from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from app.commands.config import current_config
from app.output import console, fail, print_json, safe

MAX_INPUT = 50 * 1024 * 1024


def _content_type(path: str, data: bytes, html: bool, pdf: bool) -> str:
    if pdf or data[:5] == b"%PDF-":
        return "application/pdf"
    if html or Path(path).suffix.lower() in (".html", ".htm", ".xhtml"):
        return "text/html"
    return "text/plain"


@click.command("extract")
@click.argument("source", metavar="FILE|-")
@click.option("--html", "html", is_flag=True, help="Treat the input as HTML (default for .html files).")
@click.option("--pdf", "pdf", is_flag=True, help="Treat the input as PDF (detected from its first bytes anyway).")
@click.option("--url", default="file:///stdin", show_default=True, help="URL the input came from (resolves links).")
@click.option("--language", "language_hint", metavar="CODE", help="Language hint (detection still decides).")
@click.option("--json", "as_json", is_flag=True, help="Print the extraction as one JSON object.")
def command(source: str, html: bool, pdf: bool, url: str, language_hint: str | None, as_json: bool) -> None:
    """Run the crawler's extraction (text, metadata, language, entities) on one document."""
    from extractors import ExtractionError, extract
    from extractors.entities.compiled_cache import use_cache_dir
    from extractors.entities.model_layer import use_model
    from schema.entities import EXTRACTED_ENTITY_SETS

    if source == "-":
        data = sys.stdin.buffer.read(MAX_INPUT + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise click.BadParameter(f"{source}: no such file", param_hint="FILE")
        data = path.read_bytes()[: MAX_INPUT + 1]
        if url == "file:///stdin":
            url = path.resolve().as_uri()
    if len(data) > MAX_INPUT:
        fail(f"input is larger than {MAX_INPUT // (1024 * 1024)} MiB", code=2)
    config = current_config()
    use_model(config.spacy_model)
    use_cache_dir(config.cache_dir)
    try:
        extraction = extract(
            data, url=url, content_type=_content_type(source, data, html, pdf), language_hint=language_hint
        )
    except ExtractionError as exc:
        fail(f"nothing extracted ({exc.reason}): {exc.detail or exc}")
    if as_json:
        print_json(extraction)
        return
    console.print(Text(safe(extraction.title) or "(untitled)", style="bold"))
    console.print(
        Text(
            f"{extraction.language} ({extraction.language_confidence:.2f}) · {extraction.method} · "
            f"published {extraction.published or 'unknown'} · {len(extraction.text.split())} words",
            style="dim",
        )
    )
    table = Table(show_header=True)
    table.add_column("set")
    table.add_column("values")
    for name in EXTRACTED_ENTITY_SETS:
        values = getattr(extraction, name, None)
        if values:
            table.add_row(name, Text(", ".join(safe(str(v)) for v in values)))
    console.print(table)
