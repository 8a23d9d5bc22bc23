from __future__ import annotations

import logging
from typing import Any

import click
from pydantic import ValidationError
from rich.table import Table
from rich.text import Text

from alerts.evaluate import AlertResult, evaluate_alerts, find_matches
from alerts.guard import DeliveryPolicy
from alerts.model import Alert, Target
from alerts.store import AlertExists, AlertStore
from app.commands.config import current_config, open_index
from app.output import console, print_json, safe
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
@click.option("--json", "as_json", is_flag=True, help="Print the alert as JSON.")
def add(name: str, query: str, targets: tuple[str, ...], as_json: bool) -> None:
    """Save QUERY (analyst syntax, filters included) as alert NAME.

    Documents collected from now on that match are delivered to every --notify target, once.
    E-mail goes through the SMTP server in OSINT_SMTP_HOST (OSINT_SMTP_PORT, OSINT_SMTP_FROM,
    OSINT_SMTP_USER, OSINT_SMTP_PASSWORD, OSINT_SMTP_STARTTLS=1). Webhook and SMTP hosts on
    loopback or private addresses are refused unless listed in OSINT_ALLOW_PRIVATE_DELIVERY.
    """
    config = current_config()
    try:
        alert = Alert(name=name, query=query, targets=[Target.parse(text) for text in targets])
        policy = DeliveryPolicy.from_config(config)
        for target in alert.targets:
            if target.kind == "jsonl":
                policy.file_for(target.address)  # delivery checks again before every write
    except ValueError as exc:  # pydantic's ValidationError and RefusedDelivery are ValueErrors
        message = exc.errors()[0]["msg"].removeprefix("Value error, ") if isinstance(exc, ValidationError) else str(exc)
        raise click.UsageError(message) from None
    store = AlertStore(config.data_dir)
    try:
        store.add(alert)
    except AlertExists as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        store.close()
    if as_json:
        print_json(alert)
    else:
        console.print(f"Alert {name!r} saved; it notifies {', '.join(map(str, alert.targets))}.", markup=False)


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the alerts as JSON.")
def list_alerts(as_json: bool) -> None:
    """Saved alerts, with what they delivered and what waits for delivery."""
    store = AlertStore(current_config().data_dir)
    rows = [
        {**alert.model_dump(mode="json"), "targets": [str(t) for t in alert.targets], **store.summary(alert.name)}
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
    """What alert NAME would deliver now (new matches and pending deliveries), without sending anything."""
    config = current_config()
    store = AlertStore(config.data_dir)
    ledger = Ledger.in_data_dir(config.data_dir)
    try:
        try:
            alert = store.get(name)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
        with open_index(config) as backend:
            runs, hits, _ = find_matches(store, ledger, backend, alert)
            pending = {str(target): store.pending(name, target) for target in alert.targets}
            waiting = {doc_id for ids in pending.values() for doc_id in ids} - {hit.id for hit in hits}
            documents = [document for doc_id in sorted(waiting) if (document := backend.get(doc_id)) is not None]
    finally:
        store.close()
        ledger.close()
    if as_json:
        print_json({"alert": name, "runs": runs, "new_matches": hits, "pending": pending})
        return
    console.print(
        f"{len(hits)} new matching documents from {len(runs)} runs; {len(documents)} more waiting for delivery.",
        markup=False,
    )
    for hit in hits:
        console.print(Text(f"  new      {safe(hit.title) or '(untitled)'}  {safe(hit.url)}"))
    for document in documents:
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
