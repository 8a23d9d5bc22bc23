"""The watchlist loader: any text or bytes is a Watchlist or a WatchlistError whose problems all
read `file:line: …`, quickly. Three kinds of input: arbitrary text, YAML token soup (anchors,
aliases, tags, flow brackets, directives) and well-formed watchlists with arbitrary field values
(regular expressions, schedules, numbers) that reach the model's validators."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.properties.bounds import cpu_bound
from watchlists.model import Watchlist, WatchlistError, load_watchlist, parse_watchlist

CPU_SECONDS = 2.0
PATH = "props.yaml"
PROBLEM = re.compile(rf"^{re.escape(PATH)}:\d+: .")

_FRAGMENTS = st.sampled_from(
    [
        "name: ",
        "sources:",
        "\n",
        "\n  - ",
        "  ",
        "id: ",
        "kind: feed",
        "kind: site",
        "urls: [",
        "https://a.example.org/",
        "]",
        "[",
        "{",
        "}",
        ", ",
        ": ",
        "? ",
        "- ",
        "&a ",
        "&b ",
        "*a",
        "*b",
        "<<: ",
        "!!int ",
        "!!float ",
        "!!binary ",
        "!!timestamp ",
        "!!set ",
        "!!omap ",
        "!!python/object:os.system ",
        "!foo ",
        "'",
        '"',
        "\\U0011FFFF",
        "\\x",
        "#",
        "%YAML 1.1\n---\n",
        "%TAG ! tag:x,2024:\n",
        "---\n",
        "...\n",
        "\t",
        "|\n",
        ">-\n",
        "1" * 5000,
        "0x",
        "1e999",
        "2024-99-99",
        "~",
        "null",
        "scope: ",
        "max_depth: ",
        "allow: ",
        "schedule: ",
        "every 99999999999999999999 minutes",
        "\x00",
        "\ufeff",
        "\ud800",
    ]
)
YAML_SOUP = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)

_ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3),
    max_leaves=6,
)
_REGEX = st.one_of(st.text(max_size=30), st.sampled_from(["(" * 600 + ")" * 600, "a{99999999999}", "[", "(?P<x", "\\"]))
_SCHEDULE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "every 30 minutes",
            "*/0 * * * *",
            "daily at 99:99",
            "every 0 weeks",
            "every 99999999999999 weeks",
            "* * * * * * *",
            "@reboot",
        ]
    ),
)
_SOURCE = st.fixed_dictionaries(
    {
        "id": st.one_of(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True), st.text(max_size=10)),
        "kind": st.sampled_from(["feed", "sitemap", "site", "page", "document", "rss"]),
        "urls": st.lists(st.one_of(st.just("https://a.example.org/"), st.text(max_size=20)), max_size=2),
    },
    optional={
        "schedule": _SCHEDULE,
        "revisit": _SCHEDULE,
        "language": st.text(max_size=4),
        "render_js": _ANY_VALUE,
        "scope": st.fixed_dictionaries(
            {},
            optional={
                "allow": st.lists(_REGEX, max_size=2),
                "deny": st.lists(_REGEX, max_size=2),
                "max_depth": _ANY_VALUE,
                "max_pages": st.integers(),
                "allowed_domains": st.lists(st.text(max_size=10), max_size=2),
            },
        ),
        "colour": _ANY_VALUE,
    },
)
WATCHLISTS = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=10), _ANY_VALUE), "sources": st.lists(_SOURCE, max_size=3)},
    optional={"schedule": _SCHEDULE, "owner": _ANY_VALUE},
).map(lambda data: json.dumps(data, indent=1))


def parses_or_explains(text: str) -> None:
    with cpu_bound(CPU_SECONDS, f"parse_watchlist({text!r:.80})"):
        try:
            watchlist = parse_watchlist(text, PATH)
        except WatchlistError as exc:
            assert exc.problems and all(PROBLEM.match(problem) for problem in exc.problems), exc.problems
            return
    assert isinstance(watchlist, Watchlist)


@settings(max_examples=200)
@given(st.text(max_size=300))
@example("-_")  # IndexError inside ruamel's integer constructor
@example("name: x\nschedule: -_\n")
def test_any_text(text: str) -> None:
    parses_or_explains(text)


@settings(max_examples=300)
@given(YAML_SOUP)
@example("name: !!set x\n")  # AttributeError inside ruamel's constructor
@example("name: 2024-02-30\n")  # an implicit date that is no date: ValueError without a position
@example("name: " + "1" * 5000 + "\n")  # beyond Python's 4,300-digit int conversion
@example('name: "\\U0011FFFF"\n')  # an escape beyond U+10FFFF: ValueError from the scanner
@example("name: x\nschedule: every 99999999999999999999 minutes\n")  # OverflowError in parse_duration
def test_yaml_token_soup(text: str) -> None:
    parses_or_explains(text)


@settings(max_examples=150)
@given(WATCHLISTS)
@example(
    '{"name": "x", "sources": [{"id": "a", "kind": "site", "urls": ["https://a.example.org/"], '
    '"scope": {"allow": ["' + "(" * 600 + ")" * 600 + '"]}}]}'
)  # RecursionError compiling the pattern
@example("base: &a {colour: red}\nname: x\n<<: *a\n")  # a merged key's line: KeyError
def test_well_formed_watchlists_with_any_values(text: str) -> None:
    parses_or_explains(text)


@settings(max_examples=100)
@given(st.binary(max_size=300))
def test_any_bytes_in_a_file(tmp_path_factory, data: bytes) -> None:
    path: Path = tmp_path_factory.mktemp("watchlist") / PATH
    path.write_bytes(data)
    with cpu_bound(CPU_SECONDS, f"load_watchlist of {data!r:.80}"):
        try:
            load_watchlist(path)
        except WatchlistError as exc:
            assert all(problem.startswith(f"{path}:") for problem in exc.problems), exc.problems
