"""Matching rules of the entity extractor, run against the real gazetteer data files.

Every sentence here is original. The model layer is switched off (OSINT_SPACY_MODEL=none) so the
results depend on the gazetteer and the rules alone.
"""

from __future__ import annotations

import pytest

from extractors.entities import EntityResult, extract_entities

pytestmark = pytest.mark.usefixtures("gazetteer_only")


def run(text: str, language: str = "en") -> EntityResult:
    return extract_entities(text, language)


def spans(result: EntityResult, label: str) -> list[tuple[str, str]]:
    return [(m.text, m.canonical) for m in result.entities if m.label == label]


# --- designations and spelling variants ---------------------------------------------------


@pytest.mark.parametrize("written", ["RPG-7", "RPG 7", "RPG7", "rpg-7", "RPG-7s"])
def test_designation_written_with_hyphen_space_or_nothing(written: str) -> None:
    result = run(f"Smugglers were carrying an {written} when they were stopped at the checkpoint.")
    assert result.weapons == ["RPG-7"]
    assert any(m.text == written for m in result.entities if m.label == "WEAPON")


def test_plural_and_suffixed_variants_collapse_to_the_family() -> None:
    result = run("The unit fielded M16A4 rifles and older AK-47s; the AK-74 was kept apart.")
    assert result.weapons == ["AK-47", "AK-74", "M16"]


def test_distinct_designations_stay_distinct() -> None:
    result = run("The cache held Type 56 rifles, AK-47s and an AK-74, plus one M4 carbine and an AR-15.")
    assert {"Type 56", "AK-47", "AK-74", "AR-15", "M4 carbine"} <= set(result.weapons)


def test_offsets_index_the_original_text() -> None:
    text = "Police seized   two RPG-7 launchers\u00a0near the border with Kenya."
    result = run(text)
    for mention in result.entities:
        assert text[mention.start : mention.end] == mention.text


def test_weapon_attributes_carry_category_origin_and_manufacturer() -> None:
    mention = next(m for m in run("Investigators traced the AK-47 to a depot.").entities if m.label == "WEAPON")
    assert mention.attributes["kind"] == "model"
    assert mention.attributes["category"] == "assault rifle"
    assert mention.attributes["origin"] == "RU"
    assert mention.attributes["historical_origin"] == "Soviet Union"
    assert mention.attributes["manufacturer"]


# --- case sensitivity and ambiguous short names -------------------------------------------


def test_is_the_group_versus_is_the_verb() -> None:
    assert run("IS fighters claimed the ambush on the convoy near Palmyra.").armed_groups == ["Islamic State"]
    assert run("This is a quiet town and it is far from the front.").armed_groups == []
    assert run("What IS the point of another summit on climate finance?").armed_groups == []


def test_us_the_country_versus_us_the_pronoun() -> None:
    assert run("The US supplied the rifles, officials told us.").countries == ["US"]
    assert run("They told us the shipment was late.").countries == []


def test_javelin_missile_versus_javelin_the_sport() -> None:
    assert run("Ukrainian troops fired a Javelin at the advancing column.").weapons == ["FGM-148 Javelin"]
    sport = run("She won the javelin final with a throw of 68 metres, a championship record.")
    assert sport.weapons == []


def test_m16_rifle_versus_m16_motorway() -> None:
    assert run("Soldiers armed with M16 rifles guarded the depot.").weapons == ["M16"]
    assert run("Traffic on the M16 motorway was stopped near junction 3 after a crash.").weapons == []


def test_wagner_group_versus_the_composer() -> None:
    assert run("Wagner fighters were deployed to the mines alongside government troops.").armed_groups == [
        "Wagner Group"
    ]
    assert run("The orchestra closed the festival with Wagner, and the opera sold out.").armed_groups == []


def test_rsf_paramilitary_versus_press_freedom_ngo() -> None:
    assert run("RSF fighters attacked the camp and seized weapons from the army.").armed_groups == [
        "Rapid Support Forces"
    ]
    assert run("RSF said press freedom had declined and that journalists were jailed.").armed_groups == []


def test_jem_resolves_by_the_countries_of_the_document() -> None:
    sudan = run("In Darfur, Sudan, JEM fighters clashed with militias near the border.")
    assert sudan.armed_groups == ["Justice and Equality Movement"]
    kashmir = run("In Kashmir, India blamed JEM militants from Pakistan for the attack on the convoy.")
    assert kashmir.armed_groups == ["Jaish-e-Mohammed"]


