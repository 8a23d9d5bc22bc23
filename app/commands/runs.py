from __future__ import annotations

import click
from rich.table import Table

from app.commands.config import current_config
from app.commands.crawl import print_report
from app.output import console, print_json
from app.run_reports import run_detail_json
from state.ledger import Ledger


@click.group("runs", invoke_without_command=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_context
def command(context: click.Context, limit: int, as_json: bool) -> None:
    """List past crawl runs (newest first); `osint runs show ID` for one report."""
    if context.invoked_subcommand:
        return
    reports = Ledger.in_data_dir(current_config().data_dir).runs(limit)
    if as_json:
        print_json([report.model_dump(mode="json") for report in reports])
        return
    table = Table(show_header=True)
    for column in ("run", "watchlist", "started", "status", "indexed", "unchanged", "skipped", "failed"):
        table.add_column(column)
    for report in reports:
        table.add_row(
            report.run_id,
            report.watchlist,
            report.started,
            report.status,
            str(report.indexed),
            str(report.unchanged),
            str(report.skipped),
            str(report.failed),
        )
    console.print(table)


@command.command("show")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print the report (and each URL's outcome) as JSON.")
@click.option("--urls", is_flag=True, help="Also list every URL with its outcome for each source that touched it.")
def show(run_id: str, as_json: bool, urls: bool) -> None:
    """The full report of run RUN_ID: counts by outcome, reasons, per source, new and changed documents."""
    ledger = Ledger.in_data_dir(current_config().data_dir)
    try:
        report = ledger.report(run_id)
    except KeyError:
        raise click.BadParameter(f"no run {run_id!r} (see `osint runs`)", param_hint="RUN_ID") from None
    detail = run_detail_json(
        report, ledger.outcomes(run_id) if urls or as_json else [], ledger.changed_documents(run_id)
    )
    if as_json:
        print_json(detail)
        return
    documents, outcomes = detail["documents"], detail["outcomes"]
    print_report(report)
    for outcome, reasons in report.reasons_by_outcome.items():
        console.print(
            f"{outcome}: " + ", ".join(f"{reason} {count}" for reason, count in reasons.items()), markup=False
        )
    for change in ("new", "changed"):
        for url in documents[change]:
            console.print(f"{change:9} {url}", markup=False)
    for row in outcomes:
        console.print(f"{row['outcome']:9} {row['reason'] or '-':26} {row['source_id']:20} {row['url']}", markup=False)
