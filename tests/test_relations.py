"""Sentence-level relations and origin statements, through the real extraction (gazetteer, rules,
and the dependency parse where a spaCy pipeline is installed)."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from extractors import extract_text
from extractors.entities import extract_entities, model_layer
from extractors.relations import extract_relations
from extractors.relations.cues import lexicon
from extractors.relations.parse import decide_parsed, parser_for
from extractors.relations.parse import parsed as parsed_sentences
from extractors.relations.rules import Decision, Sentence
from extractors.relations.sentences import sentence_spans

MODEL = next((name for name in model_layer.AUTO_CANDIDATES if importlib.util.find_spec(name)), None)
needs_model = pytest.mark.skipif(MODEL is None, reason="no spaCy pipeline package installed")


@pytest.fixture(params=["none", "auto"])
def layer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with the rules alone and with the parse (when a pipeline is installed)."""
    if request.param == "auto" and MODEL is None:
        pytest.skip("no spaCy pipeline package installed")
    monkeypatch.setattr(model_layer, "_setting", model_layer._setting)
    model_layer.use_model(request.param)
    return str(request.param)


def relations(text: str, language: str = "en") -> set[tuple[str, str, str, str]]:
    extraction = extract_text(text, language_hint=language)
    return {(r["group"], r["weapon"], r["type"], r["direction"]) for r in extraction.relations}


def only(text: str, language: str = "en") -> dict[str, Any]:
    found = extract_text(text, language_hint=language).relations
    assert len(found) == 1, found
    return found[0]


def test_seized_from_a_group_is_not_captured_by_it(layer: str) -> None:
    assert relations("Kenyan troops seized PKM machine guns from al-Shabaab fighters near Kismayo.") == {
        ("al-Shabaab", "PK machine gun", "seizure_from", "from_group")
    }
    assert relations("Al-Shabaab fighters captured PKM machine guns from a Kenyan army base.") == {
        ("al-Shabaab", "PK machine gun", "capture_by", "to_group")
    }


def test_supply_names_the_supplier_and_the_recipient(layer: str) -> None:
    relation = only("Iran supplied Kornet missiles to the Houthis, the panel said.")
    assert (relation["group"], relation["type"], relation["direction"]) == ("Houthis", "supply_to", "to_group")
    assert (relation["supplier"], relation["supplier_kind"]) == ("IR", "country")
    relation = only("Investigators said Kornet missiles were supplied by Hezbollah to the Houthis.")
    assert (relation["group"], relation["supplier"], relation["supplier_kind"]) == ("Houthis", "Hezbollah", "group")
    relation = only("The rifles had been diverted from Chadian army stocks to Boko Haram, investigators said.")
    assert (relation["group"], relation["weapon"], relation["supplier"]) == ("Boko Haram", "rifle", "TD")


def test_mere_co_occurrence_and_asides_are_no_relation(layer: str) -> None:
    assert relations("The army, which is fighting the Houthis, received M16 rifles from the United States.") == set()
    assert relations("In this week's briefing: Hamas, Hezbollah, Fateh-110 missiles and the Red Sea crisis.") == set()
    assert relations("Al-Shabaab attacked a base in Lower Shabelle while Kenyan jets dropped bombs on Jilib.") == set()


def test_denials_and_hypotheticals_are_no_relation(layer: str) -> None:
    assert relations("Iran denied supplying drones to the Houthis.") == set()
    assert relations("Analysts warn that al-Shabaab could seek to acquire MANPADS from Yemeni arms markets.") == set()


def test_what_a_group_strikes_is_not_its_weapon(layer: str) -> None:
    found = relations("Qassam Brigades fighters fired a Yasin 105 rocket at a Merkava tank in Khan Younis.")
    assert {weapon for _, weapon, _, _ in found} == {"Yasin 105"}


def test_evidence_offsets_cite_the_sentence_and_the_mentions(layer: str) -> None:
    text = "Markets reopened in Aden. Police found RPG-7 launchers in an al-Shabaab weapons cache near Mogadishu."
    extraction = extract_text(text, language_hint="en")
    (relation,) = extraction.relations
    assert relation["type"] == "found_with" and relation["direction"] == "held"
    assert text[relation["start"] : relation["end"]] == relation["sentence"] == text[26:]
    assert text[relation["group_start"] : relation["group_end"]] == "al-Shabaab"
    assert text[relation["weapon_start"] : relation["weapon_end"]].startswith("RPG-7")
    assert (
        0.5 <= relation["confidence"] <= 1.0 and relation["method"] == "rules"
    )  # the rules decide; the parse fills in


