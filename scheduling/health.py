"""Is a source healthy? Read from the crawl ledger, whoever ran the crawls (service, cron, a person).

A run *failed* for a source by the rule of crawlers/verdict.py (`source_failed`, the same rule
that sets `osint crawl`'s exit status). `UNHEALTHY_AFTER` failed runs in a row flag the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawlers.verdict import source_failed
from state.ledger import Ledger

UNHEALTHY_AFTER = 3


@dataclass(frozen=True)
class SourceHealth:
    health: str  # "ok", "failing" (last run failed), "unhealthy" (UNHEALTHY_AFTER in a row), "never run"
    consecutive_failures: int
    last_run_id: str | None
    last_run_started: str | None
    last_run_counts: dict[str, int]
    last_error: str = ""  # the most common failure reason of the last run


def source_health(ledger: Ledger, watchlist: str, source_id: str, window: int = 10) -> SourceHealth:
    rows = ledger.source_history(watchlist, source_id, window)
    runs: dict[str, dict[str, int]] = {}
    starts: dict[str, str] = {}
    reasons: dict[str, dict[str, int]] = {}
    for run_id, started, outcome, reason, count in rows:
        counts = runs.setdefault(run_id, {})
        counts[outcome] = counts.get(outcome, 0) + count
        starts[run_id] = started
        if outcome == "failed" and reason:
            reasons.setdefault(run_id, {})[reason] = count
    if not runs:
        return SourceHealth("never run", 0, None, None, {})
    ordered = list(runs)  # newest first (insertion follows the ORDER BY)
    failures = 0
    for run_id in ordered:
        if source_failed(runs[run_id]):
            failures += 1
        else:
            break
    last = ordered[0]
    last_error = max(reasons.get(last, {}).items(), key=lambda item: item[1], default=("", 0))[0]
    health = "unhealthy" if failures >= UNHEALTHY_AFTER else "failing" if failures else "ok"
    return SourceHealth(health, failures, last, starts[last], runs[last], last_error)
