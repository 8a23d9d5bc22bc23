"""The gazetteer as a spaCy pipeline component, so the entity layer composes with spaCy.

    from extractors.entities.spacy_component import entity_pipeline
    nlp = entity_pipeline("fr")   # the installed statistical model for French, else spacy.blank("fr"); + osint_entities
    doc = nlp(text)
    doc.spans["osint"]            # WEAPON, COUNTRY, HISTORICAL_STATE, ARMED_GROUP, GENERIC_ACTOR spans
    doc._.osint                   # EntityResult: canonical names, attributes, document-level sets

`nlp.add_pipe("osint_entities")` works in any pipeline once this package is installed (the
factory is registered as a `spacy_factories` entry point). Gazetteer spans go to a span group
because they may overlap the model's own entities; `set_ents=True` also merges them into
`doc.ents` (longest span wins).
"""

from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from . import model_layer
from .engine import gazetteer_entities

if not Doc.has_extension("osint"):
    Doc.set_extension("osint", default=None)


class OsintEntities:
    def __init__(self, span_key: str = "osint", set_ents: bool = False) -> None:
        self.span_key = span_key
        self.set_ents = set_ents

    def __call__(self, doc: Doc) -> Doc:
        result = gazetteer_entities(doc.text, doc.lang_ or "und")
        found = [doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand") for m in result.entities]
        spans = [span for span in found if span is not None]
        doc.spans[self.span_key] = spans
        doc._.osint = result
        if self.set_ents:
            doc.ents = filter_spans([*spans, *doc.ents])
        return doc


@Language.factory("osint_entities", default_config={"span_key": "osint", "set_ents": False})
def create_osint_entities(nlp: Language, name: str, span_key: str, set_ents: bool) -> OsintEntities:
    return OsintEntities(span_key, set_ents)


def entity_pipeline(language: str) -> Language:
    """A pipeline for texts in `language`: the configured statistical model when it is for that
    language, else `spacy.blank(language)` (the multilingual tokenizer for codes spaCy lacks),
    with `osint_entities` last."""
    active: Any = model_layer.active_pipeline(language) if language != "und" else None
    if active is not None:
        nlp = spacy.load(active[0])
    else:
        try:
            nlp = spacy.blank(language)
        except (ImportError, KeyError, ValueError):  # "und" or a language spaCy has no tokenizer for
            nlp = spacy.blank("xx")
    nlp.add_pipe("osint_entities", last=True)
    return nlp
