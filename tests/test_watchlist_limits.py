"""Watchlist files that would stall or crash the loader are refused at once, as `file:line: message`
with exit 2: an alias bomb, deep nesting, a huge file, an alias cycle. Small aliases keep working."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.properties.bounds import cpu_bound
from watchlists.edit import add_source
from watchlists.model import WatchlistError, load_watchlist
from watchlists.yaml_loader import MAX_BYTES, MAX_DEPTH, MAX_VALUES

#: CPU seconds the loader may spend refusing any of these (CPU, not wall time: the machine is shared)
REFUSAL_CPU_SECONDS = 1.0

#: "billion laughs": 9 lines, each list nine aliases of the previous one (9^9 strings expanded)
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
).replace("i: &i", "name: &i")
#: each anchor nests the previous one 8 levels deeper: 10 aliases reach 80 levels, in 10 short lines
ALIAS_DEPTH = "name: x\n" + "".join(
    f"k{n}: &k{n} {'[' * 8}{f'*k{n - 1}' if n else 'deep'}{']' * 8}\n" for n in range(10)
)


def source(number: int) -> str:
    return (
        f"  - id: source-{number}\n    kind: feed\n    urls: [https://news{number}.example.org/rss.xml]\n"
        f"    tags: [sahel, weapons]\n    language: fr\n"
    )


def huge_watchlist() -> str:
    """18 MB of valid YAML: 200,000 sources."""
    return "name: big\nsources:\n" + "".join(source(n) for n in range(200_000))


#: name -> (text, line the problem is reported on, what the message says; {size} is the file's)
HOSTILE = {
    "alias bomb": (lambda: ALIAS_BOMB, 6, f"alias *e expands the watchlist beyond {MAX_VALUES:,} values"),
    "900 levels of [": (
        lambda: "name: x\nsources: " + "[" * 900 + "]" * 900 + "\n",
        2,
        f"nested more than {MAX_DEPTH} levels deep",
    ),
    "100,000 levels of [": (
        lambda: "name: x\nsources: " + "[" * 100_000 + "\n",
        2,
        f"nested more than {MAX_DEPTH} levels deep",
    ),
    "aliases nesting deeper": (lambda: ALIAS_DEPTH, 8, f"alias *k5 nests the watchlist deeper than {MAX_DEPTH} levels"),
    "alias cycle": (
        lambda: "name: x\nsources: &loop [*loop]\n",
        2,
        "alias *loop is inside the node it names (a cycle)",
    ),
    "18 MB file": (
        huge_watchlist,
        1,
        "the file is {size:,} bytes; a watchlist may be at most " + f"{MAX_BYTES:,} bytes",
    ),
}
CASES = list(HOSTILE)


def hostile_file(tmp_path: Path, case: str) -> tuple[Path, int, str]:
    text, line, message = HOSTILE[case]
    path = tmp_path / "hostile.yaml"
    path.write_text(text(), encoding="utf-8")
    return path, line, message.replace("{size:,}", f"{path.stat().st_size:,}")


@pytest.mark.parametrize("case", CASES)
def test_hostile_watchlists_are_refused_quickly_with_file_and_line(tmp_path: Path, case: str) -> None:
    path, line, message = hostile_file(tmp_path, case)
    with cpu_bound(REFUSAL_CPU_SECONDS, f"refusing {case}"), pytest.raises(WatchlistError) as error:
        load_watchlist(path)
    assert error.value.problems[0].startswith(f"{path}:{line}: {message}"), error.value.problems


@pytest.mark.parametrize("case", CASES)
def test_watchlist_validate_exits_2_with_one_line(osint, tmp_path: Path, case: str) -> None:
    path, line, message = hostile_file(tmp_path, case)
    result = osint.run("watchlist", "validate", str(path), check=False, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{path}:{line}: {message}"), result.stderr


SHARED = """\
name: shared-scopes
sources:
  - id: first
    kind: site
    urls: [https://one.example.org/]
    tags: &sahel [sahel, weapons]
    scope: &narrow
      max_depth: 1
      deny: ['/tag/']
  - id: second
    kind: site
    urls: [https://two.example.org/]
    tags: *sahel
    scope: *narrow
  - <<: &feed {kind: feed, language: fr}
    id: third
    urls: [https://three.example.org/rss.xml]
"""


def test_small_anchors_and_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED)
    watchlist = load_watchlist(path)
    second, third = watchlist.source("second"), watchlist.source("third")
    assert second.tags == ["sahel", "weapons"] and second.scope.max_depth == 1 and second.scope.deny == ["/tag/"]
    assert third.kind == "feed" and third.language == "fr"


def test_a_problem_in_a_merged_key_names_the_mapping_line(tmp_path: Path) -> None:
    path = tmp_path / "merged.yaml"
    path.write_text(SHARED.replace("{kind: feed, language: fr}", "{kind: feed, colour: red}"))
    with pytest.raises(WatchlistError) as error:
        load_watchlist(path)
    assert error.value.problems == [f"{path}:15: sources[2].colour: Extra inputs are not permitted"]


def test_editing_keeps_aliases_and_refuses_a_hostile_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED)
    edited = add_source(path, {"id": "fourth", "kind": "feed", "urls": ["https://four.example.org/rss.xml"]})
    assert [s.id for s in edited.sources] == ["first", "second", "third", "fourth"]
    assert path.read_text().startswith(SHARED) and load_watchlist(path).source("second").scope.max_depth == 1

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    with pytest.raises(WatchlistError, match="alias \\*e expands"):
        add_source(bomb, {"id": "x", "kind": "feed", "urls": ["https://x.example.org/"]})
    assert bomb.read_text() == ALIAS_BOMB


def test_the_bounds_leave_room_for_a_thousand_sources(tmp_path: Path) -> None:
    path = tmp_path / "thousand.yaml"
    sources = [
        {
            "id": f"s{n}",
            "kind": "feed",
            "urls": [f"https://news{n}.example.org/rss.xml"],
            "tags": ["sahel", "weapons"],
            "language": "fr",
            "schedule": "every 6 hours",
            "name": f"News site number {n}",
        }
        for n in range(1000)
    ]
    path.write_text(json.dumps({"name": "thousand", "sources": sources}, indent=2))
    assert len(load_watchlist(path).sources) == 1000
