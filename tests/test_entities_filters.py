"""canonicalize_filter and use of the extractor from a process pool."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from extractors.entities import canonicalize_filter, extract_entities


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("country", "Iran", "IR"),
        ("country", "ir", "IR"),
        ("countries", "United Kingdom", "GB"),
        ("country", "Iranian", "IR"),
        ("weapon_origin", "Russia", "RU"),
        ("weapon", "ak47", "AK-47"),
        ("weapon", "RPG 7", "RPG-7"),
        ("weapons", "Kalashnikov", "AK-47"),
        ("group", "ISIS", "Islamic State"),
        ("group", "is", "Islamic State"),
        ("armed_groups", "Ansar Allah", "Houthis"),
        ("category", "APCs", "armored vehicle"),
        ("weapon_categories", "man-portable air defence systems", "MANPADS"),
        ("historical_state", "USSR", "Soviet Union"),
        ("state", "Yugoslav", "Yugoslavia"),
        ("generic_actor", "rebels", "rebel"),
    ],
)
def test_known_values_map_to_canonical_forms(name: str, value: str, expected: str) -> None:
    assert canonicalize_filter(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [("country", "Atlantis"), ("weapon", "AK-47 and RPG-7"), ("group", "Iran"), ("colour", "Iran"), ("country", "")],
)
def test_unknown_or_mismatched_values_are_returned_unchanged(name: str, value: str) -> None:
    assert canonicalize_filter(name, value) == value


def _countries(text: str) -> list[str]:
    return extract_entities(text, "en").countries


@pytest.mark.usefixtures("gazetteer_only")
def test_extraction_runs_in_a_process_pool() -> None:
    texts = ["Kenyan police seized rifles.", "Iranian drones hit Ukraine.", "Nothing here."]
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(_countries, texts)) == [["KE"], ["IR", "UA"], []]
        assert pool.submit(extract_entities, "An RPG-7 was found.").result().weapons == ["RPG-7"]
