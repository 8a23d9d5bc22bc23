"""What the benchmarks read out of an `osint crawl --json` run report."""

from __future__ import annotations


def documents_reprocessed(report: dict) -> int:
    """Documents a crawl extracted again: those it indexed, plus those whose fresh extraction gave
    the text already indexed. A 304, or a body identical to the last one, costs no extraction."""
    return report["indexed"] + report["reasons_by_outcome"].get("unchanged", {}).get("same_text", 0)
