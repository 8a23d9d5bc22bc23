"""Category phrases (category_phrases.py) on a tiny gazetteer written for the test: a head word
read through its modifiers, a model written with it, or the rest of its document."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.entities import extract_many
from extractors.entities.category_phrases import compile_phrases
from extractors.entities.gazetteer import Gazetteer
from tests.gazetteer_data import gazetteer_from

pytestmark = pytest.mark.usefixtures("gazetteer_only")

WEAPONS = """
- canonical: 9M133 Kornet
  category: anti-tank guided missile
  origin: RU
  manufacturer: KBP
  aliases: [كورنيت, Kornet]
- canonical: Shahab-3
  category: missile
  origin: IR
  manufacturer: SHIG
  aliases: [شهاب 3]
- canonical: Katyusha
  category: rocket
  origin: RU
  manufacturer: various
  aliases: [كاتيوشا]
- canonical: Bayraktar TB2
  category: drone
  origin: TR
  manufacturer: Baykar
  aliases: [TB2]
- canonical: Hürkuş
  category: aircraft
  origin: TR
  manufacturer: TAI
  aliases: [Hurkus]
"""
CATEGORIES = """
vocabulary: [anti-tank guided missile, missile, rocket, drone, aircraft]
terms:
  anti-tank guided missile: [ATGM]
  missile: [missile, ракета, ракеты]
  rocket: [rocket, صاروخ, صواريخ]
  drone: [drone, drones]
  aircraft: [aircraft, avion, avions, самолеты]
case_sensitive: [ATGM]
no_category: [مضاد للدروع, مضادة للدروع]
modifiers:
  - becomes: anti-tank guided missile
    heads: [missile, rocket]
    words: [مضاد للدروع, مضادة للدروع, противотанковые]
  - becomes: missile
    heads: [rocket]
    languages: [ar]
    models: [missile, anti-tank guided missile]
    before: 0
  - becomes: drone
    heads: [aircraft]
    languages: [ar, ru, fr, es]
    models: [drone]
    before: 0
  - becomes: drone
    heads: [aircraft]
    words: [беспилотные]
readings:
  - languages: [ar]
    category: rocket
    words: [صاروخ, صواريخ]
    readings: [missile, anti-tank guided missile]
"""
COUNTRIES = """
countries:
  TR: {names: [Turkey], demonyms: [Turkish], abbreviations: [], misspellings: [], translations: {}}
historical_states: {}
not_countries: []
"""
GROUPS = """
- canonical: Houthis
  aliases: [الحوثيون]
  region: Middle East
"""
GENERIC = """
actors:
  rebel: [rebels]
