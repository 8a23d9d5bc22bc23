"""The rule layer: which (armed group, weapon) pairs of one sentence the words between them connect.

For each pair in a sentence it finds the cue that governs the pair (a verb class from cues.yaml:
the last cue between the two mentions, else one just before both), the group's role (the
preposition before it, a few modifiers allowed: "from fighters of al-Shabaab"; or its place
before the cue, as the subject), and whether the group names the weapon's owner outright ("Houthi
drones", "the Houthis' drones", Russian and Arabic genitives). A decision table turns (cue, role)
into a relation type and direction; a pair nothing connects is left out (the profile counts it as
mere document co-occurrence). Pairs split by a clause break ("while", ";") or by another group,
and cues denied ("denied supplying"), give nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schema.entities import Entity

from .cues import Lexicon, Match

#: determiners and modifiers that may stand between a preposition and the group it governs
_FILLER = re.compile(
    r"^(?:the|a|an|its|their|his|her|suspected|alleged|so-called|local|rival|armed|some|several|"
    r"le|la|les|l|un|une|des|du|de|d|el|los|las|lo|del|al|unos|unas|presuntos?|supuestos?|"
    r"ال|عدد|من|قبل|et|y|and|or|ou|o|\d+|[\"'«»“”]|-)$"
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]")
_POSSESSIVE = re.compile(r"^\s*(?:['’]s?)?\s*(?:[-–]?\s*(?:linked|affiliated|allied|aligned|held|controlled|run)\s+)?$")
_COORDINATION = re.compile(r"^\s*(?:,|and|or|et|ou|y|o|и|или|و|،)?\s*$")
# Arabic prepositions written as clitics on the group's first word: "للحوثيين", "لحركة الشباب".
_ARABIC_TO_CLITIC = ("لل", "ل")
# Relative pronouns: a group after one is inside a clause of its own.
_RELATIVE = re.compile(
    r"(?<![^\W\d_])(?:which|who|whom|whose|that|qui|que|dont|lequel|laquelle|cual|quien|quienes|"
    r"который|которая|которые|которых|которым|الذي|التي|الذين)(?![^\W\d_])"
)
_GENITIVE_LANGUAGES = ("ru", "ar")  # "беспилотники хуситов", "صواريخ الحوثيين": weapon, then owner


@dataclass(frozen=True)
class Decision:
    type: str
    direction: str
    cue: str
    confidence: float
    group_supplies: bool = False  # the group is the one that sent the weapon (a supplier)


@dataclass
class Sentence:
    """One sentence and the mentions inside it (offsets are the document's)."""

    start: int
    end: int
    text: str  # the document's text from start to end
    lowered: str
    groups: list[Entity]
    weapons: list[Entity]
    countries: list[Entity]
    cues: list[Match]
    lexicon: Lexicon

    def local(self, offset: int) -> int:
        return offset - self.start

    def between(self, start: int, end: int) -> str:
        return self.lowered[self.local(start) : self.local(end)]

    def cues_in(self, start: int, end: int) -> list[Match]:
        return [cue for cue in self.cues if cue.start >= self.local(start) and cue.end <= self.local(end)]


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def group_role(sentence: Sentence, group: Entity) -> tuple[set[str], bool, str]:
    """(preposition kinds before the group, whether a holder or cache noun was crossed, the
    preposition's words). Up to four filler or holder words may stand in between."""
    lexicon = sentence.lexicon
    head = sentence.lowered[max(0, sentence.local(group.start) - 60) : sentence.local(group.start)]
    if lexicon.language == "ar":
        clitic = next((c for c in _ARABIC_TO_CLITIC if group.text.startswith(c) and len(group.text) > 4), "")
        if clitic and not group.text.startswith("ال"):
            return {"to"}, False, clitic
    words = _words(head)
    crossed = False
    for depth in range(len(words) - 1, max(-1, len(words) - 7), -1):
        word = words[depth]
        for size in (3, 2, 1):  # multi-word prepositions first ("in the hands of")
            phrase = " ".join(words[max(0, depth - size + 1) : depth + 1])
            kinds = {kind for kind, pattern in lexicon.preps.items() if pattern.fullmatch(phrase)}
            if kinds:
                if crossed and lexicon.caches.search(" ".join(words[depth:])):
                    kinds.add("cache")
                return kinds, crossed, phrase
        if lexicon.holders.fullmatch(word):
            crossed = True
        elif not _FILLER.match(word):
            return set(), crossed, ""
    return set(), crossed, ""


def owns(sentence: Sentence, group: Entity, weapon: Entity) -> bool:
    """The group names the weapon's owner outright: "Houthi drones", "al-Shabaab's AK-47s",
    "drones of the Houthis" (a preposition of ownership), "беспилотники хуситов"."""
    if group.end <= weapon.start:
        gap = sentence.between(group.end, weapon.start)
        return bool(_POSSESSIVE.match(gap)) or len(_words(gap)) == 1 and not sentence.cues_in(group.end, weapon.start)
    gap = sentence.between(weapon.end, group.start)
    if sentence.lexicon.language in _GENITIVE_LANGUAGES and not gap.strip():
        return True
    words = _words(gap)
    return 0 < len(words) <= 4 and bool(sentence.lexicon.preps["of"].fullmatch(" ".join(words[:3]).strip()))


def _heads_clause(sentence: Sentence, group: Entity, cue: Match) -> bool:
    """Whether the group can be the subject of the cue: not inside a relative clause or an aside
    that ends before the cue ("The army, which is fighting the Houthis, received rifles")."""
    gap = sentence.lowered[sentence.local(group.end) : cue.start]
    if "," in gap and not gap.lstrip().startswith(","):
        return False
    head = sentence.lowered[: sentence.local(group.start)]
    clause = re.split(r"[,;:(]", head)[-1]
    return not _RELATIVE.search(clause)


def _negated(sentence: Sentence, cue: Match) -> bool:
    before = sentence.lowered[max(0, cue.start - 40) : cue.start]
    return any(True for _ in sentence.lexicon.negation.finditer(" ".join(_words(before)[-4:])))


def _passive(sentence: Sentence, cue: Match) -> bool:
    if sentence.lexicon.passive is None:
        return False
    words = _words(sentence.lowered[max(0, cue.start - 30) : cue.start])[-2:]
    return any(sentence.lexicon.passive.fullmatch(word) for word in words)


def governing_cue(sentence: Sentence, group: Entity, weapon: Entity) -> Match | None:
    """The last cue between the two mentions; else the nearest cue before both, within eight
    words, or the first after both, within four."""
    low, high = sorted((group, weapon), key=lambda mention: mention.start)
    local_low, local_high = sentence.local(low.end), sentence.local(high.start)
    between = [cue for cue in sentence.cues if cue.start >= local_low and cue.end <= local_high]
    if between:
        return between[-1]
    before = [cue for cue in sentence.cues if cue.end <= sentence.local(low.start)]
    if before and len(_words(sentence.lowered[before[-1].end : sentence.local(low.start)])) <= 8:
        return before[-1]
    after = [cue for cue in sentence.cues if cue.start >= sentence.local(high.end)]
    if after and len(_words(sentence.lowered[sentence.local(high.end) : after[0].start])) <= 4:
        return after[0]
    return None


def decide(sentence: Sentence, group: Entity, weapon: Entity) -> Decision | None:
    """The relation the sentence states between the group and the weapon, if any."""
    kinds, crossed, preposition = group_role(sentence, group)
    if "against" in kinds:
        return None
    owner = owns(sentence, group, weapon)
    cue = governing_cue(sentence, group, weapon)
    if cue is None:
        if owner:
            return Decision("possession", "held", "", 0.6)
        return None
    if _negated(sentence, cue):
        return None
    words = sentence.lowered[cue.start : cue.end]
    subject = sentence.local(group.end) <= cue.start and not kinds and _heads_clause(sentence, group, cue)
    passive = _passive(sentence, cue)
    decision = _table(cue.kind, kinds, subject, passive, owner, crossed)
    if decision is None:
        return None
    type_, direction, confidence, supplies = decision
    cue_words = f"{words} {preposition}".strip() if preposition else words
    return Decision(type_, direction, cue_words, confidence, supplies)


def _table(
    kind: str, preps: set[str], subject: bool, passive: bool, owner: bool, crossed: bool
) -> tuple[str, str, float, bool] | None:
    """(type, direction, confidence, group supplies) for a cue class and the group's role."""
    if kind == "take":
        if owner or "from" in preps or "cache" in preps or ("with" in preps and crossed):
            return "seizure_from", "from_group", 0.85, False
        if "by" in preps or (subject and not passive):
            return "capture_by", "to_group", 0.8, False
        return None
    if kind in ("supply", "receive"):
        if "to" in preps or (kind == "receive" and (subject or "by" in preps)):
            return "supply_to", "to_group", 0.85, False
        if kind == "supply" and subject and passive:
            return "supply_to", "to_group", 0.75, False
        if kind == "supply" and ("by" in preps or "from" in preps or subject):
            return "transfer", "from_group", 0.6, True
        if kind == "supply" and not preps and not owner:
            return "supply_to", "to_group", 0.65, False  # "supplied the Houthis with", "sent al-Shabaab"
        return None
    if kind == "sell":
        if "to" in preps or (subject and passive):
            return "sale_to", "to_group", 0.85, False
        if "by" in preps or subject:
            return "transfer", "from_group", 0.6, True
        return "sale_to", "to_group", 0.6, False
    if kind == "buy":
        if "from" in preps:
            return "transfer", "from_group", 0.6, True
        if "by" in preps or subject:
            return "sale_to", "to_group", 0.8, False
        return None
    if kind == "transfer":
        if "to" in preps or (subject and passive):
            return "transfer", "to_group", 0.8, False
        if "from" in preps or "by" in preps or subject:
            return "transfer", "from_group", 0.7, True
        return "transfer", "to_group", 0.6, False
    if kind == "use":
        if "by" in preps or subject or owner:
            return "use", "held", 0.8, False
        return None
    if kind == "possess":
        if subject or owner or preps & {"of", "by", "from", "with"}:
            return "possession", "held", 0.75, False
        return None
    if kind == "find":
        if "cache" in preps or crossed or owner or preps & {"with", "of", "from"}:
            return "found_with", "held", 0.8, False
        return None
    return None


def separated(sentence: Sentence, group: Entity, weapon: Entity) -> bool:
    """A clause break, or another group not coordinated with this one, stands between them."""
    low, high = sorted((group, weapon), key=lambda mention: mention.start)
    if sentence.lexicon.breaks.search(sentence.between(low.end, high.start)):
        return True
    for other in sentence.groups:
        if other.canonical == group.canonical or not (low.end <= other.start and other.end <= high.start):
            continue
        if group.end <= other.start:
            gap = sentence.between(group.end, other.start)
        else:
            gap = sentence.between(other.end, group.start)
        if not _COORDINATION.match(gap):
            return True
    return False
