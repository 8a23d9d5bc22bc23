from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from watchlists.model import (
    WatchlistError,
    error_message,
    load_watchlist,
    parse_watchlist,
    source_from_fields,
    watchlist_json_schema,
)

GOOD = """\
name: sahel-monitoring
owner: analyst@example.org
description: Feeds and statements on weapons in the Sahel
schedule: every 6 hours
sources:
  - id: ministry-press
    kind: feed
    urls: [https://example.org/press/rss.xml]
    tags: [government]
    language: fr
  - id: monitor-site
    kind: site
    urls: [https://monitor.example.org/]
    scope:
      allow: ['/reports/']
      deny: ['/tag/']
      max_depth: 3
      max_pages: 200
    render_js: true
    schedule: daily at 06:00 UTC
"""


def test_a_valid_watchlist_loads_with_defaults():
    watchlist = parse_watchlist(GOOD, "good.yaml")
    assert [s.id for s in watchlist.sources] == ["ministry-press", "monitor-site"]
    site = watchlist.source("monitor-site")
    assert site.scope.max_depth == 3 and site.render_js
    assert watchlist.schedule_of(watchlist.source("ministry-press")) == "every 6 hours"
    assert watchlist.source("ministry-press").scope.max_pages == 500


@pytest.mark.parametrize(
    "mutation, expected",
    [
        (("kind: feed", "kind: rss"), "good.yaml:7: sources[0].kind: Input should be"),
        (
            ("https://example.org/press/rss.xml", "file:///etc/passwd"),
            "good.yaml:8: sources[0].urls: 'file:///etc/passwd' is not an http(s) URL",
        ),
        (("language: fr", "language: French"), "good.yaml:10: sources[0].language: must be an ISO 639 code"),
        (
            ("max_depth: 3", "max_depth: 99"),
            "good.yaml:17: sources[1].scope.max_depth: Input should be less than or equal to 20",
        ),
        (("deny: ['/tag/']", "deny: ['(unclosed']"), "good.yaml:16: sources[1].scope.deny: invalid regular expression"),
        (
            ("daily at 06:00 UTC", "sometimes"),
            "good.yaml:20: sources[1].schedule: 'sometimes' is neither a cron expression",
        ),
        (
            ("id: monitor-site", "id: ministry-press"),
            "good.yaml:11: sources[1].id: duplicate source id 'ministry-press'",
        ),
        (
            ("    render_js: true\n", "    render_js: true\n    colour: blue\n"),
            "good.yaml:20: sources[1].colour: Extra inputs are not permitted",
        ),
    ],
)
def test_errors_name_file_line_and_field(mutation, expected):
    with pytest.raises(WatchlistError) as error:
        parse_watchlist(GOOD.replace(*mutation), "good.yaml")
    assert any(problem.startswith(expected) for problem in error.value.problems), error.value.problems


def test_invalid_yaml_names_the_line(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nsources:\n  - id: a\n    kind: [feed\n")
    with pytest.raises(WatchlistError) as error:
        load_watchlist(path)
    assert error.value.problems[0].startswith(f"{path}:")
    assert "invalid YAML" in error.value.problems[0]


def test_missing_file_and_non_mapping_are_clear(tmp_path: Path):
    with pytest.raises(WatchlistError, match="no such file"):
        load_watchlist(tmp_path / "absent.yaml")
    with pytest.raises(WatchlistError, match="a watchlist is a mapping"):
        parse_watchlist("- just\n- a list\n", "list.yaml")


def test_schema_is_json_schema_with_descriptions():
    schema = watchlist_json_schema()
    json.dumps(schema)
    source = schema["$defs"]["Source"]
    assert set(source["properties"]["kind"]["enum"]) == {"feed", "sitemap", "site", "page", "document"}
    assert "render_js" in source["properties"]


def test_shipped_watchlists_are_valid():
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "settings" / "watchlists").glob("*.yaml")):
        assert load_watchlist(path).sources, path


def test_a_source_from_the_fields_a_person_gave_leaves_the_empty_ones_to_the_defaults():
    fields = {"id": "quay", "kind": "site", "urls": ["https://example.test/"], "name": "", "tags": [], "language": None}
    source = source_from_fields({**fields, "render_js": False}, {"max_depth": 0, "allow": [], "max_pages": None})
    assert (source.name, source.tags, source.language, source.render_js, source.enabled) == ("", [], None, False, True)
    assert (source.scope.max_depth, source.scope.allow, source.scope.max_pages) == (0, [], 500)
    assert not source_from_fields(fields, enabled=False).enabled
    with pytest.raises(ValidationError) as caught:
        source_from_fields({**fields, "language": "English"})
    assert [error_message(error) for error in caught.value.errors()] == ["must be an ISO 639 code such as 'en' or 'ar'"]
