"""`osint show` and `osint cite` as an analyst runs them, on documents written straight into the
embedded index of the test's data directory (no crawl: the capture fields are set as the crawler
sets them)."""

from __future__ import annotations

import json

import pytest

from schema.document import Document
from tests.citing_documents import ALL, HOSTILE, LETTER, LETTER_COPY, LETTER_SHA256, OLD_SHA256, PAGE_ONE, WEB_PAGE
from tests.crawl.helpers import OsintCli
from tests.csl_data import assert_csl_data


def _table_rows(out: str, title: str) -> list[list[str]]:
    """The body rows of the table under `title`, each cell's wrapped lines joined again."""
    lines = out[out.index(f"{title}\n") :].splitlines()
    rows: list[list[str]] = []
    for line in lines[lines.index(next(line for line in lines if line.startswith("┡"))) + 1 :]:
        if line.startswith("└"):
            return rows
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells[0] or not rows:
            rows.append(cells)
        else:  # a cell wrapped onto this line
            rows[-1] = [f"{before} {after}".strip() for before, after in zip(rows[-1], cells, strict=True)]
    raise AssertionError(f"table {title!r} has no end")


@pytest.fixture
def indexed(osint: OsintCli) -> OsintCli:
    osint.index(*ALL)
    return osint


def test_show_prints_the_whole_document(indexed: OsintCli) -> None:
    shown = indexed.run("show", LETTER.id[:8])
    out = shown.stdout
    assert "\x1b" not in out  # not a terminal: no colour codes
    for expected in (
        LETTER.title,
        LETTER.url,
        "panel-letters (watchlist east-africa)",
        "document, application/pdf",
        "en (confidence 0.99)",
        "Amina Odhiambo, Tomas Lindqvist",
        "2024-03-04 08:30:00 UTC",  # published
        "2024-03-06 10:15:09 UTC",  # indexed
        LETTER.content_hash,
        LETTER_SHA256,
        "osint-20240306101500-00001.warc.gz (offset 18234, 40960 bytes)",
        "<urn:uuid:7c1e2a44-5b0d-4f2e-9a51-2f0c8d6b3e19>",
        "2024-03-06 10:15:02 UTC from 192.0.2.44 (HTTP 200)",
        "Annex. Serial numbers of the RPG-7 launchers",  # the full text, page two included
    ):
        assert expected in out, expected
    entities, pages = _table_rows(out, "Entities"), _table_rows(out, "Pages")
    assert entities == [
        ["Ambazonia Defence Forces", "ARMED_GROUP", "1", "region: Cameroon"],
        ["KE", "COUNTRY", "1", "name: Kenya"],
        ["AK-47", "WEAPON", "1", "kind: model; category: assault rifle; origin: Soviet Union"],
        ["RPG-7", "WEAPON", "1", "kind: model; category: rocket launcher; manufacturer: Bazalt"],
    ]
    assert pages == [
        ["1", "0", "Letter of the Panel of Experts to the Committee.…"],
        ["2", str(len(PAGE_ONE)), "Annex. Serial numbers of the RPG-7 launchers…"],
    ]
    story = out[out.index("Story story-panel-17: 1 other document") :]
    assert f"{LETTER_COPY.id}  2024-03-05  wirefeed  {LETTER_COPY.title}  {LETTER_COPY.url}" in story
    assert f"2024-03-05 09:00:00 UTC  sha256 {OLD_SHA256}  warc osint-20240305090000-00001.warc.gz" in out


def test_show_of_hostile_content_prints_it_as_written_and_inert(indexed: OsintCli) -> None:
    out = indexed.run("show", HOSTILE.id).stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert "[bold red]Breaking[/]" in out and "[link=file:///etc/passwd]open me[/link]" in out
    assert "no capture preserved" in out


def test_show_json_is_the_document_with_its_story(indexed: OsintCli) -> None:
    given = LETTER.id[:10]
    shown = json.loads(indexed.run("show", given, "--json").stdout)
    assert shown.pop("requested_id") == given
    story = shown.pop("story")
    assert [hit["id"] for hit in story] == [LETTER_COPY.id]
    assert Document.model_validate(shown) == LETTER  # every field, capture and versions included


