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
    r"captured|detained|arrested|dead|slain|wounded|surrendered|former|задержанн\w*|убит\w*|бывш\w*|"
    r"dos|tres|cuatro|cinco|deux|trois|quatre|cinq|presuntos?|détenus|présumés|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|scores|several|many|"
    r"ال|عدد|من|قبل|et|y|and|or|ou|o|\d+|[\"'«»“”]|-)$"
)
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]")
_POSSESSIVE = re.compile(r"^\s*(?:['’]s?)?\s*(?:[-–]?\s*(?:linked|affiliated|allied|aligned|held|controlled|run)\s+)?$")
# "Legion fighters with RPG-26 launchers": the group's fighters carry the weapon.
_CARRYING = re.compile(
    r"^\s*(?:with|carrying|wielding|holding|armed\s+with|avec|con|с|مع)\s+(?:an?|the|des|un|une|unos|una)?\s*$"
)
_COORDINATION = re.compile(r"^\s*(?:,|and|or|et|ou|y|o|и|или|و|،)?\s*$")
# Arabic prepositions written as clitics on the group's first word: "للحوثيين", "لحركة الشباب".
_ARABIC_TO_CLITIC = ("لل", "ل")
# "using", "with": the instrument of a strike ("بـ" in Arabic is a clitic on the weapon's word)
_WIELDING = re.compile(
    r"(?:using|with|avec|au\s+moyen\s+d[e']|con|mediante|с\s+помощью|из|بواسطة|ب)\s*(?:an?|the|une?|des|la|le|los|las|el)?\s*$"
)
# Cue nouns: they say possession only where no verb in between says something else.
_NOUN_CUES = re.compile(r"(?:arsenal\w*|inventor(?:y|ies)|armou?ry|ترسانة\w*|арсенал\w*)")
# After a comma, the group's own fighters carry on: "…, its fighters made off with", "что её бойцы".
_PRONOUN_HOLDER = re.compile(
    r"^\s*(?:that|que|qu['’]|что|أن|إن)?\s*(?:its|their|ses|leurs|son|sa|sus|su|его|её|ее|их)\s+[^\W\d_]+\s*$"
    r"|^\s*(?:أن|إن)?\s*[^\W\d_]+(?:ها|هم)\s*$"
)
# Relative pronouns: a group after one is inside a clause of its own.
_RELATIVE = re.compile(
    r"(?<![^\W\d_])(?:which|who|whom|whose|qui|dont|lequel|laquelle|cual|quien|quienes|"
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


def mention_role(sentence: Sentence, group: Entity) -> tuple[set[str], bool, str]:
    """(preposition kinds before a mention, whether a holder or cache noun was crossed, the
    preposition's words): a group's role, or a country's or a weapon's ("from Iran", "at a
    tank"). Up to four filler or holder words may stand in between."""
    lexicon = sentence.lexicon
    head = sentence.lowered[max(0, sentence.local(group.start) - 60) : sentence.local(group.start)]
    if lexicon.language == "ar":
        clitic = next((c for c in _ARABIC_TO_CLITIC if group.text.startswith(c) and len(group.text) > 4), "")
        if clitic and not group.text.startswith("ال"):
            return {"to", "of"}, False, clitic  # "لداعش": to, or of (belonging to) Daesh
    words = _words(head)
    crossed = False
    depth, stop = len(words) - 1, max(-1, len(words) - 8)
    while depth > stop:
        word = words[depth]
        for size in (3, 2, 1):  # multi-word prepositions first ("in the hands of")
            phrase = " ".join(words[max(0, depth - size + 1) : depth + 1])
            kinds = {kind for kind, pattern in lexicon.preps.items() if pattern.fullmatch(phrase)}
            if not kinds:
                continue
            holder = depth - size
            if "of" in kinds and holder >= 0 and lexicon.holders.fullmatch(words[holder]):
                # "fighters of al-Shabaab", "combattants du JNIM": the role is the holder's
                crossed, depth = True, holder - 1
                break
            if (crossed and lexicon.caches.search(" ".join(words[depth:]))) or _before_cache(sentence, group):
                kinds.add("cache")
            return kinds, crossed, phrase
        else:
            if lexicon.holders.fullmatch(word):
                crossed = True
            elif not _FILLER.match(word):
                return set(), crossed, ""
            depth -= 1
    return set(), crossed, ""


def _before_cache(sentence: Sentence, group: Entity) -> bool:
    """The group names whose cache it is: "an Islamic State weapons depot", "a Houthi cache"."""
    after = " ".join(_words(sentence.lowered[sentence.local(group.end) : sentence.local(group.end) + 30])[:2])
    return bool(sentence.lexicon.caches.match(after) or sentence.lexicon.caches.match(after.partition(" ")[2]))


def owns(sentence: Sentence, group: Entity, weapon: Entity) -> bool:
    """The group names the weapon's owner outright: "Houthi drones", "al-Shabaab's AK-47s",
    "drones of the Houthis" (a preposition of ownership), "беспилотники хуситов"."""
    if group.end <= weapon.start:
        gap = sentence.between(group.end, weapon.start)
        holder = sentence.lexicon.holders.match(gap.strip(" '’s"))
        rest = gap.strip(" '’s")[holder.end() :] if holder else ""
        return bool(_POSSESSIVE.match(gap) or (holder and (_POSSESSIVE.match(rest) or _CARRYING.match(rest))))
    gap = sentence.between(weapon.end, group.start)
    if sentence.lexicon.language in _GENITIVE_LANGUAGES and not gap.strip():
        return True
    words = _words(gap)
    return 0 < len(words) <= 4 and bool(sentence.lexicon.preps["of"].fullmatch(" ".join(words[:3]).strip()))


def wielded(sentence: Sentence, weapon: Entity, kinds: set[str]) -> bool:
    """The weapon is what something was done with: "with a drone", "using drones", "بصاروخ"."""
    if "with" in kinds and sentence.lexicon.language != "ar":
        return not sentence.lowered[: sentence.local(weapon.start)].rstrip().endswith((" in", " inside", " near"))
    before = sentence.lowered[max(0, sentence.local(weapon.start) - 12) : sentence.local(weapon.start)]
    if sentence.lexicon.language == "ar":  # "بصاروخ كورنيت": the clitic on the weapon or the word before it
        return any(word.startswith("ب") for word in [weapon.text, *_words(before)[-1:]])
    return bool(_WIELDING.search(before))


def _heads_clause(sentence: Sentence, group: Entity, cue: Match) -> bool:
    """Whether the group can be the subject of the cue: not inside a relative clause or an aside
    that ends before the cue ("The army, which is fighting the Houthis, received rifles")."""
    gap = sentence.lowered[sentence.local(group.end) : cue.start]
    if "," in gap and not gap.lstrip().startswith(",") and not _PRONOUN_HOLDER.match(gap.rsplit(",", 1)[-1]):
        return False
    head = sentence.lowered[: sentence.local(group.start)]
    clause = re.split(r"[,;:(]", head)[-1]
    return not _RELATIVE.search(clause)


def negated(sentence: Sentence, cue_start: int) -> bool:
    """Whether a denial stands right before the cue at `cue_start` (sentence offset)."""
    before = sentence.lowered[max(0, cue_start - 60) : cue_start]
    return any(True for _ in sentence.lexicon.negation.finditer(" ".join(_words(before)[-6:])))


def _passive(sentence: Sentence, cue: Match) -> bool:
    if sentence.lexicon.passive is None:
        return False
    words = _words(sentence.lowered[max(0, cue.start - 30) : cue.start])[-2:]
    return any(sentence.lexicon.passive.fullmatch(word) for word in words)


def governing_cue(sentence: Sentence, group: Entity, weapon: Entity) -> Match | None:
    """The last cue between the two mentions; else the nearest cue before both, within twelve
    words (a list of weapons may stand between), or the first after both, within four."""
    low, high = sorted((group, weapon), key=lambda mention: mention.start)
    local_low, local_high = sentence.local(low.end), sentence.local(high.start)
    group_phrase = sentence.local(group.start) - 24  # "with captured Islamic State fighters"
    between = [
        cue
        for cue in sentence.cues
        if cue.start >= local_low
        and cue.end <= local_high
        and not (group_phrase <= cue.start and _modifies_group(sentence, cue, group))
    ]
    # a cue inside an aside between the two ("members of the Taliban, trying to cross the river,") does not govern
    between = [cue for cue in between if not _enclosed(sentence.lowered, local_low, cue, local_high)] or between
    verbs = [cue for cue in between if not _NOUN_CUES.fullmatch(sentence.lowered[cue.start : cue.end])]
    if between:  # a verb governs before a noun cue ("diverted from army arsenals to the FARC")
        return (verbs or between)[-1]
    before = [cue for cue in sentence.cues if cue.end <= sentence.local(low.start)]
    if before and len(_words(sentence.lowered[before[-1].end : sentence.local(low.start)])) <= 12:
        return before[-1]
    after = [cue for cue in sentence.cues if cue.start >= sentence.local(high.end)]
    if after and len(_words(sentence.lowered[sentence.local(high.end) : after[0].start])) <= 4:
        return after[0]
    return None


def _enclosed(lowered: str, low: int, cue: Match, high: int) -> bool:
    return "," in lowered[low : cue.start] and "," in lowered[cue.end : high]


def _modifies_group(sentence: Sentence, cue: Match, group: Entity) -> bool:
    """A participle right before the group, after a preposition: "with captured IS fighters"."""
    gap = sentence.lowered[cue.end : sentence.local(group.start)]
    before = _words(sentence.lowered[: cue.start])[-1:]
    return (
        len(_words(gap)) <= 1 and bool(before) and any(p.fullmatch(before[0]) for p in sentence.lexicon.preps.values())
    )


def decide(sentence: Sentence, group: Entity, weapon: Entity) -> Decision | None:
    """The relation the sentence states between the group and the weapon, if any."""
    kinds, crossed, preposition = mention_role(sentence, group)
    if "against" in kinds and not (crossed and "with" in kinds):  # "on the bodies of JNIM fighters" is no target
        return None
    weapon_kinds, _, _ = mention_role(sentence, weapon)
    if "against" in weapon_kinds:
        return None  # "fired a rocket at a Merkava tank": the tank is the target
    owner = owns(sentence, group, weapon)
    cue = governing_cue(sentence, group, weapon)
    if (
        cue is not None
        and cue.kind == "strike"
        and cue.end <= sentence.local(weapon.start)
        and not wielded(sentence, weapon, weapon_kinds)
    ):
        return None  # "the Houthis shot down an MQ-9": what was struck
    if cue is None:
        if owner:
            return Decision("possession", "held", "", 0.6)
        return None
    if negated(sentence, cue.start):
        return None
    words = sentence.lowered[cue.start : cue.end]
    subject = sentence.local(group.end) <= cue.start and not kinds and _heads_clause(sentence, group, cue)
    passive = _passive(sentence, cue)
    decision = table(cue.kind, kinds, subject, passive, owner, crossed)
    if decision is None:
        return None
    type_, direction, confidence, supplies = decision
    cue_words = f"{words} {preposition}".strip() if preposition else words
    return Decision(type_, direction, cue_words, confidence, supplies)


def table(
    kind: str, preps: set[str], subject: bool, passive: bool, owner: bool, crossed: bool
) -> tuple[str, str, float, bool] | None:
    """(type, direction, confidence, group supplies) for a cue class and the group's role."""
    if kind == "take":
        if owner or "from" in preps or "cache" in preps or ("with" in preps and crossed):
            return "seizure_from", "from_group", 0.85, False
        if "by" in preps or (subject and not passive):
            return "capture_by", "to_group", 0.8, False
        return None
    if kind == "receive" and "from" in preps:
        return "transfer", "from_group", 0.6, True  # "obtained rifles from AQAP": AQAP supplied them
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
        if "to" in preps:
            return "sale_to", "to_group", 0.8, False  # "bought … on behalf of the Gulf Cartel"
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
    if kind == "strike":  # "fired a rocket at a Merkava tank": the weapon struck with, not the one struck
        return ("use", "held", 0.75, False) if subject or "by" in preps else None
    if kind == "possess":
        if subject or owner or preps & {"of", "by", "from", "with"} or (crossed and not preps):
            return "possession", "held", 0.75, False
        return None
    if kind == "find":
        if "cache" in preps or crossed or owner or preps & {"with", "of", "from", "by"}:
            return "found_with", "held", 0.8, False
        if "to" in preps:
            return "supply_to", "to_group", 0.7, False  # "a shipment sent to the Houthis containing …"
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
        if (
            not _COORDINATION.match(gap)
            and not _RELATIVE.search(gap)
            and not mention_role(sentence, other)[0] & {"by", "from"}
        ):
            # (a group in an aside after this one, or the supplier, does not count: "JNIM, which
            # fought ISSP, captured …", "supplied by Hezbollah to the Houthis")
            return True
    return False
