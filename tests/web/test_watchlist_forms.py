"""Watchlist and source forms: what an analyst types becomes the model's Source or watchlist header,
and every problem lands beside the field at fault with the message `osint watchlist` prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.web.watchlist_forms import (
    FILE_NAME_MESSAGE,
    FormErrors,
    edit_errors,
    parse_source_form,
    parse_watchlist_form,
    source_form,
    suggested_file,
)
from tests.crawl.helpers import OsintCli
from watchlists.edit import add_source, create_watchlist
from watchlists.model import Source, WatchlistError

GOOD = {
    "id": "port-notices",
    "kind": "site",
    "name": "Port authority notices",
    "urls": "https://port.example.org/notices\n\n  https://port.example.org/archive  \n",
    "tags": "ports, customs,\nshipping",
    "language": "en",
    "schedule": "every 2 hours",
    "revisit": "7 days",
    "render_js": "on",
    "enabled": "on",
    "allowed_domains": "port.example.org, .Docs.Example.org",
    "allow": "/notices/\n\\.pdf$",
    "deny": "/login",
    "max_depth": "3",
    "max_pages": "",
}


def source(**changes: str) -> tuple[Source | None, FormErrors]:
    return parse_source_form({**GOOD, **changes})


def test_a_filled_in_form_is_a_source():
    parsed, errors = source()
    assert not errors and parsed is not None
    assert parsed.urls == ["https://port.example.org/notices", "https://port.example.org/archive"]
    assert parsed.tags == ["ports", "customs", "shipping"]
    assert (parsed.render_js, parsed.enabled, parsed.language, parsed.revisit) == (True, True, "en", "7 days")
    assert parsed.scope.allowed_domains == ["port.example.org", "docs.example.org"]
    assert (parsed.scope.allow, parsed.scope.deny) == (["/notices/", r"\.pdf$"], ["/login"])
    assert (parsed.scope.max_depth, parsed.scope.max_pages) == (3, 500)  # an empty field keeps the default


def test_empty_fields_keep_the_defaults_and_an_unchecked_box_is_false():
    parsed, errors = parse_source_form({"id": "a", "kind": "page", "urls": "https://example.org/a"})
    assert not errors and parsed is not None
    assert parsed == Source(id="a", kind="page", urls=["https://example.org/a"], enabled=False)
    parsed, _ = parse_source_form({"id": "a", "kind": "page", "urls": "https://example.org/a", "enabled": "on"})
    assert parsed == Source(id="a", kind="page", urls=["https://example.org/a"])


def test_a_source_shown_in_its_form_comes_back_the_same():
    parsed, _ = source()
    assert parsed is not None
    shown = source_form(parsed)
    assert shown["max_depth"] == "3" and shown["max_pages"] == ""  # defaults are placeholders, not values
    assert parse_source_form(shown) == (parsed, FormErrors())
    assert source_form()["enabled"] == "on" and source_form()["kind"] == "feed"


@pytest.mark.parametrize(
    ("field", "value", "option"),
    [
        ("id", "Port Notices", None),
        ("urls", "gopher://port.example.org/", "--url"),
        ("schedule", "every now and then", "--schedule"),
        ("revisit", "soon", "--revisit"),
        ("language", "english", "--language"),
        ("max_depth", "21", "--max-depth"),
        ("max_pages", "0", "--max-pages"),
        ("allow", "(unclosed", "--allow"),
        ("deny", "[z-a]", "--deny"),
    ],
)
def test_each_problem_is_beside_its_field_in_the_words_of_the_cli(
    field: str, value: str, option: str | None, tmp_path: Path
):
    parsed, errors = source(**{field: value})
    assert parsed is None and list(errors.fields) == [field]
    # the same mistake made on the command line
    path = tmp_path / "desk.yaml"
    create_watchlist(path, "desk")
    arguments = ["watchlist", "add-source", str(path), value if field == "id" else "port"]
    arguments += ["--kind", "site", "--url", "https://port.example.org/"]
    if option is not None:
        arguments += [option, value]
    cli = OsintCli(tmp_path / "data").run(*arguments, check=False)
    assert cli.returncode == 2
    said = re.search(r"Error: (.*)", cli.stderr, re.S)
    assert said is not None, cli.stderr
    cli_line = " ".join(said[1].split())  # click wraps nothing, but trailing newlines go
    assert errors.problems == [cli_line]
    assert cli_line.endswith(errors.fields[field])


def test_several_problems_at_once_each_beside_its_field():
    parsed, errors = source(id="", urls="", kind="rss", max_pages="many")
    assert parsed is None
    assert set(errors.fields) == {"id", "urls", "kind", "max_pages"}
    assert errors.fields["urls"] == "Field required"
    assert errors.fields["kind"] == "Input should be 'feed', 'sitemap', 'site', 'page' or 'document'"
    assert errors.fields["max_pages"] == "Input should be a valid integer, unable to parse string as an integer"
    assert "scope.max_pages: Input should be a valid integer, unable to parse string as an integer" in errors.problems


# new watchlists -------------------------------------------------------------------------------


def test_a_new_watchlist_is_named_after_its_name_unless_given_a_file():
    new, errors = parse_watchlist_form(
        {"name": "Sahel: routes & depots", "owner": " desk@example.org ", "schedule": "every 6 hours"}, set(), {}
    )
    assert not errors and new is not None
    assert (new.file_name, new.name, new.owner, new.schedule) == (
        "sahel-routes-depots.yaml",
        "Sahel: routes & depots",
        "desk@example.org",
        "every 6 hours",
    )
    new, _ = parse_watchlist_form({"name": "Sahel", "file": "west-africa"}, set(), {})
    assert new is not None and new.file_name == "west-africa.yaml" and new.schedule is None
    assert suggested_file("مراقبة") == ""


def test_watchlist_form_problems_beside_their_fields(tmp_path: Path):
    _, errors = parse_watchlist_form({"name": "", "schedule": "now and then", "file": "../etc/passwd"}, set(), {})
    assert errors.fields["name"] == "String should have at least 1 character"
    assert errors.fields["schedule"].startswith("'now and then' is neither a cron expression")
    assert errors.fields["file"] == FILE_NAME_MESSAGE
    # the CLI says the same of the same header
    cli = OsintCli(tmp_path / "data").run(
        "watchlist", "new", str(tmp_path / "x.yaml"), "--name", "", "--schedule", "now and then", check=False
    )
    assert cli.returncode == 2
    for problem in errors.problems[:2]:
        field, message = problem.split(": ", 1)
        assert f": {field}: {message}" in cli.stderr

    _, errors = parse_watchlist_form({"name": "مراقبة"}, set(), {})
    assert errors.fields["file"] == f"choose a file name: it {FILE_NAME_MESSAGE}"


def test_files_and_names_are_never_taken_twice():
    _, errors = parse_watchlist_form({"name": "Desk", "file": "desk"}, {"desk.yaml"}, {"Desk": "other.yaml"})
    assert errors.fields["file"] == "desk.yaml exists; edit it with add-source / remove-source"
    assert errors.fields["name"] == "a watchlist named 'Desk' exists already (other.yaml)"


# problems of an edit ------------------------------------------------------------------------------


def test_edit_problems_name_the_file_not_the_server_path(tmp_path: Path):
    path = tmp_path / "lists" / "desk.yaml"
    create_watchlist(path, "desk")
    add_source(path, {"id": "port", "kind": "feed", "urls": ["https://port.example.org/feed"]})
    with pytest.raises(WatchlistError) as raised:
        add_source(path, {"id": "port", "kind": "page", "urls": ["https://port.example.org/"]})
    errors = edit_errors(raised.value, path)
    assert errors.fields == {"id": "a source 'port' exists already"}
    assert errors.problems == ["desk.yaml: a source 'port' exists already"]

    path.write_text(path.read_text().replace("kind: feed", "kind: rss"))
    with pytest.raises(WatchlistError) as raised:
        add_source(path, {"id": "other", "kind": "page", "urls": ["https://port.example.org/"]})
    errors = edit_errors(raised.value, path)
    assert not errors.fields  # the file itself is broken, not the form
    assert errors.problems == [
        "desk.yaml:10: sources[0].kind: Input should be 'feed', 'sitemap', 'site', 'page' or 'document'"
    ]
    assert str(tmp_path) not in " ".join(errors.problems)

    with pytest.raises(FileExistsError) as exists:
        create_watchlist(path, "again")
    assert edit_errors(exists.value, path).fields == {
        "file": "desk.yaml exists; edit it with add-source / remove-source"
    }
    header = WatchlistError(path, [f"{path}:5: schedule: 'x' is not a schedule"])
    assert edit_errors(header, path, ("name", "schedule")).fields == {"schedule": "'x' is not a schedule"}
