"""Documents the `osint show` / `osint cite` tests read: a two-page PDF letter with a preserved
capture and an earlier version, its syndicated copy (same story), a web page without a capture,
and a page whose every field is hostile (rich markup, terminal escapes, TeX and Markdown syntax)."""

from __future__ import annotations

from datetime import UTC, datetime

from schema.document import Capture, Document, PageSpan
from schema.entities import Entity

PAGE_ONE = (
    "Letter of the Panel of Experts to the Committee.\n"
    "The Panel traced twelve AK-47 rifles seized in Kenya to a consignment declared as farm equipment."
)
PAGE_TWO = (
    "\nAnnex. Serial numbers of the RPG-7 launchers were removed before the transfer to the Ambazonia Defence Forces."
)
LETTER_TEXT = PAGE_ONE + PAGE_TWO
LETTER_SHA256 = "3f1c0a8e5b7d9c2e4f6a8b0c1d3e5f7a9b1c3d5e7f9a0b2c4d6e8f0a1b3c5d7e"
OLD_SHA256 = "0d4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f3a5b7c9d1e"


def mention(text: str, label: str, surface: str, canonical: str, **attributes: object) -> Entity:
    start = text.index(surface)
    return Entity(
        label=label, text=surface, start=start, end=start + len(surface), canonical=canonical, attributes=attributes
    )


LETTER = Document.new(
    "https://www.panel.example.org/letters/2024-17.pdf",
    title="Letter dated 4 March 2024 from the Panel of Experts",
    text=LETTER_TEXT,
    kind="document",
    content_type="application/pdf",
    source_id="panel-letters",
    watchlist="east-africa",
    language="en",
    language_confidence=0.99,
    authors=["Amina Odhiambo", "Tomas Lindqvist"],
    pages=[
        PageSpan(page=1, start=0, end=len(PAGE_ONE)),
        PageSpan(page=2, start=len(PAGE_ONE), end=len(LETTER_TEXT)),
    ],
    published=datetime(2024, 3, 4, 8, 30, tzinfo=UTC),
    fetched=datetime(2024, 3, 6, 10, 15, 2, tzinfo=UTC),
    indexed=datetime(2024, 3, 6, 10, 15, 9, tzinfo=UTC),
    story_id="story-panel-17",
    capture=Capture(
        warc="osint-20240306101500-00001.warc.gz",
        offset=18234,
        length=40960,
        record_id="<urn:uuid:7c1e2a44-5b0d-4f2e-9a51-2f0c8d6b3e19>",
        payload_sha256=LETTER_SHA256,
        fetched_at=datetime(2024, 3, 6, 10, 15, 2, tzinfo=UTC),
        ip="192.0.2.44",
        url="https://www.panel.example.org/letters/2024-17.pdf",
        status=200,
    ),
    versions=[
        Capture(
            warc="osint-20240305090000-00001.warc.gz",
            offset=512,
            length=39000,
            record_id="<urn:uuid:0b9f3d7e-1c2a-4e5f-8a6b-9c0d1e2f3a4b>",
            payload_sha256=OLD_SHA256,
            fetched_at=datetime(2024, 3, 5, 9, 0, tzinfo=UTC),
            content_hash="a" * 64,
        )
    ],
    entities=[
        mention(LETTER_TEXT, "WEAPON", "AK-47", "AK-47", kind="model", category="assault rifle", origin="Soviet Union"),
        mention(LETTER_TEXT, "COUNTRY", "Kenya", "KE", name="Kenya"),
        mention(
            LETTER_TEXT, "WEAPON", "RPG-7", "RPG-7", kind="model", category="rocket launcher", manufacturer="Bazalt"
        ),
        mention(
            LETTER_TEXT,
            "ARMED_GROUP",
            "Ambazonia Defence Forces",
            "Ambazonia Defence Forces",
            parent=None,
            region="Cameroon",
        ),
    ],
    weapons=["AK-47", "RPG-7"],
    countries=["KE"],
).with_hash()

LETTER_COPY = Document.new(
    "https://wire.example.net/2024/03/panel-letter",
    title="Panel letter traces rifles seized in Kenya",
    text="A letter from the Panel of Experts traced AK-47 rifles seized in Kenya, the wire reports.",
    source_id="wirefeed",
    language="en",
    published=datetime(2024, 3, 5, 12, 0, tzinfo=UTC),
    story_id="story-panel-17",
).with_hash()

WEB_PAGE = Document.new(
    "https://monitor.example.org/notes/convoy",
    title="Convoy sighted north of the border",
    text="Observers reported a convoy of trucks carrying crates north of the border crossing.",
    source_id="monitor",
    language="en",
    fetched=datetime(2024, 2, 1, 7, 0, tzinfo=UTC),
).with_hash()

HOSTILE_TITLE = (
    "[bold red]Breaking[/] \x1b]0;pwned\x07}{ 50% off \\end{document} $x^2$ #1 ~ [click](http://evil.example)"
)
HOSTILE_TEXT = (
    "Intro [link=file:///etc/passwd]open me[/link] and \x1b[2J\x1b[31mred\x1b[0m text.\r"
    "Overwrite\x1b[1A line \u202eReversed\u202c then AK-47 here."
)
HOSTILE = Document.new(
    "https://hostile.example.com/item",
    title=HOSTILE_TITLE,
    text=HOSTILE_TEXT,
    authors=["1. Lead }author{ [x](y)", "\x1b[31mSecond\x1b[0m & Co_"],
    source_id="hostile",
    language="en",
    published=datetime(2023, 12, 31, 23, 0, tzinfo=UTC),
    entities=[mention(HOSTILE_TEXT, "WEAPON", "AK-47", "AK-47", kind="model", origin="Soviet Union")],
).with_hash()

ALL = (LETTER, LETTER_COPY, WEB_PAGE, HOSTILE)
