"""The engine index: template, mapping (versioned) and Document <-> _source conversion.

Text is searchable twice: with the standard tokenizer, lowercased and without diacritics
(``title``, ``text``), and with the
built-in analyzer of its detected language (``title_<lang>``, ``text_<lang>``), so an Arabic
query matches Arabic morphology. To keep one copy of the text in ``_source``, a document in a
supported language stores its text only under ``text_<lang>``, and ``copy_to`` fills the
standard ``text`` field from it; reading a document back folds it into ``text`` again.

Facet fields are keywords kept as written (for display) with a lowercase ``.lc`` subfield
that filters match, so ``country:iran`` finds "Iran". Entities are kept twice: as keyword
arrays for facets and filters, and as nested objects (label, canonical, span, attributes).

Bump MAPPING_VERSION whenever the template changes; EngineBackend.upgrade_mapping() then
copies the documents into ``<alias>-v<N>`` and swaps the alias without downtime.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from index.analysis import SNOWBALL_LANGUAGES, designation_text
from schema.document import Document
from schema.entities import DOCUMENT_ENTITY_SETS

# 3: `capture` and `versions` (where the bytes each version came from are preserved, captures/)
# 4: `relations` and `origin_statements` (what arsenal profiles read, schema/relations.py)
MAPPING_VERSION = 4

#: detected language code (langdetect / ISO 639-1) -> (field suffix, built-in analyzer).
#: These analyzers exist in both Elasticsearch 8 and OpenSearch 2.
LANGUAGE_ANALYZERS: dict[str, tuple[str, str]] = {
    "ar": ("ar", "arabic"),
    "hy": ("hy", "armenian"),
    "eu": ("eu", "basque"),
    "bn": ("bn", "bengali"),
    "bg": ("bg", "bulgarian"),
    "ca": ("ca", "catalan"),
    "cs": ("cs", "czech"),
    "da": ("da", "danish"),
    "nl": ("nl", "dutch"),
    "en": ("en", "english"),
    "et": ("et", "estonian"),
    "fi": ("fi", "finnish"),
    "fr": ("fr", "french"),
    "gl": ("gl", "galician"),
    "de": ("de", "german"),
    "el": ("el", "greek"),
    "hi": ("hi", "hindi"),
    "hu": ("hu", "hungarian"),
    "id": ("id", "indonesian"),
    "ga": ("ga", "irish"),
    "it": ("it", "italian"),
    "lv": ("lv", "latvian"),
    "lt": ("lt", "lithuanian"),
    "no": ("no", "norwegian"),
    "nb": ("no", "norwegian"),
    "nn": ("no", "norwegian"),
    "fa": ("fa", "persian"),
    "pt": ("pt", "portuguese"),
    "ro": ("ro", "romanian"),
    "ru": ("ru", "russian"),
    "ckb": ("ckb", "sorani"),
    "es": ("es", "spanish"),
    "sv": ("sv", "swedish"),
    "tr": ("tr", "turkish"),
    "th": ("th", "thai"),
    "zh": ("cjk", "cjk"),
    "zh-cn": ("cjk", "cjk"),
    "zh-tw": ("cjk", "cjk"),
    "ja": ("cjk", "cjk"),
    "ko": ("cjk", "cjk"),
}
#: field suffix -> analyzer: our Snowball analyzer where the embedded index stems the language
#: the same way (index/analysis.py), the engine's built-in one elsewhere.
LANGUAGE_SUFFIXES: dict[str, str] = {
    suffix: f"stem_{suffix}" if suffix in SNOWBALL_LANGUAGES else builtin
    for suffix, builtin in LANGUAGE_ANALYZERS.values()
}

#: Document fields stored as facet keywords (with a lowercase .lc subfield for filters).
FACET_FIELDS: tuple[str, ...] = (
    *DOCUMENT_ENTITY_SETS,
    "source_id",
    "watchlist",
    "kind",
    "tags",
    "language",
    "story_id",
    "content_type",
    "extraction_method",
    "authors",
)
#: fields added to _source by to_source() that are not Document fields.
DERIVED_FIELDS = ("story_key", "designations")


def language_suffix(language: str) -> str | None:
    entry = LANGUAGE_ANALYZERS.get(language.lower()) or LANGUAGE_ANALYZERS.get(language.lower().split("-")[0])
    return entry[0] if entry else None


def _facet() -> dict[str, Any]:
    return {
        "type": "keyword",
        "ignore_above": 2048,
        "fields": {"lc": {"type": "keyword", "normalizer": "lowercase", "ignore_above": 2048}},
    }


def mappings() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "keyword"},
        # No ignore_above: an absurd URL fails loudly as a recorded failure instead of vanishing.
        "url": {"type": "keyword"},
        "canonical_url": {"type": "keyword"},
        "title": {"type": "text", "analyzer": "folded"},
        # Offsets in the postings let the highlighter skip re-analysing each hit's whole text.
        "text": {"type": "text", "analyzer": "folded", "index_options": "offsets"},
        "links": {"type": "keyword", "index": False, "doc_values": False},
        "pages": {"type": "object", "enabled": False},
        # provenance, read back whole with the document (osint show / cite / export), never searched
        "capture": {"type": "object", "enabled": False},
        "versions": {"type": "object", "enabled": False},
        # what arsenal profiles read back (EngineBackend.iter_links), never searched: a profile
        # selects its documents by the entity facets (group:, weapon:), which the sets index
        "relations": {"type": "object", "enabled": False},
        "origin_statements": {"type": "object", "enabled": False},
        "language_confidence": {"type": "float"},
        "published": {"type": "date"},
        "modified": {"type": "date"},
        "fetched": {"type": "date"},
        "indexed": {"type": "date"},
        "content_hash": {"type": "keyword"},
        "story_key": {"type": "keyword"},
        "entities": {
            "type": "nested",
            "properties": {
                "label": {"type": "keyword"},
                "text": {
                    "type": "text",
                    "analyzer": "standard",
                    "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
                },
                "start": {"type": "integer"},
                "end": {"type": "integer"},
                "canonical": _facet(),
                "origin": {"type": "keyword"},
                # Free-form per entity type; kept in _source, not indexed, so no mapping conflicts.
                "attributes": {"type": "object", "enabled": False},
            },
        },
    }
    for name in FACET_FIELDS:
        properties[name] = _facet()
    # field-scoped search (author:, url:) and designations (index/analysis.designation_keys)
    properties["authors"]["fields"]["text"] = {"type": "text", "analyzer": "folded"}
    properties["url"]["fields"] = {"text": {"type": "text", "analyzer": "url_words"}}
    properties["designations"] = {"type": "text", "analyzer": "whitespace"}
    for suffix, analyzer in sorted(LANGUAGE_SUFFIXES.items()):
        properties[f"title_{suffix}"] = {"type": "text", "analyzer": analyzer, "copy_to": "title"}
        properties[f"text_{suffix}"] = {
            "type": "text",
            "analyzer": analyzer,
            "copy_to": "text",
            "index_options": "offsets",
        }
    return {"dynamic": "strict", "_meta": {"mapping_version": MAPPING_VERSION}, "properties": properties}


def _custom(tokenizer: str, filters: list[str]) -> dict[str, Any]:
    return {"type": "custom", "char_filter": ["apostrophes"], "tokenizer": tokenizer, "filter": filters}


def index_settings(shards: int, replicas: str | None) -> dict[str, Any]:
    # refresh_interval stays unset: then a shard nobody searches skips refreshes during a crawl.
    settings: dict[str, Any] = {
        "number_of_shards": shards,
        "analysis": {
            "normalizer": {"lowercase": {"type": "custom", "filter": ["lowercase"]}},
            # Apostrophes split words, as in the embedded index ("l'arme" is l + arme).
            "char_filter": {"apostrophes": {"type": "mapping", "mappings": ["'=>\\u0020", "’=>\\u0020"]}},
            "tokenizer": {"url_words": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}_]+"}},
            "filter": {
                f"snowball_{code}": {"type": "snowball", "language": algorithm.capitalize()}
                for code, algorithm in SNOWBALL_LANGUAGES.items()
                if code in LANGUAGE_SUFFIXES
            },
            "analyzer": {
                # The language-neutral fields ignore case and diacritics: "frontiere" finds "frontière".
                "folded": _custom("standard", ["lowercase", "asciifolding"]),
                "url_words": _custom("url_words", ["lowercase", "asciifolding"]),
                # Snowball stems as the embedded index computes them, then folded as its tokenizer does.
                **{
                    f"stem_{code}": _custom("standard", ["lowercase", f"snowball_{code}", "asciifolding"])
                    for code in SNOWBALL_LANGUAGES
                    if code in LANGUAGE_SUFFIXES
                },
            },
        },
    }
    if replicas is None or "-" in replicas:
        settings["auto_expand_replicas"] = replicas or "0-1"
    else:
        settings["number_of_replicas"] = int(replicas)
    return settings


def index_template(alias: str, shards: int, replicas: str | None) -> dict[str, Any]:
    """The index template, its _meta carrying a fingerprint so an unchanged one is not re-sent."""
    template = {
        "index_patterns": [f"{alias}-v*"],
        "priority": 100,
        "template": {"settings": index_settings(shards, replicas), "mappings": mappings()},
    }
    template["_meta"] = managed_meta(template)
    return template


def managed_meta(body: dict[str, Any]) -> dict[str, Any]:
    """The _meta of what we install: a fingerprint of `body`, so an unchanged one is not re-sent."""
    fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return {"mapping_version": MAPPING_VERSION, "fingerprint": fingerprint, "managed_by": "osint-crawler"}


def concrete_index(alias: str, version: int = MAPPING_VERSION) -> str:
    return f"{alias}-v{version}"


#: the _source fields `Document.linked()` reads, and those a Document cannot be validated without
#: (id, url, canonical_url): what EngineBackend.iter_links fetches instead of whole documents and
#: their text. `title_*` are the titles stored under their language's field (to_source).
LINKED_SOURCE: tuple[str, ...] = (
    "id",
    "url",
    "canonical_url",
    "title",
    "title_*",
    "published",
    "fetched",
    "source_id",
    "language",
    "capture",
    "pages",
    "armed_groups",
    "entities",
    "relations",
    "origin_statements",
)


def to_source(document: Document) -> dict[str, Any]:
    source = document.model_dump(mode="json")
    source["story_key"] = document.story_id or document.id
    source["designations"] = designation_text((document.title, document.text))
    suffix = language_suffix(document.language)
    if suffix:
        source[f"text_{suffix}"] = source.pop("text")
        source[f"title_{suffix}"] = source.pop("title")
    return source


def from_source(source: dict[str, Any]) -> Document:
    source = dict(source)
    for name in DERIVED_FIELDS:
        source.pop(name, None)
    for key in [key for key in source if key.startswith(("text_", "title_"))]:
        base, _, suffix = key.partition("_")
        if suffix in LANGUAGE_SUFFIXES:
            source[base] = source.pop(key)
    return Document.model_validate(source)
