"""Editing watchlists from the CLI keeps every comment and the layout of the file."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import watchlists.edit
from tests.crawl.helpers import REPO, OsintCli
from watchlists.edit import add_source, create_watchlist, remove_source
from watchlists.model import Watchlist, WatchlistError, load_watchlist

EXAMPLE = REPO / "settings" / "watchlists" / "example.yaml"

COMMENTED = """\
# Analysts' notes at the top stay.
name: "ports and borders"   # quoted on purpose
owner: desk@example.org
sources:
  # --- feeds -----------------------------------------------
  - id: port-news
    kind: feed
    urls: ['https://news.example.org/feed.xml']   # the English edition

  # --- pages -----------------------------------------------
  - id: statements
    kind: page
    urls:
      - https://gov.example.org/statements/1
description: kept after the sources on purpose
"""


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Path(shutil.copy(EXAMPLE, tmp_path / "example.yaml"))


def test_adding_then_removing_a_source_restores_the_file_byte_for_byte(example: Path):
    original = example.read_text()
    watchlist = add_source(
        example,
        {
            "id": "new-feed",
            "kind": "feed",
            "urls": ["https://example.org/feed.xml"],
            "tags": ["wire"],
            "schedule": "every 2 hours",
            "scope": {"max_pages": 50},
        },
    )
    edited = example.read_text()
    assert edited.startswith(original.rstrip("\n"))
    assert "  - id: new-feed\n    kind: feed\n    urls: [https://example.org/feed.xml]\n    tags: [wire]\n" in edited
    assert watchlist.source("new-feed").scope.max_pages == 50
    remove_source(example, "new-feed")
    assert example.read_text() == original


def test_removing_a_source_keeps_the_headings_and_notes_around_it(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(COMMENTED)
    remove_source(path, "port-news")
    text = path.read_text()
    assert "port-news" not in text and "the English edition" not in text
    for kept in (
        "# Analysts' notes at the top stay.",
        '"ports and borders"   # quoted on purpose',
        "# --- feeds",
        "# --- pages",
        "description: kept after the sources on purpose",
    ):
        assert kept in text
    add_source(path, {"id": "late", "kind": "page", "urls": ["https://gov.example.org/late"]})
    text = path.read_text()
    assert text.index("id: late") < text.index("description: kept")  # inserted inside the sequence
    assert [s.id for s in load_watchlist(path).sources] == ["statements", "late"]


def test_a_new_watchlist_grows_from_empty_and_back(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    create_watchlist(path, "My list: Sahel", "me@example.org", "Routes across the Sahel", "every 6 hours")
    empty = path.read_text()
    add_source(path, {"id": "a", "kind": "page", "urls": ["https://example.org/a"]})
    add_source(path, {"id": "b", "kind": "page", "urls": ["https://example.org/b"], "schedule": "hourly"})
    watchlist = load_watchlist(path)
    assert watchlist.name == "My list: Sahel" and [s.id for s in watchlist.sources] == ["a", "b"]
    assert watchlist.schedule_of(watchlist.source("a")) == "every 6 hours"
    remove_source(path, "a")
    remove_source(path, "b")
    assert path.read_text() == empty
    with pytest.raises(FileExistsError):
        create_watchlist(path, "again")


def test_bad_edits_leave_the_file_untouched(example: Path):
    original = example.read_text()
    with pytest.raises(WatchlistError, match="exists already"):
        add_source(example, {"id": "us-state-press", "kind": "feed", "urls": ["https://example.org/x"]})
    with pytest.raises(KeyError):
        remove_source(example, "no-such-source")
    assert example.read_text() == original


def test_watchlist_commands(tmp_path: Path):
    osint = OsintCli(tmp_path / "data")
    path = tmp_path / "lists" / "desk.yaml"
    path.parent.mkdir()
    osint.run("watchlist", "new", str(path), "--name", "desk", "--schedule", "every 2 hours")
    added = osint.json(
        "watchlist",
        "add-source",
        str(path),
        "port",
        "--kind",
        "feed",
        "--url",
        "https://example.org/f.xml",
        "--tag",
        "ports",
        "--schedule",
        "every 30 minutes",
    )
    assert added["sources"][0]["schedule"] == "every 30 minutes"
    bad = osint.run("watchlist", "add-source", str(path), "x", "--kind", "feed", "--url", "gopher://x", check=False)
    assert bad.returncode == 2 and "urls" in bad.stderr
    assert (
        osint.run(
            "watchlist",
            "add-source",
            str(path),
            "port",
            "--kind",
            "feed",
            "--url",
            "https://example.org/g",
            check=False,
        ).returncode
        == 2
    )
    assert (
        osint.run(
            "watchlist",
            "add-source",
            str(path),
            "y",
            "--kind",
            "feed",
            "--url",
            "https://example.org/g",
            "--schedule",
            "every now and then",
            check=False,
        ).returncode
        == 2
    )
    listed = osint.json("watchlist", "list", str(path.parent))
    assert [(row["name"], row["sources"]) for row in listed] == [("desk", 1)]
    shown = osint.json("watchlist", "show", str(path))
    assert shown["sources"][0] | {"last_run_counts": None} == {
        "id": "port",
        "kind": "feed",
        "enabled": True,
        "schedule": "every 30 minutes",
        "last_run": None,
        "last_run_started": None,
        "last_run_counts": None,
        "last_error": "",
        "next_run": "now",
        "health": "never run",
        "consecutive_failures": 0,
    }
    osint.run("watchlist", "remove-source", str(path), "port")
    assert json.loads(osint.run("watchlist", "show", str(path), "--json").stdout)["sources"] == []
    assert osint.run("watchlist", "remove-source", str(path), "port", check=False).returncode == 2


# two editors at once ------------------------------------------------------------------------------

#: a child `osint` process starts an interpreter and imports the app before it edits anything
DEADLINE = 60.0


ADDED_BY_CLI = ("--kind", "page", "--url", "https://example.org/cli")


def until(condition: Callable[[], bool], what: str, seconds: float = DEADLINE) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.05)


def waiting_for_lock(path: Path) -> bool:
    """Whether an editor waits for the lock of the file at `path` (Linux lists waiters in /proc/locks)."""
    inode = f":{os.stat(path).st_ino} "
    return any("-> FLOCK" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())


@contextmanager
def paused_edit(monkeypatch: pytest.MonkeyPatch, edit: Callable[[], object]) -> Iterator[threading.Thread]:
    """Run `edit` in a thread and stop it once it has read the file, before it writes (the first
    time it validates a text), until the block ends; then wait for it to finish."""
    paused, resume, failed = threading.Event(), threading.Event(), []
    validate = watchlists.edit.parse_watchlist

    def pausing(text: str, path: Path | str = "<string>") -> Watchlist:
        if not paused.is_set():
            paused.set()
            assert resume.wait(DEADLINE), "never resumed"
        return validate(text, path)

    def run() -> None:
        try:
            edit()
        except BaseException as exc:
            failed.append(exc)

    monkeypatch.setattr(watchlists.edit, "parse_watchlist", pausing)
    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert paused.wait(DEADLINE), "the edit never got to writing"
        yield thread
    finally:
        resume.set()
        thread.join(DEADLINE)
    assert not thread.is_alive() and not failed, failed


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks to see a waiting editor")
def test_the_web_and_the_cli_editing_at_once_both_land(example: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    web_edit = {"id": "from-the-web", "kind": "page", "urls": ["https://example.org/web"]}
    with paused_edit(monkeypatch, lambda: add_source(example, web_edit)):
        # the paused edit has read the file and holds it locked until it has written it
        with example.open("rb") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        cli = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "watchlist", "add-source", str(example), "from-the-cli", *ADDED_BY_CLI],
            env=OsintCli(tmp_path / "data").env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        until(lambda: waiting_for_lock(example) or cli.poll() is not None, "the CLI waited for the web's edit")
        assert cli.poll() is None, cli.communicate()
    _, stderr = cli.communicate(timeout=DEADLINE)
    assert cli.returncode == 0, stderr
    ids = [source.id for source in load_watchlist(example).sources]
    assert ids[-2:] == ["from-the-web", "from-the-cli"]


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks to see a waiting editor")
def test_two_editors_in_one_process_both_land(example: Path, monkeypatch: pytest.MonkeyPatch):
    before = [source.id for source in load_watchlist(example).sources]
    second: list[threading.Thread] = []
    with paused_edit(monkeypatch, lambda: remove_source(example, before[0])):
        second.append(
            threading.Thread(
                target=add_source, args=(example, {"id": "late", "kind": "page", "urls": ["https://example.org/l"]})
            )
        )
        second[0].start()
        until(lambda: waiting_for_lock(example), "the second edit waited for the first")
    second[0].join(DEADLINE)
    assert [source.id for source in load_watchlist(example).sources] == [*before[1:], "late"]


def test_many_editors_at_once_all_land(example: Path):
    before = [source.id for source in load_watchlist(example).sources]
    start = threading.Barrier(6)
    failed: list[BaseException] = []

    def edit(number: int) -> None:
        start.wait(DEADLINE)
        try:
            add_source(example, {"id": f"editor-{number}", "kind": "page", "urls": [f"https://example.org/{number}"]})
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=edit, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    assert not failed, failed
    ids = [source.id for source in load_watchlist(example).sources]
    assert ids[: len(before)] == before and sorted(ids[len(before) :]) == [f"editor-{n}" for n in range(6)]
    assert not list(example.parent.glob(".*.tmp"))


def test_two_creating_the_same_watchlist_at_once_one_wins(tmp_path: Path):
    path = tmp_path / "desk.yaml"
    start = threading.Barrier(4)
    made: list[str] = []
    refused: list[BaseException] = []

    def create(number: int) -> None:
        start.wait(DEADLINE)
        try:
            create_watchlist(path, f"desk {number}")
            made.append(f"desk {number}")
        except FileExistsError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=create, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
    assert len(made) == 1 and len(refused) == 3 and load_watchlist(path).name == made[0]
    assert all("exists; edit it with add-source" in str(exc) for exc in refused)
    assert not list(tmp_path.glob(".*.tmp"))
