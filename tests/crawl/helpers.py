"""Driving the real `osint` CLI from tests.

A command that crawls runs in a process of its own, as `python -m app.cli` would (a child of
the test process's fork server, tests/forking.py, which has the imports and the extraction
warm-up done already): Scrapy's Twisted reactor cannot be restarted within one process, and a
crawl's process (its workers, its exit status) is part of what the tests check. Every other command (search, runs, index, alert,
watchlist, extract, config, --help of any command) runs the same entry point, `app.cli.main`, in
the test process under click's CliRunner isolation: arguments, environment, stdin, stdout, stderr
and the working directory are the subprocess's, and the exit status is what the process would
have exited with (an escaping exception is status 1 with its traceback on stderr, as Python
does). That saves the 1-3 s of interpreter start-up and imports each command would cost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

from click.testing import CliRunner

from app.site_server import SiteServer
from index.backend import open_backend
from schema.document import Document
from tests import forking

REPO = Path(__file__).resolve().parents[2]

#: commands that need a process of their own: they crawl (the reactor cannot be restarted in one
#: process) or serve until they are stopped with a signal
OWN_PROCESS = frozenset({"crawl", "schedule", "serve", "demo"})
#: options of the `osint` group itself, which come before the command name
_GROUP_FLAGS = frozenset({"-v", "-vv", "-vvv", "--verbose"})
_HELP = frozenset({"-h", "--help"})


def needs_own_process(args: Sequence[str]) -> bool:
    """Whether `osint ARGS` must run as a subprocess: a crawling or serving command (its --help aside)."""
    command = next((arg for arg in args if arg not in _GROUP_FLAGS), None)
    return command in OWN_PROCESS and not _HELP & set(args)


@contextlib.contextmanager
def _process_like_logging() -> Iterator[None]:
    """The root logger as a new process has it (no handlers, WARNING), so the command's own
    logging set-up (app/logs.py: basicConfig to stderr) writes to the captured stderr; pytest's
    handlers and level are put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    root.handlers = []
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers = handlers
        root.setLevel(level)


def invoke_in_process(
    args: Sequence[str], env: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess:
    """`osint ARGS` through `app.cli.main` in this process, with exactly the environment `env`
    (variables it lacks are removed for the call) and the repository as working directory."""
    from app.cli import main

    overrides: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    overrides.update({name: value for name, value in env.items() if os.environ.get(name) != value})
    argv = sys.argv
    with (
        CliRunner().isolation(input=input, env=overrides) as (stdout, stderr, _),
        contextlib.chdir(REPO),
        _process_like_logging(),
    ):
        sys.argv = ["osint", *args]
        try:
            main()
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
            if not isinstance(exit.code, int | None):  # sys.exit("message"): printed, status 1
                print(exit.code, file=sys.stderr)
        except Exception:  # pytest's own (a timeout, a skip) and Ctrl-C go on up
            traceback.print_exc()
            code = 1
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
            out, err = stdout.getvalue().decode(), stderr.getvalue().decode("utf-8", "backslashreplace")
    return subprocess.CompletedProcess(["osint", *args], code, out, err)


class OsintCli:
    """Runs the real `osint` command against a data directory of the test's own: a crawling or
    serving command in a subprocess, any other in this process (see the module's docstring)."""

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
        """`osint ARGS`: in a process of its own for the commands that need one (see
        `needs_own_process`; a child of the fork server, tests/forking.py), else in this process;
        `timeout` bounds the process (pytest-timeout bounds the rest)."""
        if needs_own_process(args):
            result = forking.run(args, self.env, REPO, input=input, timeout=timeout)
        else:
            result = invoke_in_process(args, self.env, input)
        if check and result.returncode != 0:
            raise AssertionError(f"osint {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self.run(*args, "--json").stdout)

    def index(self, *documents: Document) -> None:
        """Put `documents` in this data directory's embedded index, as a crawl would have."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open_backend(self.env["OSINT_INDEX_URL"]) as backend:
            assert backend.upsert(documents).indexed == len(documents)


def demo_watchlist(path: Path, site: SiteServer) -> Path:
    """The bundled demo watchlist, pointed at `site` (the demo site served by the test)."""
    path.write_text((REPO / "demo" / "watchlist.yaml").read_text().replace("{{BASE}}", site.base_url))
    return path


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
