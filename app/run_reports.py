"""One run's report as JSON (`osint runs show --json` and the web's /api/runs/{id}): the ledger's
report with its new and changed documents and every URL's outcome, built in one place so that the
command line and the web never differ. URLs and details come from crawled sites: their
credentials are masked here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from network.redaction import redact_text, redact_url
from state.ledger import RunReport

#: the document changes an indexed outcome records, in the order reports list them
CHANGES = ("new", "changed")


def outcome_json(row: dict[str, Any]) -> dict[str, Any]:
    """A ledger outcome (Ledger.outcomes) with the credentials in its URL and its detail masked."""
    return {**row, "url": redact_url(row["url"]), "detail": redact_text(row["detail"] or "")}


def run_detail_json(report: RunReport, rows: Iterable[dict[str, Any]], changed: dict[str, list[str]]) -> dict[str, Any]:
    """`report` with `changed` (Ledger.changed_documents) under "documents" and the outcome `rows`
    (Ledger.outcomes) under "outcomes", URLs masked."""
    return {
        **report.model_dump(mode="json"),
        "documents": {change: [redact_url(found) for found in changed.get(change, [])] for change in CHANGES},
        "outcomes": [outcome_json(row) for row in rows],
    }
