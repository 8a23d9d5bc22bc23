"""Documents for the arsenal tests, written as the crawler stores them: a text of sentences, the
entity mentions the gazetteer would find there (with its attributes), the document-level sets,
the sentence relations the relation extractor returns, and the capture the text came from.

`article(...)` takes sentences that are either `Said` (the group and a weapon tied in a relation)
or `Named` (a weapon merely mentioned: document co-occurrence) or plain text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from extractors.entities.gazetteer import all_records
from schema.document import Capture, Document, PageSpan
from schema.entities import Entity
from schema.relations import Direction, Relation, RelationType, SupplierKind

GROUP = "Houthis"


@cache
def gazetteer_attributes(label: str, canonical: str) -> dict[str, Any]:
    for record in all_records():
        if record.entry.label == label and record.entry.canonical == canonical:
            return {key: value for key, value in record.entry.attributes.items() if value is not None}
    raise KeyError(f"the gazetteer knows no {label} {canonical!r}")


@dataclass(frozen=True)
class Said:
    """A sentence tying `group` to `weapon` (canonical; `surface` as written, in `text`)."""

    text: str
    weapon: str
    surface: str
    type: RelationType = "possession"
    direction: Direction = "held"
    origin: str = ""  # stated in the text; "" for the gazetteer's
    supplier: str = ""
    supplier_kind: SupplierKind = ""
    group: str = GROUP
    group_surface: str = GROUP


@dataclass(frozen=True)
class Named:
    """A sentence naming `weapon` (and perhaps the group) with no relation between them."""

    text: str
    weapon: str
    surface: str
    origin: str = ""  # an origin the text states for this mention


def _mention(text: str, at: int, surface: str, label: str, canonical: str, **more: Any) -> Entity:
    start = text.index(surface, at)
    attributes = gazetteer_attributes(label, canonical) if label == "WEAPON" else {}
    return Entity(
        label=label,
        text=surface,
        start=start,
        end=start + len(surface),
        canonical=canonical,
        attributes={**attributes, **more},
    )


def article(
    slug: str,
    sentences: list[Said | Named | str],
    *,
    published: datetime | None,
    title: str = "",
    source_id: str = "monitor",
    fetched: datetime = datetime(2024, 7, 1, 9, 0, tzinfo=UTC),
    groups: tuple[str, ...] = (GROUP,),
    page_break_before: int | None = None,
) -> Document:
    """A document of `sentences`; `groups` are named by the text whatever its relations (its
    armed_groups); `page_break_before`: the sentence page two starts with (a PDF)."""
    starts: list[int] = []
    text = ""
    for sentence in sentences:
        text += " " if text else ""
        starts.append(len(text))
        text += sentence if isinstance(sentence, str) else sentence.text
    entities: list[Entity] = []
    relations: list[Relation] = []
    for start, sentence in zip(starts, sentences, strict=True):
        if isinstance(sentence, Named):
            stated = {"origin": sentence.origin, "origin_stated": True} if sentence.origin else {}
            entities.append(_mention(text, start, sentence.surface, "WEAPON", sentence.weapon, **stated))
        elif isinstance(sentence, Said):
            group = _mention(text, start, sentence.group_surface, "ARMED_GROUP", sentence.group)
            stated = {"origin": sentence.origin, "origin_stated": True} if sentence.origin else {}
            weapon = _mention(text, start, sentence.surface, "WEAPON", sentence.weapon, **stated)
            entities += [group, weapon]
            attributes = weapon.attributes
            relations.append(
                Relation(
                    type=sentence.type,
                    direction=sentence.direction,
                    group=sentence.group,
                    weapon=sentence.weapon,
                    weapon_kind=attributes["kind"],
                    category=attributes.get("category", ""),
                    origin=attributes.get("origin", ""),
                    origin_stated=bool(sentence.origin),
                    supplier=sentence.supplier,
                    supplier_kind=sentence.supplier_kind,
                    start=start,
                    end=start + len(sentence.text),
                    sentence=sentence.text,
                    group_start=group.start,
                    group_end=group.end,
                    weapon_start=weapon.start,
                    weapon_end=weapon.end,
                    cue="armed with",
                    confidence=0.9,
                )
            )
    weapons = [entity for entity in entities if entity.label == "WEAPON"]
    url = f"https://monitor.example.org/{slug}"
    pages = []
    if page_break_before is not None:
        split = starts[page_break_before]
        pages = [PageSpan(page=1, start=0, end=split), PageSpan(page=2, start=split, end=len(text))]
    return Document.new(
        url,
        title=title or slug.replace("-", " ").capitalize(),
        text=text,
        source_id=source_id,
        language="en",
        published=published,
        fetched=fetched,
        pages=pages,
        kind="document" if pages else "page",
        capture=Capture(
            warc="OSINT-20240701090000000000-1-00001.warc.gz",
            offset=0,
            length=len(text),
            record_id=f"<urn:uuid:{hashlib.md5(url.encode()).hexdigest()}>",
            payload_sha256=hashlib.sha256(text.encode()).hexdigest(),
            fetched_at=fetched,
            url=url,
            status=200,
        ),
        entities=entities,
        relations=relations,
        armed_groups=sorted({*groups, *(relation.group for relation in relations)}),
        weapons=sorted({w.canonical for w in weapons if w.attributes.get("kind") == "model"}),
        weapon_categories=sorted({w.canonical for w in weapons if w.attributes.get("kind") == "category"}),
        weapon_origins=sorted({str(w.attributes["origin"]) for w in weapons if w.attributes.get("origin")}),
    ).with_hash()


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 8, 0, tzinfo=UTC)