def test_law_the_weapon_versus_law_the_statute() -> None:
    assert run("The soldier fired a LAW rocket at the armoured car.").weapons == ["M72 LAW"]
    assert run("THE NEW LAW WILL BE DEBATED IN PARLIAMENT, the court said.").weapons == []


def test_pk_machine_gun_needs_weapon_context() -> None:
    assert run("The militants fired a PK machine gun from the ridge.").weapons == ["PK machine gun"]
    assert run("Our next meeting is in PK room 4 at the university.").weapons == []


# --- countries ----------------------------------------------------------------------------


def test_country_word_inside_a_group_name_is_not_the_country() -> None:
    result = run("The Free Syrian Army said it had received new supplies.")
    assert result.armed_groups == ["Free Syrian Army"]
    assert result.countries == []


def test_cities_are_not_countries() -> None:
    result = run("Delegates met in Kuwait City, Mexico City and Panama City; Washington welcomed it.")
    assert result.countries == []


def test_dateline_and_compounds_mention_countries() -> None:
    result = run("NAIROBI, Kenya — Iranian-made drones, US-made rifles and a UK-based broker were named.")
    assert result.countries == ["GB", "IR", "KE", "US"]


def test_state_bodies_mention_their_country() -> None:
    result = run("The Iraqi army and the Russian Ministry of Defence both denied it.")
    assert result.countries == ["IQ", "RU"]


def test_regions_and_features_are_not_countries() -> None:
    result = run("Patrols in the Gulf of Oman and the Sahel were discussed at NATO.")
    assert result.countries == []


def test_person_names_are_not_countries() -> None:
    assert run("Michael Jordan and Chad Johnson watched the game.").countries == []
    assert run("In Chad, the army repelled an attack.").countries == ["TD"]


def test_historical_states_are_kept_apart() -> None:
    result = run("The rifles were made in the Soviet Union and Yugoslavia, then sold to Ethiopia.")
    assert result.historical_states == ["Soviet Union", "Yugoslavia"]
    assert result.countries == ["ET"]


def test_weapon_origin_does_not_add_a_country() -> None:
    result = run("Fighters carried AK-47s and an M16.")
    assert result.weapon_origins == ["RU", "US"]
    assert result.countries == []


# --- groups -------------------------------------------------------------------------------


def test_aliases_map_to_one_canonical_group() -> None:
    result = run("ISIS, also called Daesh or ISIL, lost the town; al-Qaida and Al Qaeda cells remained.")
    assert result.armed_groups == ["Islamic State", "al-Qaeda"]


def test_branch_is_its_own_group_and_parent_counts_only_when_named() -> None:
    assert run("Islamic State West Africa Province fighters raided a base.").armed_groups == [
        "Islamic State West Africa Province"
    ]
    assert run("Tehreek-e-Taliban Pakistan claimed the bombing.").armed_groups == ["Tehreek-e-Taliban Pakistan"]
    assert run("Kataib Hezbollah denied the strike.").armed_groups == ["Kataib Hezbollah"]


def test_parent_used_as_modifier_counts() -> None:
    assert "al-Qaeda" in run("An al-Qaeda-linked group ambushed the patrol.").armed_groups


def test_coordinated_names_yield_one_group_each() -> None:
    result = run("Prosecutors said the Sinaloa and Jalisco New Generation cartels bought the rifles.")
    assert result.armed_groups == ["Jalisco New Generation Cartel", "Sinaloa Cartel"]


def test_a_stem_alone_names_no_group() -> None:
    assert run("Heavy rain hit Sinaloa and Sonora on Monday.").armed_groups == []


def test_generic_actors_are_recorded_apart_from_groups() -> None:
    result = run("Rebels and militants, along with drug cartels, attacked the town.")
    assert result.armed_groups == []
    assert {"rebel", "militant", "drug cartel"} <= set(result.generic_actors)
    assert all(m.label == "GENERIC_ACTOR" for m in result.entities if m.canonical in result.generic_actors)


# --- categories ---------------------------------------------------------------------------


def test_categories_mentioned_are_kept_apart_from_implied() -> None:
    result = run("The convoy carried RPG-7s, mortar rounds and man-portable air defence systems.")
    assert result.weapons == ["RPG-7"]
    assert {"mortar", "ammunition", "MANPADS"} <= set(result.weapon_categories)
    assert "rocket launcher" not in result.weapon_categories
    assert "rocket launcher" in result.weapon_categories_implied


