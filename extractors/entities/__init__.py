"""Entity extraction for arms-trafficking texts: weapons, weapon categories, countries,
historical states, armed groups and generic actors, with an optional spaCy model layer.

Pure library (no Scrapy, no index imports). Entry points:

- `extract_entities(text, language="en") -> EntityResult`: picklable, module-level; the
  gazetteer is compiled once per process.
- `extract_many([(text, language), ...]) -> list[EntityResult]`: the same for a batch, with
  one `nlp.pipe` stream through the model.
- `canonicalize_filter(name, value) -> str`: analyst filter value -> canonical form.
"""

from .engine import MAX_CHARS, extract_entities, extract_many, weapon_origins
from .filters import canonicalize_filter
from .models import EntityMention, EntityResult

__all__ = [
    "MAX_CHARS",
    "EntityMention",
    "EntityResult",
    "canonicalize_filter",
    "extract_entities",
    "extract_many",
    "weapon_origins",
]
