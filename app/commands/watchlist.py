from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from app.commands.config import current_config
from app.commands.schedule import watchlist_files
from app.output import console, print_json
from app.watchlists import exit_on_watchlist_error, load_or_exit
from scheduling.status import source_statuses
from state.ledger import Ledger
from state.scheduler import SchedulerState
from watchlists.edit import add_source, create_watchlist, remove_source
from watchlists.model import (
    Watchlist,
    WatchlistError,
    error_message,
    load_watchlist,
    source_from_fields,
    watchlist_json_schema,
)


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
    for path, watchlist in zip(files, loaded, strict=True):
        console.print(f"{path}: ok ({len(watchlist.sources)} sources)", markup=False)


@command.command("schema")
def schema() -> None:
    """Print the watchlist JSON Schema (for editor autocompletion)."""
    click.echo(json.dumps(watchlist_json_schema(), indent=2))


def _edit_or_exit(action: Callable[[], Watchlist]) -> Watchlist:
    try:
        with exit_on_watchlist_error():
            return action()
    except (KeyError, FileExistsError, ValueError) as exc:
        raise click.UsageError(str(exc.args[0] if isinstance(exc, KeyError) else exc)) from None


@command.command("new")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="Watchlist name (shown in runs and search filters).")
@click.option("--owner", default="", help="Who answers for it (an e-mail address).")
@click.option("--description", default="", help="What it follows.")
@click.option("--schedule", help="Default schedule for its sources ('every 6 hours', 'daily at 06:00 UTC', cron).")
@click.option("--json", "as_json", is_flag=True, help="Print the new watchlist as JSON.")
def new(path: Path, name: str, owner: str, description: str, schedule: str | None, as_json: bool) -> None:
    """Create a watchlist file at PATH, with no sources yet."""
    watchlist = _edit_or_exit(lambda: create_watchlist(path, name, owner, description, schedule))
    _done(watchlist, as_json, f"{path}: created watchlist {name!r}")


