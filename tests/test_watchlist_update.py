"""Editing in place (watchlists/edit.py `update_source`, `update_header`): only the keys whose
value changed are rewritten; every other byte of the file (comments, quoting, blank lines, the
notes between sources, the source's position) stays as it was."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from tests.crawl.helpers import REPO
from tests.test_watchlist_edit import DEADLINE, paused_edit, until, waiting_for_lock
from watchlists.edit import create_watchlist, update_header, update_source
from watchlists.model import Scope, Source, WatchlistError, load_watchlist

EXAMPLE = REPO / "settings" / "watchlists" / "example.yaml"

NOTES = """\
# Analysts' notes at the top stay.
name: harbour desk
sources:
  # --- feeds -----------------------------------------------
  - id: port-news   # the agency's own feed
    kind: feed
    urls: ['https://news.example.org/feed.xml']   # the English edition
    schedule: hourly  # busy season
    # scope notes: keep it small
    scope:
      max_pages: 30   # enough
    tags: [ports, "customs"]

  # --- pages -----------------------------------------------
  -
    id: statements
    kind: page
    urls:
      - https://gov.example.org/statements/1   # first
description: kept after the sources on purpose
"""


def edited(path: Path, source_id: str, **changes: object) -> str:
    source = load_watchlist(path).source(source_id).model_copy(update=changes)
    update_source(path, source_id, Source.model_validate(source.model_dump()))
    return path.read_text()


def test_changing_a_value_rewrites_that_line_only_and_keeps_its_comment(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    text = edited(path, "port-news", schedule="every 2 hours", urls=["https://news.example.org/en.xml"])
    old_urls = "    urls: ['https://news.example.org/feed.xml']   # the English edition"
    new_urls = "    urls: [https://news.example.org/en.xml]".ljust(old_urls.index("#")) + "# the English edition"
    assert text == NOTES.replace("hourly  # busy", "every 2 hours  # busy").replace(old_urls, new_urls)


def test_nothing_changed_leaves_the_file_byte_for_byte(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    assert edited(path, "port-news") == NOTES
    assert edited(path, "statements") == NOTES


def test_new_keys_go_in_their_place_and_defaults_are_taken_out(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    text = edited(path, "port-news", name="Port news", language="en", tags=[], scope=Scope(max_depth=2))
    assert "    tags:" not in text and "max_pages: 30" not in text and "# enough" not in text
    block = text.split("  - id: port-news", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines()[1:5] == [
        "    name: Port news",
        "    kind: feed",
        "    urls: ['https://news.example.org/feed.xml']   # the English edition",
        "    language: en",
    ]
    assert "# scope notes: keep it small" in text  # a note before the next key stays with it
    assert text.startswith(NOTES.split("  - id: port-news")[0])
    assert text.endswith(NOTES.split("  # --- pages", 1)[1])
    watchlist = load_watchlist(path)
    assert [s.id for s in watchlist.sources] == ["port-news", "statements"]
    assert watchlist.source("port-news").scope == Scope()


def test_a_source_whose_dash_stands_alone_or_whose_first_key_goes(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    text = edited(path, "statements", render_js=True, revisit="7 days")
    assert text.endswith(
        "      - https://gov.example.org/statements/1   # first\n"
        "    render_js: true\n    revisit: 7 days\ndescription: kept after the sources on purpose\n"
    )
    first_key_named = tmp_path / "named.yaml"
    first_key_named.write_text(
        "name: x\nsources:\n- name: First   # named\n  id: a\n  kind: page\n  urls: [https://a.example.org/]\n"
    )
    assert edited(first_key_named, "a", name="") == (
        "name: x\nsources:\n- id: a\n  kind: page\n  urls: [https://a.example.org/]\n"
    )


def test_an_edit_round_trip_restores_the_example_byte_for_byte(tmp_path: Path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "example.yaml"))
    original = path.read_text()
    source_id = load_watchlist(path).sources[1].id
    before = load_watchlist(path).source(source_id)
    changed = edited(path, source_id, schedule="every 3 hours", enabled=False)
    assert changed != original and load_watchlist(path).source(source_id).enabled is False
    update_source(path, source_id, before)
    assert path.read_text() == original


def test_bad_edits_leave_the_file_untouched(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    with pytest.raises(KeyError, match="no source 'gone'"):
        update_source(path, "gone", {"id": "gone", "kind": "page", "urls": ["https://x.example.org/"]})
    with pytest.raises(WatchlistError, match="a source 'statements' exists already"):
        update_source(path, "port-news", {"id": "statements", "kind": "page", "urls": ["https://x.example.org/"]})
    flow = tmp_path / "flow.yaml"
    flow.write_text("name: x\nsources: [{id: a, kind: page, urls: ['https://a.example.org/']}]\n")
    with pytest.raises(WatchlistError, match="flow style"):
        update_source(flow, "a", {"id": "a", "kind": "feed", "urls": ["https://a.example.org/"]})
    assert path.read_text() == NOTES


def test_a_renamed_source_keeps_its_place(tmp_path: Path):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    text = edited(path, "port-news", id="harbour-news")
    assert text == NOTES.replace("id: port-news   # the agency's own feed", "id: harbour-news  # the agency's own feed")


def test_the_header_changes_line_by_line(tmp_path: Path):
    path = Path(shutil.copy(EXAMPLE, tmp_path / "example.yaml"))
    original = path.read_text()
    watchlist = load_watchlist(path)
    # a folded `description: >` read back as one line is the same description
    update_header(path, watchlist.name, watchlist.owner, " ".join(watchlist.description.split()), watchlist.schedule)
    assert path.read_text() == original
    update_header(path, watchlist.name, "desk@example.org", watchlist.description, None)
    assert path.read_text() == original.replace("owner: analyst@example.org", "owner: desk@example.org").replace(
        "schedule: every 6 hours\n", ""
    )
    update_header(path, watchlist.name, "desk@example.org", watchlist.description, "every 6 hours")
    assert path.read_text() == original.replace("owner: analyst@example.org", "owner: desk@example.org")


def test_long_and_awkward_header_values_are_written_as_one_valid_line(tmp_path: Path):
    """A description longer than a YAML emitter's line width used to wrap onto an unindented line."""
    long = "Port authorities, customs notices and shipping registers of the northern harbours and their warehouses"
    for number, value in enumerate([long, "two\nlines: with # and '", "x" * 5000, " padded "]):
        path = tmp_path / f"w{number}.yaml"
        assert create_watchlist(path, "desk: north", description=value).description == value
        assert update_header(path, "desk: north", owner=value, description="").owner == value


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks to see a waiting editor")
def test_a_header_and_a_source_edited_at_once_both_land(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "notes.yaml"
    path.write_text(NOTES)
    changed = load_watchlist(path).source("statements").model_copy(update={"schedule": "daily"})
    second = threading.Thread(target=update_source, args=(path, "statements", changed))
    with paused_edit(monkeypatch, lambda: update_header(path, "harbour desk", owner="desk@example.org")):
        second.start()
        until(lambda: waiting_for_lock(path), "the source's edit waited for the header's")
    second.join(DEADLINE)
    watchlist = load_watchlist(path)
    assert watchlist.owner == "desk@example.org" and watchlist.source("statements").schedule == "daily"
    assert path.read_text().startswith(
        "# Analysts' notes at the top stay.\nname: harbour desk\nowner: desk@example.org\n"
    )
