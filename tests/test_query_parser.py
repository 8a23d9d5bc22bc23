from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.query import FILTER_FIELDS, QuerySyntaxError, canonical_query, parse_query
from schema.entities import DOCUMENT_ENTITY_SETS as ENTITY_SETS


def test_words_phrases_or_and_exclusions():
    query = parse_query('kornet "anti-tank missiles" Syria OR Iraq -training')
    assert [[t.text for t in group] for group in query.all_of] == [
        ["kornet"],
        ["anti-tank missiles"],
        ["Syria", "Iraq"],
    ]
    assert query.all_of[1][0].phrase
    assert [t.text for t in query.none_of] == ["training"]


def test_filters_dates_and_alternatives():
    query = parse_query('country:IR,RU -lang:en group:"Islamic State" since:2024-02 until:2024')
    assert [(f.name, f.values, f.negated) for f in query.filters] == [
        ("country", ["IR", "RU"], False),
        ("lang", ["en"], True),
        ("group", ["Islamic State"], False),
    ]
    assert query.since == datetime(2024, 2, 1, tzinfo=UTC)
    assert query.until == datetime(2024, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)
    assert not query.has_text


def test_prefix_and_hostile_characters_are_neutralised():
    query = parse_query("launch* AK-47 (DROP TABLE) \\ *drone ~fuzzy^2 field]")
    texts = [t.text for t in query.positive_terms()]
    assert "launch" in texts and query.all_of[0][0].prefix
    assert "AK-47" in texts
    assert all(not any(ch in text for ch in "()\\*~^[]") for text in texts)


@pytest.mark.parametrize(
    "text, message",
    [
        ('"unclosed phrase', "closing quote"),
        ("OR rifles", "OR must stand between two terms"),
        ("rifles OR", "OR must stand between two terms"),
        ("colour:red", "unknown filter colour:"),
        ("since:yesterday", "since: expects a date"),
        ("since:2024-02-30", "not a valid date"),
        ("since:2025 until:2024", "since: is after until:"),
        ("country:", "country: needs a value"),
        ("ab*", "at least 3 characters"),
        ("x" * 3000, "too long"),
    ],
)
def test_malformed_queries_get_a_clear_message(text, message):
    with pytest.raises(QuerySyntaxError, match=message):
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
    assert [(f.name, f.values, f.negated) for f in query.filters] == [(name, [stored], False), (name, [stored], True)]


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
        "assert [t.text for t in canonical_query('rifles launchers').positive_terms()] == ['rifles', 'launchers']\n"
        "assert 'extractors.entities' not in sys.modules, 'a words-only query imported the gazetteer'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
