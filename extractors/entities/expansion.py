"""Entity-aware query expansion (opt-in, `osint search --expand`): the entities a search word names.

"ISIS" names the armed group Islamic State, "Iran" the country IR, "drones" the category drone,
and "Kalashnikov" (an alias of AK-47) the AK family: every weapon model whose canonical
designation opens with the same letters (AK-74, AK-12, AK-103...). A search for the word then also finds documents whose extracted entities include them,
whatever the text called them.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

from .filters import resolve_filter
from .gazetteer import all_records

#: filter name, in the order expansions are listed
EXPANDED_FILTERS = ("weapon", "category", "group", "country")
#: most models one designation family may stand for
MAX_FAMILY = 30
#: the letters that open a designation ("AK" of AK-47, "RPG" of RPG-7): its family's mark
_FAMILY_MARK = re.compile(r"([^\W\d_]{1,5})[- ]?\d")


def entity_filters(word: str) -> list[tuple[str, list[str]]]:
    """(filter name, stored values) for each kind of entity `word` names; [] for none.

    A lower-case word of one or two letters names nothing ("in" is not India, "is" not the
    Islamic State): only written in capitals is it a code or an acronym."""
    if len(word) <= 2 and not word.isupper():
        return []
    found: list[tuple[str, list[str]]] = []
    for name in EXPANDED_FILTERS:
        canonical = resolve_filter(name, word)
        if canonical is None:
            continue
        values = [canonical, *weapon_family(canonical)] if name == "weapon" else [canonical]
        found.append((name, list(dict.fromkeys(values))))
    return found


def weapon_family(canonical: str) -> list[str]:
    """The models whose canonical designation opens with the same letters: AK-47 -> AK-74,
    AK-12, AK-103... (none for a family larger than MAX_FAMILY: the letters are too common)."""
    mark = _FAMILY_MARK.match(canonical)
    members = _families().get(mark.group(1).casefold(), []) if mark else []
    return members if len(members) <= MAX_FAMILY else []


@functools.cache
def _families() -> dict[str, list[str]]:
    families: defaultdict[str, dict[str, None]] = defaultdict(dict)
    for record in all_records():
        entry = record.entry
        if entry.label == "WEAPON" and entry.attributes.get("kind") == "model":
            mark = _FAMILY_MARK.match(entry.canonical)
            if mark:
                families[mark.group(1).casefold()][entry.canonical] = None
    return {key: list(members) for key, members in families.items()}
