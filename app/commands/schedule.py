from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from app.commands.config import current_config
from app.output import LOG_FORMAT, console, print_json
from app.watchlists import load_or_exit
from network.redaction import RedactingFormatter
from scheduling.launch import SubprocessLauncher
from scheduling.scheduler import Scheduler


def watchlist_files(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; directories contribute their *.yaml and *.yml files."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        elif path.is_file():
            files.append(path)
        else:
            raise click.BadParameter(f"{path}: no such file or directory", param_hint="WATCHLIST")
    if not files:
        raise click.BadParameter("no watchlist files found", param_hint="WATCHLIST")
    return files


class _CountingLauncher:
    def __init__(self, launch: SubprocessLauncher):
        self.launch = launch
        self.started: list[dict[str, Any]] = []

    def __call__(self, path: Path, source_ids: list[str]) -> Any:
        self.started.append({"watchlist": str(path), "sources": source_ids})
        return self.launch(path, source_ids)


def _log_scheduler_activity() -> None:
    """The service's own lines (crawls started and ended) show at INFO whatever -v says; the root
    handler keeps everything else at the chosen level."""
    log = logging.getLogger("scheduling.scheduler")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    log.addHandler(handler)
    log.setLevel(min(logging.INFO, logging.getLogger().getEffectiveLevel()))
    log.propagate = False


@click.command("schedule")
@click.argument("watchlists", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-concurrent",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Crawls running at once, at most.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="Due sources of one watchlist crawled together in one process.",
)
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="Seconds between checks while crawls run.",
)
@click.option(
    "--grace",
    "grace_seconds",
    type=click.FloatRange(0, 86400),
    default=None,
    help="On SIGTERM, wait this long for crawls to stop gracefully before a second signal (default: wait).",
)
@click.option("--json", "as_json", is_flag=True, help="On exit, print the crawls started as JSON.")
def command(
    watchlists: tuple[Path, ...],
    max_concurrent: int,
    batch_size: int,
    poll_seconds: float,
    grace_seconds: float | None,
    as_json: bool,
) -> None:
    """Run as a service: crawl each source of WATCHLISTS (files or directories) when its schedule says.

    Never two crawls of one source at once, at most --max-concurrent crawls, next-run times kept in
    the data directory across restarts. SIGTERM or Ctrl-C: running crawls stop gracefully (what
    they fetched is indexed) and the service exits once they have. Each crawl runs as a child
    `osint crawl … --source ID`; its log is under DATA_DIR/logs/scheduler/.
    """
    files = watchlist_files(watchlists)
    for path in files:
        load_or_exit(path)  # refuse to start on a broken watchlist; later edits are re-read
    config = current_config()
    _log_scheduler_activity()
    launcher = _CountingLauncher(SubprocessLauncher(config.data_dir))
    scheduler = Scheduler(files, config.data_dir, launcher, max_concurrent=max_concurrent, batch_size=batch_size)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Scheduling {len(files)} watchlist(s); data directory {config.data_dir}", err=True)
    scheduler.serve(stop, poll_seconds=poll_seconds, grace_seconds=grace_seconds)
    if as_json:
        print_json({"crawls_started": launcher.started})
    else:
        console.print(f"Stopped after starting {len(launcher.started)} crawls.", markup=False)
