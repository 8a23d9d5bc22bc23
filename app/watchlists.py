"""Watchlist problems in a command: print file:line: field: message and exit 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from watchlists.model import Watchlist, WatchlistError, load_watchlist


@contextmanager
def exit_on_watchlist_error() -> Iterator[None]:
    try:
        yield
    except WatchlistError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(2) from None


def load_or_exit(path: Path | str) -> Watchlist:
    with exit_on_watchlist_error():
        return load_watchlist(path)
