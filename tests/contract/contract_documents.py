"""Documents every contract test starts from: original texts in the style of news, government
statements, NGO reports and forum posts, with entity sets chosen so each filter and facet is hit."""

from __future__ import annotations

from datetime import UTC, datetime

from schema.document import Capture, Document


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _doc(name: str, **fields: object) -> Document:
    fields.setdefault("source_id", "coastwatch")
    fields.setdefault("watchlist", "east-africa")
    fields.setdefault("language", "en")
    return Document.new(f"https://news.example.org/{name}", **fields).with_hash()


FIXTURE_DOCUMENTS: dict[str, Document] = {
    "mombasa": _doc(
        "mombasa",
        title="Customs seize rifles at Mombasa port",
        text="Customs officers at the port of Mombasa seized a container of AK-47 rifles declared as "
        "agricultural machinery. The shipment had been loaded in a transit port and was bound for an "
        "inland buyer, according to a statement from the revenue authority.",
        published=_at(2024, 3, 5),
        weapons=["AK-47"],
        weapon_categories=["assault rifle"],
        weapon_origins=["Soviet Union"],
        countries=["Kenya"],
        tags=["seizure"],
        story_id="story-mombasa",
        # provenance travels with the document: both backends keep it whole
        capture=Capture(
            warc="OSINT-20240305090000000000-1-00001.warc.gz",
            offset=512,
            length=2048,
            record_id="<urn:uuid:0b6f1c1e-0000-4000-8000-000000000001>",
            payload_sha256="ab" * 32,
            fetched_at=_at(2024, 3, 5, 10),
            ip="203.0.113.7",
            url="https://news.example.org/mombasa",
            status=200,
        ),
        versions=[
            Capture(
                warc="OSINT-20240301090000000000-1-00001.warc.gz",
                offset=128,
                length=1900,
                record_id="<urn:uuid:0b6f1c1e-0000-4000-8000-000000000000>",
                payload_sha256="cd" * 32,
                fetched_at=_at(2024, 3, 1, 10),
                url="https://news.example.org/mombasa",
                status=200,
                content_hash="ef" * 32,
            )
        ],
    ),
    "mombasa_copy": _doc(
        "mombasa-copy",
        source_id="wirefeed",
        title="Rifles hidden as farm machinery found in Kenyan port",
        text="A container of AK-47 rifles declared as agricultural machinery was seized at the port of "
        "Mombasa, officials said. The revenue authority did not name the buyer.",
        published=_at(2024, 3, 6),
        weapons=["AK-47"],
        weapon_categories=["assault rifle"],
        weapon_origins=["Soviet Union"],
        countries=["Kenya"],
        tags=["seizure", "syndicated"],
        story_id="story-mombasa",
    ),
    "ministry": _doc(
        "ministry",
        source_id="gov-statements",
        kind="document",
        title="Statement on the transfer of armoured vehicles",
        text="The Ministry of Defence confirms the delivery of armoured personnel carriers and RPG-7 "
        "launchers under an agreement signed last year. No transfer was made to the Rapid Support Forces.",
        published=_at(2023, 11, 20),
        weapons=["RPG-7"],
        weapon_categories=["rocket launcher"],
        weapon_categories_implied=["light weapon"],
        weapon_origins=["Soviet Union"],
        countries=["Sudan"],
        armed_groups=["Rapid Support Forces"],
        generic_actors=["Ministry of Defence"],
        tags=["transfer"],
    ),
    "report": _doc(
        "report",
        source_id="ngo-reports",
        watchlist="sahel",
        kind="document",
        title="Tracing ammunition in the Sahel",
        text="Field researchers documented ammunition boxes and Kalashnikov pattern rifles recovered from "
        "armed groups. Markings point to stockpiles of the former Yugoslavia, diverted after 2011.",
        published=_at(2022, 6, 15),
        weapons=["AK-47"],
        weapon_categories=["assault rifle", "ammunition"],
        weapon_origins=["Yugoslavia"],
        countries=["Mali", "Libya"],
        historical_states=["Yugoslavia"],
        armed_groups=["JNIM"],
        tags=["tracing"],
    ),
    "forum": _doc(
        "forum",
        source_id="forum-arms",
        watchlist="forums",
        title="Folding stock carbine for sale?",
        text="Anyone seen the new carbine with the folding stock? Seller says it ships from the coast, "
        "cash only, no paperwork.",
        published=None,
        weapon_categories=["carbine"],
        tags=["marketplace"],
    ),
    "russian": _doc(
        "russian",
        source_id="ru-news",
        language="ru",
        title="На границе задержана партия оружия",
        text="Пограничники задержали грузовик с партией автоматов Калашникова и патронов. "
        "Водитель утверждал, что перевозит запчасти.",
        published=_at(2024, 1, 10),
        weapons=["AK-47"],
        countries=["Russia"],
        tags=["seizure"],
    ),
    "arabic": _doc(
        "arabic",
        source_id="ar-news",
        language="ar",
        title="ضبط شحنة أسلحة في ميناء طرابلس",
        text="ضبطت السلطات شحنة من البنادق والذخيرة في ميناء طرابلس كانت مخبأة داخل حاوية مواد غذائية.",
        published=_at(2024, 2, 1),
        weapon_categories=["ammunition"],
        countries=["Libya"],
        tags=["seizure"],
    ),
    "french": _doc(
        "french",
        source_id="fr-news",
        watchlist="sahel",
        language="fr",
        title="Des fusils d'assaut saisis à la frontière",
        text="Les douaniers ont saisi des fusils d'assaut et des munitions près de la frontière, "
        "dissimulés sous une cargaison de céréales.",
        published=_at(2023, 5, 2),
        weapon_categories=["assault rifle", "ammunition"],
        countries=["Niger"],
        tags=["seizure"],
    ),
    "hostile": _doc(
        "hostile",
        source_id="forum-arms",
        watchlist="forums",
        title="<script>alert(1)</script> Arms fair notes",
        text="Notes from the arms fair <script>alert(1)</script> where several brokers offered mortar "
        "rounds <img src=x onerror=alert(2)> and night sights.",
        published=_at(2023, 9, 12),
        weapon_categories=["mortar"],
        tags=["marketplace"],
    ),
}
