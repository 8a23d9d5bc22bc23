from __future__ import annotations

import dataclasses
import logging
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from alerts.backfill import BackfillResult, backfill_summary, existing_matches, refuse_taken_name, save_and_deliver
from alerts.evaluate import AlertResult, evaluate_alerts
from alerts.guard import DeliveryPolicy
from alerts.model import Alert
from alerts.preview import preview_alert
from alerts.store import AlertExists, AlertStore
from alerts.validation import InvalidAlert, validated_alert
from app.commands.config import current_config, open_index
from app.output import console, count_progress, fail, print_json, safe
from index.query import QuerySyntaxError
from network.redaction import redact_text
from settings.config import Config
from state.ledger import Ledger

logger = logging.getLogger(__name__)


def run_alerts(config: Config, names: list[str] | None = None) -> list[AlertResult]:
    """Evaluate alerts and deliver what is pending (after every `osint crawl`, and `osint alert run`)."""
    store = AlertStore(config.data_dir)
    try:
        if not store.all():
            return []
        ledger = Ledger.in_data_dir(config.data_dir)
        try:
            with open_index(config) as backend:
                return evaluate_alerts(store, ledger, backend, names, DeliveryPolicy.from_config(config))
        finally:
            ledger.close()
    finally:
        store.close()


def result_json(result: AlertResult) -> dict[str, Any]:
    return {
        "alert": result.alert,
        "runs": result.runs,
        "matched": [hit.id for hit in result.matched],
        "queued": result.queued,
        "delivered": result.delivered,
        "errors": result.errors,
    }


@click.group("alert")
def command() -> None:
    """Saved searches that notify: new matching documents are delivered once after every crawl."""


@command.command("add")
@click.argument("name")
@click.argument("query")
@click.option(
    "--notify",
    "targets",
    multiple=True,
    required=True,
    metavar="TARGET",
    help="webhook:https://…, jsonl:/path/file.jsonl (or file:/path/…; absolute, outside the data "
    "directory) or email:analyst@example.org (repeatable).",
)
@click.option(
    "--backfill",
    is_flag=True,
    help="Also deliver, now, every document already in the index that QUERY matches (then print "
    "how many matched, were delivered and failed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the alert (and the backfill's summary) as JSON.")
def add(name: str, query: str, targets: tuple[str, ...], backfill: bool, as_json: bool) -> None:
    """Save QUERY (analyst syntax, filters included) as alert NAME.

    Documents collected from now on that match are delivered to every --notify target, once.
    With --backfill, the documents already in the index that QUERY matches (all of them, as
    `osint search` finds them) are delivered too, right away, in the same payloads and with the
    same delivery records: `osint alert run` and later crawls never send them again. The alert
    and its backfill are saved together (an index that cannot be searched saves nothing); a
    target that fails keeps its documents pending, retried after the next run or by
    `osint alert run` (as after a crawl, the command still exits 0 and reports the failure).

    E-mail goes through the SMTP server in OSINT_SMTP_HOST (OSINT_SMTP_PORT, OSINT_SMTP_FROM,
    OSINT_SMTP_USER, OSINT_SMTP_PASSWORD, OSINT_SMTP_STARTTLS=1). Webhook and SMTP hosts on
    loopback or private addresses are refused unless listed in OSINT_ALLOW_PRIVATE_DELIVERY.
    """
    config = current_config()
    policy = DeliveryPolicy.from_config(config)
    try:
        alert = validated_alert(name, query, targets, policy)  # JSONL files: delivery checks again before every write
    except InvalidAlert as exc:
        raise click.UsageError(str(exc)) from None
    store = AlertStore(config.data_dir)
    result: BackfillResult | None = None
    try:
        if backfill:
            result = _add_with_backfill(config, store, alert, policy, as_json)
        else:
            store.add(alert)
    except AlertExists as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        store.close()
    if as_json:
        print_json(alert if result is None else {**alert.model_dump(mode="json"), "backfill": result.as_json()})
        return
    console.print(f"Alert {name!r} saved; it notifies {', '.join(map(str, alert.targets))}.", markup=False)
    if result is not None:
        console.print(backfill_summary(result), markup=False)


