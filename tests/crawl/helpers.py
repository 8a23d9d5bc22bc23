"""Driving the real `osint` CLI from tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.site_server import SiteServer

REPO = Path(__file__).resolve().parents[2]


class OsintCli:
    """Runs the real `osint` command in a subprocess against a data directory of the test's own."""

    def __init__(self, data_dir: Path, extract_workers: int | None = None):
        """`extract_workers=0` extracts entities in the crawler process (no worker pool to start);
        None keeps the configured default."""
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "OSINT_DATA_DIR": str(data_dir),
            "OSINT_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8,::1/128",
            "OSINT_INDEX_URL": f"sqlite:///{data_dir / 'index.sqlite3'}",
            "PYTHONPATH": str(REPO),
        }
        if extract_workers is not None:
            self.env["OSINT_EXTRACT_WORKERS"] = str(extract_workers)

    def run(
        self, *args: str, check: bool = True, input: str | None = None, timeout: float = 240
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            input=input,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"osint {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args, "--json").stdout)


def write_watchlist(path: Path, sources: list[dict], name: str = "test") -> Path:
    """JSON is YAML: a watchlist written without a YAML emitter."""
    path.write_text(
        json.dumps({"name": name, "owner": "tests", "description": "test sources", "sources": sources}, indent=2)
    )
    return path


def crawl_site(
    osint: OsintCli, tmp_path: Path, routes: dict, start: str, max_depth: int
) -> tuple[dict, dict[str, dict], list[str]]:
    """Crawl a local site of `routes` as one `site` source from `start`: the run report, each URL's
    outcome row by path, and the paths the server was asked for (robots.txt aside)."""
    with SiteServer(routes=routes) as site:
        watchlist = write_watchlist(
            tmp_path / "site.yaml",
            [
                {"id": "site", "kind": "site", "urls": [site.url(start)], "scope": {"max_depth": max_depth}},
            ],
        )
        report = osint.json("crawl", str(watchlist))
        run = osint.json("runs", "show", report["run_id"])
        fetched = [path for path in site.requests if path != "/robots.txt"]
    return report, {row["url"].removeprefix(site.base_url): row for row in run["outcomes"]}, fetched
