"""Relations between a document's entities: which armed group each weapon goes with, who
supplied it, and where the text says it was made.

Pure library over the entity extractor's output (no Scrapy, no index). Entry point:

- `extract_relations(text, language, entities) -> RelationResult`: the (group, weapon) relations
  of each sentence (the rule layer, rules.py; refined by spaCy's dependency parse where a
  pipeline with a parser is installed, parse.py), explicit origin statements (origins.py), and
  the entity mentions with each stated origin applied (attributes `origin`, `origin_default`,
  `origin_stated`), so the document's `weapon_origins` say what the text says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from schema.entities import Entity
from schema.relations import MAX_SENTENCE_CHARS, OriginStatement, Relation, WeaponKind

from .cues import Match, lexicon
from .origins import origin_statements
from .parse import decide_parsed, parsed, parser_for
from .rules import Decision, Sentence, decide, separated
from .sentences import sentence_spans
from .suppliers import supplier_of

#: words that make the weapon after them a design copied, not an item ("copy of the AK-47")
_COPY_OF = re.compile(
    r"(?:cop(?:y|ies)|clones?|versions?|variants?|derivatives?|copies?|copias?|versi[oó]n|копи\w*|клон\w*|نسخ\w*)"
    r"\s+(?:\w+\s+)?(?:of|de|d['’]|del|de\s+la|de\s+l['’])?\s*(?:the|la|le|l['’]|el|los|an?)?\s*(?:soviet|russian|soviétique|soviético|советск\w*)?\s*[«\"]?\s*$",
    re.IGNORECASE,
)
#: relation types whose weapon someone supplied: the sentence may name who
_SUPPLIED = frozenset({"supply_to", "sale_to", "transfer"})
#: what may stand between a model and a category word that describes it
_ADJACENT = re.compile(r"[\s\-–]{0,3}")

__all__ = ["RelationResult", "extract_relations"]


@dataclass
class RelationResult:
    relations: list[Relation] = field(default_factory=list)
    origin_statements: list[OriginStatement] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)  # the input mentions, stated origins applied
    method: str = "rules"


def _named(entities: list[Entity], label: str) -> list[Entity]:
    """Gazetteer mentions of `label` in the text (not the title), outermost first where nested."""
    found = sorted(
        (e for e in entities if e.label == label and e.origin == "gazetteer" and "field" not in e.attributes),
        key=lambda e: (e.start, -e.end),
    )
    kept: list[Entity] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue  # "rifles" inside "Type 56 rifles", "Syrian" inside a group alias
        kept.append(mention)
    return kept


def _weapons(entities: list[Entity], text: str) -> list[Entity]:
    """Weapon mentions, without a category word that only describes the model next to it
    ("AK-47 rifles", "автоматы АК-47", "صواريخ كورنيت"): the model is the weapon named."""
    weapons = _named(entities, "WEAPON")
    models = [w for w in weapons if w.attributes.get("kind") == "model"]

    def describes_model(category: Entity) -> bool:
        return any(
            _ADJACENT.fullmatch(
                text[category.end : model.start] if category.end <= model.start else text[model.end : category.start]
            )
            for model in models
        )

    return [
        w
        for w in weapons
        if (w.attributes.get("kind") == "model" or not describes_model(w)) and not _referenced(text, w)
    ]


def _referenced(text: str, weapon: Entity) -> bool:
    """A design named only as what another weapon copies ("a Chinese copy of the AK-47")."""
    return bool(_COPY_OF.search(text[max(0, weapon.start - 40) : weapon.start]))


def _same_item(weapons: list[Entity]) -> list[Entity]:
    """Within one sentence, a category word a model of it is also named with is most likely that
    model again ("the drone … was a Shahed-136"): the model stands for both."""
    implied = {str(w.attributes.get("category")) for w in weapons if w.attributes.get("kind") == "model"}
    return [w for w in weapons if w.attributes.get("kind") == "model" or w.canonical not in implied]


def _in(mentions: list[Entity], start: int, end: int) -> list[Entity]:
    return [m for m in mentions if start <= m.start and m.end <= end]


def _relation(sentence: Sentence, group: Entity, weapon: Entity, decision: Decision, method: str) -> Relation:
    kind: WeaponKind = "model" if weapon.attributes.get("kind") == "model" else "category"
    category = str(weapon.attributes.get("category") or (weapon.canonical if kind == "category" else ""))
    return Relation(
        type=decision.type,  # type: ignore[arg-type]  # the decision table's values are RelationType's
        direction=decision.direction,  # type: ignore[arg-type]
        group=group.canonical,
        weapon=weapon.canonical,
        weapon_kind=kind,
        category=category,
        origin=str(weapon.attributes.get("origin") or ""),
        start=sentence.start,
        end=sentence.end,
        sentence=sentence.text[:MAX_SENTENCE_CHARS],
        group_start=group.start,
        group_end=group.end,
        weapon_start=weapon.start,
        weapon_end=weapon.end,
        cue=decision.cue,
        confidence=decision.confidence,
        method=method,  # type: ignore[arg-type]
    )


def _decision(sentence: Sentence, group: Entity, weapon: Entity, doc: Any | None) -> tuple[Decision | None, str]:
    """The pair's relation and the layer that decided it. The rules decide; the parse, where
    there is one, vetoes a pair it finds in different clauses and adds one the rules missed."""
    if separated(sentence, group, weapon):
        return None, "rules"
    ruled = decide(sentence, group, weapon)
    if doc is None:
        return ruled, "rules"
    parsed = decide_parsed(doc, sentence, group, weapon)
    if ruled is None and isinstance(parsed, Decision):
        return parsed, "parse"
    return ruled, "rules"


def _sentence_relations(sentence: Sentence, doc: Any | None = None) -> list[Relation]:
    relations: list[Relation] = []
    suppliers_by_group: dict[str, Entity] = {}
    decided: list[tuple[Entity, Entity, Decision, str]] = []
    for weapon in sentence.weapons:
        for group in sentence.groups:
            decision, method = _decision(sentence, group, weapon, doc)
            if decision is None:
                continue
            if decision.group_supplies:
                suppliers_by_group[weapon.canonical] = group
            decided.append((group, weapon, decision, method))
    recipients = {weapon.canonical for _, weapon, d, _ in decided if d.direction == "to_group"}
    for group, weapon, decision, method in decided:
        if decision.group_supplies and weapon.canonical in recipients:
            continue  # "supplied by Hezbollah to the Houthis": Hezbollah is the supplier, not a holder
        relation = _relation(sentence, group, weapon, decision, method)
        if relation.type in _SUPPLIED:  # who a weapon was captured from is no supplier
            supplier = suppliers_by_group.get(weapon.canonical)
            if supplier is not None and supplier.canonical != group.canonical:
                relation.supplier, relation.supplier_kind = supplier.canonical, "group"
            else:
                found = supplier_of(sentence, weapon, group)
                if found is not None:
                    relation.supplier, relation.supplier_kind = found
        relations.append(relation)
        if relation.direction == "held":
            relations += _also_supplied(sentence, group, weapon, relation)
    return _deduplicated(relations)


def _also_supplied(sentence: Sentence, group: Entity, weapon: Entity, held: Relation) -> list[Relation]:
    """How a weapon the group holds came to it, told by a participle or a relative clause after
    it: "used AR-15 rifles smuggled from the United States" (a supply, with its supplier), "field
    Grad launchers, captured from the army in 2021", "holds T-55 tanks that its forces seized
    from the Houthis" (a capture)."""
    after = [cue for cue in sentence.cues if cue.start >= sentence.local(weapon.end)]
    if not after or after[0].kind not in ("supply", "take"):
        return []
    gap = sentence.between(weapon.end, sentence.start + after[0].start)
    if len(gap.split()) > 10 or any(weapon.end <= g.start < sentence.start + after[0].start for g in sentence.groups):
        return []
    if after[0].kind == "take":
        return [
            held.model_copy(
                update={
                    "type": "capture_by",
                    "direction": "to_group",
                    "cue": _cue_words(sentence, after[0]),
                    "confidence": 0.65,
                }
            )
        ]
    found = supplier_of(sentence, weapon, group)
    if found is None:
        return []  # without a source named, "smuggled" says little about who supplied the group
    supplied = held.model_copy(
        update={"type": "supply_to", "direction": "to_group", "cue": _cue_words(sentence, after[0]), "confidence": 0.7}
    )
    supplied.supplier, supplied.supplier_kind = found
    return [supplied]


