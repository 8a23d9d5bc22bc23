"""Syndicated copies of one wire story, published by two local outlets, become one story."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from datasketch import MinHash

from crawlers.pipelines.stories import NUM_PERM, StoryIndex
from extractors.fingerprint import shingles, text_fingerprint, words
from tests.crawl.helpers import OsintCli, write_watchlist
from tests.incremental.changing_site import ChangingSite

WIRE = (
    "Inspectors at the container terminal opened three shipping containers declared as household furniture and "
    "found dismantled heavy machine guns wrapped in plastic sheeting, together with several hundred boxes of "
    "ammunition. Port officials said the containers had been transshipped twice before arriving, and that the bills "
    "of lading named a trading company registered only a month earlier. Investigators are now comparing the serial "
    "numbers with export records provided by two manufacturers, and have asked neighbouring states whether similar "
    "consignments passed through their ports this year. A police spokesman said two customs brokers were questioned "
    "and released, and that the investigation would continue with the help of an international tracing request."
)
OWN_STORY = (
    "The defence committee of parliament spent the afternoon questioning the procurement agency about delays in the "
    "delivery of armoured vehicles ordered three years ago. Members asked why the contract allowed the supplier to "
    "postpone deliveries without penalties, and whether spare parts for older vehicles were being diverted to "
    "private buyers. The agency director promised a written answer within a month and said an internal audit had "
    "already found weaknesses in the way warehouse stocks were counted and reconciled with the central register."
)
FORUM = (
    "Collectors on the forum argued for pages about whether the markings on a surplus rifle sold at a regional gun "
    "show pointed to a factory in the east or to a licensed copy made decades later, posting photographs of the "
    "receiver, the selector and the proof marks, and comparing them with scans from an old catalogue that one member "
    "said his grandfather had kept since the nineteen sixties, until a moderator closed the thread for going in circles."
)


def test_the_story_index_links_copies_and_keeps_other_stories_apart(tmp_path: Path):
    index = StoryIndex(tmp_path / "stories.sqlite3")
    assert index.assign("a", text_fingerprint(WIRE)) == "a"
    assert (
        index.assign(
            "b",
            text_fingerprint("BEIRUT (Wire) - " + WIRE.replace("this year", "this spring") + " Copyright the wire."),
        )
        == "a"
    )
    assert index.assign("c", text_fingerprint(OWN_STORY)) == "c"
    assert index.assign("d", text_fingerprint(FORUM)) == "d"
    assert index.assign("e", text_fingerprint("Too short to judge.")) == "e"
    index.close()
    reopened = StoryIndex(tmp_path / "stories.sqlite3")  # persisted: a later run links to earlier copies
    assert reopened.assign("f", text_fingerprint(WIRE[: len(WIRE) * 9 // 10])) == "a"
    assert (
        reopened.assign("a", text_fingerprint(OWN_STORY + " Updated.")) == "c"
    )  # a changed text can move to another story


def test_signatures_are_datasketchs_own_minhash_of_the_shingles(tmp_path: Path):
    """Hashing the shingles in one pass keeps the signatures stored by earlier runs comparable."""
    index = StoryIndex(tmp_path / "stories.sqlite3")
    for text in (WIRE, OWN_STORY, FORUM, "Ünïcode wörds, ١٢٣ and кириллица " * 12):
        reference = MinHash(num_perm=NUM_PERM, seed=1)  # datasketch's defaults: SHA-1 of each shingle
        reference.update_batch(list(shingles(words(text))))
        signature = index.signature(text_fingerprint(text))
        assert signature is not None
        assert np.array_equal(signature, reference.hashvalues.astype(np.uint32))
    index.close()


def test_a_changed_text_moves_its_bands_and_an_unchanged_one_keeps_them(tmp_path: Path):
    path = tmp_path / "stories.sqlite3"
    index = StoryIndex(path)

    def bands_of(doc_id: str) -> set[tuple[int, bytes]]:
        with sqlite3.connect(path) as connection:
            return set(connection.execute("SELECT band, key FROM bands WHERE doc_id = ?", (doc_id,)))

    index.assign("a", text_fingerprint(WIRE))
    index.assign("b", text_fingerprint(FORUM))
    wire_bands = bands_of("a")
    assert len(wire_bands) == index.bands
    index.assign("a", text_fingerprint(WIRE))
    assert bands_of("a") == wire_bands
    index.assign("a", text_fingerprint(OWN_STORY))
    assert bands_of("a").isdisjoint(wire_bands) and len(bands_of("a")) == index.bands
    assert index.assign("c", text_fingerprint(WIRE)) == "c"  # the old text's bands are gone: nothing left to link to
    assert len(bands_of("b")) == index.bands  # other documents keep theirs
    index.close()


def test_duplicate_stories_across_two_outlets_collapse_in_search(osint: OsintCli, tmp_path: Path):
    with ChangingSite() as first, ChangingSite() as second:
        first.publish("/news/wire.html", "Machine guns found in furniture containers", body=WIRE)
        first.publish("/news/own.html", "Committee questions procurement agency", body=OWN_STORY)
        first.add_feed("/news/feed.xml", "/news/")
        second.publish(
            "/world/copy.html",
            "Port seizure: guns hidden in containers",
            body="PORT CITY (Wire) - " + WIRE + " Reporting by the wire desk.",
        )
        second.publish("/world/forum.html", "Surplus rifle markings debated", body=FORUM)
        second.add_feed("/world/feed.xml", "/world/")
        watchlist = write_watchlist(
            tmp_path / "outlets.yaml",
            [
                {"id": "first", "kind": "feed", "urls": [first.server.url("/news/feed.xml")]},
                {"id": "second", "kind": "feed", "urls": [second.server.url("/world/feed.xml")]},
            ],
        )
        assert osint.json("crawl", str(watchlist))["indexed"] == 4

    everything = osint.json("search", "containers")
    assert everything["total"] == 2 and {hit["source_id"] for hit in everything["hits"]} == {"first", "second"}
    collapsed = osint.json("search", "containers", "--collapse")
    assert len(collapsed["hits"]) == 1
    # the story is named after whichever copy was processed first (the two feeds are crawled in parallel)
    story_sizes = [osint.json("search", f"story:{hit['id']}")["total"] for hit in everything["hits"]]
    assert sorted(story_sizes) == [0, 2]
    assert len(osint.json("search", "", "--collapse", "--size", "10")["hits"]) == 3
