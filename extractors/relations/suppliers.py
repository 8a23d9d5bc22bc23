"""Who supplied a weapon that reached a group, when the sentence says: a country the weapon came
from ("smuggled from Iran", "diverted from Chadian army stocks"), or the country that sent it
("Iran supplied", "supplied by Iran"), or a company that sold or shipped it ("Sierra Madre
Outdoor Supply, a licensed dealer, sold …"). A country written as the weapon's maker
("Iranian-made") is an origin, not a supplier (origins.py).
"""

from __future__ import annotations

import re

from schema.entities import Entity
from schema.relations import SupplierKind

from .origins import states_origin
from .rules import Sentence, mention_role

#: words before a country that make it where a weapon came from, beyond the lexicon's from/by
_CAME_FROM = re.compile(
    r"(?:\b(?:depuis|desde|procedentes?\s+de|provenientes?\s+de|en\s+provenance\s+d[e']?|origin\w*\s+from)"
    r"|(?:^|\s)(?:из|من))\s*(?:l[a']|el|la|the)?\s*$"
)
_SUPPLY_CUES = ("supply", "sell", "transfer")
# A company's name: capitalised words ending in a legal form or a trade word.
_COMPANY = re.compile(
    r"\b((?:[A-Z][\w&'’.-]*\s+){1,5}(?:LLC|L\.L\.C\.|FZE|FZCO|FZ-LLC|Ltd\.?|Limited|Inc\.?|GmbH|SARL|S\.A\.S?\.?|"
    r"JSC|OOO|Co\.|Corp\.?|Corporation|Company|Trading|Logistics|Supply|Industries|Holdings?|Enterprises?))(?![\w])"
)


def supplier_of(sentence: Sentence, weapon: Entity, group: Entity) -> tuple[str, SupplierKind] | None:
    """(ISO code, "country") of the supplier the sentence names for `weapon` reaching `group`."""

    def distance(country: Entity) -> int:
        return abs(country.start - weapon.start)

    for country in sorted(sentence.countries, key=distance):
        low, high = sorted((country, weapon), key=lambda mention: mention.start)
        if sentence.lexicon.breaks.search(sentence.between(low.end, high.start)):
            continue  # another clause
        if states_origin(
            sentence.lowered, sentence.local(country.start), sentence.local(country.end), sentence.lexicon.language
        ) or (country.end <= weapon.start and not sentence.between(country.end, weapon.start).strip()):
            continue  # "Iranian-made", "Iranian drones": the maker or the owner, not the sender
        kinds, _, _ = mention_role(sentence, country)
        before = sentence.lowered[: sentence.local(country.start)]
        if (kinds & {"from", "by"} and "to" not in kinds) or _CAME_FROM.search(before):
            return country.canonical, "country"
        following = [cue for cue in sentence.cues if cue.start >= sentence.local(country.end)]
        preceding = [cue for cue in sentence.cues if cue.end <= sentence.local(country.start)]
        if preceding and preceding[-1].kind in _SUPPLY_CUES and _verb_first(sentence, preceding[-1].end, country):
            return country.canonical, "country"  # Arabic verb-subject order: "أرسلتها إيران" (Iran sent it)
        if (
            not any(cue.kind == "take" for cue in preceding)  # the sender opens its clause: "Iran has supplied …"
            and following
            and following[0].kind in _SUPPLY_CUES
            and not kinds
            and len(sentence.between(country.end, sentence.start + following[0].start).split()) <= 3
        ):
            return country.canonical, "country"
    return company_of(sentence)


def company_of(sentence: Sentence) -> tuple[str, SupplierKind] | None:
    """A company named as the subject of the supply, sale or transfer: its name ends with a legal
    form or a trade word ("LLC", "FZE", "Ltd", "Logistics", "Supply") and comes before the cue,
    an apposition allowed in between ("Sahara Logistics FZE, a firm registered in Dubai, arranged
    the delivery")."""
    companies = [(match.start(1), match.end(1)) for match in _COMPANY.finditer(sentence.text)]
    if not companies:
        return None
    for cue in sentence.cues:
        if cue.kind not in _SUPPLY_CUES or any(start <= cue.start < end for start, end in companies):
            continue  # "Outdoor Supply" names the company, it is no cue
        before = [(start, end) for start, end in companies if end <= cue.start]
        if before and len(sentence.text[before[-1][1] : cue.start].split()) <= 12:
            return " ".join(sentence.text[before[-1][0] : before[-1][1]].split()), "company"
        return None
    return None


def _verb_first(sentence: Sentence, cue_end: int, country: Entity) -> bool:
    return (
        sentence.lexicon.language == "ar"
        and len(sentence.lowered[cue_end : sentence.local(country.start)].split()) <= 1
    )
