"""The document page's reading of a document (app/web/reading.py): its text cut into plain text,
entity mentions and page markers, the entity table, and the links (app/web/links.py) and file
names made from crawled values."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from app.web.links import (
    alert_href,
    document_href,
    external_url,
    new_alert_href,
    run_href,
    search_href,
    watchlist_href,
)
from app.web.reading import (
    Segment,
    download_name,
    entity_rows,
    payload_suffix,
    segments,
    served_content_type,
    text_segments,
    title_segments,
)
from schema.document import Document, PageSpan
from schema.entities import Entity
from tests.citing_documents import HOSTILE, LETTER, PAGE_ONE, mention


def joined(cut: list[Segment]) -> str:
    return "".join(segment.text for segment in cut)


def test_the_text_is_cut_at_every_mention_and_page_and_joins_back() -> None:
    cut = text_segments(LETTER)
    assert joined(cut) == LETTER.text
    assert [segment.page for segment in cut if segment.kind == "page"] == [1, 2]
    assert cut[0].kind == "page" and cut[0].anchor == "page-1"
    second_page = next(index for index, segment in enumerate(cut) if segment.page == 2)
    assert joined(cut[:second_page]) == PAGE_ONE  # the marker sits exactly where page two starts
    mentions = [(segment.text, segment.mention) for segment in cut if segment.kind == "mention"]
    assert [(text, found.label, found.kind.css_class) for text, found in mentions if found] == [
        ("AK-47", "WEAPON", "ent-weapon"),
        ("Kenya", "COUNTRY", "ent-country"),
        ("RPG-7", "WEAPON", "ent-weapon"),
        ("Ambazonia Defence Forces", "ARMED_GROUP", "ent-group"),
    ]


def test_each_mention_links_to_a_search_for_its_canonical_entity() -> None:
    hrefs = [segment.mention.href for segment in text_segments(LETTER) if segment.mention]
    filters = [parse_qs(urlsplit(href).query)["f"] for href in hrefs if href]
    assert filters == [["weapon:AK-47"], ["country:KE"], ["weapon:RPG-7"], ["group:Ambazonia Defence Forces"]]
    assert all(href and href.startswith("/?") for href in hrefs)


def test_a_weapon_category_is_searched_as_a_category_and_model_labels_are_not_linked() -> None:
    text = "Two assault rifles and a parcel for Acme Ltd."
    cut = segments(
        text,
        [
            mention(text, "WEAPON", "assault rifles", "assault rifle", kind="category", category="assault rifle"),
            mention(text, "ORG", "Acme Ltd", "Acme Ltd"),
        ],
    )
    category, organisation = (segment.mention for segment in cut if segment.mention)
    assert category is not None and category.href == search_href("category", "assault rifle")
    assert organisation is not None and organisation.href is None and organisation.kind.css_class == "ent-other"


def test_mentions_that_do_not_fit_the_text_are_left_unmarked() -> None:
    text = "AK-47 and RPG-7 and more"
    wrong_offsets = Entity(label="WEAPON", text="RPG-7", start=0, end=5, canonical="RPG-7")
    overlapping = Entity(label="WEAPON", text="AK", start=0, end=2, canonical="AK-47")
    beyond = Entity(label="WEAPON", text="x", start=90, end=91, canonical="x")
    empty = Entity(label="WEAPON", text="", start=3, end=3, canonical="x")
    good = mention(text, "WEAPON", "AK-47", "AK-47")
    cut = segments(text, [wrong_offsets, overlapping, beyond, empty, good])
    assert joined(cut) == text
    assert [segment.text for segment in cut if segment.kind == "mention"] == ["AK-47"]


def test_a_page_starting_inside_a_mention_keeps_its_marker() -> None:
    text = "one AK-47 two"
    pages = [PageSpan(page=1, start=0, end=6), PageSpan(page=2, start=6, end=len(text))]
    cut = segments(text, [mention(text, "WEAPON", "AK-47", "AK-47")], pages)
    assert [segment.kind for segment in cut] == ["page", "text", "page", "text"]
    assert joined(cut) == text


def test_page_spans_past_the_text_end_still_mark_their_page() -> None:
    cut = segments("short", [], [PageSpan(page=1, start=0, end=5), PageSpan(page=2, start=40, end=80)])
    assert [(segment.kind, segment.page) for segment in cut] == [("page", 1), ("text", None), ("page", 2)]


def test_control_characters_and_bidi_overrides_are_removed_line_breaks_kept() -> None:
    cut = text_segments(HOSTILE)
    text = joined(cut)
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "[link=file:///etc/passwd]open me[/link]" in text and "\n" in text
    assert [segment.text for segment in cut if segment.kind == "mention"] == ["AK-47"]
    title = joined(title_segments(HOSTILE))
    assert "\x1b" not in title and "\x07" not in title and title.startswith("[bold red]Breaking[/]")


def test_title_mentions_index_into_the_title() -> None:
    title = "Kenya seizes rifles"
    text = "Rifles were seized in Kenya."
    in_title = mention(title, "COUNTRY", "Kenya", "KE", field="title")
    in_text = mention(text, "COUNTRY", "Kenya", "KE")
    document = Document.new("https://n.example/1", title=title, text=text, entities=[in_text, in_title])
    assert [segment.text for segment in title_segments(document) if segment.mention] == ["Kenya"]
    assert joined(title_segments(document)) == title
    assert joined(text_segments(document)) == text


def test_entity_rows_count_mentions_and_show_attributes() -> None:
    text = "AK-47, AK-47, Kenya, al-Shabaab"
    rows = entity_rows(
        [
            mention(text, "WEAPON", "AK-47", "AK-47", kind="model", category="assault rifle", origin="RU").model_copy(
                update={"start": 0, "end": 5}
            ),
            mention(text, "WEAPON", "AK-47", "AK-47", kind="model", manufacturer="Kalashnikov Concern", origin="RU"),
            mention(text, "COUNTRY", "Kenya", "KE", name="Kenya").model_copy(update={"origin": "model"}),
            mention(text, "ARMED_GROUP", "al-Shabaab", "al-Shabaab", parent="al-Qaeda", region="Somalia", type=None),
        ]
    )
    assert [(row.label, row.canonical, row.mentions) for row in rows] == [
        ("ARMED_GROUP", "al-Shabaab", 1),
        ("COUNTRY", "KE", 1),
        ("WEAPON", "AK-47", 2),
    ]
    group, country, weapon = rows
    assert group.parent is not None and group.parent.href == search_href("group", "al-Qaeda")
    assert group.others == [("region", "Somalia")]
    assert country.found_by == "model" and country.others == [("name", "Kenya")]
    assert weapon.origin is not None and weapon.origin.text == "RU" and weapon.origin.filter == "country"
    assert weapon.origin.href == search_href("origin", "RU")
    assert weapon.category is not None and weapon.category.href == search_href("category", "assault rifle")
    assert weapon.manufacturer is not None and weapon.manufacturer.text == "Kalashnikov Concern"
    assert weapon.manufacturer.href is None and weapon.others == []  # "kind" says how it was found
    assert weapon.href == search_href("weapon", "AK-47") and weapon.found_by == "gazetteer"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.org/a?b=1", "https://news.example.org/a?b=1"),
        ("HTTP://news.example.org/", "HTTP://news.example.org/"),
        ("https://user:secret@feeds.example.org/x", "https://feeds.example.org/x"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("//evil.example/x", None),
        ("https:///nohost", None),
        ("http://[::1", None),
        ("http://[bad", None),
        ("https://user:secret@[bad/x", None),
        ("https://user:secret@/x", None),  # credentials and no host
        ("https://:443/x", None),
    ],
)
def test_external_links_only_for_http(url: str, expected: str | None) -> None:
    shown = external_url(url)
    if expected is None:
        assert shown is None
    else:
        assert shown is not None and "secret" not in shown
        assert shown.lower() == expected.lower()


def test_document_links_quote_the_whole_id() -> None:
    assert document_href("9f" * 16) == "/doc/" + "9f" * 16
    assert document_href("a/../b?c#d") == "/doc/a%2F..%2Fb%3Fc%23d"


def test_run_alert_and_watchlist_links_quote_the_whole_name() -> None:
    assert run_href("20240306T101500Z-report") == "/runs/20240306T101500Z-report"
    assert run_href("a/../b?c#d") == "/runs/a%2F..%2Fb%3Fc%23d"
    assert alert_href("mortars") == "/alerts/mortars" and alert_href("x/y z") == "/alerts/x%2Fy%20z"
    assert watchlist_href("east-africa") == "/watchlists/east-africa"
    assert watchlist_href("../secrets?x") == "/watchlists/..%2Fsecrets%3Fx"


def test_a_new_alert_link_carries_the_query_as_typed() -> None:
    query = "kornet country:(IR OR SY) -lang:ru & more#"
    href = new_alert_href(query)
    assert href.startswith("/alerts/new?") and dict(parse_qsl(urlsplit(href).query)) == {"q": query}


def test_download_names_are_safe() -> None:
    hostile = LETTER.model_copy(update={"url": 'https://ev"il\r\n.example/x', "id": "../../etc/passwd"})
    assert download_name(LETTER, ".pdf") == f"www.panel.example.org-{LETTER.id[:16]}.pdf"
    name = download_name(hostile, ".warc")
    assert name.endswith(".warc") and "/" not in name and '"' not in name and "\n" not in name
    assert download_name(HOSTILE.model_copy(update={"url": "javascript:alert(1)"}), ".bin").startswith("document-")


def test_served_content_types_are_rebuilt_from_well_formed_parts() -> None:
    assert served_content_type("text/html; charset=UTF-8") == "text/html; charset=UTF-8"
    assert served_content_type("Application/PDF") == "application/pdf"
    assert served_content_type("text/html\r\nSet-Cookie: x=1") == "application/octet-stream"
    assert served_content_type("", "application/pdf") == "application/pdf"
    assert served_content_type("<script>") == "application/octet-stream"
    assert served_content_type('text/plain; charset="x\r\nX: y"') == "text/plain; charset=x"


def test_payload_suffixes_say_type_and_encoding() -> None:
    assert payload_suffix("application/pdf") == ".pdf"
    assert payload_suffix("text/html; charset=utf-8", "gzip") == ".html.gz"
    assert payload_suffix("application/x-unknown", "identity") == ".bin"
