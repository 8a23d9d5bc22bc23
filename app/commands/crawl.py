from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.commands.config import current_config
from app.output import console, error_console, fail, print_json, safe
from app.watchlists import load_or_exit
from crawlers.verdict import RunVerdict, judge_run
from network.redaction import redact_text, redact_url
from settings.config import Config
from state.ledger import Ledger, RunReport
from state.scheduler import SchedulerState
from watchlists.model import Watchlist


def print_report(report: RunReport) -> None:
    table = Table(title=f"Run {report.run_id} · {report.watchlist}", show_header=True)
    table.add_column("outcome")
    table.add_column("URLs", justify="right")
    for outcome in ("fetched", "indexed", "unchanged", "skipped", "failed", "followed"):
        table.add_row(outcome, str(getattr(report, outcome)))
    console.print(table)
    if report.reasons:
        reasons = Table(title="Reasons", show_header=True)
        reasons.add_column("reason")
        reasons.add_column("URLs", justify="right")
        for reason, count in report.reasons.items():
            reasons.add_row(reason, str(count))
        console.print(reasons)
    console.print(
        f"{report.urls} URLs in {report.duration_seconds or 0:.1f}s; "
        f"{report.new_documents} new and {report.changed_documents} changed documents."
    )


def print_failed_sources(verdict: RunVerdict) -> None:
    """One line per failed source on stderr; the tracebacks behind them are in the -v log."""
    for failure in verdict.failed_sources:
        more = f" (and {failure.failed_urls - 1} more failed URLs)" if failure.failed_urls > 1 else ""
        error_console.print(
            f"source {safe(failure.source)}: failed ({failure.reason}) {safe(redact_url(failure.url))}{more}",
            markup=False,
        )


@click.command("crawl")
@click.argument("watchlist", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", "sources", multiple=True, metavar="ID", help="Crawl only this source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal)."
)
@click.option(
    "--due",
    is_flag=True,
    help="Crawl only the sources whose schedule says they are due (for cron, systemd timers, CronJobs).",
)
def command(watchlist: Path, sources: tuple[str, ...], as_json: bool, progress: bool | None, due: bool) -> None:
    """Fetch, extract and index the sources of WATCHLIST, then print the run report.

    Every URL touched ends with one outcome (indexed, unchanged, skipped, failed, or followed for
    feeds and sitemaps), recorded in the data directory; `osint runs show ID` shows it again.
    With --due, one pass of the scheduler: sources not yet due, or being crawled elsewhere, wait.

    A source failed when at least one of its URLs failed and none was indexed, unchanged or
    followed: nothing it lists could be fetched and used (connection refused, 404, HTML instead of
    a feed). Skipped URLs (robots.txt, out of scope, crawled elsewhere) are not failures. Each
    failed source gets one line on stderr; --json adds "verdict", "exit_code" and "failed_sources".

    \b
    Exit status:
      0  ok: no source failed (also when nothing was due)
      3  partial: some sources failed, the others worked
      4  failed: every source failed
      1  the crawl could not run at all;  2  bad usage or a broken watchlist
    """
    from crawlers.runner import CrawlError, run_crawl, run_due  # Scrapy and Twisted: only for the command that crawls

    config = current_config()
    loaded = load_or_exit(watchlist)
    if due and sources:
        raise click.UsageError("--due picks the sources itself; it cannot be combined with --source")
    for source_id in sources:
        try:
            loaded.source(source_id)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="--source") from None
    show_progress = error_console.is_terminal if progress is None else progress
    counts: Counter[str] = Counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=error_console,
        disable=not show_progress,
        transient=True,
    ) as bar:
        task = bar.add_task(f"Crawling {loaded.name}")

        def on_outcome(outcome: str, url: str) -> None:
            counts[outcome] += 1
            summary = " · ".join(
                f"{name} {counts[name]}" for name in ("indexed", "unchanged", "skipped", "failed") if counts[name]
            )
            bar.update(task, description=f"Crawling {loaded.name}: {summary}")

        try:
            if due:
                due_ids, report = run_due(loaded, config, progress=on_outcome)
            else:
                due_ids, report = [], run_crawl(loaded, config, list(sources) or None, progress=on_outcome)
        except CrawlError as exc:
            fail(redact_text(str(exc)))
    if report is None:
        _print_nothing_due(loaded, config, as_json)
        return
    _notify_alerts(config)
    ledger = Ledger.in_data_dir(config.data_dir)
    verdict = judge_run(ledger, report)
    ledger.close()
    if as_json:
        print_json(
            {**report.model_dump(mode="json"), **verdict.model_dump(mode="json"), **({"due": due_ids} if due else {})}
        )
    else:
        print_report(report)
    print_failed_sources(verdict)
    if verdict.exit_code:
        raise SystemExit(verdict.exit_code)


def _notify_alerts(config: Config) -> None:
    """Saved searches fire after every run; a channel that is down never fails the crawl (its
    documents stay pending and are retried after the next run, or by `osint alert run`)."""
    # imported when the run is over: the alert machinery (~0.5 s of imports) would otherwise delay
    # the start of the extraction workers, whose warm-up competes with Scrapy's for the CPU
    from app.commands.alert import run_alerts

    try:
        results = run_alerts(config)
    except Exception as exc:  # the crawl's own work is done and recorded whatever happens here
        error_console.print(f"Alerts were not evaluated: {redact_text(str(exc))}", markup=False)
        return
    for result in results:
        for target, count in result.delivered.items():
            error_console.print(f"Alert {result.alert}: {count} documents sent to {redact_text(target)}", markup=False)
        for target, error in result.errors.items():
            error_console.print(
                f"Alert {result.alert}: delivery to {redact_text(target)} failed (will retry): {redact_text(str(error))}",
                markup=False,
            )


def _print_nothing_due(watchlist: Watchlist, config: Config, as_json: bool) -> None:
    state = SchedulerState(config.data_dir)
    upcoming = [when for source in watchlist.sources if (when := state.next_run(watchlist, source)) is not None]
    state.close()
    next_run = min(upcoming).isoformat() if upcoming else None
    if as_json:
        print_json({"run_id": None, "due": [], "next_run": next_run})
    else:
        console.print(
            f"Nothing is due in {watchlist.name}; "
            + (f"next run at {next_run}." if next_run else "no source has a schedule."),
            markup=False,
        )
