from __future__ import annotations

import dataclasses
import logging
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from alerts.arsenal import add_arsenal_alert
from alerts.arsenal_links import ArsenalLink
from alerts.backfill import BackfillResult, backfill_summary, existing_matches, save_and_deliver
from alerts.evaluate import AlertResult, evaluate_alerts
from alerts.guard import DeliveryPolicy
from alerts.model import Alert
from alerts.preview import AlertPreview, preview_alert
from alerts.store import AlertExists, AlertStore, KnownLink, refuse_taken_name
from alerts.validation import InvalidAlert, validated_alert
from app.commands.config import current_config, open_index
from app.output import console, count_progress, fail, print_json, safe
from index.query import QuerySyntaxError
from network.redaction import redact_text
from schema.countries import country_label
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
        **({"new_links": [link_json(link) for link in result.new_links]} if result.kind == "arsenal" else {}),
        "queued": result.queued,
        "delivered": result.delivered,
        "errors": result.errors,
    }


def link_json(link: ArsenalLink) -> dict[str, Any]:
    """A link of an arsenal alert: what it links the group to, and its evidence."""
    relation = link.relation
    return {
        "facet": link.facet,
        "value": link.value,
        "doc_id": link.doc_id,
        "dated": link.dated.isoformat(),
        "weapon": relation.weapon,
        "relation": relation.type,
        "sentence": relation.sentence,
        "page": link.page,
    }


def link_text(link: ArsenalLink) -> str:
    """ "category MANPADS (9K38 Igla, use): “…sentence…”" for a terminal."""
    value = link.value if link.facet == "category" else country_label(link.value)
    relation = link.relation
    return safe(
        f"{link.facet} {value} ({relation.weapon}, {relation.type.replace('_', ' ')}): \u201c{relation.sentence}\u201d"
    )


@click.group("alert")
def command() -> None:
    """Saved searches that notify: new matching documents are delivered once after every crawl
    (arsenal alerts: an armed group's first links to a weapon category or origin country)."""