@command.command("add-source")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("source_id", metavar="ID")
@click.option("--kind", required=True, type=click.Choice(["feed", "sitemap", "site", "page", "document"]))
@click.option("--url", "urls", multiple=True, required=True, help="Repeatable.")
@click.option("--name", default="", help="Human-readable name.")
@click.option("--tag", "tags", multiple=True, help="Repeatable.")
@click.option("--language", help="ISO 639-1 hint, e.g. 'ar'.")
@click.option("--schedule", help="'every 30 minutes', 'daily at 06:00 UTC' or a cron expression.")
@click.option("--revisit", help="Re-fetch known articles after this long ('7 days').")
@click.option("--render-js", is_flag=True, help="Render pages in headless Chromium.")
@click.option("--max-depth", type=int, help="site: links followed from the start URLs.")
@click.option("--max-pages", type=int, help="Documents fetched per run at most.")
@click.option("--allow", multiple=True, help="site: a URL must match one of these regular expressions.")
@click.option("--deny", multiple=True, help="site: URLs matching these are skipped.")
@click.option("--json", "as_json", is_flag=True, help="Print the edited watchlist as JSON.")
def add_source_command(
    path: Path,
    source_id: str,
    kind: str,
    urls: tuple[str, ...],
    name: str,
    tags: tuple[str, ...],
    language: str | None,
    schedule: str | None,
    revisit: str | None,
    render_js: bool,
    max_depth: int | None,
    max_pages: int | None,
    allow: tuple[str, ...],
    deny: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add source ID to the watchlist at PATH (comments and layout of the file are kept)."""
    fields = {
        "id": source_id,
        "kind": kind,
        "urls": list(urls),
        "name": name,
        "tags": list(tags),
        "language": language,
        "schedule": schedule,
        "revisit": revisit,
        "render_js": render_js,
    }
    scope = {"max_depth": max_depth, "max_pages": max_pages, "allow": list(allow), "deny": list(deny)}
    try:
        source = source_from_fields(fields, scope)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise click.UsageError(f"{'.'.join(map(str, first['loc']))}: {error_message(first)}") from None
    watchlist = _edit_or_exit(lambda: add_source(path, source))
    _done(watchlist, as_json, f"{path}: added {source_id} ({len(watchlist.sources)} sources)")


@command.command("remove-source")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("source_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the edited watchlist as JSON.")
def remove_source_command(path: Path, source_id: str, as_json: bool) -> None:
    """Remove source ID from the watchlist at PATH (what it collected stays in the index)."""
    watchlist = _edit_or_exit(lambda: remove_source(path, source_id))
    _done(watchlist, as_json, f"{path}: removed {source_id} ({len(watchlist.sources)} sources)")


def _done(watchlist: Watchlist, as_json: bool, message: str) -> None:
    if as_json:
        print_json(watchlist.model_dump(mode="json"))
    else:
        console.print(message, markup=False)


@command.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the watchlists as JSON.")
def list_command(paths: tuple[Path, ...], as_json: bool) -> None:
    """List watchlists in PATHS (files or directories; default: settings/watchlists)."""
    files = watchlist_files(paths or (Path("settings/watchlists"),))
    rows: list[dict[str, Any]] = []
    for path in files:
        try:
            watchlist = load_watchlist(path)
            rows.append(
                {
                    "path": str(path),
                    "name": watchlist.name,
                    "owner": watchlist.owner,
                    "schedule": watchlist.schedule,
                    "sources": len(watchlist.sources),
                    "enabled": sum(s.enabled for s in watchlist.sources),
                    "problems": [],
                }
            )
        except WatchlistError as exc:
            rows.append(
                {
                    "path": str(path),
                    "name": None,
                    "owner": "",
                    "schedule": None,
                    "sources": 0,
                    "enabled": 0,
                    "problems": exc.problems,
                }
            )
    if as_json:
        print_json(rows)
        return
    table = Table(show_header=True)
    for column in ("path", "name", "sources", "schedule", "problems"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            Text(row["path"]),
            Text(row["name"] or "-"),
            f"{row['enabled']}/{row['sources']}",
            Text(row["schedule"] or "-"),
            Text("; ".join(row["problems"])[:200] or "-"),
        )
    console.print(table)


#: the fields of a source's status `osint watchlist show --json` prints, in this order
SHOWN_FIELDS = (
    *("id", "kind", "enabled", "schedule", "last_run", "last_run_started", "last_run_counts", "last_error"),
    *("next_run", "health", "consecutive_failures"),
)


def _shown_statuses(watchlist: Watchlist, data_dir: Path) -> list[dict[str, Any]]:
    ledger, state = Ledger.in_data_dir(data_dir), SchedulerState(data_dir)
    try:
        statuses = source_statuses(watchlist, ledger, state)
    finally:
        ledger.close()
        state.close()
    return [{name: getattr(status, name) for name in SHOWN_FIELDS} for status in statuses]


@command.command("show")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the watchlist and its sources' status as JSON.")
def show(path: Path, as_json: bool) -> None:
    """Sources of the watchlist at PATH with their last run, next run and health.

    A source whose last 3 runs all failed (nothing fetched, indexed or unchanged) is unhealthy.
    """
    watchlist = load_or_exit(path)
    rows = _shown_statuses(watchlist, current_config().data_dir)
    if as_json:
        print_json(
            {
                "name": watchlist.name,
                "path": str(path),
                "owner": watchlist.owner,
                "schedule": watchlist.schedule,
                "sources": rows,
            }
        )
        return
    console.print(Text(f"{watchlist.name} · {watchlist.owner or 'no owner'} · {len(rows)} sources", style="bold"))
    table = Table(show_header=True)
    for column in ("source", "kind", "schedule", "last run", "next run", "health"):
        table.add_column(column)
    style = {"ok": "green", "failing": "yellow", "unhealthy": "bold red", "never run": "dim"}
    for row in rows:
        counts = ", ".join(f"{name} {count}" for name, count in row["last_run_counts"].items())
        last = f"{row['last_run_started']} ({counts})" if row["last_run"] else "-"
        health = Text(
            row["health"] + (f": {row['last_error']}" if row["last_error"] else ""), style=style[row["health"]]
        )
        table.add_row(
            Text(row["id"]),
            row["kind"] + ("" if row["enabled"] else " (off)"),
            Text(row["schedule"] or "manual"),
            Text(last),
            Text(row["next_run"] or "-"),
            health,
        )
    console.print(table)
