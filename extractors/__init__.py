"""Content extraction: bytes of a fetched resource -> an `Extraction` (text, metadata, language, entities).

Pure functions, no Scrapy, no index. Every failure is an `ExtractionError` whose `reason` is
one of `extractors.errors.REASONS`.

Entities run on `text` (offsets index into `text`) and separately on `title`; title mentions
are appended to `entities` with `attributes["field"] == "title"` (their offsets index into
`title`), and the document-level sets are the union of both, because a weapon or group named
only in a headline still matters for search facets.

The package namespace is lazy (PEP 562): each exported name is imported from its module on
first access, so importing a submodule (`extractors.entities`, `schema.entities`) does not
load trafilatura, htmldate and pypdf with the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractors.errors import REASONS, ExtractionError
    from extractors.extraction import MAX_TEXT_CHARS, Resource, extract, extract_batch, extract_text
    from extractors.language import detect_language
    from extractors.result import Extraction, LanguageResult, PageSpan

__all__ = [
    "MAX_TEXT_CHARS",
    "REASONS",
    "Extraction",
    "ExtractionError",
    "LanguageResult",
    "PageSpan",
    "Resource",
    "detect_language",
    "extract",
    "extract_batch",
    "extract_text",
]

#: name -> module that defines it.
_LAZY = {
    "REASONS": "extractors.errors",
    "ExtractionError": "extractors.errors",
    "Extraction": "extractors.result",
    "LanguageResult": "extractors.result",
    "PageSpan": "extractors.result",
    "detect_language": "extractors.language",
    "MAX_TEXT_CHARS": "extractors.extraction",
    "Resource": "extractors.extraction",
    "extract": "extractors.extraction",
    "extract_batch": "extractors.extraction",
    "extract_text": "extractors.extraction",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