def test_modifiers_and_hypernyms_create_no_category() -> None:
    result = run("They had anti-tank weapons, anti-aircraft guns, small arms and other equipment.")
    assert result.weapon_categories == []


def test_category_synonyms_map_to_the_vocabulary() -> None:
    result = run("Rebels used APCs, UAVs, improvised explosive devices, howitzers and ATGMs.")
    assert {"armored vehicle", "drone", "IED", "artillery", "anti-tank guided missile"} <= set(result.weapon_categories)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La bomba de agua se rompió ayer.", "es"),
        ("The bank approved a loan for the APC party.", "en"),
        ("She collected a sea shell on the beach.", "en"),
        ("Il a acheté un canon à neige pour la station.", "fr"),
    ],
)
def test_ambiguous_category_terms_need_weapon_context(text: str, language: str) -> None:
    assert run(text, language).weapon_categories == []


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("Los soldados incautaron una bomba y fusiles de asalto en el cuartel.", "es", "ammunition"),
        ("Troops in an APC fired on the rebels.", "en", "armored vehicle"),
        ("Artillery fired a shell at the rebel positions.", "en", "ammunition"),
    ],
)
def test_ambiguous_category_terms_count_in_weapon_context(text: str, language: str, category: str) -> None:
    assert category in run(text, language).weapon_categories


# --- languages ----------------------------------------------------------------------------


def test_french_aliases() -> None:
    result = run("L'État islamique a revendiqué l'attaque au Niger avec des fusils d'assaut.", "fr")
    assert result.armed_groups == ["Islamic State"]
    assert "NE" in result.countries


def test_spanish_aliases() -> None:
    result = run("El Cártel de Sinaloa compró fusiles en Estados Unidos y los llevó a México.", "es")
    assert result.armed_groups == ["Sinaloa Cartel"]
    assert result.countries == ["MX", "US"]


def test_russian_aliases_in_inflected_forms() -> None:
    result = run("Бойцы Исламского государства атаковали позиции в Сирии, сообщили в России.", "ru")
    assert result.armed_groups == ["Islamic State"]
    assert result.countries == ["RU", "SY"]


def test_arabic_aliases_with_attached_particles() -> None:
    result = run("قال مسؤولون إن حزب الله وحركة حماس تلقيا صواريخ من إيران عبر سوريا", "ar")
    assert result.armed_groups == ["Hamas", "Hezbollah"]
    assert {"IR", "SY"} <= set(result.countries)


# --- rules found while generalising ---------------------------------------------------------


def test_currency_prefix_is_not_a_country() -> None:
    assert run("The contract was worth US$4.2 million and HK$10 million.").countries == []


def test_translations_only_count_in_their_language() -> None:
    # "MLS" is the French acronym of the Sudan Liberation Movement, and Major League Soccer in English.
    assert run("The MLS season opened with a derby.").armed_groups == []
    assert run("Le MLS a attaqué une garnison au Darfour.", "fr").armed_groups != []


def test_group_sharing_an_acronym_resolved_by_countries_its_names_contain() -> None:
    assert run("ISIS-linked ADF rebels attacked villages in Uganda and Congo.").armed_groups == [
        "Allied Democratic Forces",
        "Islamic State",
    ]
    assert run("ADF separatists attacked a checkpoint in Cameroon's Anglophone region.").armed_groups == [
        "Ambazonia Defence Forces"
    ]


def test_country_compound_inside_a_group_alias_still_counts() -> None:
    result = run("The Turkish-backed Syrian National Army captured the village.")
    assert result.armed_groups == ["Syrian National Army"]
    assert result.countries == ["TR"]


def test_ordinary_senses_of_category_words() -> None:
    result = run("Brokers used shell companies after two rounds of talks, and police fired water cannon.")
    assert result.weapon_categories == []


def test_category_word_in_a_model_name_counts_but_not_its_designation_prefix() -> None:
    result = run("Troops received Javelin missiles and an RPG-7.")
    assert result.weapon_categories == ["missile"]


def test_lowercase_named_models_are_ordinary_words() -> None:
    assert run("There was a spike in attacks after the stinger of a bee was found.").weapons == []


def test_short_acronym_in_a_shouted_headline_needs_the_group_named_elsewhere() -> None:
    assert run("WHY IS THE ARMY FIGHTING IN THE NORTH?").armed_groups == []
    assert run("ARMY SAYS IS FIGHTERS KILLED. Islamic State claimed the attack.").armed_groups == ["Islamic State"]


