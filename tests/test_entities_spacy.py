"""The gazetteer as a spaCy component: blank tokenizers per language, or the installed model."""

from __future__ import annotations

import pytest
import spacy

from extractors.entities import extract_entities
from extractors.entities.spacy_component import entity_pipeline


@pytest.mark.usefixtures("gazetteer_only")
def test_blank_pipeline_for_a_language_without_a_model_finds_canonical_entities():
    nlp = entity_pipeline("fr")
    assert nlp.lang == "fr" and nlp.pipe_names == ["osint_entities"]
    text = "Des fusils d'assaut AK-47 et des lance-roquettes RPG-7 ont été saisis au Mali par l'armée."
    doc = nlp(text)
    spans = {(span.text, span.label_) for span in doc.spans["osint"]}
    assert ("AK-47", "WEAPON") in spans and ("Mali", "COUNTRY") in spans
    assert doc._.osint.weapons == ["AK-47", "RPG-7"]
    assert doc._.osint.countries == extract_entities(text, "fr").countries == ["ML"]


def test_any_pipeline_can_add_the_component_by_name():
    nlp = spacy.blank("en")
    nlp.add_pipe("osint_entities", config={"set_ents": True})
    doc = nlp("Houthi fighters fired a Kornet missile supplied by Iran.")
    entities = {(ent.text, ent.label_) for ent in doc.ents}
    assert ("Iran", "COUNTRY") in entities and any(label == "WEAPON" and "Kornet" in text for text, label in entities)
    assert doc._.osint.armed_groups == ["Houthis"]


@pytest.mark.usefixtures("gazetteer_only")
def test_unknown_language_codes_fall_back_to_the_multilingual_tokenizer():
    doc = entity_pipeline("und")("Soviet-era DShK machine guns were seen in Somalia.")
    assert doc._.osint.weapons == ["DShK"] and doc._.osint.historical_states == ["Soviet Union"]
