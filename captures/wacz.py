"""Pack captures as a WACZ (Web Archive Collection Zipped), which ReplayWeb.page and pywb open.

The records are copied byte for byte (each is its own gzip member, so a copy is exact and its
digests still hold) into one WARC file, which the `wacz` package indexes (CDXJ) and zips with a
page list, a datapackage.json and its digest. A revisit travels with the response it refers to,
and a response with its request and, for a rendered page, its DOM and screenshot.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from wacz.main import main as wacz_main

from captures.catalog import RecordEntry
from captures.store import SOFTWARE, CaptureStore
from captures.warc import read_record_bytes, serialise, warcinfo


@dataclass(frozen=True)
class Page:
    """A document as the WACZ page list names it."""

    url: str
    fetched_at: str  # as WARC-Date writes it (captures.warc.warc_date)
    title: str


class WaczError(RuntimeError):
    """The wacz tool refused the collection (its message says why)."""


def records_with_context(store: CaptureStore, record_ids: Iterable[str]) -> list[RecordEntry]:
    """The records `record_ids` name plus what each needs to be read on its own: a revisit's
    original, and the records concurrent to each (request, rendered DOM, screenshot). In file order."""
    wanted: dict[str, RecordEntry] = {}
    pending = list(record_ids)
    while pending:
        entry = store.catalog.record(pending.pop())
        if entry is None or entry.record_id in wanted:
            continue
        wanted[entry.record_id] = entry
        if entry.refers_to:
            pending.append(entry.refers_to)
        pending.extend(other.record_id for other in store.catalog.concurrent(entry.record_id))
    return sorted(wanted.values(), key=lambda entry: (entry.warc, entry.offset))


def write_wacz(store: CaptureStore, records: list[RecordEntry], pages: list[Page], output: Path, title: str) -> None:
    with tempfile.TemporaryDirectory(prefix="osint-wacz-") as work:
        warc = Path(work) / "captures.warc.gz"
        with warc.open("wb") as out:
            out.write(serialise(warcinfo(warc.name, SOFTWARE, datetime.now(UTC))))
            for entry in records:
                out.write(read_record_bytes(store.directory / entry.warc, entry.offset, entry.length))
        pages_file = Path(work) / "pages.jsonl"
        header = {"format": "json-pages-1.0", "id": "pages", "title": title}
        lines = [header] + [{"url": page.url, "ts": page.fetched_at, "title": page.title} for page in pages]
        pages_file.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        # --name=value: a title (the query) may begin with "-", which argparse would take for an option
        arguments = ["create", f"--output={output.resolve()}", f"--title={title}", f"--pages={pages_file}", str(warc)]
        _run_wacz(arguments)


def validate_wacz(path: Path) -> None:
    _run_wacz(["validate", "-f", str(path)])


def _run_wacz(arguments: list[str]) -> None:
    """The wacz tool in this process; it reports by printing, so what it prints becomes the error."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = wacz_main(arguments)
    except SystemExit as exit:  # argparse refusing its arguments
        status = exit.code or 1
    if status:
        raise WaczError(printed.getvalue().strip().splitlines()[-1] if printed.getvalue().strip() else f"exit {status}")