def test_a_stated_origin_overrides_the_gazetteers(layer: str) -> None:
    extraction = extract_text("Bulgarian-made AK-47 rifles were seized from Boko Haram in Borno.", language_hint="en")
    (statement,) = extraction.origin_statements
    assert (statement["weapon"], statement["origin"], statement["default_origin"]) == ("AK-47", "BG", "RU")
    assert extraction.weapon_origins == ["BG"]
    (mention,) = [e for e in extraction.entities if e["canonical"] == "AK-47"]
    assert mention["attributes"]["origin"] == "BG" and mention["attributes"]["origin_default"] == "RU"
    (relation,) = extraction.relations
    assert relation["origin"] == "BG" and relation["origin_stated"] is True


def test_a_copied_design_and_a_parts_origin_are_not_the_weapons(layer: str) -> None:
    text = "Police recovered Type 56 rifles, a Chinese copy of the Soviet AK-47, from Allied Democratic Forces fighters in Beni."
    assert relations(text) == {("Allied Democratic Forces", "Type 56", "seizure_from", "from_group")}
    extraction = extract_text("The Houthis launched Samad-3 drones built with engines produced in Germany.")
    assert extraction.origin_statements == []
    produced = extract_text("The ELN fields Galil rifles produced by Norinco, the report claims.", language_hint="en")
    assert [(s["weapon"], s["origin"], s["cue"]) for s in produced.origin_statements] == [
        ("Galil", "CN", "manufacturer")
    ]


@pytest.mark.parametrize(
    ("language", "text", "expected", "origin"),
    [
        (
            "fr",
            "Des kalachnikovs de fabrication chinoise ont été saisies sur des combattants du JNIM près de Gao.",
            ("Jama'at Nusrat al-Islam wal-Muslimin", "AK-47", "seizure_from", "from_group"),
            "CN",
        ),
        (
            "es",
            "Sicarios del CJNG robaron fusiles M4 a una célula rival en Zacatecas.",
            ("Jalisco New Generation Cartel", "M4 carbine", "capture_by", "to_group"),
            None,
        ),
        (
            "ru",
            "У боевиков ИГИЛ были изъяты автоматы АК-47 китайского производства.",
            ("Islamic State", "AK-47", "seizure_from", "from_group"),
            "CN",
        ),
        (
            "ar",
            "ضبطت القوات اليمنية شحنة صواريخ كورنيت إيرانية الصنع كانت في طريقها إلى الحوثيين.",
            ("Houthis", "9M133 Kornet", "supply_to", "to_group"),
            "IR",
        ),
    ],
)
def test_other_languages(language: str, text: str, expected: tuple[str, str, str, str], origin: str | None) -> None:
    extraction = extract_text(text, language_hint=language)
    assert {(r["group"], r["weapon"], r["type"], r["direction"]) for r in extraction.relations} == {expected}
    assert [s["origin"] for s in extraction.origin_statements] == ([origin] if origin else [])


def test_sentences_keep_abbreviations_and_numbers_whole() -> None:
    text = "The U.S. Navy seized 7.62 mm rounds. Gen. Smith said so! Next line\nLast one"
    assert [text[start:end] for start, end in sentence_spans(text)] == [
        "The U.S. Navy seized 7.62 mm rounds.",
        "Gen. Smith said so!",
        "Next line",
        "Last one",
    ]


def test_hostile_and_empty_text_gives_nothing_and_never_fails() -> None:
    assert extract_relations("", "en", []).relations == []
    long_run = "Houthis " + "AK-47 " * 5000 + "\x00\u202e" * 100
    extraction = extract_text(long_run, language_hint="en")
    assert all(r["end"] - r["start"] <= 2000 for r in extraction.relations)
    assert extract_text("Rifles and drones, nothing else.", language_hint="en").relations == []


@needs_model
def test_the_parse_reads_roles_and_clauses_from_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse layer's own decisions (it fills in pairs the rules leave undecided)."""
    monkeypatch.setattr(model_layer, "_setting", model_layer._setting)
    model_layer.use_model("auto")
    nlp = parser_for("en")

    def parsed(text: str) -> Decision | bool | None:
        found = extract_entities(text, "en").entities
        lexicon_ = lexicon("en")
        lowered = text.lower()
        group = next(e for e in found if e.label == "ARMED_GROUP" and e.origin == "gazetteer")
        weapon = next(e for e in found if e.label == "WEAPON" and e.origin == "gazetteer")
        sentence = Sentence(
            0, len(text), text, lowered, [group], [weapon], [], lexicon_.verb_matches(lowered), lexicon_
        )
        ((_, doc),) = parsed_sentences(nlp, [sentence])
        return decide_parsed(doc, sentence, group, weapon)

    supplied = parsed("Kornet missiles were supplied to the Houthis last year.")
    assert isinstance(supplied, Decision) and (supplied.type, supplied.direction) == ("supply_to", "to_group")
    used = parsed("Burkan-2H missiles were launched by the Houthis at the airport.")
    assert isinstance(used, Decision) and used.type == "use"
    assert parsed("The army, which is fighting the Houthis, received M16 rifles.") is False
    assert parsed("The Houthis shot down an MQ-9 Reaper over Marib.") is None  # what was struck
