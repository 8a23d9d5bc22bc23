"""The dependency-parse layer: where the configured spaCy pipeline parses the text's language,
the sentences that hold both a group and a weapon are parsed, and a pair's role and cue are read
from the tree instead of from word order.

The group's role comes from its dependency (nsubj: the subject; nsubjpass: a passive subject;
agent: "by"; poss, compound, amod on the weapon: its owner), the cue from the verb both mentions
hang from, and a pair whose mentions sit in different clauses (a relative or adverbial clause on
one side only) is never linked. The decision table is the rule layer's (rules.py), so both layers
mean the same by each relation type. The rules decide first (on their own they measured better);
the parse decides the pairs they leave open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from extractors.entities import model_layer
from schema.entities import Entity

from .rules import Decision, Sentence, mention_role, negated, owns, table, wielded

_CLAUSES = frozenset({"relcl", "advcl", "ccomp", "xcomp", "acl", "parataxis"})
_SUBJECTS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECTS = frozenset({"nsubjpass", "csubjpass"})
_OWNERS = frozenset({"poss", "compound", "amod", "nmod"})


#: the components a parse needs, in pipeline order (the NER the model layer runs is not among them)
_PARSING = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


def parser_for(language: str) -> Any | None:
    """The configured spaCy pipeline, if it parses `language`: the very one the model layer
    loaded (model_layer.load_pipeline), whose parsing components it left disabled."""
    active = model_layer.active_pipeline(language)
    if active is None or active[1].lang != language or "parser" not in active[1].component_names:
        return None
    return active[1]


def parsed(nlp: Any, sentences: list[Sentence]) -> Iterator[tuple[Sentence, Any]]:
    """Each sentence with its parse: the parsing components run one after another, as a stream."""
    docs: Iterator[Any] = (nlp.make_doc(sentence.text) for sentence in sentences)
    for name in _PARSING:
        if name in nlp.component_names:
            docs = nlp.get_pipe(name).pipe(docs)
    yield from zip(sentences, docs, strict=True)


def _root(doc: Any, sentence: Sentence, mention: Entity) -> Any | None:
    span = doc.char_span(sentence.local(mention.start), sentence.local(mention.end), alignment_mode="expand")
    return span.root if span is not None else None


def _path_up(token: Any, stop: Any) -> list[Any]:
    """The tokens from `token` up to (not including) `stop`, an ancestor of it."""
    path = []
    while token.i != stop.i and token.head.i != token.i:
        path.append(token)
        token = token.head
    return path


def _lowest_common(a: Any, b: Any) -> Any | None:
    """The lowest token both hang from; None when the parser put them in two sentences."""
    above = {a.i, *(t.i for t in a.ancestors)}
    if b.i in above:
        return b
    return next((t for t in b.ancestors if t.i in above), None)


def _through_holder(sentence: Sentence, path: list[Any]) -> bool:
    """The group's clause describes a holder of the weapon: "the cache found in a hideout used by
    Abu Sayyaf contained …"."""
    lexicon = sentence.lexicon
    return any(
        lexicon.caches.fullmatch(token.text.lower()) or lexicon.holders.fullmatch(token.text.lower()) for token in path
    )


def _verb_class(sentence: Sentence, token: Any) -> str | None:
    """The cue class of a verb (or cue noun such as "arsenal"), by its form or its lemma."""
    for form in (
        token.text.lower(),
        token.lemma_.lower(),
        f"{token.text.lower()} {token.nbor(1).text.lower()}" if token.i + 1 < len(token.doc) else "",
    ):
        for match in sentence.lexicon.verb_matches(form) if form else ():
            if match.start == 0:
                return match.kind
    return None


def decide_parsed(doc: Any, sentence: Sentence, group: Entity, weapon: Entity) -> Decision | bool | None:
    """The parse's decision for one pair; False when the parse finds them in different clauses,
    None when it cannot tell (the rule layer's decision stands)."""
    group_token, weapon_token = _root(doc, sentence, group), _root(doc, sentence, weapon)
    if group_token is None or weapon_token is None:
        return None
    common = _lowest_common(group_token, weapon_token)
    if common is None:
        return None
    group_path, weapon_path = _path_up(group_token, common), _path_up(weapon_token, common)
    group_clauses = {t.dep_ for t in group_path} & _CLAUSES
    weapon_clauses = {t.dep_ for t in weapon_path} & _CLAUSES
    if (
        common.i != weapon_token.i
        and group_clauses
        and not weapon_clauses
        and not _through_holder(sentence, group_path)
    ):
        return False  # the group sits in a clause of its own ("the army, which fights the Houthis, received …")
    owner = (group_token.head.i == weapon_token.i and group_token.dep_ in _OWNERS) or owns(sentence, group, weapon)
    # The verb both mentions hang from, else the group's own verb, else the weapon's.
    on_path = [common, *group_path[1:], *weapon_path[1:]]
    verb = next((t for t in on_path if t.pos_ in ("VERB", "AUX") and _verb_class(sentence, t)), None) or next(
        (t for t in on_path if _verb_class(sentence, t)), common
    )
    kind = _verb_class(sentence, verb)
    if kind is not None and (negated(sentence, verb.idx) or any(child.dep_ == "neg" for child in verb.children)):
        return False
    weapon_kinds = mention_role(sentence, weapon)[0]
    if "against" in weapon_kinds or (kind == "strike" and not wielded(sentence, weapon, weapon_kinds)):
        return None  # what was struck, not what struck it
    if kind is None:
        return Decision("possession", "held", "", 0.6) if owner else None
    # The preposition and the holder nouns crossed ("from fighters of al-Shabaab") as the rules
    # read them; the parse says whether the group is the verb's subject and whether it is passive.
    preps, crossed, _ = mention_role(sentence, group)
    dep = group_token.dep_
    if dep == "agent" or (group_token.head.dep_ == "agent" and dep in ("compound", "amod")):
        preps = preps | {"by"}
    subject = dep in _SUBJECTS or dep in _PASSIVE_SUBJECTS
    passive = dep in _PASSIVE_SUBJECTS or any(child.dep_ == "auxpass" for child in verb.children)
    decided = table(kind, preps, subject and not preps, passive, owner, crossed)
    if decided is None:
        return None
    type_, direction, confidence, supplies = decided
    return Decision(
        type_,
        direction,
        f"{verb.text} {' '.join(sorted(preps))}".strip(),
        round(min(1.0, confidence + 0.05), 2),
        supplies,
    )
