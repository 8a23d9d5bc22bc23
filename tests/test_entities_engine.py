"""Engine mechanics on a tiny gazetteer written for the test, independent of the curated data."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from extractors.entities import EntityMention, extract_entities, extract_many
from extractors.entities.gazetteer import Gazetteer, build
from extractors.entities.text import KeyCache, arabic_variants, sanitize, token_key
from tests.gazetteer_data import gazetteer_from

pytestmark = pytest.mark.usefixtures("gazetteer_only")

WEAPONS = """
- canonical: RPG-7
  category: rocket launcher
  origin: RU
  historical_origin: Soviet Union
  manufacturer: Bazalt
  aliases: [RPG7]
- canonical: FGM-148 Javelin
  category: anti-tank guided missile
  origin: US
  manufacturer: Javelin JV
  aliases: [Javelin, Javelin missile]
  ambiguous: [Javelin]
"""
CATEGORIES = """
vocabulary: [rocket launcher, missile, mortar, ammunition, tank, anti-tank guided missile]
terms:
  missile: [missile, missiles]
  mortar: [mortar, mortars]
  ammunition: [rounds, munitions]
  tank: [tank, tanks]
  anti-tank guided missile: [ATGM, ATGMs]
case_sensitive: [ATGM, ATGMs]
no_category: [anti-tank, think tank]
"""
COUNTRIES = """
countries:
  KE: {names: [Kenya], demonyms: [Kenyan], abbreviations: [], misspellings: [], translations: {ru: [Кения]}}
  US: {names: [United States], demonyms: [American], abbreviations: [US, U.S.], misspellings: [], translations: {}}
historical_states: {Soviet Union: [USSR, Soviet]}
not_countries: [Gulf of Oman]
"""
GROUPS = """
- canonical: Sinaloa Cartel
  aliases: [Cártel de Sinaloa]
  stem: Sinaloa
  head: cartel
  region: Latin America
- canonical: Gulf Cartel
  aliases: [Cártel del Golfo]
  stem: [Gulf, Golfo]
  head: cartel
  region: Latin America
- canonical: Hamas
  aliases: [حماس]
  ambiguous: [حماس]
  region: Middle East
"""
GENERIC = """
actors:
  rebel: [rebel, rebels]
  drug cartel: [cartel, cartels, drug cartels]
