"""Soak: `osint schedule` against a local site that keeps changing, for a long time.

    python -m benchmarks.soak [--minutes 30] [--sources 4] [--change-every 5] [--json]

A local news site on 127.0.0.1 (one RSS feed per source) publishes a new article or edits an
existing one every few seconds; every source is scheduled `every 1 minute`. Every 10 seconds the
benchmark samples the scheduler service: its resident memory, open file descriptors and child
processes (crawls and their extraction workers), and the memory of the whole process tree.

At the end it stops changing the site, waits until the crawler has fetched every article's
latest version, stops the service with SIGTERM and checks that:
- the service's RSS stayed flat (growth after the first 5 minutes, in per cent),
- no child process outlived the service,
- every version of every article the site served was indexed exactly once (ledger outcomes
  `indexed` with change new/changed, across all runs), and the index holds one document per
  article with its latest text.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from index.backend import open_backend
from state.ledger import Ledger
from tests.crawl.helpers import REPO, OsintCli, write_watchlist
from tests.incremental.changing_site import ChangingSite
from tests.processes import ended

SAMPLE_SECONDS = 10.0
WARM_UP_SECONDS = 300.0


class ServedVersions(ChangingSite):
    """The changing site, remembering which distinct versions of each article it served (200).
    Its lock is re-entrant so routes can hold it while the changes thread edits articles."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.recorded = threading.Condition(self.lock)
        self.served: dict[str, set[str]] = defaultdict(set)

    def _answer(self, handler, body, content_type, modified, validators):  # type: ignore[no-untyped-def]
        with self.recorded:
            status, headers, payload = super()._answer(handler, body, content_type, modified, validators)
            if status == 200 and handler.path in self.articles:
                self.served[handler.path].add(hashlib.sha256(payload).hexdigest())
                self.recorded.notify_all()
            return status, headers, payload

    def _article_route(self, path):  # type: ignore[no-untyped-def]
        return self._locked(super()._article_route(path))

    def _listing_route(self, render, content_type, validators):  # type: ignore[no-untyped-def]
        return self._locked(super()._listing_route(render, content_type, validators))

    def _locked(self, route):  # type: ignore[no-untyped-def]
        def locked(handler):  # type: ignore[no-untyped-def]
            with self.lock:
                return route(handler)

        return locked

    def current_version(self, path: str) -> str:
        return hashlib.sha256(self.articles[path].html()).hexdigest()

    def all_current_served(self) -> bool:
        with self.lock:
            return all(self.current_version(path) in self.served[path] for path in self.articles)


class Changes(threading.Thread):
    """Publishes or edits one article every `every` seconds. An article is edited again only once
    its current version has been served, so every change is one the crawler could see."""

    def __init__(self, site: ServedVersions, sources: int, every: float):
        super().__init__(daemon=True)
        self.site, self.sources, self.every = site, sources, every
        self.stop = threading.Event()
        self.rng = random.Random(11)
        self.counts: Counter[str] = Counter()
        self.editions: dict[str, int] = {}

    def run(self) -> None:
        while not self.stop.wait(self.every):
            with self.site.lock:
                editable = [p for p in self.site.articles if self.site.current_version(p) in self.site.served[p]]
                if editable and self.rng.random() < 0.5:
                    self.edit(self.rng.choice(editable))
                else:
                    self.publish()

    def publish(self) -> None:
        number = self.counts["published"]
        path = f"/s{number % self.sources}/{number}.html"
        with self.site.lock:
            self.site.publish(path, f"Soak report {number} from source {number % self.sources}", when=datetime.now(UTC))
            self.editions[path] = 1
        self.counts["published"] += 1

    def edit(self, path: str) -> None:
        self.editions[path] += 1
        self.site.edit(path, self.editions[path], datetime.now(UTC))
        self.counts["edited"] += 1


def _sample(service: psutil.Process, started: float) -> dict[str, Any]:
    children = service.children(recursive=True)
    tree_rss = service.memory_info().rss
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            tree_rss += child.memory_info().rss
    return {
        "minute": round((time.monotonic() - started) / 60, 2),
        "rss_mb": round(service.memory_info().rss / 2**20, 1),
        "tree_rss_mb": round(tree_rss / 2**20, 1),
        "open_fds": service.num_fds(),
        "children": len(children),
    }


