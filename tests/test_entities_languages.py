"""Entities in Arabic, Russian, French and Spanish reporting, with the curated data: how these
presses write weapons, and the measured quality on the real-reporting sets (tests/data/entities_real*)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from extractors.entities import extract_entities
from extractors.entities.text import token_key

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from entities_eval import REAL_SETS, TYPES, evaluate, load_documents  # noqa: E402

pytestmark = pytest.mark.usefixtures("gazetteer_only")

LANGUAGES = ("ar", "ru", "fr", "es")
#: the issue's target for weapon models and categories, in every language
TARGET = 0.93
#: per set tuned on (all but the blind one) and language: countries and groups F1 before this work
BEFORE = YAML(typ="safe").load((REAL_SETS["real"].parent / "entities_real_before.yaml").read_text(encoding="utf-8"))


def weapons(text: str, language: str) -> list[tuple[str, str]]:
    return [(m.text, m.canonical) for m in extract_entities(text, language).entities if m.label == "WEAPON"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("استهدف الطيران المسيّر مواقع الجيش", "ar", ("الطيران المسيّر", "drone")),
        ("أسقطت الدفاعات الجوية المسيّرات", "ar", ("المسيّرات", "drone")),
        ("هاجمت الدرونز مواقع الجيش", "ar", ("الدرونز", "drone")),
        ("ضبطت القوات صاروخا مضادا للدروع", "ar", ("صاروخا مضادا للدروع", "anti-tank guided missile")),
        ("صادرت الشرطة رشاش دوشكا", "ar", ("دوشكا", "DShK")),
        ("Армия получила беспилотные самолеты", "ru", ("беспилотные самолеты", "drone")),
        ("Расчет каждого из десяти орудий", "ru", ("орудий", "artillery")),
        ("Боевики были вооружены калашами", "ru", ("калашами", "AK-47")),
        ("Il a brandi un гранатомет", "ru", ("гранатомет", "rocket launcher")),
        ("Deux soldats ont sauté sur une mine près de Djibo", "fr", ("sauté sur une mine", "landmine")),
        ("La policía halló un lanza cohetes en la casa", "es", ("lanza cohetes", "rocket launcher")),
        ("Los sicarios llevaban cuernos de chivo", "es", ("cuernos de chivo", "AK-47")),
        ("Se aseguraron fusiles Tipo 81 en el rancho", "es", ("Tipo 81", "Type 81")),
        ("Un presunto lanzagranadas RPG en manos de un sicario", "es", ("lanzagranadas", "rocket launcher")),
        ("Se incautaron 51 bombas molotov", "es", ("bombas molotov", "IED")),
        ("دمّر دبابتي ميركافا", "ar", ("دبابتي", "tank")),  # a dual in construct
        # an alias written with the article («الطائرات العسكرية») does not hide the bare noun
        ("وردت الطائرات الإسرائيلية بغارات", "ar", ("الطائرات", "aircraft")),
        ("هاجمت قاعدة بلد، وسقط صاروخ قرب القاعدة", "ar", ("صاروخ", "rocket")),
        ("ضبطت ومواد ناسفة وألغاماً", "ar", ("وألغاماً", "landmine")),  # clitic, article, accusative
        ("وقاذفتي صواريخ (أر بي جي7 وإس بي جي 9)", "ar", ("وإس بي جي 9", "SPG-9")),
        ("interceptaron un cohete M-75 lanzado desde Gaza", "es", ("M-75", "M-75 rocket")),
        ("hallaron una granada M75 en la casa", "es", ("M75", "M75 grenade")),
        ("les obus tombaient sur la ville", "fr", ("obus", "ammunition")),
        ("el ejército desplegó obuses en la frontera", "es", ("obuses", "artillery")),
        ("dos artefactos explosivos de fabricación casera", "es", ("artefactos explosivos", "IED")),
        ("восемь пулеметов и тротиловые шашки", "ru", ("тротиловые шашки", "explosives")),
    ],
)
def test_how_these_presses_write_weapons(text: str, language: str, expected: tuple[str, str]) -> None:
    assert expected in weapons(text, language)


def test_sniper_rifle_from_a_modifier_past_the_model() -> None:
    assert ("fusil", "sniper rifle") in weapons("Un fusil Barrett calibre .50 para francotiradores", "es")


def test_a_modifier_after_and_qualifies_another_noun() -> None:
    found = extract_entities("de nombreuses armes longues et armes automatiques", "fr").weapon_categories
    assert found == ["rifle"]
    assert ("بندقية", "assault rifle") in weapons("20 ألف بندقية كلاشينكوف آلية", "ar")


def test_a_modifier_after_or_qualifies_another_noun() -> None:
    found = weapons("استُهدفت أربيل بطائرات مسيرة أو صواريخ كاتيوشا أو باليستية.", "ar")
    assert ("صواريخ كاتيوشا", "rocket") in found


def test_a_quoted_last_word_is_part_of_the_name() -> None:
    assert extract_entities("قالت كتائب “القسام” إنها دمرت دبابة", "ar").armed_groups == [
        "Izz ad-Din al-Qassam Brigades"
    ]


def test_spanish_barrels_are_not_artillery() -> None:
    found = weapons("Las armas largas tenían culatas gastadas y cañones despintados.", "es")
    assert found == [("armas largas", "rifle")]
    assert weapons("faltan componentes como el cañón del fusil", "es") == [("fusil", "rifle")]


def test_a_short_designation_that_reads_as_a_phrase_needs_weapon_context() -> None:
    assert weapons("Llegaron 3 camionetas y 12 hombres a la fiesta.", "es") == []
    assert ("Y-12", "Y-12") in weapons("La fuerza aérea recibió dos aviones de transporte Y-12.", "es")


def test_designations_written_the_local_way() -> None:
    assert ("M-60", "M60 machine gun") in weapons("Portaban una M-60 ametralladora.", "es")
    assert ("Тип 56", "Type 56") in weapons("У боевиков были автоматы Тип 56.", "ru")
    assert weapons("Es un problema de tipo 2 en la región.", "es") == []  # «Tipo» counts only as written


def test_cyrillic_look_alike_letters_in_latin_designations() -> None:
    assert token_key("АК") == "ak"  # both letters Cyrillic
    assert token_key("ТOW") == "tow"  # Cyrillic Т, Latin OW
    assert token_key("А") != "a"  # a lone letter is a Russian word («а», but)
    assert ("АК-47", "AK-47") in weapons("Изъяли автомат АК-47.", "ru")
    assert ("ТOW", "BGM-71 TOW") in weapons("Нашли ракеты ТOW американского производства.", "ru")


def test_russian_weapon_names_that_are_ordinary_words_need_weapon_context() -> None:
    assert extract_entities("В Москве прошел конкурс молодых музыкантов, а вечером выпал град.", "ru").weapons == []
    found = extract_entities("Боевики обстреляли город из РСЗО «Град» и применили ПТРК «Конкурс».", "ru").weapons
    assert found == ["9K113 Konkurs", "BM-21 Grad"]


def test_the_base_is_not_al_qaeda() -> None:
    assert extract_entities("سقط صاروخ قرب القاعدة التي تستخدمها الطائرات الأميركية", "ar").armed_groups == []
    assert extract_entities("أعلن تنظيم القاعدة مسؤوليته عن الهجوم", "ar").armed_groups == ["al-Qaeda"]


def test_russian_cases_of_a_group_name() -> None:
    found = extract_entities("склад, оставленный «Исламским государством» у города", "ru").armed_groups
    assert found == ["Islamic State"]


def test_exported_systems_have_origin_and_category() -> None:
    result = extract_entities("Llegaron obuses AH-4 y bombas guiadas GB50A; un helicóptero MD 500.", "es")
    assert {"AH-4", "GB50A", "MD 500"} <= set(result.weapons)
    assert "CN" in result.weapon_origins and "US" in result.weapon_origins


def test_the_real_sets_are_real_separate_and_balanced() -> None:
    sets = {name: load_documents(directory) for name, directory in REAL_SETS.items()}
    for name, documents in sets.items():
        per_language = 20 if name == "real" else 15
        assert sorted(d["language"] for d in documents) == sorted(LANGUAGES * per_language), name
        for document in documents:
            assert document["source"].startswith(("https://", "http://")), document["id"]
            assert set(document["expected"]) == set(TYPES), document["id"]
    ids = [d["id"] for documents in sets.values() for d in documents]
    sources = [d["source"] for documents in sets.values() for d in documents]
    assert len(ids) == len(set(ids))
    assert len(sources) == len(set(sources))


def test_every_set_tuned_on_has_its_level_before_this_work() -> None:
    assert set(BEFORE) == set(REAL_SETS) - {"real-blind"}
    assert all(set(levels) == set(LANGUAGES) for levels in BEFORE.values())


@pytest.mark.parametrize("name", sorted(BEFORE))
@pytest.mark.parametrize("language", LANGUAGES)
def test_quality_on_the_real_sets_tuned_on(name: str, language: str) -> None:
    scores = evaluate([d for d in load_documents(REAL_SETS[name]) if d["language"] == language])
    report = {kind: round(scores[kind].f1, 3) for kind in TYPES}
    for kind in ("weapons", "weapon_categories"):
        assert scores[kind].f1 >= TARGET, (name, language, kind, report, scores[kind].errors)
    for kind, floor in BEFORE[name][language].items():
        assert round(scores[kind].f1, 3) >= floor, (name, language, kind, report, scores[kind].errors)
