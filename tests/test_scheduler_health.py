"""A source whose runs keep failing is flagged unhealthy; one good run clears it."""

from __future__ import annotations

from pathlib import Path

from scheduling.health import UNHEALTHY_AFTER, source_health
from state.ledger import Ledger


def _run(ledger: Ledger, run_id: str, outcomes: dict[str, tuple[str, str]], watchlist: str = "desk") -> None:
    ledger.start_run(watchlist, ["feed"], run_id=run_id)
    for url, (outcome, reason) in outcomes.items():
        ledger.record(run_id, url, "feed", outcome, reason)
    ledger.finish_run(run_id)


def test_consecutive_failed_runs_make_a_source_unhealthy(tmp_path: Path):
    ledger = Ledger.in_data_dir(tmp_path)
    assert source_health(ledger, "desk", "feed").health == "never run"
    _run(ledger, "r0", {"http://x/feed": ("followed", ""), "http://x/a": ("indexed", "")})
    assert source_health(ledger, "desk", "feed").health == "ok"
    for n in range(1, UNHEALTHY_AFTER):
        _run(ledger, f"r{n}", {"http://x/feed": ("failed", "http_503")})
        health = source_health(ledger, "desk", "feed")
        assert (health.health, health.consecutive_failures, health.last_error) == ("failing", n, "http_503")
    _run(ledger, f"r{UNHEALTHY_AFTER}", {"http://x/feed": ("failed", "dns_error")})
    health = source_health(ledger, "desk", "feed")
    assert (health.health, health.consecutive_failures, health.last_error) == (
        "unhealthy",
        UNHEALTHY_AFTER,
        "dns_error",
    )
    assert health.last_run_id == f"r{UNHEALTHY_AFTER}" and health.last_run_counts == {"failed": 1}

    # a run where the feed answered (even if one article failed) is a working source
    _run(ledger, "r9", {"http://x/feed": ("unchanged", "not_modified"), "http://x/b": ("failed", "http_404")})
    assert source_health(ledger, "desk", "feed").health == "ok"
    # runs of another watchlist with the same source id do not count
    for n in range(5):
        _run(ledger, f"other{n}", {"http://y/feed": ("failed", "timeout")}, watchlist="other")
    assert source_health(ledger, "desk", "feed").health == "ok"
    assert source_health(ledger, "other", "feed").health == "unhealthy"