def _indexing_check(site: ServedVersions, data_dir: Path) -> dict[str, Any]:
    ledger = Ledger.in_data_dir(data_dir)
    indexed: Counter[str] = Counter()
    runs = ledger.runs(limit=1_000_000)
    for run in runs:
        for row in ledger.outcomes(run.run_id):
            if row["outcome"] == "indexed" and row["change"] in ("new", "changed"):
                indexed[row["url"].removeprefix(site.server.base_url)] += 1
    ledger.close()
    twice = {p: (indexed[p], len(v)) for p, v in site.served.items() if indexed[p] > len(v)}
    missed = {p: (indexed[p], len(v)) for p, v in site.served.items() if indexed[p] < len(v)}
    with open_backend(f"sqlite:///{data_dir / 'index.sqlite3'}") as backend:
        documents = list(backend.iter_documents())
    by_path = Counter(d.url.removeprefix(site.server.base_url) for d in documents)
    latest_missing = [
        p
        for p, a in site.articles.items()
        if not any(d.url.endswith(p) and a.body.split(" Edition ")[-1] in d.text for d in documents)
    ]
    return {
        "runs": len(runs),
        "versions_served": sum(len(v) for v in site.served.values()),
        "indexed_new_or_changed": sum(indexed.values()),
        "indexed_more_than_once": twice,
        "versions_not_indexed": missed,
        "documents": len(documents),
        "articles": len(site.articles),
        "duplicate_documents": {p: n for p, n in by_path.items() if n > 1},
        "latest_text_missing": latest_missing,
    }


def run(minutes: float, sources: int, change_every: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch, ServedVersions() as site:
        changes = Changes(site, sources, change_every)
        for _ in range(sources * 3):  # a few articles per feed before the first crawl
            changes.publish()
        for s in range(sources):
            site.add_feed(f"/s{s}/feed.xml", f"/s{s}/")
        watchlist = write_watchlist(
            Path(scratch) / "soak.yaml",
            [
                {
                    "id": f"s{s}",
                    "kind": "feed",
                    "urls": [site.server.url(f"/s{s}/feed.xml")],
                    "schedule": "every 1 minute",
                }
                for s in range(sources)
            ],
            name="soak",
        )
        cli = OsintCli(Path(scratch) / "data")
        cli.env.setdefault("OSINT_EXTRACT_WORKERS", "2")  # the service's (and its crawls') environment
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "schedule", str(watchlist), "--json"],
            cwd=REPO,
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        service, started, samples = psutil.Process(process.pid), time.monotonic(), []
        changes.start()
        deadline = started + minutes * 60
        while time.monotonic() < deadline and process.poll() is None:
            samples.append(_sample(service, started))
            time.sleep(
                min(SAMPLE_SECONDS, max(0.0, deadline - time.monotonic()))
            )  # sampling period, not a wait for state
        changes.stop.set()
        changes.join()
        caught_up = site.wait_until(site.all_current_served, timeout=300)
        descendants = service.children(recursive=True)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=600)
        survivors = [process.pid for process in descendants if not ended(process)]
        warm = [s for s in samples if s["minute"] * 60 >= WARM_UP_SECONDS] or samples[-1:]
        baseline = warm[0]["rss_mb"]
        return {
            "minutes": minutes,
            "sources": sources,
            "change_every_seconds": change_every,
            "changes": dict(changes.counts),
            "caught_up_with_last_change": caught_up,
            "rss_mb_after_warm_up": baseline,
            "rss_mb_max_after_warm_up": max(s["rss_mb"] for s in warm),
            "rss_growth_percent_after_warm_up": round(100 * (max(s["rss_mb"] for s in warm) - baseline) / baseline, 1),
            "open_fds_min_max": [min(s["open_fds"] for s in samples), max(s["open_fds"] for s in samples)],
            "children_max": max(s["children"] for s in samples),
            "tree_rss_mb_max": max(s["tree_rss_mb"] for s in samples),
            "children_alive_after_stop": survivors,
            "service_exit_code": process.returncode,
            "indexing": _indexing_check(site, Path(scratch) / "data"),
            "samples": samples,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--change-every", type=float, default=5.0, help="seconds between site changes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = run(args.minutes, args.sources, args.change_every)
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
        return
    print(
        f"{args.minutes:g} minutes, {args.sources} sources every minute, a site change every {args.change_every:g} s: "
        f"{figures['changes']}"
    )
    print("minute  service RSS MB  tree RSS MB  open fds  children")
    for sample in figures["samples"][:: max(1, len(figures["samples"]) // 15)]:
        print(
            f"{sample['minute']:6.1f}  {sample['rss_mb']:14.1f}  {sample['tree_rss_mb']:11.1f}  {sample['open_fds']:8}  {sample['children']:8}"
        )
    print(
        f"service RSS after warm-up {figures['rss_mb_after_warm_up']} MB, max {figures['rss_mb_max_after_warm_up']} MB "
        f"(growth {figures['rss_growth_percent_after_warm_up']} %); open fds {figures['open_fds_min_max']}; "
        f"children alive after stop: {figures['children_alive_after_stop'] or 'none'}"
    )
    indexing = figures["indexing"]
    print(
        f"{indexing['runs']} runs; {indexing['versions_served']} article versions served, "
        f"{indexing['indexed_new_or_changed']} indexed as new/changed; indexed twice: {indexing['indexed_more_than_once'] or 'none'}; "
        f"not indexed: {indexing['versions_not_indexed'] or 'none'}; {indexing['documents']} documents for "
        f"{indexing['articles']} articles; duplicates: {indexing['duplicate_documents'] or 'none'}; "
        f"latest text missing: {indexing['latest_text_missing'] or 'none'}"
    )


if __name__ == "__main__":
    main()