def test_country_descriptor_in_a_group_alias_counts_but_a_country_in_the_name_does_not() -> None:
    result = run("Lebanese Hezbollah and the Free Syrian Army both denied it.")
    assert result.countries == ["LB"]
    assert result.armed_groups == ["Free Syrian Army", "Hezbollah"]


def test_generic_actor_words_inside_weapon_names_are_not_actors() -> None:
    result = run("Su-30 fighter jets struck the depot.")
    assert result.generic_actors == []
    assert result.weapon_categories == ["aircraft"]


def test_company_spelled_like_a_category_word() -> None:
    result = run("Pipelines operated by Shell were attacked, and artillery shells hit the depot.")
    assert result.weapon_categories == ["ammunition", "artillery"]


def test_ambiguous_names_inside_personal_or_company_names() -> None:
    assert run("Mikhail Kalashnikov designed the rifle in 1947.").weapons == []
    assert run("Kalashnikov Concern reported record exports.").weapons == []
    assert run("Richard Wagner wrote the Ring cycle.").armed_groups == []
    assert run("Chinese Kalashnikov rifles were found in the cache.").weapons == ["AK-47"]


def test_ambiguous_models_named_together_support_each_other() -> None:
    assert run("The US has sent Stingers and Javelins to Kyiv.").weapons == ["FGM-148 Javelin", "FIM-92 Stinger"]


def test_arms_market_vocabulary_is_weapon_context() -> None:
    assert run("A Kalashnikov costs about 500 dollars in the market.").weapons == ["AK-47"]


def test_languages_are_not_countries() -> None:
    result = run("Russian-speaking residents and Arabic-language media in Ukraine.")
    assert result.countries == ["UA"]


# --- rules added for published reporting (held-out set) -------------------------------------


def test_lowercase_adjectives_of_other_languages_mention_countries() -> None:
    assert run("Les douanes sénégalaises ont saisi des fusils de fabrication turque.", "fr").countries == ["SN", "TR"]
    assert run("Las armas estadounidenses llegaron a manos del cártel mexicano.", "es").countries == ["MX", "US"]
    assert run("Российские военные применили американские ракеты.", "ru").countries == ["RU", "US"]
    assert run("استهدفت طائرات أمريكية وفرنسية مواقع التنظيم", "ar").countries == ["FR", "US"]


def test_lowercase_translated_group_names_and_historical_adjectives() -> None:
    assert run("В Йемене хуситы применяли иранские крылатые ракеты.", "ru").armed_groups == ["Houthis"]
    result = run("Des munitions soviétiques et des fusils yougoslaves ont été retrouvés.", "fr")
    assert result.historical_states == ["Soviet Union", "Yugoslavia"]


def test_a_country_name_yields_to_a_group_name_running_on_from_it() -> None:
    result = run("Fighters of the Sudan Liberation Movement faction led by Abdel Wahid crossed into Chad.")
    assert result.armed_groups == ["Sudan Liberation Movement"]


def test_state_force_named_like_a_group_is_its_country() -> None:
    result = run("Troops of the Uganda People's Defence Force joined the operation.")
    assert result.countries == ["UG"] and result.armed_groups == []


def test_designation_beside_a_weapon_noun_is_the_weapon() -> None:
    text = "Партия включала ручные пулемёты РПК. Бойцы Рабочей партии Курдистана отступили в Сирию."
    result = run(text, "ru")
    assert "RPK" in result.weapons and result.armed_groups == ["PKK"]


def test_names_written_with_an_ampersand() -> None:
    assert run("Officers seized a Smith & Wesson M&P and a Heckler & Koch G3 rifle.").weapons == [
        "Heckler & Koch G3",
        "Smith & Wesson M&P",
    ]


def test_calibres_and_manufacturers_alone_are_not_models() -> None:
    result = run(
        "Fighters fired 107 mm rockets and 106 mm recoilless rifles; police found .50-calibre "
        "Barrett rifles and Taurus revolvers."
    )
    assert result.weapons == []
    assert result.weapon_categories == ["pistol", "rifle", "rocket", "rocket launcher"]


def test_a_warhead_is_not_ammunition() -> None:
    assert run("Analysts think it was an RPG-7 with a tandem warhead.").weapon_categories == []


def test_french_article_opening_a_sentence_is_not_part_of_a_name() -> None:
    assert run("Des kalachnikovs et des munitions ont été saisies.", "fr").weapons == ["AK-47"]
