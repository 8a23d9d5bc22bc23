"""Documents for the arsenal profile pages, built as the crawler stores them: the text, the entity
mentions the gazetteer finds (with its attributes), the document-level sets, the sentence
relations the relation extractor returns and the capture the text came from. One group (the
Houthis) is reported with weapons in sentences, in mere co-occurrence and in a hostile page;
another group's document must stay out of its profile."""

from __future__ import annotations

import functools
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from extractors.entities.gazetteer import all_records
from schema.document import Capture, Document, PageSpan
from schema.entities import Entity
from schema.relations import Direction, Relation, RelationType, SupplierKind

GROUP = "Houthis"
OTHER_GROUP = "al-Shabaab"
HOSTILE_SENTENCE = (
    "Houthis <script>alert('sentence')</script> were armed with AK-47 rifles <img src=x onerror=alert(2)>."
)
HOSTILE_TITLE = "Arms <script>alert('title')</script> report"
HOSTILE_URL = "javascript:alert('url')"


@functools.cache
def _gazetteer() -> dict[tuple[str, str], dict[str, Any]]:
    """(label, canonical) -> the gazetteer's attributes, read once."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for record in all_records():
        entry = record.entry
        attributes = {key: value for key, value in entry.attributes.items() if value is not None}
        entries.setdefault((entry.label, entry.canonical), attributes)
    return entries


def _gazetteer_attributes(label: str, canonical: str) -> dict[str, Any]:
    return dict(_gazetteer()[label, canonical])


@dataclass(frozen=True)
class Said:
    """One sentence linking the group and a weapon (`weapon_surface` as written, `weapon` canonical)."""

    text: str
    weapon: str
    weapon_surface: str
    type: RelationType = "possession"
    direction: Direction = "held"
    cue: str = ""
    origin: str = ""  # stated in the text; the gazetteer's when ""
    supplier: str = ""
    supplier_kind: SupplierKind = ""
    group: str = GROUP
    group_surface: str = GROUP


@dataclass
class _Text:
    parts: list[str] = field(default_factory=list)

    @property
    def end(self) -> int:
        return sum(len(part) for part in self.parts)

    def add(self, sentence: str) -> int:
        if self.parts:
            self.parts.append(" ")
        start = self.end
        self.parts.append(sentence)
        return start


def _mention(text: str, at: int, surface: str, label: str, canonical: str) -> Entity:
    start = text.index(surface, at)
    return Entity(
        label=label,
        text=surface,
        start=start,
        end=start + len(surface),
        canonical=canonical,
        attributes=_gazetteer_attributes(label, canonical),
    )


def arsenal_document(
    url: str,
    title: str,
    sentences: list[Said | str],
    *,
    named: tuple[tuple[str, str, str], ...] = (),
    published: datetime | None,
    source_id: str = "monitor",
    fetched: datetime = datetime(2024, 7, 1, 9, 0, tzinfo=UTC),
    page_break_before: int | None = None,
) -> Document:
    """A document of `sentences` (relations, mere mentions, plain text), with its entities, sets,
    relations and a capture. `named`: more mentions (label, surface, canonical) outside any relation
    (document co-occurrence). `page_break_before`: the index of the sentence page two starts with."""
    text = _Text()
    starts: list[int] = []
    for sentence in sentences:
        starts.append(text.add(sentence if isinstance(sentence, str) else sentence.text))
    body = "".join(text.parts)
    entities = [_mention(body, 0, surface, label, canonical) for label, surface, canonical in named]
    relations: list[Relation] = []
    for start, sentence in zip(starts, sentences, strict=True):
        if isinstance(sentence, Said):
            group = _mention(body, start, sentence.group_surface, "ARMED_GROUP", sentence.group)
            weapon = _mention(body, start, sentence.weapon_surface, "WEAPON", sentence.weapon)
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
                    origin=sentence.origin or attributes.get("origin", ""),
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
                    cue=sentence.cue,
                    confidence=0.9,
                )
            )
    weapons = [entity for entity in entities if entity.label == "WEAPON"]
    pages = []
    if page_break_before is not None:
        split = starts[page_break_before]
        pages = [PageSpan(page=1, start=0, end=split), PageSpan(page=2, start=split, end=len(body))]
    return Document.new(
        url,
        title=title,
        text=body,
        source_id=source_id,
        language="en",
        published=published,
        fetched=fetched,
        pages=pages,
        kind="document" if pages else "page",
        capture=Capture(
            warc="OSINT-20240701090000000000-1-00001.warc.gz",
            offset=0,
            length=len(body),
            record_id=f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>",
            payload_sha256=hashlib.sha256(body.encode()).hexdigest(),
            fetched_at=fetched,
            url=url,
            status=200,
        ),
        entities=entities,
        relations=relations,
        armed_groups=sorted({entity.canonical for entity in entities if entity.label == "ARMED_GROUP"}),
        weapons=sorted({w.canonical for w in weapons if w.attributes.get("kind") == "model"}),
        weapon_categories=sorted({w.canonical for w in weapons if w.attributes.get("kind") == "category"}),
        weapon_categories_implied=sorted(
            {str(w.attributes.get("category")) for w in weapons if w.attributes.get("kind") == "model"}
        ),
        weapon_origins=sorted({str(w.attributes["origin"]) for w in weapons if w.attributes.get("origin")}),
    ).with_hash()


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 8, 0, tzinfo=UTC)


KORNET_SENTENCE = "Houthi fighters fired a 9M133 Kornet at the convoy near Marib."
SUPPLY_SENTENCE = "Type 56 rifles were shipped from Iran to the Houthis by sea."
BURKAN_SENTENCE = "The Houthis launched a Burkan-2H missile at the airport."

KORNET_REPORT = arsenal_document(
    "https://monitor.example.org/reports/kornet-marib",
    "Convoy attacked near Marib",
    [
        Said(KORNET_SENTENCE, "9M133 Kornet", "9M133 Kornet", type="use", cue="fired", group_surface="Houthi"),
        Said(
            SUPPLY_SENTENCE,
            "Type 56",
            "Type 56",
            type="supply_to",
            direction="to_group",
            cue="shipped from",
            supplier="IR",
            supplier_kind="country",
        ),
    ],
    published=_at(2024, 1, 10),
)
BURKAN_LETTER = arsenal_document(
    "https://panel.example.org/letters/burkan.pdf",
    "Panel letter on missile debris",
    [
        "The panel examined the debris recovered after the strike.",
        Said(BURKAN_SENTENCE, "Burkan-2H", "Burkan-2H", type="use", cue="launched"),
    ],
    published=_at(2024, 6, 2),
    source_id="panel",
    page_break_before=1,
)
COOCCURRING_ONLY = arsenal_document(
    "https://wire.example.net/2024/06/market",
    "Weapons market report",
    [
        "Traders in the market said the Houthis control the port.",
        "AK-47 rifles were on sale at every stall.",
    ],
    named=(("ARMED_GROUP", "Houthis", GROUP), ("WEAPON", "AK-47", "AK-47")),
    published=_at(2024, 6, 20),
    source_id="wire",
)
HOSTILE_PAGE = arsenal_document(
    "https://hostile.example.com/arms",
    HOSTILE_TITLE,
    [Said(HOSTILE_SENTENCE, "AK-47", "AK-47", cue="armed with")],
    published=_at(2024, 6, 25),
    source_id="hostile",
).model_copy(update={"url": HOSTILE_URL})
OTHER_GROUPS_REPORT = arsenal_document(
    "https://monitor.example.org/reports/shabaab",
    "Seizure in Somalia",
    [
        Said(
            "Troops seized RPG-7 launchers from al-Shabaab.",
            "RPG-7",
            "RPG-7",
            type="seizure_from",
            group=OTHER_GROUP,
            group_surface=OTHER_GROUP,
        )
    ],
    published=_at(2024, 3, 3),
)

ALL = [KORNET_REPORT, BURKAN_LETTER, COOCCURRING_ONLY, HOSTILE_PAGE, OTHER_GROUPS_REPORT]


def kornet_reports(count: int, group: str = "Hezbollah") -> list[Document]:
    """`count` documents, each with one sentence linking `group` to the Kornet: more evidence than
    one page holds."""
    return [
        arsenal_document(
            f"https://monitor.example.org/daily/{number}",
            f"Daily report {number}",
            [
                Said(
                    f"{group} fired a 9M133 Kornet at outpost {number}.",
                    "9M133 Kornet",
                    "9M133 Kornet",
                    type="use",
                    group=group,
                    group_surface=group,
                )
            ],
            published=datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=number),
        )
        for number in range(1, count + 1)
    ]
