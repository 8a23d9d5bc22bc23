"""`osint capture …`: the preserved copies of what was fetched (WARC files under
<data_dir>/captures): read one back, pack a collection as a WACZ, sizes, and retention."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from app.commands.config import current_config, open_index
from app.document_ids import load_document
from app.output import count_progress, fail, print_json, replaced_whole, safe
from app.searching import prepare_search
from captures.store import CATALOG_NAME, CaptureStore
from captures.warc import StoredRecord, warc_date
from index.query import QuerySyntaxError
from settings.config import Config

#: bytes a terminal acts on: C0 controls but tab, LF and CR; DEL; C1 controls as UTF-8 encodes them
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def open_store(config: Config) -> CaptureStore:
    if not (config.captures_dir / CATALOG_NAME).exists():
        fail(
            f"no captures in {config.captures_dir} yet: crawl something first (captures are kept unless OSINT_CAPTURES=0)"
        )
    # a reader: recovering a dead writer's file is for the next crawl (which knows no one writes it)
    return CaptureStore(config.captures_dir, max_file_bytes=config.capture_file_bytes, writer=False)


@click.group("capture")
def command() -> None:
    """Preserved captures: the WARC records of every fetched response.

    \b
    osint capture get ID             the stored WARC record of a document (ID: id or unique prefix)
    osint capture get ID --body      the payload as a browser reads it (content encoding undone)
    osint capture export QUERY -o collection.wacz
    osint capture stats
    osint capture prune --older-than 365
    """


@command.command("get")
@click.argument("given", metavar="ID")
@click.option("--raw", "mode", flag_value="raw", help="The HTTP response as served: status line, headers, payload.")
@click.option("--body", "mode", flag_value="body", help="The payload with its content encoding undone.")
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="0: the capture of the document as indexed; N: its Nth earlier version (newest first).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
def get(given: str, mode: str | None, version: int, output: Path | None) -> None:
    """Print the stored bytes of a document's capture (ID: a document id or unique prefix, or a
    WARC-Record-ID). By default the WARC record as stored (uncompressed): the headers the crawler
    wrote, the HTTP headers, and the payload exactly as received."""
    config = current_config()
    store = open_store(config)
    try:
        record_id = _record_id(config, given, version)
        stored = _stored_record(store, record_id, payload=mode is not None)
        if stored is None:
            fail(f"the capture {record_id} is not in {config.captures_dir} (removed by retention?)")
        if mode is None:
            data = stored.block
        else:
            head = stored.http_headers.to_bytes() if stored.http_headers is not None else b""
            data = head + stored.payload if mode == "raw" else stored.decoded_payload()
    finally:
        store.close()
    _write(data, output)


def _record_id(config: Config, given: str, version: int) -> str:
    if given.startswith(("<urn:", "urn:")):
        return given if given.startswith("<") else f"<{given}>"
    with open_index(config) as backend:
        document = load_document(backend, given)
    try:
        capture = document.capture_at(version)
    except IndexError:
        raise click.BadParameter(
            f"document {document.id} has {len(document.versions)} earlier versions", param_hint="--version"
        ) from None
    if capture is None:
        fail(f"document {document.id} has no capture (crawled before captures, or with OSINT_CAPTURES=0)")
    return capture.record_id


def _stored_record(store: CaptureStore, record_id: str, payload: bool) -> StoredRecord | None:
    """The record `record_id` (with `payload`: the record holding its payload, a revisit's original);
    None when the catalog no longer lists it or its WARC file is gone."""
    entry = store.catalog.record(record_id)
    if entry is None:
        return None
    try:
        if not payload:
            return store.read(entry)
        found = store.payload_of(entry)
    except OSError:  # listed, but its file was deleted (retention, or by hand)
        return None
    return found[1] if found is not None else None


def _write(data: bytes, output: Path | None) -> None:
    if output is not None:
        output.write_bytes(data)
        return
    if sys.stdout.isatty() and _CONTROL.search(data):
        # crawled bytes are hostile: escape sequences would reach the terminal itself
        raise click.UsageError("binary or control characters: write it to a file with -o FILE (or redirect stdout)")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@command.command("export")
@click.argument("query")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The .wacz file.")
@click.option("--title", default="", help="The collection's title (default: the query).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
def export(query: str, output: Path, title: str, as_json: bool) -> None:
    """Pack the captures of the documents QUERY matches (all their versions, with the requests, a
    rendered page's DOM and screenshot, and the originals of revisits) as a WACZ, which
    ReplayWeb.page and pywb open. QUERY is the search syntax (`''`: every document)."""
    from captures.wacz import Page, WaczError, records_with_context, write_wacz  # the wacz package: 0.3 s to import

    try:
        prepared = prepare_search(query)
    except QuerySyntaxError as exc:
        raise click.UsageError(f"query: {exc}") from None
    if output.suffix != ".wacz":
        raise click.BadParameter("the file name must end in .wacz", param_hint="--output")
    config = current_config()
    store = open_store(config)
    record_ids: list[str] = []
    pages: list[Page] = []
    documents = 0
    try:
        with open_index(config) as backend, count_progress(as_json) as progress:
            task = progress.add_task("Collecting captures", total=None)
            for document in backend.iter_matching(prepared.request.query):
                documents += 1
                progress.advance(task)
                record_ids.extend(capture.record_id for capture in document.all_captures)
                pages.extend(
                    Page(capture.url or document.url, warc_date(capture.fetched_at), document.title)
                    for capture in document.all_captures
                )
        records = records_with_context(store, record_ids)
        if not records:
            fail("none of the matching documents has a capture", code=1)
        try:
            with replaced_whole(output) as partial:
                write_wacz(store, records, pages, partial, title or query or "osint-crawler collection")
        except (WaczError, OSError) as exc:
            fail(f"the WACZ could not be written: {exc}")
    finally:
        store.close()
    summary = {"path": str(output), "documents": documents, "records": len(records), "bytes": output.stat().st_size}
    if as_json:
        print_json(summary)
    else:
        click.echo(f"{output}: {documents} documents, {len(records)} WARC records, {summary['bytes']:,} bytes")


@command.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(as_json: bool) -> None:
    """Files, bytes on disk, records by type and how much de-duplication saved."""
    config = current_config()
    store = open_store(config)
    try:
        files = store.files()
        counts = store.catalog.record_counts()
        stored_payload, deduplicated_payload = store.catalog.payload_bytes()
    finally:
        store.close()
    on_disk = sum(
        (config.captures_dir / entry.name).stat().st_size
        for entry in files
        if (config.captures_dir / entry.name).exists()
    )
    fetches = counts.get("response", 0) + counts.get("revisit", 0)
    figures = {
        "directory": str(config.captures_dir),
        "files": len(files),
        "open_files": sum(1 for entry in files if not entry.closed),
        "bytes": on_disk,
        "records": counts,
        "fetches": fetches,
        "dedup_ratio": round(counts.get("revisit", 0) / fetches, 4) if fetches else 0.0,
        "payload_bytes_stored": stored_payload,
        "payload_bytes_not_stored_again": deduplicated_payload,
        "bytes_per_1000_fetches": round(on_disk * 1000 / fetches) if fetches else 0,
        "retention_days": config.capture_retention_days,
    }
    if as_json:
        print_json(figures)
        return
    click.echo(f"{figures['directory']}: {len(files)} WARC files ({figures['open_files']} open), {on_disk:,} bytes")
    click.echo("records: " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(counts.items())))
    click.echo(
        f"{fetches:,} fetches, {counts.get('revisit', 0):,} revisits (dedup ratio {figures['dedup_ratio']:.1%}), "
        f"{figures['bytes_per_1000_fetches']:,} bytes per 1,000 fetches"
    )
    click.echo(
        "retention: " + (f"{config.capture_retention_days} days" if config.capture_retention_days else "keep forever")
    )


@command.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    help="Days (default: OSINT_CAPTURE_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="List what would be deleted.")
@click.option("--json", "as_json", is_flag=True, help="Print what was (or would be) deleted as JSON.")
def prune(days: int | None, dry_run: bool, as_json: bool) -> None:
    """Delete closed WARC files older than the retention period. A file holding the original of a
    revisit in a file that stays is kept too, so every kept record can still be read whole.
    Documents keep naming the captures deleted; `osint capture get` then says they are gone."""
    config = current_config()
    days = days or config.capture_retention_days
    if not days:
        raise click.UsageError("retention is off: pass --older-than DAYS or set OSINT_CAPTURE_RETENTION_DAYS")
    store = open_store(config)
    try:
        doomed, kept = store.prune(days, dry_run=dry_run)
    finally:
        store.close()
    if as_json:
        print_json({"deleted": doomed, "kept_for_revisits": kept, "dry_run": dry_run, "older_than_days": days})
        return
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {len(doomed)} WARC files older than {days} days"
        + (f"; kept {len(kept)} holding originals" if kept else "")
    )
    for name in doomed:
        click.echo(f"  {safe(name)}")
