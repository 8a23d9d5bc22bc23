"""The optional statistical layer: model entities, proposed groups, and the on/off switch."""

from __future__ import annotations

import importlib.util

import pytest

from extractors.entities import extract_entities, model_layer

MODEL = next((name for name in model_layer.AUTO_CANDIDATES if importlib.util.find_spec(name)), None)
needs_model = pytest.mark.skipif(MODEL is None, reason="no spaCy pipeline package installed")


def _use_model(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    """Choose the model as the application does (use_model), restoring the choice after the test."""
    monkeypatch.setattr(model_layer, "_setting", model_layer._setting)
    model_layer.use_model(setting)


TEXT = (
    "On 12 March 2024, fighters of the Karzan Mountain Brigade ambushed an army patrol near the "
    "border, and the militants claimed responsibility for the attack. Islamic State also claimed an "
    "attack in Syria. Colonel Ahmed Yusuf of the Iraqi army said the Kenyan and Nigerian delegations "
    "met officials of Siemens in Berlin."
)


def test_switch_none_disables_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_model(monkeypatch, "none")
    result = extract_entities(TEXT)
    assert result.model is None
    assert all(m.origin == "gazetteer" for m in result.entities)


def test_unknown_package_falls_back_to_gazetteer(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_model(monkeypatch, "no_such_spacy_pipeline_xyz")
    result = extract_entities(TEXT)
    assert result.model is None and "Islamic State" in result.armed_groups


def test_auto_prefers_an_official_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_model(monkeypatch, "auto")
    expected = "en_core_web_sm" if importlib.util.find_spec("en_core_web_sm") else MODEL
    assert model_layer.model_name() == expected


def test_model_choice_is_looked_up_once_per_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up: list[str] = []
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: looked_up.append(name) or find_spec(name, *args)
    )
    model_layer._chosen_model.cache_clear()
    _use_model(monkeypatch, "auto")
    chosen = model_layer.model_name()
    assert looked_up and model_layer.model_name() == chosen
    searched = len(looked_up)
    _use_model(monkeypatch, "none")
    assert model_layer.model_name() is None
    _use_model(monkeypatch, "some_pipeline_package")
    assert model_layer.model_name() == "some_pipeline_package"
    _use_model(monkeypatch, "auto")
    assert model_layer.model_name() == chosen
    assert len(looked_up) == searched  # no new lookups


@needs_model
def test_model_adds_labelled_entities_and_proposes_unknown_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_model(monkeypatch, "none")
    baseline = extract_entities(TEXT)
    _use_model(monkeypatch, MODEL)
    result = extract_entities(TEXT)
    assert result.model == MODEL
    labels = {m.label for m in result.entities if m.origin == "model"}
    assert {"ORG", "DATE"} <= labels and labels & {"GPE", "NORP", "PERSON"}
    # known groups are unchanged by the model
    assert result.armed_groups == baseline.armed_groups
    assert result.countries == baseline.countries
    proposed = [m for m in result.entities if m.label == "ARMED_GROUP" and m.origin == "model"]
    assert [m.canonical for m in proposed] == result.proposed_groups
    assert any("Karzan" in name for name in result.proposed_groups)
    for mention in proposed:
        assert mention.attributes["evidence"]["name_heads"] and mention.attributes["evidence"]["context"]
        assert TEXT[mention.start : mention.end] == mention.text
    assert not any("Siemens" in name for name in result.proposed_groups)


@needs_model
def test_model_is_not_run_on_other_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    _use_model(monkeypatch, MODEL)
    result = extract_entities("Des combattants de l'État islamique ont attaqué au Niger.", "fr")
    assert result.model is None and result.armed_groups == ["Islamic State"]
