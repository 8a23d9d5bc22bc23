"""What arsenal profiles read of the index (`iter_links`), on every backend: documents carry their
relations and origin statements whole, and `iter_links` gives `Document.linked()` of exactly the
matching documents that link an armed group to a weapon, in `iter_matching` order, through
filters, updates and deletes. The embedded index keeps these in a `links` table, filled for an
index written before it existed."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from index.backend import IndexBackend
from index.query import parse_query
from index.sqlite.backend import SqliteBackend
from index.sqlite.schema import MAPPING_VERSION
from schema.document import Capture, Document, PageSpan
from schema.entities import Entity
from schema.relations import LinkedDocument, OriginStatement, Relation


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=UTC)


def _mention(text: str, phrase: str, label: str, canonical: str, **fields: object) -> Entity:
    start = text.index(phrase)
    return Entity(label=label, text=phrase, start=start, end=start + len(phrase), canonical=canonical, **fields)


def _weapon(text: str, phrase: str, canonical: str, kind: str, category: str, origin: str = "") -> Entity:
    attributes = {"kind": kind, "category": category, "origin": origin}
    return _mention(text, phrase, "WEAPON", canonical, attributes=attributes)


def _relation(text: str, sentence: str, group: tuple[str, str], weapon: tuple[str, str], **fields: object) -> Relation:
    """A relation of `group` (phrase, canonical) and `weapon` (phrase, canonical) in `sentence`."""
    start = text.index(sentence)
    group_start = text.index(group[0], start)
    weapon_start = text.index(weapon[0], start)
    fields.setdefault("type", "seizure_from")
    fields.setdefault("direction", "from_group")
    fields.setdefault("weapon_kind", "model")
    fields.setdefault("confidence", 0.9)
    return Relation(
        group=group[1],
        weapon=weapon[1],
        start=start,
        end=start + len(sentence),
        sentence=sentence,
        group_start=group_start,
        group_end=group_start + len(group[0]),
        weapon_start=weapon_start,
        weapon_end=weapon_start + len(weapon[0]),
        **fields,
    )


RAID_TEXT = (
    "Soldiers raided a farm near Kismayo on Sunday. They seized two AK-47 rifles and an RPG-7 launcher "
    "from al-Shabaab fighters. Officers said the rifles were made in China."
)
REPORT_TEXT = (
    "Page one surveys the routes across the Sahel. "
    "On page two: JNIM fighters were armed with Type 56 rifles. "
    "Page three: a shipment of mortars was delivered to JNIM by a trader."
)
FORUM_TEXT = "Someone claims al-Shabaab sells rifles in the market, no photos."
STATEMENT_TEXT = "The ministry said al-Shabaab had lost ground and two mortars in the south."
CATALOGUE_TEXT = "The catalogue lists the RPG-7 launcher and AK-47 rifles on offer."
RUMOUR_TEXT = "A post says al-Shabaab keeps a Kalashnikov cache, naming no maker."


def _doc(name: str, text: str, **fields: object) -> Document:
    fields.setdefault("source_id", "coastwatch")
    fields.setdefault("language", "en")
    return Document.new(f"https://news.example.org/links/{name}", text=text, **fields).with_hash()


LINK_DOCUMENTS: dict[str, Document] = {
    # two relations, an origin statement, a model mention that profiles ignore, a capture
    "raid": _doc(
        "raid",
        RAID_TEXT,
        title="Rifles and a launcher seized near Kismayo",
        published=_at(2024, 5, 2),
        armed_groups=["Al-Shabaab"],
        weapons=["AK-47", "RPG-7"],
        countries=["SO"],
        entities=[
            _mention(RAID_TEXT, "al-Shabaab", "ARMED_GROUP", "Al-Shabaab"),
            _weapon(RAID_TEXT, "AK-47", "AK-47", "model", "assault rifle", "RU"),
            _weapon(RAID_TEXT, "RPG-7", "RPG-7", "model", "rocket launcher", "RU"),
            _mention(RAID_TEXT, "launcher", "WEAPON", "launcher", origin="model"),
            _mention(RAID_TEXT, "China", "COUNTRY", "CN"),
        ],
        relations=[
            _relation(
                RAID_TEXT,
                "They seized two AK-47 rifles and an RPG-7 launcher from al-Shabaab fighters.",
                ("al-Shabaab", "Al-Shabaab"),
                (weapon, weapon),
                category=category,
                origin=origin,
                origin_stated=stated,
                cue="seized from",
            )
            for weapon, category, origin, stated in (
                ("AK-47", "assault rifle", "CN", True),
                ("RPG-7", "rocket launcher", "RU", False),
            )
        ],
        origin_statements=[
            OriginStatement(
                weapon="AK-47",
                weapon_start=RAID_TEXT.index("AK-47"),
                weapon_end=RAID_TEXT.index("AK-47") + 5,
                origin="CN",
                default_origin="RU",
                cue="made_in",
                start=RAID_TEXT.index("Officers"),
                end=len(RAID_TEXT),
                sentence="Officers said the rifles were made in China.",
            )
        ],
        capture=Capture(
            warc="OSINT-20240502090000000000-1-00001.warc.gz",
            offset=64,
            length=4096,
            record_id="<urn:uuid:7d1c5e2a-0000-4000-8000-000000000001>",
            payload_sha256="9f" * 32,
            fetched_at=_at(2024, 5, 2),
            url="https://news.example.org/links/raid",
            status=200,
        ),
    ),
    # a paginated report: each relation cites its page; a supplier; a category weapon
    "report": _doc(
        "report",
        REPORT_TEXT,
        source_id="ngo-reports",
        kind="document",
        title="Arms on the Sahel routes",
        published=_at(2023, 9, 10),
        armed_groups=["JNIM"],
        weapons=["Type 56"],
        weapon_categories=["mortar"],
        pages=[
            PageSpan(page=1, start=0, end=REPORT_TEXT.index("On page two")),
            PageSpan(page=2, start=REPORT_TEXT.index("On page two"), end=REPORT_TEXT.index("Page three")),
            PageSpan(page=3, start=REPORT_TEXT.index("Page three"), end=len(REPORT_TEXT)),
        ],
        entities=[
            _mention(REPORT_TEXT, "JNIM", "ARMED_GROUP", "JNIM"),
            _weapon(REPORT_TEXT, "Type 56", "Type 56", "model", "assault rifle", "CN"),
            _weapon(REPORT_TEXT, "mortars", "mortar", "category", ""),
        ],
        relations=[
            _relation(
                REPORT_TEXT,
                "On page two: JNIM fighters were armed with Type 56 rifles.",
                ("JNIM", "JNIM"),
                ("Type 56", "Type 56"),
                type="possession",
                direction="held",
                category="assault rifle",
                origin="CN",
                cue="armed with",
            ),
            _relation(
                REPORT_TEXT,
                "Page three: a shipment of mortars was delivered to JNIM by a trader.",
                ("JNIM", "JNIM"),
                ("mortars", "mortar"),
                type="supply_to",
                direction="to_group",
                weapon_kind="category",
                category="mortar",
                supplier="a trader",
                supplier_kind="company",
                cue="delivered to",
                confidence=0.6,
            ),
        ],
    ),
    # a group and a weapon in one undated document, but no sentence links them
    "forum": _doc(
        "forum",
        FORUM_TEXT,
        source_id="forum-arms",
        title="Market rumours",
        armed_groups=["Al-Shabaab"],
        weapon_categories=["rifle"],
        entities=[
            _mention(FORUM_TEXT, "al-Shabaab", "ARMED_GROUP", "Al-Shabaab"),
            _weapon(FORUM_TEXT, "rifles", "rifle", "category", "rifle"),
        ],
    ),
    # a group with no weapon (the extractor missed the mortars): nothing for a profile
    "statement": _doc(
        "statement",
        STATEMENT_TEXT,
        title="Ministry statement",
        published=_at(2024, 1, 15),
        armed_groups=["Al-Shabaab"],
        entities=[_mention(STATEMENT_TEXT, "al-Shabaab", "ARMED_GROUP", "Al-Shabaab")],
    ),
    # weapons with no group: nothing for a profile
    "catalogue": _doc(
        "catalogue",
        CATALOGUE_TEXT,
        title="Catalogue",
        published=_at(2024, 2, 1),
        weapons=["AK-47", "RPG-7"],
        entities=[
            _weapon(CATALOGUE_TEXT, "RPG-7", "RPG-7", "model", "rocket launcher", "RU"),
            _weapon(CATALOGUE_TEXT, "AK-47", "AK-47", "model", "assault rifle", "RU"),
        ],
    ),
    # a group and only a statistical model's weapon guess: profiles read gazetteer weapons only
    "rumour": _doc(
        "rumour",
        RUMOUR_TEXT,
        title="A cache, says a post",
        published=_at(2024, 3, 3),
        armed_groups=["Al-Shabaab"],
        entities=[
            _mention(RUMOUR_TEXT, "al-Shabaab", "ARMED_GROUP", "Al-Shabaab"),
            _mention(RUMOUR_TEXT, "Kalashnikov", "PRODUCT", "Kalashnikov", origin="model"),
        ],
    ),
}
NAMES = {document.id: name for name, document in LINK_DOCUMENTS.items()}


def _names(links: list[LinkedDocument]) -> list[str]:
    return [NAMES[linked.id] for linked in links]


def _expected(backend: IndexBackend, text: str) -> list[LinkedDocument]:
    """What a profile reads, worked out from the whole documents: linked() of each matching
    document with an armed group and a gazetteer weapon mention (or a relation)."""
    return [
        document.linked()
        for document in backend.iter_matching(parse_query(text))
        if document.armed_groups
        and (any(e.label == "WEAPON" and e.origin == "gazetteer" for e in document.entities) or document.relations)
    ]


@pytest.fixture
def linked(backend: IndexBackend) -> IndexBackend:
    result = backend.upsert(LINK_DOCUMENTS.values())
    assert result.failures == [] and result.indexed == len(LINK_DOCUMENTS)
    backend.refresh()
    return backend


def test_relations_and_origin_statements_round_trip(linked: IndexBackend) -> None:
    for document in LINK_DOCUMENTS.values():
        assert linked.get(document.id) == document
    assert linked.get(LINK_DOCUMENTS["report"].id).relations[1].supplier == "a trader"


def test_links_are_what_documents_give_a_profile(linked: IndexBackend) -> None:
    links = list(linked.iter_links(parse_query("")))
    assert _names(links) == ["raid", "report", "forum"]  # newest first, undated last
    raid, report, forum = links
    assert raid == LINK_DOCUMENTS["raid"].linked()
    assert raid.capture_sha256 == "9f" * 32 and raid.origin_statements[0].origin == "CN"
    assert [(w.weapon, w.origin) for w in raid.weapons] == [("AK-47", "RU"), ("RPG-7", "RU")]  # no model guess
    assert report.relation_pages == [2, 3] and report.relations[1].supplier_kind == "company"
    assert forum.relations == [] and [w.weapon for w in forum.weapons] == ["rifle"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("", ["raid", "report", "forum"]),
        ('group:"Al-Shabaab"', ["raid", "forum"]),
        ("group:jnim", ["report"]),
        ("source:ngo-reports", ["report"]),
        ("since:2024", ["raid"]),
        ("until:2023-12-31", ["report"]),
        ("since:2023-06 until:2024-06", ["raid", "report"]),
        ("rifles", ["raid", "report", "forum"]),
        ("weapon:AK-47", ["raid"]),  # the catalogue matches too, with no group
        ("-group:jnim", ["raid", "forum"]),
        ("zeppelin", []),
    ],
)
def test_iter_links_is_the_linked_matching_documents(linked: IndexBackend, text: str, names: list[str]) -> None:
    expected = _expected(linked, text)
    assert _names(expected) == names
    assert list(linked.iter_links(parse_query(text))) == expected
    assert list(linked.iter_links(parse_query(text), batch_size=1)) == expected
    assert list(IndexBackend.iter_links(linked, parse_query(text))) == expected  # the default agrees


def test_iter_links_honours_ids(linked: IndexBackend) -> None:
    some = [LINK_DOCUMENTS[name].id for name in ("forum", "statement", "raid")]
    query = parse_query("").model_copy(update={"ids": some})
    assert _names(list(linked.iter_links(query, batch_size=2))) == ["raid", "forum"]


def test_a_document_upserted_again_gives_its_new_links(linked: IndexBackend) -> None:
    raid, forum, statement = (LINK_DOCUMENTS[name] for name in ("raid", "forum", "statement"))
    changed = raid.model_copy(update={"relations": raid.relations[1:], "origin_statements": []})
    statement_with_weapon = statement.model_copy(
        update={
            "entities": [
                *statement.entities,
                _weapon(STATEMENT_TEXT, "mortars", "mortar", "category", "mortar"),
            ]
        }
    )
    forum_without_group = forum.model_copy(update={"armed_groups": []})
    assert linked.upsert([changed, statement_with_weapon, forum_without_group]).indexed == 3
    linked.refresh()
    links = list(linked.iter_links(parse_query("")))
    assert _names(links) == ["raid", "statement", "report"]
    assert links[0] == changed.linked() and [r.weapon for r in links[0].relations] == ["RPG-7"]
    assert links[1] == statement_with_weapon.linked()
    assert links == _expected(linked, "")


def test_deleted_documents_give_no_links(linked: IndexBackend) -> None:
    assert linked.delete([LINK_DOCUMENTS["raid"].id, LINK_DOCUMENTS["catalogue"].id]) == 2
    linked.refresh()
    assert _names(list(linked.iter_links(parse_query("")))) == ["report", "forum"]


def _stored_links(path: Path) -> int:
    connection = sqlite3.connect(path)
    count: int = connection.execute("SELECT count(*) FROM links").fetchone()[0]
    connection.close()
    return count


def test_embedded_links_rows_come_and_go_with_their_documents(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteBackend(path) as backend:
        backend.upsert(LINK_DOCUMENTS.values())
        assert _stored_links(path) == 3  # only the documents a profile can use have a row
        forum = LINK_DOCUMENTS["forum"]
        backend.upsert([forum.model_copy(update={"armed_groups": []})])
        assert _stored_links(path) == 2
        backend.delete([LINK_DOCUMENTS["raid"].id, LINK_DOCUMENTS["catalogue"].id])
        assert _stored_links(path) == 1


def test_an_embedded_index_written_before_links_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteBackend(path) as backend:
        backend.upsert(LINK_DOCUMENTS.values())
    # the file as the previous release left it: the same tables but `links`, at version 2
    old = sqlite3.connect(path)
    old.execute("DROP TABLE links")
    old.execute("UPDATE schema_versions SET version = 2 WHERE store = 'index'")
    old.execute("PRAGMA user_version = 2")
    old.commit()
    old.close()
    with SqliteBackend(path) as backend:
        assert backend.status().mapping_version == MAPPING_VERSION == 3
        assert _names(list(backend.iter_links(parse_query("")))) == ["raid", "report", "forum"]
        assert list(backend.iter_links(parse_query(""))) == _expected(backend, "")
    assert _stored_links(path) == 3