def test_an_id_prefix_must_be_unique(osint: OsintCli) -> None:
    first = WEB_PAGE.model_copy(update={"id": "5eed0a11"})
    second = WEB_PAGE.model_copy(
        update={"id": "5eed0b22", "title": "Second [b]title[/b]", "url": "https://x.example/2"}
    )
    exact = WEB_PAGE.model_copy(update={"id": "5eed", "title": "The short one"})
    osint.index(first, second, exact)
    ambiguous = osint.run("show", "5eed0", check=False)
    assert ambiguous.returncode == 2 and ambiguous.stdout == ""
    assert "'5eed0' starts the ids of several documents" in ambiguous.stderr
    assert "5eed0a11  Convoy sighted north of the border" in ambiguous.stderr
    assert "5eed0b22  Second [b]title[/b]" in ambiguous.stderr
    assert osint.run("cite", "5eed0", check=False).returncode == 2
    assert osint.json("show", "5eed0b")["id"] == "5eed0b22"
    assert osint.json("show", "5eed")["id"] == "5eed"  # a whole id wins over the longer ids it starts


@pytest.mark.parametrize("given", ["ffff", "%", "_", "*", "5eed%", "\udcff"])
def test_an_unknown_id_exits_2_and_says_so(osint: OsintCli, given: str) -> None:
    osint.index(WEB_PAGE.model_copy(update={"id": "5eed0a11"}))
    for command in ("show", "cite"):
        result = osint.run(command, given, check=False)
        assert result.returncode == 2, result.stderr
        assert "no document has an id starting" in result.stderr and "Traceback" not in result.stderr


def test_cite_in_every_style(indexed: OsintCli) -> None:
    text = indexed.run("cite", LETTER.id[:8]).stdout.strip()
    assert text.startswith("Amina Odhiambo, Tomas Lindqvist. “Letter dated 4 March 2024 from the Panel of Experts”.")
    assert text.endswith(f"(captured 2024-03-06 10:15:02 UTC, SHA-256 {LETTER_SHA256})")
    markdown = indexed.run("cite", LETTER.id[:8], "--style", "markdown").stdout
    assert f"[Letter dated 4 March 2024 from the Panel of Experts](<{LETTER.url}>)" in markdown
    bibtex = indexed.run("cite", LETTER.id[:8], "--style", "bibtex").stdout
    assert bibtex.startswith(f"@online{{panelexampleorg2024-{LETTER.id[:12]},")
    csl = json.loads(indexed.run("cite", LETTER.id[:8], "--style", "csl-json").stdout)
    assert_csl_data(csl)
    assert csl[0]["id"] == LETTER.id and csl[0]["type"] == "document"


def test_cite_without_a_capture_says_so(indexed: OsintCli) -> None:
    cited = indexed.run("cite", WEB_PAGE.id).stdout
    assert "(accessed 1 February 2024; no capture preserved)" in cited and "SHA-256" not in cited
    csl = json.loads(indexed.run("cite", WEB_PAGE.id, "--style", "csl-json").stdout)
    assert csl[0]["type"] == "webpage" and csl[0]["note"] == "Accessed 1 February 2024; no capture preserved"


def test_cite_the_page_of_a_snippet_or_a_given_page(indexed: OsintCli) -> None:
    def page_of(*options: str) -> str:
        return json.loads(indexed.run("cite", LETTER.id, "--style", "csl-json", *options).stdout)[0].get("page")

    assert page_of("--snippet", "serial   NUMBERS of the\nRPG-7") == "2"  # any case, any spacing
    assert page_of("--snippet", "twelve AK-47 rifles") == "1"
    assert page_of("--page", "2") == "2"
    assert page_of() is None
    assert "p. 2." in indexed.run("cite", LETTER.id, "--snippet", "Annex").stdout


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--page", "3"], "the document's pages are 1-2"),
        (["--page", "0"], "--page"),
        (["--snippet", "words nobody wrote"], "these words are not in the document's text"),
        (["--page", "1", "--snippet", "Annex"], "--page and --snippet are alternatives"),
        (["--style", "apa"], "--style"),
    ],
)
def test_cite_refuses_a_page_it_cannot_find(indexed: OsintCli, options: list[str], message: str) -> None:
    result = indexed.run("cite", LETTER.id, *options, check=False)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""


def test_a_page_of_a_web_page_is_refused(indexed: OsintCli) -> None:
    result = indexed.run("cite", WEB_PAGE.id, "--page", "1", check=False)
    assert result.returncode == 2 and "the document has no pages" in result.stderr


def test_credentials_in_a_private_feed_url_are_never_shown(osint: OsintCli) -> None:
    private_url = "https://reader:s3cret@feeds.example.org/item"
    assert LETTER.capture is not None
    private = LETTER.model_copy(
        update={
            "url": private_url,
            "canonical_url": private_url,
            "capture": LETTER.capture.model_copy(update={"url": private_url}),
            "story_id": None,
        }
    )
    osint.index(private)
    for args in (["show", LETTER.id], ["show", LETTER.id, "--json"], ["cite", LETTER.id, "--style", "bibtex"]):
        result = osint.run(*args)
        assert "s3cret" not in result.stdout and "feeds.example.org/item" in result.stdout, args
