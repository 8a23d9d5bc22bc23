"""`osint crawl --due`, the `osint schedule` service under SIGTERM, and a crawl resumed after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.crawl.helpers import REPO, OsintCli, write_watchlist
from tests.incremental.changing_site import ChangingSite

WAIT_SECONDS = 120


@pytest.fixture
def site():
    with ChangingSite() as changing:
        for n in range(6):
            changing.publish(f"/wire/{n}.html", f"Wire report {n} on seized rifles")
        changing.add_feed("/wire/feed.xml", "/wire/")
        yield changing


def _hold(site: ChangingSite, path: str) -> tuple[threading.Event, threading.Event]:
    """Make `path` hang until released; returns (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    route = site.server.routes[path]

    def held(handler):
        reached.set()
        release.wait(60)
        return route(handler)

    site.server.routes[path] = held
    return reached, release


def _watchlist(site: ChangingSite, tmp_path: Path, schedule: str = "every 30 minutes") -> Path:
    return write_watchlist(
        tmp_path / "w.yaml",
        [
            {"id": "wire", "kind": "feed", "urls": [site.server.url("/wire/feed.xml")], "schedule": schedule},
            {"id": "manual", "kind": "page", "urls": [site.server.url("/wire/0.html")]},
        ],
    )


def _documents(osint: OsintCli) -> int:
    return osint.json("search", "", "--size", "0")["total"]


def test_crawl_due_runs_only_what_is_due(site: ChangingSite, osint: OsintCli, tmp_path: Path):
    watchlist = _watchlist(site, tmp_path)
    first = osint.json("crawl", str(watchlist), "--due")
    assert first["due"] == ["wire"] and first["indexed"] == 6  # "manual" has no schedule
    again = osint.json("crawl", str(watchlist), "--due")
    assert again["due"] == [] and again["run_id"] is None and again["next_run"]
    text = osint.run("crawl", str(watchlist), "--due").stdout
    assert "Nothing is due" in text
    assert osint.run("crawl", str(watchlist), "--due", "--source", "wire", check=False).returncode == 2


def test_the_service_stops_on_sigterm_keeping_what_it_fetched_and_resumes(
    site: ChangingSite, osint: OsintCli, tmp_path: Path
):
    watchlist = _watchlist(site, tmp_path)
    reached, release = _hold(site, "/wire/5.html")
    command = [sys.executable, "-m", "app.cli", "schedule", str(watchlist), "--poll", "0.1", "--json"]
    service = subprocess.Popen(
        command, cwd=REPO, env=osint.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert reached.wait(WAIT_SECONDS), "timed out waiting for the crawl to reach the held article"
        assert site.wait_until(lambda: all(site.requests_for(f"/wire/{n}.html") for n in range(5)), WAIT_SECONDS), (
            "timed out waiting for the other articles"
        )
        service.send_signal(signal.SIGTERM)
        out, err = service.communicate(timeout=120)
    finally:
        release.set()
        if service.poll() is None:
            service.kill()
    assert service.returncode == 0, err
    assert json.loads(out)["crawls_started"] == [{"watchlist": str(watchlist), "sources": ["wire"]}]
    runs = osint.json("runs")
    assert [run["status"] for run in runs] == ["shutdown"]
    assert _documents(osint) == 5  # fetched before SIGTERM, flushed to the index on the way out

    # restarted, the interrupted source is due at once; finished articles are not fetched again
    site.server.routes["/wire/5.html"] = site._article_route("/wire/5.html")
    site.hits.clear()
    resumed = osint.json("crawl", str(watchlist), "--due")
    assert resumed["due"] == ["wire"] and resumed["indexed"] == 1
    assert sum(site.requests_for(f"/wire/{n}.html") for n in range(5)) == 0
    assert _documents(osint) == 6


def test_a_crawl_killed_with_sigkill_finishes_on_the_next_run_without_duplicates(
    site: ChangingSite, osint: OsintCli, tmp_path: Path
):
    watchlist = _watchlist(site, tmp_path)
    reached, release = _hold(site, "/wire/3.html")
    crawl = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "crawl", str(watchlist), "--source", "wire", "--json"],
        cwd=REPO,
        env=osint.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert reached.wait(WAIT_SECONDS), "timed out waiting for the crawl to reach the held article"
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(30)
    finally:
        release.set()
    site.server.routes["/wire/3.html"] = site._article_route("/wire/3.html")
    resumed = osint.json("crawl", str(watchlist), "--source", "wire")
    assert resumed["failed"] == 0 and resumed["indexed"] + resumed["unchanged"] == 6
    assert _documents(osint) == 6
    ids = {hit["id"] for hit in osint.json("search", "", "--size", "50")["hits"]}
    assert len(ids) == 6
    # the lock died with the killed process: nothing is reported as already running
    assert "already_running" not in resumed["reasons"]
    assert [run["status"] for run in osint.json("runs")] == ["finished", "killed"]