"""


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return gazetteer_from(
        tmp_path_factory.mktemp("gazetteer"),
        weapons=WEAPONS,
        categories=CATEGORIES,
        countries=COUNTRIES,
        armed_groups=GROUPS,
        generic_actors=GENERIC,
    )


def run(gazetteer: Gazetteer, text: str, language: str = "en"):
    return extract_many([(text, language)], gazetteer)[0]


def test_categories_mentioned_kept_apart_from_implied(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "They fired an RPG-7 and 40 mortar rounds at the tanks.")
    assert result.weapons == ["RPG-7"]
    assert result.weapon_categories == ["ammunition", "mortar", "tank"]
    assert result.weapon_categories_implied == ["rocket launcher"]
    assert result.weapon_origins == ["RU"]


def test_category_word_inside_a_model_name_is_mentioned(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "Troops received Javelin missiles.")
    assert result.weapons == ["FGM-148 Javelin"]
    assert result.weapon_categories == ["missile"]


def test_modifier_blockers_create_no_category(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "An anti-tank ditch was dug, a think tank said.")
    assert result.weapon_categories == []


def test_case_sensitive_category_terms(gazetteer: Gazetteer) -> None:
    assert run(gazetteer, "Two ATGMs were fired.").weapon_categories == ["anti-tank guided missile"]
    assert run(gazetteer, "atgm").weapon_categories == []


def test_ambiguous_model_needs_context(gazetteer: Gazetteer) -> None:
    assert run(gazetteer, "Soldiers fired a Javelin at the tank.").weapons == ["FGM-148 Javelin"]
    assert run(gazetteer, "The Javelin gold medal went to Finland.").weapons == []


def test_coordinated_stems_with_head_after(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "Both the Sinaloa and Gulf cartels bought rifles.")
    assert result.armed_groups == ["Gulf Cartel", "Sinaloa Cartel"]
    assert "drug cartel" not in result.generic_actors


def test_coordinated_stems_with_head_before(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "Los cárteles de Sinaloa y del Golfo compraron fusiles.", "es")
    assert result.armed_groups == ["Gulf Cartel", "Sinaloa Cartel"]


def test_stem_alone_is_no_group(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "Storms hit Sinaloa and the Gulf coast; cartels were not involved.")
    assert result.armed_groups == []
    assert result.generic_actors == ["drug cartel"]


def test_not_countries_block_the_country_word(gazetteer: Gazetteer) -> None:
    assert run(gazetteer, "Ships in the Gulf of Oman near Kenya.").countries == ["KE"]


def test_abbreviation_with_dots_and_historical_state(gazetteer: Gazetteer) -> None:
    result = run(gazetteer, "The U.S. and the USSR sold arms; Soviet stocks remained.")
    assert result.countries == ["US"]
    assert result.historical_states == ["Soviet Union"]


def test_russian_inflection_matches_the_nominative_alias(gazetteer: Gazetteer) -> None:
    assert run(gazetteer, "Оружие доставили в Кению из США.", "ru").countries == ["KE"]


def test_arabic_ambiguous_alias_needs_context(gazetteer: Gazetteer) -> None:
    assert run(gazetteer, "أعلنت حركة حماس مسؤوليتها عن الهجوم", "ar").armed_groups == ["Hamas"]
    assert run(gazetteer, "استقبل الجمهور الفريق بحماس كبير", "ar").armed_groups == []


def test_lowercase_forum_text_still_finds_countries(gazetteer: Gazetteer) -> None:
    text = ("honestly the stuff coming out of kenya is mostly old junk, " * 6) + "nobody sells new kit here."
    assert run(gazetteer, text).countries == ["KE"]
    assert run(gazetteer, "The kenya word in lower case inside a normal sentence.").countries == []


def test_missing_data_files_give_an_empty_but_working_gazetteer(tmp_path: Path) -> None:
    empty = build(data_dir=tmp_path)
    result = run(empty, "Nothing to find in Kenya here.")
    # pycountry's own names are always available
    assert result.countries == ["KE"]
    assert result.weapons == []


def test_mentions_convert_to_the_index_entity_schema(gazetteer: Gazetteer) -> None:
    from schema.entities import Entity

    for mention in run(gazetteer, "Kenyan police seized an RPG7.").entities:
        assert Entity(**mention.model_dump()).canonical == mention.canonical


def test_extract_entities_and_its_results_pickle_for_process_pools() -> None:
    """A process pool pickles the function by reference and every result both ways."""
    assert pickle.loads(pickle.dumps(extract_entities)) is extract_entities
    result = extract_entities("Kenyan police seized an RPG-7 and AK-47 rifles from al-Shabaab fighters.", "en")
    assert result.weapons and result.countries and result.armed_groups and result.entities  # a non-trivial result
    assert all(isinstance(mention, EntityMention) for mention in result.entities)
    copy = pickle.loads(pickle.dumps(result))
    assert type(copy) is type(result)
    assert copy == result
    assert copy.entities == result.entities and copy.model_dump() == result.model_dump()


# --- text-level helpers -----------------------------------------------------------------


def test_sanitize_keeps_length_and_removes_controls_and_surrogates() -> None:
    raw = "a\x00b\ud800c\u200bd\x1fe"
    clean = sanitize(raw)
    assert len(clean) == len(raw)
    assert clean == "a b\ufffdc d e"


def test_token_keys_fold_case_accents_and_arabic_letter_forms() -> None:
    assert token_key("État") == "etat"
    assert token_key("أفغانستان") == token_key("افغانستان")
    assert token_key("России") == token_key("Россия")
    assert "الشباب" in arabic_variants(token_key("والشباب"))
    assert "هاون" in arabic_variants(token_key("والهاون"))
    assert "صاروخ" in arabic_variants(token_key("صاروخا"))


def test_letters_and_digits_are_separate_tokens() -> None:
    tokens = KeyCache().tokenize("RPG7, AK-47s")
    assert tokens.keys == ["rpg", "7", "ak", "47", "s"]
    assert [tokens.text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == ["RPG", "7", "AK", "47", "s"]
