"""`osint crawl` exits with the truth: 0 when no source failed, 3 when some did, 4 when all did;
--json carries the same verdict, and a failed source is one line, not a Twisted traceback."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.site_server import SiteServer
from scheduling.launch import SubprocessLauncher
from scheduling.scheduler import Scheduler
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.crawl.hostile_site import GOOD_ARTICLE

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(scope="module")
def site():
    with SiteServer(
        routes={
            "/good.html": lambda handler: (200, HTML, GOOD_ARTICLE.encode()),
            "/gone.html": lambda handler: (404, HTML, b"<html><body>gone</body></html>"),
            "/feed.xml": lambda handler: (200, HTML, b"<html><body>This is a page, not a feed.</body></html>"),
        }
    ) as server:
        yield server


@pytest.fixture
def closed_url(closed_port: int) -> str:
    """A URL on a loopback port nothing listens on: connection refused."""
    return f"http://127.0.0.1:{closed_port}/feed.xml"


def test_every_source_failing_exits_4_with_one_line_per_source(
    site: SiteServer, closed_url: str, osint: OsintCli, tmp_path: Path
):
    watchlist = write_watchlist(
        tmp_path / "w.yaml",
        [
            {"id": "refused", "kind": "feed", "urls": [closed_url]},
            {"id": "gone", "kind": "page", "urls": [site.url("/gone.html")]},
            {"id": "not-a-feed", "kind": "feed", "urls": [site.url("/feed.xml")]},
        ],
    )
    result = osint.run("crawl", str(watchlist), check=False)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert f"source refused: failed (connection_refused) {closed_url}" in lines
    assert f"source gone: failed (http_404) {site.url('/gone.html')}" in lines
    assert any(
        line.startswith("source not-a-feed: failed (") and line.endswith(site.url("/feed.xml")) for line in lines
    )
    assert len(lines) == 3, result.stderr  # and nothing else: Scrapy's retry and robots.txt errors stay out

    verbose = osint.run("-v", "crawl", str(watchlist), check=False)
    assert verbose.returncode == 4 and "Traceback" in verbose.stderr  # the details are one -v away


def test_json_carries_the_verdict(site: SiteServer, closed_url: str, osint: OsintCli, tmp_path: Path):
    good = {"id": "good", "kind": "page", "urls": [site.url("/good.html")]}
    refused = {"id": "refused", "kind": "page", "urls": [closed_url]}

    partial = osint.run(
        "crawl", str(write_watchlist(tmp_path / "partial.yaml", [good, refused])), "--json", check=False
    )
    report = json.loads(partial.stdout)
    assert partial.returncode == 3 == report["exit_code"], partial.stderr
    assert report["verdict"] == "partial" and report["indexed"] == 1
    assert report["failed_sources"] == [
        {"source": "refused", "reason": "connection_refused", "url": closed_url, "failed_urls": 1}
    ]

    ok = osint.run("crawl", str(write_watchlist(tmp_path / "ok.yaml", [good])), "--json", check=False)
    report = json.loads(ok.stdout)
    assert ok.returncode == 0 == report["exit_code"]
    assert report["verdict"] == "ok" and report["failed_sources"] == [] and ok.stderr == ""

    failed = osint.run("crawl", str(write_watchlist(tmp_path / "failed.yaml", [refused])), "--json", check=False)
    report = json.loads(failed.stdout)
    assert failed.returncode == 4 == report["exit_code"] and report["verdict"] == "failed"


def test_a_partly_failed_crawl_is_a_completed_run_for_the_scheduler(
    site: SiteServer, closed_url: str, osint: OsintCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for name, value in osint.env.items():  # the scheduler's crawl runs in a child that reads the environment
        monkeypatch.setenv(name, value)
    watchlist = write_watchlist(
        tmp_path / "w.yaml",
        [
            {"id": "good", "kind": "page", "urls": [site.url("/good.html")], "schedule": "every 30 minutes"},
            {"id": "refused", "kind": "page", "urls": [closed_url], "schedule": "every 30 minutes"},
        ],
    )
    scheduler = Scheduler([watchlist], osint.data_dir, SubprocessLauncher(osint.data_dir))
    try:
        (started,), _ = scheduler.tick()
        assert started.job.wait(240) == 3
        _, (ended,) = scheduler.tick()
        assert ended is started
        now = datetime.now(UTC)
        for source_id in ("good", "refused"):
            state = scheduler.state.get("test", source_id)
            assert state.last_status == "finished" and state.last_run_id == started.job.run_id()
            assert state.next_run > now  # not retried at once: due at its next scheduled time
    finally:
        scheduler.shutdown(grace_seconds=30)
