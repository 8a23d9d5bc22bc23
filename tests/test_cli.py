"""The `osint` command line as users and scripts meet it: help everywhere, JSON, exit code 2."""

from __future__ import annotations

import json

import pytest

import app.cli

COMMANDS = [
    [],
    *[[name] for name in app.cli.COMMANDS],
    ["watchlist", "validate"],
    ["watchlist", "schema"],
    ["index", "status"],
    ["index", "migrate"],
    ["index", "flush"],
    ["index", "upgrade"],
    ["runs", "show"],
    ["alert", "add"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "osint")
def test_help_everywhere(osint, command):
    result = osint.run(*command, "--help")
    assert result.stdout.startswith("Usage: osint")


def test_bad_usage_exits_2_with_a_clear_message(osint, tmp_path):
    bad_query = osint.run("search", "colour:red", check=False)
    assert bad_query.returncode == 2 and "unknown field colour:" in bad_query.stderr
    assert "Traceback" not in bad_query.stderr
    assert osint.run("search", '"unclosed', check=False).returncode == 2
    assert osint.run("crawl", str(tmp_path / "absent.yaml"), check=False).returncode == 2
    assert osint.run("extract", str(tmp_path / "absent.txt"), check=False).returncode == 2
    assert osint.run("search", "--after", "not-json", "x", check=False).returncode == 2
    assert osint.run("nonsense", check=False).returncode == 2


def test_search_json_on_an_empty_index(osint):
    result = osint.json("search", "kornet")
    assert result["total"] == 0 and result["hits"] == [] and isinstance(result["facets"], dict)


def test_extract_reads_stdin(osint):
    text = (
        "Customs officers at the port said the crates held Kalashnikov rifles and RPG-7 launchers "
        "shipped from Bulgaria, destined for al-Shabaab fighters in Somalia."
    )
    result = json.loads(osint.run("extract", "-", "--json", input=text).stdout)
    assert result["language"] == "en"
    assert "AK-47" in result["weapons"] and "RPG-7" in result["weapons"]
    assert {"BG", "SO"} <= set(result["countries"])
    assert result["armed_groups"] == ["al-Shabaab"]
    for entity in result["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]


def test_watchlist_schema_and_index_status(osint):
    schema = json.loads(osint.run("watchlist", "schema").stdout)
    assert schema["title"] == "OSINT crawler watchlist"
    status = osint.json("index", "status")
    assert status["backend"] == "sqlite" and status["documents"] == 0
