from __future__ import annotations

import json

import click
from rich.table import Table
from rich.text import Text

from app.commands.config import current_config, open_index
from app.output import console, error_console, fail, print_json, safe, snippet_text
from app.searching import prepare_search
from index.cursor import CursorError, parse_cursor
from index.query import QuerySyntaxError, SearchResult

SYNTAX = """\b
Syntax (operators in any case; OR binds tighter than AND; parentheses group):
  rifles launchers            all words, any inflection (rifle, rifles; автомат, автоматами)
  "anti-tank missiles"        an exact phrase (no inflections)
  =rifle                      this exact form only
  launch*                     words starting so (3+ characters)
  kornett~   kornet~1         misspellings: 1-2 edits by length, or as many as given
  "kornet sudan"~10           all within 10 words (also NEAR(kornet sudan, 10))
  rifles OR carbines          either (also: rifles or carbines)
  rifles NOT airsoft          exclude (also: -airsoft)
  (rifles OR carbines) AND (Sudan OR Chad) NOT airsoft
  AK47  ak-47  AK 47  9M133   designations: every written form finds the others
  title:kornet  text:…  author:"Jane Doe"  url:example.org   words in one field
  weapon:Kornet  country:Iran  group:ISIS   entity filters (any alias; unknown names warn)
  weapon:(Strela-2 OR Igla)  -lang:en  country:IR,RU         alternatives and exclusions
Filters: weapon: category: origin: country: group: state: actor: lang: source: watchlist:
         kind: tag: story: since:YYYY[-MM[-DD]] until:YYYY[-MM[-DD]]
"""


def print_result(result: SearchResult) -> None:
    for warning in result.warnings:
        error_console.print(Text(f"warning: {safe(warning)}", style="yellow"))
    if result.explain:
        console.print(Text(f"searched: {safe(result.explain)}", style="dim"))
    console.print(Text(f"{result.total} documents", style="bold"))
    for rank, hit in enumerate(result.hits, 1):
        title = Text(f"{rank}. ", style="bold")
        title.append(safe(hit.title) or "(untitled)", style="bold cyan")
        console.print(title)
        meta = Text(
            f"   {safe(hit.url)}  ·  {hit.published.date() if hit.published else 'undated'}  ·  "
            f"{hit.language}  ·  {hit.source_id}  ·  score {hit.score:.2f}"
            + (f"  ·  page {hit.page}" if hit.page else ""),
            style="dim",
        )
        console.print(meta)
        console.print(Text("   ").append(snippet_text(hit.snippet)))
    if result.facets:
        table = Table(title="Facets", show_header=True)
        table.add_column("facet")
        table.add_column("values (documents)")
        for name, values in result.facets.items():
            if values:
                table.add_row(name, Text(", ".join(f"{safe(value)} ({count})" for value, count in values)))
        console.print(table)
    if result.histogram:
        console.print(
            Text("Published: " + ", ".join(f"{bucket} ({count})" for bucket, count in result.histogram), style="dim")
        )
    if result.next_cursor:
        console.print(Text(f"More: --after '{json.dumps(result.next_cursor)}'", style="dim"))


@click.command("search", epilog=SYNTAX)
@click.argument("query", default="")
@click.option("--json", "as_json", is_flag=True, help="Print total, hits and facets as JSON.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--size", type=click.IntRange(0, 1000), default=10, show_default=True, help="Hits per page.")
@click.option("--after", metavar="CURSOR", help="Next page: the cursor printed with the previous page.")
@click.option(
    "--histogram", type=click.Choice(["day", "week", "month", "year"]), help="Count documents by publication date."
)
@click.option("--facet-size", type=click.IntRange(1, 500), default=10, show_default=True)
@click.option("--collapse", is_flag=True, help="One hit per story (syndicated copies collapsed).")
@click.option(
    "--expand",
    is_flag=True,
    help="Also match the entities words name: Kalashnikov finds the AK family, ISIS group:Islamic State "
    "(--json shows the query run as `explain`).",
)
def command(
    query: str,
    as_json: bool,
    sort: str,
    size: int,
    after: str | None,
    histogram: str | None,
    facet_size: int,
    collapse: bool,
    expand: bool,
) -> None:
    """Search collected documents with the analyst syntax; ranked hits, snippets and facets."""
    try:
        cursor = parse_cursor(after) if after else None
    except CursorError as exc:
        raise click.BadParameter(str(exc), param_hint="--after") from None
    try:
        prepared = prepare_search(
            query,
            expand=expand,
            sort=sort,
            size=size,
            search_after=cursor,
            histogram=histogram,
            facet_size=facet_size,
            collapse_stories=collapse,
        )
    except QuerySyntaxError as exc:
        raise click.UsageError(f"query: {exc}") from None
    try:
        config = current_config()
        with open_index(config) as backend:
            result = prepared.run(backend)
    except CursorError as exc:  # a well-formed cursor of another sort or backend: known once the backend reads it
        raise click.BadParameter(str(exc), param_hint="--after") from None
    except (OSError, ConnectionError) as exc:
        fail(f"the index cannot be searched: {exc}")
    if as_json:
        print_json(result)
    else:
        print_result(result)
