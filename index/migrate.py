"""Copy every document from one backend to another, then prove nothing was lost.

Backend-agnostic (iter_documents + upsert), so it moves the embedded index into a cluster, a
cluster into another, or back. Verification reads the target's ids back and compares them with
the source's, so a document that silently went missing is named, not just counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import BaseModel, Field

from index.backend import IndexBackend, IndexFailure
from schema.document import Document

log = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_LISTED_MISSING = 100


class MigrationReport(BaseModel):
    source_documents: int = 0  # counted by the source before copying
    read: int = 0
    indexed: int = 0
    spooled: int = 0  # the target was unreachable for these; `osint index flush` sends them
    failures: list[IndexFailure] = Field(default_factory=list)
    target_documents: int = 0
    missing_ids: list[str] = Field(default_factory=list)  # in the source, not in the target (first 100)
    missing: int = 0
    unverified: str = ""  # why the target could not be read back, if it could not

    @property
    def complete(self) -> bool:
        return (
            self.read == self.source_documents == self.indexed
            and not self.failures
            and not self.spooled
            and not self.missing
            and not self.unverified
        )


def migrate(
    source: IndexBackend,
    target: IndexBackend,
    progress: Callable[[MigrationReport], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> MigrationReport:
    """Upsert every source document into the target in batches; verify by id afterwards."""
    report = MigrationReport(source_documents=source.count())
    source_ids: set[str] = set()
    batch: list[Document] = []
    for document in source.iter_documents(batch_size=batch_size):
        source_ids.add(document.id)
        batch.append(document)
        if len(batch) >= batch_size:
            _send(target, batch, report, progress)
            batch = []
    if batch:
        _send(target, batch, report, progress)
    try:
        target.refresh()
        target_ids = {document.id for document in target.iter_documents(batch_size=batch_size)}
        report.target_documents = target.count()
    except ConnectionError as exc:  # spooled documents are safe; they cannot be verified yet
        report.unverified = f"target unreachable: {exc}"
        target_ids = set()
    missing = sorted(source_ids - target_ids)
    report.missing = len(missing)
    report.missing_ids = missing[:MAX_LISTED_MISSING]
    if not report.complete:
        log.warning(
            "migration incomplete: read %d of %d, indexed %d, %d failed, %d spooled, %d missing",
            report.read,
            report.source_documents,
            report.indexed,
            len(report.failures),
            report.spooled,
            report.missing,
        )
    return report


def _send(
    target: IndexBackend,
    batch: list[Document],
    report: MigrationReport,
    progress: Callable[[MigrationReport], None] | None,
) -> None:
    result = target.upsert(batch)
    report.read += len(batch)
    report.indexed += result.indexed
    report.spooled += result.spooled
    report.failures += result.failures
    if progress is not None:
        progress(report)