"""


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return gazetteer_from(
        tmp_path_factory.mktemp("phrases"),
        weapons=WEAPONS,
        categories=CATEGORIES,
        countries=COUNTRIES,
        armed_groups=GROUPS,
        generic_actors=GENERIC,
    )


def categories(gazetteer: Gazetteer, text: str, language: str) -> list[str]:
    return extract_many([(text, language)], gazetteer)[0].weapon_categories


def test_a_modifier_after_the_head_past_a_quoted_model(gazetteer: Gazetteer) -> None:
    # the anti-armour phrase wins over the model apposition that would make it a plain missile
    assert categories(gazetteer, "ضبطت الجمارك 52 صاروخ «كورنيت» مضادة للدروع.", "ar") == ["anti-tank guided missile"]


def test_a_modifier_before_the_head(gazetteer: Gazetteer) -> None:
    assert categories(gazetteer, "Армия получила противотанковые ракеты.", "ru") == ["anti-tank guided missile"]
    assert categories(gazetteer, "Армия получила беспилотные самолеты.", "ru") == ["drone"]


def test_a_modifier_does_not_reach_across_a_sentence(gazetteer: Gazetteer) -> None:
    text = "أطلق الحوثيون صواريخ. وكانت مضادة للدروع الكتيبة قريبة."
    assert categories(gazetteer, text, "ar") == ["rocket"]


def test_a_modifier_too_far_from_the_head_does_not_count(gazetteer: Gazetteer) -> None:
    text = "أطلق الحوثيون صواريخ على البلدات الحدودية الجنوبية من مواقع مضادة للدروع"
    assert categories(gazetteer, text, "ar") == ["rocket"]


def test_a_model_written_after_the_head_says_which_reading_it_has(gazetteer: Gazetteer) -> None:
    assert categories(gazetteer, "أطلقوا صاروخ شهاب 3 على المدينة", "ar") == ["missile"]
    assert categories(gazetteer, "La Turquie a livré des avions TB2 au Niger.", "fr") == ["drone"]


def test_a_model_before_the_head_belongs_to_another_phrase(gazetteer: Gazetteer) -> None:
    text = "La Turquie livre des drones TB2, des avions Hurkus au Niger."
    assert categories(gazetteer, text, "fr") == ["aircraft", "drone"]


def test_model_apposition_is_limited_to_its_languages(gazetteer: Gazetteer) -> None:
    assert categories(gazetteer, "Turkey delivered aircraft TB2 to Niger.", "en") == ["aircraft"]


def test_a_bare_head_takes_the_reading_its_document_gave_the_same_word(gazetteer: Gazetteer) -> None:
    text = "ضبطت القوات صاروخ «كورنيت» مضاد للدروع. وقال مسؤول إن الصواريخ كانت مخبأة في صناديق."
    assert categories(gazetteer, text, "ar") == ["anti-tank guided missile"]
    # the same word read two ways (a missile, an anti-tank guided missile): the generic reading
    text = "أطلقوا صاروخ شهاب 3 ثم صاروخا مضادا للدروع. وقال مسؤول إن الصواريخ أصابت أهدافها."
    assert categories(gazetteer, text, "ar") == ["anti-tank guided missile", "missile"]


def test_other_weapons_in_the_document_do_not_decide_a_bare_head(gazetteer: Gazetteer) -> None:
    # a Kornet named on its own (or an Iron Dome that intercepts them) does not make rockets missiles
    text = "ضبطت القوات منظومة كورنيت. وقال مسؤول إن الصواريخ سقطت على البلدة."
    assert categories(gazetteer, text, "ar") == ["rocket"]


def test_a_bare_head_keeps_its_own_category_when_the_document_names_it(gazetteer: Gazetteer) -> None:
    text = "أطلق الحوثيون صواريخ كاتيوشا. وفي يوم آخر أطلقوا صاروخ شهاب 3. ثم سقطت صواريخ على البلدة."
    assert categories(gazetteer, text, "ar") == ["missile", "rocket"]


def test_a_bare_head_with_nothing_to_read_stays_what_it_is(gazetteer: Gazetteer) -> None:
    assert categories(gazetteer, "سقطت صواريخ على البلدة.", "ar") == ["rocket"]


def test_readings_are_limited_to_their_languages(gazetteer: Gazetteer) -> None:
    assert categories(gazetteer, "They fired a Kornet, then a rocket.", "en") == ["rocket"]


def test_an_unknown_category_in_a_rule_is_refused(gazetteer: Gazetteer) -> None:
    entries = gazetteer.category_phrases.entries
    with pytest.raises(ValueError, match="unknown category 'helicopter'"):
        compile_phrases({"modifiers": [{"becomes": "helicopter", "heads": ["aircraft"], "words": ["x"]}]}, entries)
    with pytest.raises(ValueError, match="unknown category 'jet'"):
        compile_phrases({"readings": [{"languages": ["ar"], "category": "aircraft", "readings": ["jet"]}]}, entries)


def test_a_broken_rule_names_the_data_file(tmp_path: Path) -> None:
    broken = CATEGORIES.replace("becomes: drone", "becomes: drones", 1)
    with pytest.raises(ValueError, match=r"categories\.yaml: unknown category 'drones'"):
        gazetteer_from(
            tmp_path,
            weapons=WEAPONS,
            categories=broken,
            countries=COUNTRIES,
            armed_groups=GROUPS,
            generic_actors=GENERIC,
        )
