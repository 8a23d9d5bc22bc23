"""Loading a watchlist for a command: on any problem, print file:line: field: message and exit 2."""

from __future__ import annotations

from pathlib import Path

import click
from crawlers.watchlist import Watchlist, WatchlistError, load_watchlist


def load_or_exit(path: Path | str) -> Watchlist:
    try:
        return load_watchlist(path)
    except WatchlistError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(2) from None
