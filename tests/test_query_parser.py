from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.query import FILTER_FIELDS, Filter, Near, Not, QuerySyntaxError, Term, canonical_query, parse_query
from schema.entities import DOCUMENT_ENTITY_SETS as ENTITY_SETS


def _shape(node):
    """A compact view of a query tree: ("and", [...]), ("word", "rifles"), ("filter", "lang", ["en"])."""
    if node is None:
        return None
    if isinstance(node, Term):
        return (node.mode, node.text, *node.fields)
    if isinstance(node, Near):
        return ("near", node.words, node.distance, *node.fields)
    if isinstance(node, Filter):
        return ("filter", node.name, node.values)
    if isinstance(node, Not):
        return ("not", _shape(node.child))
    return (node.kind, [_shape(child) for child in node.children])


def test_words_phrases_or_and_exclusions():
    query = parse_query('kornet "anti-tank missiles" Syria OR Iraq -training')
    assert _shape(query.where) == (
        "and",
        [
            ("word", "kornet"),
            ("phrase", "anti-tank missiles"),
            ("or", [("word", "Syria"), ("word", "Iraq")]),
            ("not", ("word", "training")),
        ],
    )


def test_filters_dates_and_alternatives():
    query = parse_query('country:IR,RU -lang:en group:"Islamic State" since:2024-02 until:2024')
    assert _shape(query.where) == (
        "and",
        [
            ("filter", "country", ["IR", "RU"]),
            ("not", ("filter", "lang", ["en"])),
            ("filter", "group", ["Islamic State"]),
        ],
    )
    assert query.since == datetime(2024, 2, 1, tzinfo=UTC)
    assert query.until == datetime(2024, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    assert not query.has_text


SYNTAX = [
    ("rifles NOT Sudan", ("and", [("word", "rifles"), ("not", ("word", "Sudan"))])),
    ("rifles or carbines", ("or", [("word", "rifles"), ("word", "carbines")])),  # operators in any case
    ("rock and roll", ("and", [("word", "rock"), ("word", "roll")])),
    ("rifles or", ("and", [("word", "rifles"), ("word", "or")])),  # no term after: a word
    (
        "(rifles OR carbines) AND (Sudan OR Chad) NOT airsoft",
        (
            "and",
            [
                ("or", [("word", "rifles"), ("word", "carbines")]),
                ("or", [("word", "Sudan"), ("word", "Chad")]),
                ("not", ("word", "airsoft")),
            ],
        ),
    ),
    ("kornet Syria OR Iraq", ("and", [("word", "kornet"), ("or", [("word", "Syria"), ("word", "Iraq")])])),
    ("weapon:Strela-2 OR weapon:Igla", ("or", [("filter", "weapon", ["Strela-2"]), ("filter", "weapon", ["Igla"])])),
    ("weapon:(Strela-2 OR Igla)", ("or", [("filter", "weapon", ["Strela-2"]), ("filter", "weapon", ["Igla"])])),
    ("title:(rifles OR carbines)", ("or", [("word", "rifles", "title"), ("word", "carbines", "title")])),
    ('"kornet sudan"~10', ("near", ["kornet", "sudan"], 10)),
    ("NEAR(kornet sudan, 5)", ("near", ["kornet", "sudan"], 5)),
    ("near(kornet sudan)", ("near", ["kornet", "sudan"], 10)),
    ("kornett~", ("fuzzy", "kornett")),
    ("=rifles launch*", ("and", [("exact", "rifles"), ("prefix", "launch")])),
    ('author:"Jane Doe" url:example', ("and", [("phrase", "Jane Doe", "author"), ("word", "example", "url")])),
    ("AK 47", ("word", "AK 47")),  # capitals then a number: one designation
    ("ak 47", ("and", [("word", "ak"), ("word", "47")])),
    ("kornet OR lang:ru", ("or", [("word", "kornet"), ("filter", "lang", ["ru"])])),
    ("NOT lang:en", ("not", ("filter", "lang", ["en"]))),
]


@pytest.mark.parametrize(("text", "shape"), SYNTAX, ids=[text for text, _ in SYNTAX])
def test_the_syntax_parses_into_the_tree(text, shape):
    assert _shape(parse_query(text).where) == shape


def test_prefix_and_hostile_characters_are_neutralised():
    query = parse_query("launch* AK-47 DROP TABLE \\ *drone ~fuzzy^2 field]")
    texts = [node.text for node in query.text_nodes() if isinstance(node, Term)]
    assert "launch" in texts and query.text_nodes()[0].mode == "prefix"
    assert "AK-47" in texts
    assert all(not any(ch in text for ch in "()\\*~^[]") for text in texts)


@pytest.mark.parametrize(
    "text, message",
    [
        ('"unclosed phrase', "near column 1: a phrase is missing its closing quote"),
        ("OR rifles", "near column 1: OR must stand between two terms"),
        ("rifles OR", "near column 8: OR must stand between two terms"),
        ("rifles AND", "near column 8: AND must stand between two terms"),
        ("rifles NOT", "near column 8: NOT needs a term after it"),
        ("(rifles OR carbines) AND (Sudan", "near column 26: unclosed parenthesis"),
        ("rifles)", "near column 7: unexpected closing parenthesis"),
        ("colour:red", "unknown field colour:"),
        ("since:yesterday", "since: expects a date"),
        ("since:2024-02-30", "not a valid date"),
        ("since:2025 until:2024", "since: is after until:"),
        ("rifles OR -since:2024", "since: applies to the whole query"),
        ("country:", "country: needs a value"),
        ("ab*", "at least 3 characters"),
        ("kornet~3", "at most 2 edits"),
        ("NEAR(kornet sudan, far)", "distance must be a number"),
        ('"kornet sudan"~500', "at most 100 words"),
        ("title:(text:rifles)", "cannot stand inside title:"),
        ("x" * 3000, "too long"),
        ("a " * 65, "too many terms"),
        ("(" * 11 + "a" + ")" * 11, "nests too deeply"),
    ],
)
def test_malformed_queries_get_a_clear_message(text, message):
    with pytest.raises(QuerySyntaxError, match=re.escape(message)):
        parse_query(text)


# One alias per filter on an entity set, with the form documents store.
_ENTITY_FILTER_ALIASES = {
    "weapon": ("ak47", "AK-47"),
    "category": ("APCs", "armored vehicle"),
    "origin": ("Russia", "RU"),
    "country": ("Iran", "IR"),
    "state": ("USSR", "Soviet Union"),
    "group": ("ISIS", "Islamic State"),
    "actor": ("rebels", "rebel"),
}


@pytest.mark.parametrize("name", sorted(_ENTITY_FILTER_ALIASES))
def test_entity_filter_values_resolve_to_the_stored_form(name):
    alias, stored = _ENTITY_FILTER_ALIASES[name]
    query = canonical_query(f"rifles {name}:{alias} -{name}:{alias}")
    assert _shape(query.where) == (
        "and",
        [("word", "rifles"), ("filter", name, [stored]), ("not", ("filter", name, [stored]))],
    )


def test_every_filter_on_an_entity_set_is_canonicalised():
    on_entity_sets = {name for name, fields in FILTER_FIELDS.items() if set(fields) & set(ENTITY_SETS)}
    assert on_entity_sets == set(_ENTITY_FILTER_ALIASES)


def test_other_filter_values_are_left_alone():
    text = "lang:en source:Iran kind:pdf tag:rebels watchlist:ISIS story:ak47"
    assert canonical_query(text) == parse_query(text)


def test_a_query_without_filters_loads_no_gazetteer():
    code = (
        "import sys\n"
        "import index.query\n"
        "assert not any(m.startswith('extractors') for m in sys.modules), 'index.query imports extractors'\n"
        "from index.query import canonical_query\n"
        "assert [t.text for t in canonical_query('rifles launchers').text_nodes()] == ['rifles', 'launchers']\n"
        "assert 'extractors.entities' not in sys.modules, 'a words-only query imported the gazetteer'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
