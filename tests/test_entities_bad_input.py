"""Hostile and degenerate inputs: no crash, bounded time, a clear result."""

from __future__ import annotations

import json
import time

import pytest

from extractors.entities import MAX_CHARS, EntityResult, extract_entities
from tests.properties.bounds import allowance

pytestmark = pytest.mark.usefixtures("gazetteer_only")

SENTENCE = "Kenyan police seized AK-47s and an RPG-7 from al-Shabaab militants near the border. "


def timed(text: str, language: str = "en") -> tuple[EntityResult, float]:
    """The result and the CPU seconds it took (the gazetteer warmed up first)."""
    extract_entities("warm up the gazetteer")
    started = time.process_time()
    result = extract_entities(text, language)
    return result, time.process_time() - started


def assert_valid(result: EntityResult, text: str) -> None:
    json.dumps(result.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    for mention in result.entities:
        assert 0 <= mention.start < mention.end <= len(text)
        assert len(mention.text) == mention.end - mention.start


@pytest.mark.parametrize("text", ["", " ", "\n\n\t", ".,;:!?"])
def test_empty_and_blank_texts_give_an_empty_result(text: str) -> None:
    result = extract_entities(text)
    assert result.entities == [] and result.countries == [] and not result.truncated


def test_none_and_unknown_language_are_accepted() -> None:
    assert extract_entities(None).entities == []  # type: ignore[arg-type]
    assert extract_entities(SENTENCE, "zz-ZZ").countries == ["KE"]
    assert extract_entities(SENTENCE, "").language == "und"


def test_megabyte_text_in_bounded_time() -> None:
    text = SENTENCE * (1_000_000 // len(SENTENCE))
    result, elapsed = timed(text)
    assert result.weapons == ["AK-47", "RPG-7"] and result.countries == ["KE"]
    assert elapsed < allowance(30)
    assert_valid(result, text)


def test_text_beyond_the_bound_is_truncated_and_flagged() -> None:
    text = "x" * MAX_CHARS + " Kenya"
    result, elapsed = timed(text)
    assert result.truncated and result.countries == []
    assert elapsed < allowance(30)


def test_text_without_spaces() -> None:
    text = "a" * 500_000 + "Kenya" + "b" * 500_000
    result, elapsed = timed(text)
    assert result.entities == []
    assert elapsed < allowance(30)


def test_long_run_of_punctuation_and_digits() -> None:
    text = ("-" * 1000 + "7" * 1000 + "." * 1000) * 100
    result, elapsed = timed(text)
    assert result.entities == [] and elapsed < allowance(30)


def test_mixed_scripts() -> None:
    text = "Kenya Кения كينيا 肯尼亚 ケニア Kenya🙂AK-47 " * 50
    result, _ = timed(text)
    assert "KE" in result.countries
    assert_valid(result, text)


def test_control_characters_do_not_shift_offsets() -> None:
    text = "\x00\x01Police\x07 in\x1b Kenya\x0c seized an\u200b RPG-7.\x7f"
    result = extract_entities(text)
    assert result.countries == ["KE"] and result.weapons == ["RPG-7"]
    for mention in result.entities:
        assert text[mention.start : mention.end] == mention.text


def test_lone_surrogates_give_a_serialisable_result() -> None:
    text = "Malformed \ud800 input \udfff from Kenya with an RPG-7 \udc80."
    result = extract_entities(text)
    assert result.countries == ["KE"] and result.weapons == ["RPG-7"]
    assert_valid(result, text)
    assert "\ud800" not in result.model_dump_json()


def test_megabyte_of_ambiguous_aliases_in_bounded_time() -> None:
    text = "M16 IS Javelin RSF Georgia " * 40_000
    result, elapsed = timed(text)
    assert elapsed < allowance(30)
    assert_valid(result, text)