def _cue_words(sentence: Sentence, cue: Match) -> str:
    return sentence.lowered[cue.start : cue.end]


def _deduplicated(relations: list[Relation]) -> list[Relation]:
    """One relation per (group, weapon, type) per sentence: the most confident."""
    best: dict[tuple[str, str, str], Relation] = {}
    for relation in relations:
        key = (relation.group, relation.weapon, relation.type)
        if key not in best or relation.confidence > best[key].confidence:
            best[key] = relation
    return list(best.values())


def _apply_origins(entities: list[Entity], statements: list[OriginStatement]) -> list[Entity]:
    """The mentions with each stated origin applied to the mention it was stated for."""
    stated = {(s.weapon_start, s.weapon_end): s for s in statements}
    applied = []
    for mention in entities:
        statement = stated.get((mention.start, mention.end))
        if statement is not None and mention.label == "WEAPON" and "field" not in mention.attributes:
            attributes: dict[str, Any] = dict(mention.attributes)
            attributes["origin_default"] = attributes.get("origin")
            attributes["origin"] = statement.origin
            attributes["origin_stated"] = True
            mention = mention.model_copy(update={"attributes": attributes})
        applied.append(mention)
    return applied


def extract_relations(text: str, language: str, entities: list[Entity], parse: bool = True) -> RelationResult:
    """Relations and origin statements of `text`, whose entity mentions are `entities`. The
    dependency parse refines the rules when `parse` is on and the configured spaCy pipeline
    (model_layer.use_model) parses `language`."""
    groups, weapons = _named(entities, "ARMED_GROUP"), _weapons(entities, text)
    if not weapons:
        return RelationResult(entities=list(entities))
    countries = _named(entities, "COUNTRY")
    cues = lexicon(language)
    result = RelationResult()
    candidates: list[Sentence] = []
    for start, end in sentence_spans(text):
        in_weapons = _same_item(_in(weapons, start, end))
        if not in_weapons:
            continue
        lowered = text[start:end].lower()
        in_countries = _in(countries, start, end)
        result.origin_statements += origin_statements(
            text, lowered, (start, end), cues.language, in_weapons, in_countries
        )
        in_groups = _in(groups, start, end)
        if not in_groups:
            continue
        sentence = Sentence(
            start, end, text[start:end], lowered, in_groups, in_weapons, in_countries, cues.verb_matches(lowered), cues
        )
        candidates.append(sentence)
    nlp = parser_for(language) if candidates and parse else None
    if nlp is not None:
        result.method = "parse"
        for sentence, doc in parsed(nlp, candidates):
            result.relations += _sentence_relations(sentence, doc)
    else:
        for sentence in candidates:
            result.relations += _sentence_relations(sentence)
    # A document that says where a model was made says it for every mention of the model; a
    # category ("rounds of Serbian origin") may be another lot in another sentence.
    stated = {s.weapon: s.origin for s in result.origin_statements}
    for relation in result.relations:
        if relation.weapon in stated and (
            relation.weapon_kind == "model" or relation.start <= _stated_at(result, relation) < relation.end
        ):
            relation.origin, relation.origin_stated = stated[relation.weapon], True
    result.entities = _apply_origins(entities, result.origin_statements)
    return result


def _stated_at(result: RelationResult, relation: Relation) -> int:
    """Where the document states the origin of the relation's weapon (-1: nowhere)."""
    return next((s.weapon_start for s in result.origin_statements if s.weapon == relation.weapon), -1)
