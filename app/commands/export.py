"""`osint export QUERY --format csv|jsonl|ftm|graphml|gexf -o FILE`: every document a search matches,
streamed from the index into a file (or standard output) with a progress bar (app/exporting.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click
from rich.text import Text

from app.commands.config import current_config, open_index
from app.commands.search import SYNTAX
from app.exporting import export_chunks, matching_count, prepare_export
from app.output import console, count_progress, error_console, fail, print_json, replaced_whole, safe
from exports.formats import FORMATS, write_export
from index.query import QuerySyntaxError

FORMAT_HELP = "\b\nFormats:\n" + "\n".join(f"  {item.name:8} {item.description}" for item in FORMATS.values())


@contextmanager
def _destination(output: str) -> Iterator[BinaryIO]:
    """Standard output for "-"; else `output`.part, renamed to `output` once the export is
    complete, and removed if it fails or is interrupted: never a half file under the name asked for."""
    if output == "-":
        stdout = sys.stdout.buffer
        yield stdout
        stdout.flush()
        return
    with replaced_whole(Path(output)) as part:
        try:
            stream = part.open("wb")
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
        with stream:
            yield stream


@click.command("export", epilog=FORMAT_HELP + "\n\n" + SYNTAX)
@click.argument("query", default="")
@click.option("--format", "format_name", type=click.Choice(list(FORMATS)), default="csv", show_default=True)
@click.option(
    "-o", "--output", required=True, metavar="FILE", help="The file to write (- for standard output); replaced whole."
)
@click.option("--expand", is_flag=True, help="Also match the entities words name, as `osint search --expand`.")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON: format, documents, path, bytes.")
def command(query: str, format_name: str, output: str, expand: bool, as_json: bool) -> None:
    """Export every document a search matches (no page limit), newest first.

    QUERY is the `osint search` syntax; an empty query exports the whole index.
    """
    if as_json and output == "-":
        raise click.UsageError("--json prints its summary on standard output: give -o a file, not -")
    try:
        prepared = prepare_export(query, format_name, expand=expand)
    except QuerySyntaxError as exc:
        raise click.UsageError(f"query: {exc}") from None
    for warning in prepared.warnings:
        error_console.print(Text(f"warning: {safe(warning)}", style="yellow"))
    documents = 0

    def advance(so_far: int) -> None:
        nonlocal documents
        documents = so_far
        bar.update(task, completed=so_far)

    try:
        with open_index(current_config()) as backend, count_progress(as_json) as bar:
            task = bar.add_task(f"Exporting {format_name}", total=matching_count(backend, prepared))
            with _destination(output) as stream:
                written = write_export(export_chunks(backend, prepared, advance), stream)
    except BrokenPipeError:  # `osint export … -o - | head`: the reader has had what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return
    except ConnectionError as exc:  # before OSError: an unreachable engine (EngineUnavailable) is both
        fail(f"the index cannot be read: {exc}")
    except OSError as exc:
        fail(f"the export failed: {exc}")
    path = output if output == "-" else str(Path(output).resolve())
    if as_json:
        print_json({"format": format_name, "documents": documents, "path": path, "bytes": written})
    else:
        (error_console if output == "-" else console).print(
            Text(f"Exported {documents} documents ({written} bytes, {format_name}) to {safe(path)}")
        )
