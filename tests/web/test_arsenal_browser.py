"""An arsenal profile as an analyst uses it, in real Chromium: the workbench served by uvicorn over
a real SQLite index of documents built as the crawler stores them (tests/web/arsenal_data.py),
one of them hostile (a <script> in its sentence and title, a javascript: address).

Every test ends with `problems() == []`: no console error, no script error, no dialog (a hostile
script that ran), no request off the workbench. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from index.sqlite.backend import SqliteBackend
from tests.serving import serve_workbench
from tests.web.arsenal_data import ALL, BURKAN_LETTER, BURKAN_SENTENCE, HOSTILE_SENTENCE, HOSTILE_TITLE
from tests.web.browser import WatchedPage, chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("arsenal-browser")
    with SqliteBackend(tmp / "index.sqlite3") as backend:
        backend.upsert(ALL)
        with serve_workbench(backend, tmp / "data") as url:
            yield url


@pytest.fixture
def browser(base_url: str) -> Iterator[WatchedPage]:
    with chromium(base_url) as page:
        yield page
        assert page.problems() == []


def test_pick_a_group_click_a_bar_and_read_the_cited_sentence(browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/arsenal")
    page.get_by_label("Armed group").fill("Ansar Allah")  # an alias
    page.get_by_role("button", name="Show the arsenal").click()
    expect(page).to_have_url(re.compile(r"/arsenal/Houthis$"))
    expect(page.get_by_role("heading", name="Arsenal of Houthis")).to_be_visible()
    expect(page.locator("table.weapons tbody tr")).to_have_count(4)
    browser.screenshot("arsenal-profile")

    origins = page.get_by_role("region", name="Countries of origin")
    origins.get_by_role("link", name=re.compile(r"^Iran \(IR\): 1 document with a sentence relation")).click()
    expect(page).to_have_url(re.compile(r"/arsenal/Houthis/evidence\?origin=IR&strength=sentence$"))
    item = page.locator("li.evidence-item")
    expect(item).to_have_count(1)
    expect(item.locator("blockquote")).to_have_text(BURKAN_SENTENCE)
    expect(item.locator("code.digest")).to_have_text(BURKAN_LETTER.capture.payload_sha256)
    expect(item.locator("a.external")).to_have_attribute("href", BURKAN_LETTER.url)
    browser.screenshot("arsenal-evidence")

    item.get_by_role("link", name=BURKAN_LETTER.title).click()  # the document, at the sentence's page
    expect(page).to_have_url(re.compile(rf"/doc/{BURKAN_LETTER.id}#page-2$"))
    expect(page.locator("#page-2")).to_be_in_viewport()


def test_download_the_profile_as_csv(browser: WatchedPage, tmp_path: Path) -> None:
    page = browser.page
    browser.goto("/arsenal/Houthis?source=panel")
    with page.expect_download() as download_info:
        page.locator(".exports").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "arsenal-houthis.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["weapon"], row["origin"], row["documents"]) for row in rows] == [("Burkan-2H", "IR", "1")]


def test_compare_periods_and_correct_a_bad_filter(browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/arsenal/Houthis")
    page.get_by_label("or new since").fill("2024-06-01")
    page.get_by_label("Published from").fill("last week")
    page.get_by_role("button", name="Apply").click()
    since = page.get_by_label("Published from")
    expect(since).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#since-error")).to_contain_text("A date like 2024")
    since.fill("")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tr.is-new")).to_have_count(2)
    expect(page.locator("tr.is-new .badge-new")).to_have_text(["new", "new"])
    browser.screenshot("arsenal-new-since")


def test_hostile_text_is_shown_inert(browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/arsenal/Houthis/evidence?weapon=AK-47")
    hostile = page.locator("li.evidence-item").filter(has_text="armed with")
    expect(hostile.locator("blockquote")).to_have_text(HOSTILE_SENTENCE)
    expect(hostile.locator("a.doc-title")).to_have_text(HOSTILE_TITLE)
    expect(hostile.locator("code.url")).to_have_text("javascript:alert('url')")
    expect(page.locator("a[href^='javascript']")).to_have_count(0)
    expect(page.locator("li.evidence-item img, li.evidence-item script")).to_have_count(0)
    browser.screenshot("arsenal-hostile")


def test_the_profile_on_a_narrow_screen(base_url: str) -> None:
    with chromium(base_url, width=390) as browser:
        browser.goto("/arsenal/Houthis")
        expect(browser.page.locator("table.bars").first).to_be_visible()
        overflow = browser.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0  # wide tables scroll inside their box, not the page
        browser.screenshot("arsenal-profile-narrow")
        assert browser.problems() == []
