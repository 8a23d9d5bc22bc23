"""Did a crawl work? A run's verdict, from its sources' outcomes: the exit status of `osint crawl`.

A *source failed* in a run when at least one of its URLs failed and none was indexed, unchanged or
followed (read as a feed or sitemap): nothing it lists could be fetched and used. Connection
refused, a 404, HTML where a feed should be, a start page that never answers: all end that way.
Skipped URLs (robots.txt, out of scope, already being crawled by another process) are not
failures, and one dead link among pages that were indexed does not fail its source. The same rule
marks a run as failed for a source in scheduling/health.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from state.ledger import Ledger, RunReport

Verdict = Literal["ok", "partial", "failed"]
#: exit status of `osint crawl` for each verdict (1 is a crawl that could not run, 2 bad usage)
EXIT_CODES: dict[str, int] = {"ok": 0, "partial": 3, "failed": 4}
_USEFUL = ("indexed", "unchanged", "followed")


class SourceFailure(BaseModel):
    source: str
    reason: str  # the most common failure reason among its URLs
    url: str  # one URL that failed for that reason
    failed_urls: int


class RunVerdict(BaseModel):
    verdict: Verdict
    exit_code: int
    failed_sources: list[SourceFailure] = Field(default_factory=list)


def source_failed(counts: Mapping[str, int]) -> bool:
    """A source's outcome counts in one run (`RunReport.by_source[id]`) say it got nothing usable."""
    return bool(counts.get("failed")) and not any(counts.get(outcome) for outcome in _USEFUL)


def _failing(report: RunReport) -> list[str]:
    return [source for source in report.sources if source_failed(report.by_source.get(source, {}))]


def _verdict(report: RunReport, failing: list[str]) -> Verdict:
    if not failing:
        return "ok"
    return "failed" if len(failing) == len(report.sources) else "partial"


def verdict_of(report: RunReport) -> Verdict:
    """The run's verdict alone, from its report's counts (judge_run also says why, reading the outcomes)."""
    return _verdict(report, _failing(report))


def judge_run(ledger: Ledger, report: RunReport) -> RunVerdict:
    """ok: no source failed; partial: some did; failed: every source the run asked for did."""
    failing = _failing(report)
    verdict = _verdict(report, failing)
    if verdict == "ok":
        return RunVerdict(verdict=verdict, exit_code=EXIT_CODES[verdict])
    return RunVerdict(
        verdict=verdict, exit_code=EXIT_CODES[verdict], failed_sources=_failures(ledger, report.run_id, failing)
    )


def _failures(ledger: Ledger, run_id: str, sources: list[str]) -> list[SourceFailure]:
    failed: dict[str, list[tuple[str, str]]] = {source: [] for source in sources}
    for row in ledger.outcomes(run_id):
        if row["outcome"] == "failed" and row["source_id"] in failed:
            failed[row["source_id"]].append((row["reason"], row["url"]))
    summaries = []
    for source, rows in failed.items():
        reason = Counter(reason for reason, _ in rows).most_common(1)[0][0]
        url = next(url for why, url in rows if why == reason)
        summaries.append(SourceFailure(source=source, reason=reason or "unknown", url=url, failed_urls=len(rows)))
    return summaries
