from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from app.commands.config import current_config, open_index
from app.output import console, count_progress, fail, print_json
from index.backend import IndexBackend, IndexStatus, open_backend

T = TypeVar("T")


def _on_index(action: Callable[[IndexBackend], T]) -> T:
    """`action` on the configured index, or a clear failure when it cannot be reached."""
    try:
        with open_index(current_config()) as backend:
            return action(backend)
    except (OSError, ConnectionError) as exc:
        fail(f"the index is unreachable: {exc}")


@click.group("index")
def command() -> None:
    """Inspect the index, replay its spool, or migrate it to another backend."""


@command.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Backend, location, index, document count and mapping version."""
    info = _on_index(lambda backend: backend.status())
    if as_json:
        print_json(info)
    else:
        for key, value in info.model_dump().items():
            if value not in ("", None):
                console.print(f"{key:16} {value}", markup=False)
    if info.health.startswith("unreachable"):  # a status check that cannot reach the engine is a failed check
        fail(f"the index at {info.location} is unreachable")


@command.command("flush")
@click.option("--json", "as_json", is_flag=True)
def flush(as_json: bool) -> None:
    """Replay documents spooled to disk while the search engine was unreachable."""
    config = current_config()
    with open_index(config) as backend:
        result = backend.flush_spool()
    if as_json:
        print_json(result)
    else:
        console.print(
            f"Replayed {result.indexed} documents; {len(result.failures)} failed; {result.spooled} still spooled."
        )


@command.command("upgrade")
@click.option("--json", "as_json", is_flag=True, help="Print the index status afterwards as JSON.")
def upgrade(as_json: bool) -> None:
    """Bring the index to this release's mapping.

    An engine index of an earlier mapping version is copied into a new index behind its alias,
    which then swaps (searches go on meanwhile); the embedded index upgrades itself when opened.
    """

    def upgrade_it(backend: IndexBackend) -> tuple[int, int, IndexStatus]:
        before = backend.status().mapping_version
        return before, backend.upgrade(), backend.status()

    before, documents, info = _on_index(upgrade_it)
    if as_json:
        print_json(info)
    else:
        console.print(f"{info.index}: mapping version {before} -> {info.mapping_version}, {documents} documents")


@command.command("migrate")
@click.option(
    "--to", "target_url", required=True, metavar="URL", help="Destination: sqlite:///path or http(s)://engine."
)
@click.option("--from", "source_url", metavar="URL", help="Origin (default: the configured index, OSINT_INDEX_URL).")
@click.option("--json", "as_json", is_flag=True, help="Print the migration report as JSON.")
def migrate(target_url: str, source_url: str | None, as_json: bool) -> None:
    """Copy every document to another backend (embedded → cluster, or cluster → cluster), then verify counts."""
    from index.migrate import migrate as copy_documents

    config = current_config()
    source_url = source_url or config.index_url
    if source_url == target_url:
        raise click.BadParameter("origin and destination are the same index", param_hint="--to")
    try:
        options = config.index_options()
        with open_backend(source_url, **options) as source, open_backend(target_url, **options) as target:
            total = source.count()
            with count_progress(as_json) as bar:
                task = bar.add_task("Migrating", total=total)
                report = copy_documents(source, target, progress=lambda so_far: bar.update(task, completed=so_far.read))
    except ConnectionError as exc:  # an engine that is down (EngineUnavailable names it, without credentials)
        fail(f"the migration stopped, an index is unreachable: {exc}")
    if as_json:
        print_json({**report.model_dump(mode="json"), "complete": report.complete})
    else:
        console.print(
            f"Copied {report.indexed} of {report.source_documents} documents; the destination now holds "
            f"{report.target_documents}. {len(report.failures)} failed, {report.spooled} spooled, "
            f"{report.missing} missing.",
            markup=False,
        )
        for failure in report.failures[:20]:
            console.print(f"  {failure.id}: {failure.reason} {failure.detail}", markup=False)
    if not report.complete:
        raise SystemExit(1)
