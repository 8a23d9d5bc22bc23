"""Arsenal profiles over a real embedded index: what counts, how often, at which strength, from
where and since when, and the evidence behind each number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from arsenal.profile import ArsenalProfile, ProfileRequest, WeaponRow, build_profile, evidence, profile_json
from index.backend import IndexBackend
from index.sqlite.backend import SqliteBackend
from schema.document import Document
from tests.arsenal.documents import GROUP, Named, Said, article, at

KORNET = "9M133 Kornet"


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[SqliteBackend]:
    with SqliteBackend(str(tmp_path / "index.sqlite3")) as store:
        yield store


def profile(backend: IndexBackend, *documents: Document, **request: object) -> ArsenalProfile:
    if documents:
        assert backend.upsert(documents).indexed == len(documents)
    return build_profile(backend, ProfileRequest(group=GROUP, **request))  # type: ignore[arg-type]


def row(result: ArsenalProfile, weapon: str) -> WeaponRow:
    return next(item for item in result.weapons if item.weapon == weapon)


def test_a_sentence_relation_and_a_mere_mention_are_counted_apart(backend):
    result = profile(
        backend,
        article(
            "kornet-and-rifles",
            [
                Said("Houthi fighters fired a Kornet at the convoy.", KORNET, "Kornet", "use", group_surface="Houthi"),
                Named("Elsewhere in the city, AK-47 rifles were on sale.", "AK-47", "AK-47"),
            ],
            published=at(2024, 3, 1),
        ),
        article(
            "only-mentions",
            ["The Houthis held the port.", Named("RPG-7 launchers were seen in the market.", "RPG-7", "RPG-7")],
            published=at(2024, 4, 1),
        ),
    )
    assert (result.documents, result.cooccurrence_documents) == (1, 1)
    kornet, rifle, launcher = row(result, KORNET), row(result, "AK-47"), row(result, "RPG-7")
    assert (kornet.documents, kornet.cooccurrence_documents, kornet.relation_types) == (1, 0, {"use": 1})
    assert (rifle.documents, rifle.cooccurrence_documents, rifle.relation_types) == (0, 1, {})
    assert (launcher.documents, launcher.cooccurrence_documents) == (0, 1)
    assert result.weapons[0].weapon == KORNET  # sentence links first
    origins = {origin.key: (origin.documents, origin.cooccurrence_documents) for origin in result.origins}
    assert origins == {"RU": (1, 1)}  # one document each way: the sentence link wins in the first


def test_each_document_counts_once_per_weapon_origin_and_type(backend):
    said_twice = article(
        "twice",
        [
            Said("The Houthis fired a Kornet missile.", KORNET, "Kornet", "use"),
            Said("The Houthis fired another Kornet at dawn.", KORNET, "Kornet", "use"),
            Said("The Houthis kept Kornet launchers in a depot.", KORNET, "Kornet", "possession"),
            Named("A Kornet was also displayed in a parade.", KORNET, "Kornet"),
        ],
        published=at(2024, 3, 1),
    )
    result = profile(backend, said_twice)
    kornet = row(result, KORNET)
    assert (kornet.documents, kornet.cooccurrence_documents) == (1, 0)  # named too: still one sentence document
    assert kornet.relation_types == {"possession": 1, "use": 1}
    assert kornet.origin_documents == {"RU": 1}
    assert [(origin.key, origin.documents) for origin in result.origins] == [("RU", 1)]
    found, total = evidence(backend, ProfileRequest(group=GROUP), weapon=KORNET)
    assert total == 3 and {item.doc_id for item in found} == {said_twice.id}  # three sentences, one document


def test_another_groups_relation_is_only_a_cooccurrence_for_this_group(backend):
    result = profile(
        backend,
        article(
            "two-groups",
            [
                Said(
                    "Hezbollah units were armed with Kornet missiles.",
                    KORNET,
                    "Kornet",
                    group="Hezbollah",
                    group_surface="Hezbollah",
                ),
                "The Houthis were mentioned in passing.",
            ],
            published=at(2024, 3, 1),
        ),
        article(
            "hezbollah-only",
            [
                Said(
                    "Hezbollah units fired RPG-7 rockets.",
                    "RPG-7",
                    "RPG-7",
                    group="Hezbollah",
                    group_surface="Hezbollah",
                )
            ],
            published=at(2024, 3, 2),
            groups=("Hezbollah",),
        ),
    )
    assert [(item.weapon, item.documents, item.cooccurrence_documents) for item in result.weapons] == [(KORNET, 0, 1)]
    assert (result.documents, result.cooccurrence_documents) == (0, 1)


def test_direction_seized_from_the_group_still_counts_and_only_incoming_suppliers_supply(backend):
    result = profile(
        backend,
        article(
            "seized",
            [
                Said(
                    "Coalition forces seized AK-47 rifles from the Houthis, the army said.",
                    "AK-47",
                    "AK-47",
                    "seizure_from",
                    "from_group",
                    supplier="SA",
                    supplier_kind="country",
                )
            ],
            published=at(2024, 1, 5),
        ),
        article(
            "shipped",
            [
                Said(
                    "Type 56 rifles were shipped from Iran to the Houthis.",
                    "Type 56",
                    "Type 56",
                    "supply_to",
                    "to_group",
                    supplier="IR",
                    supplier_kind="country",
                )
            ],
            published=at(2024, 2, 5),
        ),
        article(
            "captured",
            [
                Said(
                    "The Houthis captured AK-47 rifles from a government depot.",
                    "AK-47",
                    "AK-47",
                    "capture_by",
                    "to_group",
                )
            ],
            published=at(2024, 3, 5),
        ),
    )
    rifle = row(result, "AK-47")
    assert rifle.documents == 2
    assert rifle.relation_types == {"capture_by": 1, "seizure_from": 1}
    assert rifle.directions == {"from_group": 1, "to_group": 1}
    assert rifle.suppliers == []  # the weapon left the group: SA supplied nothing to it
    assert [(item.key, item.kind, item.weapons) for item in result.suppliers] == [("IR", "country", ["Type 56"])]
    assert [(route.supplier, route.weapon, route.documents, route.relation_types) for route in result.routes] == [
        ("IR", "Type 56", 1, {"supply_to": 1})
    ]


def test_a_stated_origin_overrides_the_gazetteers_in_its_document_only(backend):
    result = profile(
        backend,
        article(
            "stated",
            [
                Said("The Houthis were armed with AK-47 rifles.", "AK-47", "AK-47"),
                Said("The Houthis used AK-47 rifles made in China.", "AK-47", "AK-47", "use", origin="CN"),
            ],
            published=at(2024, 1, 1),
        ),
        article(
            "default",
            [Said("The Houthis were armed with AK-47 rifles.", "AK-47", "AK-47")],
            published=at(2024, 2, 1),
        ),
        article(
            "mentioned-stated",
            [
                "The Houthis paraded in Sanaa.",
                Named("RPG-7 launchers were on show.", "RPG-7", "RPG-7"),
                Named("Bulgarian-made RPG-7 launchers too.", "RPG-7", "RPG-7", origin="BG"),
            ],
            published=at(2024, 3, 1),
        ),
    )
    rifle, launcher = row(result, "AK-47"), row(result, "RPG-7")
    assert rifle.origin_documents == {"CN": 1, "RU": 1}  # RU from the second document only
    assert set(rifle.origins) == {"CN", "RU"}
    assert launcher.origins == ["BG"] and launcher.origin_cooccurrence_documents == {"BG": 1}
    found, total = evidence(backend, ProfileRequest(group=GROUP), weapon="AK-47", origin="RU")
    assert total == 1 and found[0].url.endswith("/default")  # the overridden sentence is no RU evidence
    found, total = evidence(backend, ProfileRequest(group=GROUP), origin="BG")
    assert total == 1 and (found[0].strength, found[0].origin_stated, found[0].sentence) == ("cooccurrence", True, "")


def test_a_category_named_beside_one_of_its_models_adds_no_cooccurrence(backend):
    result = profile(
        backend,
        article(
            "rifles",
            [
                Said("The Houthis were armed with Type 56 rifles.", "Type 56", "Type 56"),
                Named("Every assault rifle was registered.", "assault rifle", "assault rifle"),
                Named("Such assault rifle stocks grew.", "assault rifle", "assault rifle"),
            ],
            published=at(2024, 1, 1),
        ),
        article(
            "just-rifles",
            ["The Houthis marched.", Named("An assault rifle was found.", "assault rifle", "assault rifle")],
            published=at(2024, 2, 1),
        ),
    )
    assert [(item.weapon, item.documents, item.cooccurrence_documents) for item in result.weapons] == [
        ("Type 56", 1, 0),
        ("assault rifle", 0, 1),
    ]
    assert [(item.key, item.documents, item.cooccurrence_documents) for item in result.categories] == [
        ("assault rifle", 1, 1)
    ]


def test_first_and_last_seen_use_published_else_fetched_and_new_marks_what_came_after(backend):
    documents = [
        article("old", [Said("The Houthis had AK-47 rifles.", "AK-47", "AK-47")], published=at(2022, 5, 1)),
        article("recent", [Said("The Houthis had AK-47 rifles.", "AK-47", "AK-47")], published=at(2024, 5, 1)),
        article(
            "undated",
            [Said("The Houthis launched a Burkan-2H missile.", "Burkan-2H", "Burkan-2H", "use")],
            published=None,
            fetched=at(2024, 6, 1),
        ),
    ]
    result = profile(backend, *documents, new_since=at(2024, 1, 1))
    rifle, missile = row(result, "AK-47"), row(result, "Burkan-2H")
    assert (rifle.first_seen, rifle.last_seen, rifle.new) == (at(2022, 5, 1), at(2024, 5, 1), False)
    assert (missile.first_seen, missile.new) == (at(2024, 6, 1), True)
    assert result.new_rows() == {
        "weapons": ["Burkan-2H"],
        "origins": ["IR"],
        "categories": ["missile"],
        "suppliers": [],
    }
    assert (result.first_seen, result.last_seen) == (at(2022, 5, 1), at(2024, 6, 1))
    assert not any(item.new for item in profile(backend).weapons)  # no new_since: nothing is new


def test_date_range_sources_and_cooccurrence_switch(backend):
    profile(
        backend,
        article("a", [Said("The Houthis had AK-47 rifles.", "AK-47", "AK-47")], published=at(2023, 5, 1)),
        article(
            "b",
            [Said("The Houthis fired a Kornet.", KORNET, "Kornet", "use")],
            published=at(2024, 5, 1),
            source_id="wire",
        ),
        article("c", ["The Houthis.", Named("RPG-7 seen.", "RPG-7", "RPG-7")], published=None),
    )

    def weapons(**request: object) -> list[str]:
        return [item.weapon for item in profile(backend, **request).weapons]

    assert weapons() == [KORNET, "AK-47", "RPG-7"] or weapons() == ["AK-47", KORNET, "RPG-7"]
    assert weapons(since=at(2024, 1, 1)) == [KORNET]  # undated documents are out of any range
    assert weapons(until=at(2023, 12, 31)) == ["AK-47"]
    assert weapons(sources=("wire",)) == [KORNET]
    assert weapons(cooccurrence=False) == sorted([KORNET, "AK-47"])
    assert profile(backend, cooccurrence=False).cooccurrence_documents == 0


def test_evidence_cites_each_sentence_and_pages_through(backend):
    letter = article(
        "panel-letter",
        [
            "Annex 4 of the panel's letter.",
            Said(
                "Type 56 rifles were shipped from Iran to the Houthis.",
                "Type 56",
                "Type 56",
                "supply_to",
                "to_group",
                supplier="IR",
                supplier_kind="country",
            ),
        ],
        published=at(2024, 3, 4),
        page_break_before=1,
    )
    others = [
        article(
            f"report-{number}",
            [Said("The Houthis had Type 56 rifles.", "Type 56", "Type 56")],
            published=at(2024, 4, number),
        )
        for number in range(1, 6)
    ]
    profile(backend, letter, *others)
    request = ProfileRequest(group=GROUP)
    found, total = evidence(backend, request, supplier="IR")
    assert total == 1
    item = found[0]
    assert (item.url, item.published, item.page) == (letter.url, at(2024, 3, 4), 2)
    assert item.capture_sha256 == letter.capture.payload_sha256 and item.capture_fetched == letter.capture.fetched_at
    assert letter.text[item.start : item.end] == item.sentence and item.relation_type == "supply_to"
    first, total = evidence(backend, request, weapon="Type 56", limit=2)
    rest, _ = evidence(backend, request, weapon="Type 56", limit=10, offset=2)
    assert total == 6 and len(first) == 2 and len(rest) == 4
    assert first[0].doc_id == others[-1].id  # newest document first
    assert len({item.doc_id for item in first + rest}) == 6
    assert evidence(backend, request, weapon="Type 56", strength="cooccurrence") == ([], 0)
    assert evidence(backend, request, category="assault rifle")[1] == 6


def test_every_number_is_the_count_of_documents_its_evidence_comes_from(backend):
    """On a random corpus with every relation type and direction: each row's documents at each
    strength are exactly the distinct documents of the evidence evidence() gives for it."""
    from benchmarks.arsenal_bench import corpus

    backend.upsert(list(corpus(150, 30, seed=3)))
    request = ProfileRequest(group=GROUP)
    result = build_profile(backend, request)
    assert result.documents + result.cooccurrence_documents == 150

    def documents(**selection: str) -> tuple[int, int]:
        found, _ = evidence(backend, request, limit=10_000, **selection)  # type: ignore[arg-type]
        strong = {item.doc_id for item in found if item.strength == "sentence"}
        return len(strong), len({item.doc_id for item in found if item.strength == "cooccurrence"} - strong)

    for weapon in result.weapons[:15]:
        assert documents(weapon=weapon.weapon) == (weapon.documents, weapon.cooccurrence_documents)
    for name, rows in (("origin", result.origins), ("category", result.categories), ("supplier", result.suppliers)):
        for count_row in rows[:8]:
            assert documents(**{name: count_row.key}) == (count_row.documents, count_row.cooccurrence_documents)
    for route in result.routes[:5]:
        assert documents(supplier=route.supplier, weapon=route.weapon) == (route.documents, 0)


def test_profile_json_is_plain_json_with_every_row(backend):
    result = profile(
        backend,
        article(
            "a",
            [
                Said(
                    "Type 56 rifles were shipped from Iran to the Houthis.",
                    "Type 56",
                    "Type 56",
                    "supply_to",
                    "to_group",
                    supplier="IR",
                    supplier_kind="country",
                )
            ],
            published=at(2024, 3, 4),
        ),
        new_since=at(2024, 1, 1),
    )
    data = json.loads(json.dumps(profile_json(result)))
    assert set(data) >= {
        "group",
        "request",
        "documents",
        "cooccurrence_documents",
        "first_seen",
        "last_seen",
        "weapons",
        "origins",
        "categories",
        "suppliers",
        "routes",
        "new",
    }
    assert data["request"]["new_since"] == "2024-01-01T08:00:00+00:00"
    assert data["weapons"][0] | {"first_seen": None} == {
        "weapon": "Type 56",
        "weapon_kind": "model",
        "category": "assault rifle",
        "origins": ["CN"],
        "documents": 1,
        "cooccurrence_documents": 0,
        "first_seen": None,
        "last_seen": "2024-03-04T08:00:00+00:00",
        "relation_types": {"supply_to": 1},
        "suppliers": ["IR"],
        "new": True,
        "directions": {"to_group": 1},
        "origin_documents": {"CN": 1},
        "origin_cooccurrence_documents": {},
    }
    assert data["new"]["suppliers"] == ["IR"] and data["routes"][0]["supplier"] == "IR"
