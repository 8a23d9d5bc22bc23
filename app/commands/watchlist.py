from __future__ import annotations

import json
from pathlib import Path

import click

from app.output import console, print_json
from app.watchlists import load_or_exit
from crawlers.watchlist import watchlist_json_schema


@click.group("watchlist")
def command() -> None:
    """Check and manage watchlists (YAML files of sources)."""


@command.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the validated watchlists as JSON.")
def validate(files: tuple[Path, ...], as_json: bool) -> None:
    """Check watchlist FILES; problems are printed as file:line: field: message (exit 2)."""
    loaded = [load_or_exit(path) for path in files]
    if as_json:
        print_json([watchlist.model_dump(mode="json") for watchlist in loaded])
        return
    for path, watchlist in zip(files, loaded):
        console.print(f"{path}: ok ({len(watchlist.sources)} sources)", markup=False)


@command.command("schema")
def schema() -> None:
    """Print the watchlist JSON Schema (for editor autocompletion)."""
    click.echo(json.dumps(watchlist_json_schema(), indent=2))