def _add_with_backfill(
    config: Config, store: AlertStore, alert: Alert, policy: DeliveryPolicy, as_json: bool
) -> BackfillResult:
    """store.add() with the index's existing matches queued and delivered, behind a progress bar
    (on a terminal, without --json)."""
    refuse_taken_name(store, alert.name)
    with count_progress(as_json) as bar:
        tasks = {
            "matching": bar.add_task("Finding existing matches", total=None),
            "delivering": bar.add_task("Delivering", total=None, visible=False),
        }

        def progress(phase: str, done: int, total: int) -> None:
            bar.update(tasks[phase], completed=done, total=total, visible=True)

        try:
            backend = open_index(config)
        except (OSError, ConnectionError) as exc:
            fail(f"the index cannot be opened, so alert {alert.name!r} was not saved: {redact_text(str(exc))}")
            raise  # unreachable: fail() exits
        with backend:
            try:
                doc_ids = existing_matches(backend, alert, progress=progress)
            except QuerySyntaxError as exc:
                raise click.UsageError(f"query: {exc}") from None
            except (OSError, ConnectionError) as exc:
                fail(f"the index cannot be searched, so alert {alert.name!r} was not saved: {redact_text(str(exc))}")
                raise  # unreachable: fail() exits
            try:
                return save_and_deliver(store, backend, alert, policy, doc_ids, progress)
            except (OSError, ConnectionError) as exc:  # the index, gone while documents were read back
                fail(
                    f"alert {alert.name!r} was saved with {len(doc_ids)} documents to deliver, but the index "
                    f"stopped answering: {redact_text(str(exc))}; what is left is delivered after the next run "
                    "or by `osint alert run`"
                )
                raise  # unreachable: fail() exits


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the alerts as JSON.")
def list_alerts(as_json: bool) -> None:
    """Saved alerts, with what they delivered and what waits for delivery."""
    store = AlertStore(current_config().data_dir)
    rows = [
        {
            **alert.model_dump(mode="json"),
            "targets": [str(t) for t in alert.targets],
            **dataclasses.asdict(store.summary(alert.name)),
        }
        for alert in store.all()
    ]
    store.close()
    if as_json:
        print_json(rows)
        return
    table = Table(show_header=True)
    for column in ("alert", "query", "notify", "delivered", "pending", "last delivered", "last error"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            Text(row["name"]),
            Text(row["query"]),
            Text(", ".join(row["targets"])),
            str(row["delivered"]),
            str(row["pending"]),
            Text(row["last_delivered"] or "-"),
            Text(row["last_error"][:80] or "-"),
        )
    console.print(table)


@command.command("test")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
def test(name: str, as_json: bool) -> None:
    """What alert NAME would deliver now (new matches and pending deliveries), without sending anything.

    New matches are documents from runs since the alert was created that it has not queued yet;
    pending ones wait for a target that failed. Documents already delivered (after a run, or by
    `osint alert add --backfill`) are not listed again, only counted (one delivery per document
    and target): right after a backfill that reached every target, this shows nothing to
    deliver and the deliveries made (a backfilled document a target failed to take is listed
    as pending).
    """
    config = current_config()
    store = AlertStore(config.data_dir)
    ledger = Ledger.in_data_dir(config.data_dir)
    try:
        try:
            alert = store.get(name)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
        with open_index(config) as backend:
            preview = preview_alert(store, ledger, backend, alert)
    finally:
        store.close()
        ledger.close()
    if as_json:
        print_json(
            {
                "alert": name,
                "runs": preview.runs,
                "new_matches": preview.new_matches,
                "pending": preview.pending,
                "delivered": preview.delivered,
            }
        )
        return
    console.print(
        f"{len(preview.new_matches)} new matching documents from {len(preview.runs)} runs; "
        f"{len(preview.waiting)} more waiting for delivery; {preview.delivered} deliveries made already (not listed).",
        markup=False,
    )
    for hit in preview.new_matches:
        console.print(Text(f"  new      {safe(hit.title) or '(untitled)'}  {safe(hit.url)}"))
    for document in preview.waiting:
        console.print(Text(f"  pending  {safe(document.title) or '(untitled)'}  {safe(document.url)}"))


@command.command("run")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print what was matched and delivered as JSON.")
def run(names: tuple[str, ...], as_json: bool) -> None:
    """Evaluate alerts (default: all) now and retry pending deliveries; `osint crawl` does this after every run."""
    results = run_alerts(current_config(), list(names) or None)
    if as_json:
        print_json([result_json(result) for result in results])
        return
    for result in results:
        delivered = (
            ", ".join(f"{count} to {target}" for target, count in result.delivered.items()) or "nothing delivered"
        )
        errors = "; ".join(result.errors.values())
        console.print(
            f"{result.alert}: {len(result.matched)} new matches; {delivered}"
            + (f"; failed: {errors}" if errors else ""),
            markup=False,
        )


@command.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete alert NAME and its delivery records."""
    store = AlertStore(current_config().data_dir)
    removed = store.remove(name)
    store.close()
    if not removed:
        raise click.BadParameter(f"no alert named {name!r}", param_hint="NAME")
    console.print(f"Alert {name!r} removed.", markup=False)
