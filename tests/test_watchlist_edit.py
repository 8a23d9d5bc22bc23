"""Editing watchlists from the CLI keeps every comment and the layout of the file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.crawl.helpers import REPO, OsintCli
from watchlists.edit import add_source, create_watchlist, remove_source
from watchlists.model import WatchlistError, load_watchlist

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