@command.command("add")
@click.argument("name")
@click.argument("query", required=False)
@click.option(
    "--arsenal",
    "group",
    metavar="GROUP",
    help="Instead of QUERY: watch armed group GROUP (a name or an alias) for weapon categories and "
    "origin countries a sentence links it to for the first time.",
)
@click.option(
    "--notify",
    "--target",
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
def add(
    name: str, query: str | None, group: str | None, targets: tuple[str, ...], backfill: bool, as_json: bool
) -> None:
    """Save QUERY (analyst syntax, filters included) as alert NAME, or with --arsenal GROUP an
    arsenal alert on an armed group.

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

    An arsenal alert (--arsenal GROUP, no QUERY) fires when a run brings a document in which a
    sentence links the group to a weapon category or an origin country that no other document
    of the index links it to: each such link is delivered once, with the weapon, the sentence
    and the document. What the index links the group to when the alert is saved is its baseline
    and never fires (so --backfill does not apply).
    """
    config = current_config()
    policy = DeliveryPolicy.from_config(config)
    if group is not None:
        if query is not None:
            raise click.UsageError("an arsenal alert (--arsenal) takes no QUERY")
        if backfill:
            raise click.UsageError("--backfill is for search alerts: an arsenal alert starts from what the index knows")
        _add_arsenal(config, name, group, targets, policy, as_json)
        return
    if query is None:
        raise click.UsageError("Missing argument 'QUERY' (or --arsenal GROUP).")
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


def _add_arsenal(
    config: Config, name: str, group: str, targets: tuple[str, ...], policy: DeliveryPolicy, as_json: bool
) -> None:
    """Save an arsenal alert with its baseline, read from the index (nothing saved if it cannot be)."""
    try:
        alert = validated_alert(name, "", targets, policy, kind="arsenal", group=group)
    except InvalidAlert as exc:
        if next(iter(exc.problems)) == "group":
            raise click.BadParameter(str(exc), param_hint="'--arsenal'") from None
        raise click.UsageError(str(exc)) from None
    store = AlertStore(config.data_dir)
    try:
        with open_index(config) as backend:
            known = add_arsenal_alert(store, backend, alert)
    except AlertExists as exc:
        raise click.UsageError(str(exc)) from None
    except (OSError, ConnectionError) as exc:
        fail(f"the index cannot be read, so alert {alert.name!r} was not saved: {redact_text(str(exc))}")
    finally:
        store.close()
    if as_json:
        print_json({**alert.model_dump(mode="json"), "baseline": [link_json(link) for link in known]})
        return
    console.print(
        f"Alert {name!r} saved: the arsenal of {alert.group}; it notifies {', '.join(map(str, alert.targets))}.",
        markup=False,
    )
    categories = sorted(link.value for link in known if link.facet == "category")
    origins = sorted(link.value for link in known if link.facet == "origin")
    console.print(
        f"Baseline (never delivered): {len(categories)} weapon categories ({', '.join(categories) or 'none'}), "
        f"{len(origins)} origin countries ({', '.join(origins) or 'none'}).",
        markup=False,
    )


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
    for column in ("alert", "kind", "query or group", "notify", "delivered", "pending", "last delivered", "last error"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            Text(row["name"]),
            Text(row["kind"]),
            Text(row["query"] if row["kind"] == "search" else row["group"]),
            Text(", ".join(row["targets"])),
            str(row["delivered"]),
            str(row["pending"]),
            Text(row["last_delivered"] or "-"),
            Text(row["last_error"][:80] or "-"),
        )
    console.print(table)


@command.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the alert as JSON.")
def show(name: str, as_json: bool) -> None:
    """Alert NAME: its kind, what it watches, its targets and deliveries; for an arsenal alert,
    every link it knows (its baseline, those found in other documents, and its findings)."""
    store = AlertStore(current_config().data_dir)
    try:
        try:
            alert = store.get(name)
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
        summary = store.summary(name)
        links = store.links(name) if alert.kind == "arsenal" else []
    finally:
        store.close()
    if as_json:
        print_json(
            {
                **alert.model_dump(mode="json"),
                "targets": [str(target) for target in alert.targets],
                **dataclasses.asdict(summary),
                **({"links": [_known_json(known) for known in links]} if alert.kind == "arsenal" else {}),
            }
        )
        return
    lines = [
        f"Alert:     {alert.name}",
        f"Kind:      {alert.kind}",
        f"Query:     {alert.query}" if alert.kind == "search" else f"Group:     {alert.group}",
        f"Created:   {alert.created.isoformat(timespec='seconds')}",
        f"Notifies:  {', '.join(map(str, alert.targets))}",
        f"Delivered: {summary.delivered}; pending: {summary.pending}"
        + (f"; last error: {redact_text(summary.last_error)}" if summary.last_error else ""),
    ]
    for line in lines:
        console.print(Text(line))
    if alert.kind == "arsenal":
        findings = [known for known in links if known.known_from == "run"]
        known_before = [known for known in links if known.known_from != "run"]
        console.print(Text(f"Known before (never delivered): {len(known_before)} links"))
        for known in known_before:
            console.print(Text(f"  {known.known_from:<9}{link_text(known.link)}"))
        console.print(Text(f"New links found: {len(findings)}"))
        for known in findings:
            console.print(Text(f"  {known.found[:19]}  {link_text(known.link)}"))


def _known_json(known: KnownLink) -> dict[str, Any]:
    return {**link_json(known.link), "known_from": known.known_from, "run_id": known.run_id, "found": known.found}


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
    if alert.kind == "arsenal":
        _print_arsenal_preview(name, preview, as_json)
        return
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


def _print_arsenal_preview(name: str, preview: AlertPreview, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "alert": name,
                "runs": preview.runs,
                "new_links": [link_json(link) for link in preview.new_links],
                "pending": preview.pending,
                "delivered": preview.delivered,
            }
        )
        return
    console.print(
        f"{len(preview.new_links)} new links from {len(preview.runs)} runs; "
        f"{len(preview.waiting_links)} more waiting for delivery; {preview.delivered} deliveries made already (not listed).",
        markup=False,
    )
    for link in preview.new_links:
        console.print(Text(f"  new      {link_text(link)}"))
    for link in preview.waiting_links:
        console.print(Text(f"  pending  {link_text(link)}"))


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
        found = (
            f"{len(result.new_links)} new links" if result.kind == "arsenal" else f"{len(result.matched)} new matches"
        )
        console.print(
            f"{result.alert}: {found}; {delivered}" + (f"; failed: {errors}" if errors else ""),
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
