"""The workbench as an analyst uses it, in real Chromium: the demo site crawled into the embedded
index (and one hostile page), `osint serve` in its own process, and clicks, forms and downloads.

Every test ends with `problems() == []`: no console error, no script error, no dialog, and no
request off the workbench. A hostile page's capture points a <meta refresh> and an image at a
canary server on 127.0.0.2, which must receive nothing."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.site_server import SiteServer
from tests.crawl.helpers import REPO, OsintCli, demo_watchlist, write_watchlist
from tests.serving import osint_serve
from tests.web.browser import WatchedPage, chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HOSTILE_TITLE = "Kornet <script>alert('title')</script> seized"


def hostile_page(canary: str) -> bytes:
    return f"""<html lang="en"><head><title>{HOSTILE_TITLE}</title>
<meta http-equiv="refresh" content="0;url={canary}/refreshed">
<script>alert('head')</script></head><body><article>
<h1>Kornet missiles seized <img src="x" onerror="alert('img')"> near the border of Syria</h1>
<p>Customs officers reported that the 9M133 Kornet launchers were hidden in a truck of cement bags.
<a href="javascript:alert('link')">Read the statement</a> <img src="{canary}/pixel.png">
<script>alert('body')</script> The officers said the markings were being examined by researchers
who have followed the trade in anti-tank missiles for several years.</p></article></body></html>""".encode()


@dataclass
class Workbench:
    osint: OsintCli
    base_url: str
    demo: SiteServer
    canary: SiteServer
    watchlists: Path


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    tmp = tmp_path_factory.mktemp("workbench")
    canary = SiteServer(routes={}, host="127.0.0.2")
    hostile_route = {
        "/hostile.html": lambda handler: (200, {"Content-Type": "text/html"}, hostile_page(canary.base_url))
    }
    with canary, SiteServer(REPO / "demo" / "site") as demo, SiteServer(routes=hostile_route) as hostile:
        watchlists = tmp / "watchlists"
        watchlists.mkdir()
        osint = OsintCli(tmp / "data", extract_workers=0)
        osint.env["OSINT_WATCHLISTS_DIR"] = str(watchlists)
        report = osint.json("crawl", str(demo_watchlist(watchlists / "demo.yaml", demo)))
        assert report["failed"] == 0, report
        hostile_list = write_watchlist(
            tmp / "hostile.yaml", [{"id": "hostile", "kind": "page", "urls": [hostile.url("/hostile.html")]}]
        )
        assert osint.json("crawl", str(hostile_list))["indexed"] == 1
        with osint_serve(osint) as (_, base_url):
            yield Workbench(osint, base_url, demo, canary, watchlists)
    assert canary.requests == []


@pytest.fixture
def browser(workbench: Workbench) -> Iterator[WatchedPage]:
    with chromium(workbench.base_url) as page:
        yield page
        assert page.problems() == []


def test_search_narrow_with_a_facet_and_remove_the_chip(browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/")
    page.get_by_label("Search", exact=True).fill("kornet")
    page.get_by_role("button", name="Search").click()
    count = page.locator(".results-count")
    expect(count).to_contain_text("of")
    total = int(re.search(r"of ([\d,]+)", count.inner_text())[1].replace(",", ""))
    assert total >= 2
    browser.screenshot("search")
    page.locator(".facet-include").filter(has_text="Islamic State").first.click()
    expect(page.locator(".chip")).to_have_count(1)
    narrowed = int(re.search(r"of ([\d,]+)", count.inner_text())[1].replace(",", ""))
    assert narrowed < total and "f=group" in page.url
    page.get_by_role("link", name=re.compile("Remove filter")).click()
    expect(page.locator(".chip")).to_have_count(0)
    assert int(re.search(r"of ([\d,]+)", count.inner_text())[1].replace(",", "")) == total


def test_a_document_with_highlighted_entities_and_its_capture(browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/?q=kornet&sort=date")
    page.locator(".hit-title a").filter(has_not_text="<script>").first.click()
    expect(page).to_have_url(re.compile(r"/doc/[0-9a-f]{32}$"))
    marks = page.locator(".ent-weapon")
    expect(marks.first).to_be_visible()
    browser.screenshot("document")
    capture = page.get_by_role("link", name="View the preserved copy").first
    capture.click()
    expect(page).to_have_url(re.compile(r"/capture"))
    page.go_back()
    marks.first.click()  # an entity links to a search for its canonical name
    expect(page).to_have_url(re.compile(r"/\?f=(weapon|category)%3A"))
    expect(page.locator(".chip")).to_have_count(1)


def test_export_csv_and_read_it_back(browser: WatchedPage, tmp_path: Path) -> None:
    page = browser.page
    browser.goto("/?q=kornet")
    total = int(re.search(r"of ([\d,]+)", page.locator(".results-count").inner_text())[1].replace(",", ""))
    with page.expect_download() as download_info:
        page.locator(".exports a", has_text="CSV").click()
    saved = tmp_path / "export.csv"
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(saved.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == total and all(row["url"].startswith("http") for row in rows)


def test_save_a_search_as_an_alert(browser: WatchedPage, tmp_path: Path) -> None:
    page = browser.page
    browser.goto("/?q=kornet")
    page.get_by_role("link", name="Save as alert").click()
    page.get_by_label("Name").fill("kornet-watch")
    page.get_by_label(re.compile("Targets")).fill(f"file:{tmp_path / 'alerts.jsonl'}")
    page.get_by_role("button", name=re.compile("Create|Save")).click()
    expect(page.get_by_role("heading", name=re.compile("kornet-watch"))).to_be_visible()
    browser.goto("/alerts")
    expect(page.get_by_role("link", name="kornet-watch")).to_be_visible()
    browser.screenshot("alerts")


def test_a_watchlist_made_with_a_mistake_fixed_and_crawled_now(workbench: Workbench, browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/watchlists")
    page.get_by_label("Name", exact=True).fill("Sahel monitor")
    page.get_by_label("Default schedule").fill("every blue moon")
    page.get_by_role("button", name="Create watchlist").click()
    error = page.locator("#schedule-error")
    expect(error).to_be_visible()  # beside the field at fault, as the CLI words it
    expect(page.get_by_label("Default schedule")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Sahel monitor")  # nothing typed is lost
    browser.screenshot("watchlist-mistake")
    page.get_by_label("Default schedule").fill("every 6 hours")
    page.get_by_role("button", name="Create watchlist").click()
    expect(page.get_by_role("heading", name=re.compile("Sahel monitor"))).to_be_visible()
    assert (workbench.watchlists / "sahel-monitor.yaml").exists()

    page.get_by_label("Id", exact=True).fill("amw-feed")
    page.get_by_label("Kind").select_option("feed")
    page.get_by_label("URLs, one per line").fill(workbench.demo.url("/feed.xml"))
    page.get_by_role("button", name="Add source").click()
    expect(page.get_by_role("button", name="Crawl amw-feed now")).to_be_visible()
    page.get_by_role("button", name="Crawl amw-feed now").click()
    expect(page.get_by_role("heading", name="Run report")).to_be_visible(timeout=120_000)
    browser.screenshot("crawl-report")
    page.get_by_role("link", name=re.compile("run", re.I)).filter(
        has_text=re.compile("report|run ", re.I)
    ).first.click()
    expect(page).to_have_url(re.compile(r"/runs/"))


def test_hostile_content_never_runs(workbench: Workbench, browser: WatchedPage) -> None:
    page = browser.page
    browser.goto("/?q=" + "cement")
    hostile = page.locator(".hit-title a", has_text="<script>")
    expect(hostile).to_have_count(1)  # the title is shown as text
    hostile.click()
    expect(page.locator("h1")).to_contain_text("<script>alert('title')</script>")
    document_url = page.url
    page.get_by_role("link", name="View the preserved copy").first.click()
    expect(page).to_have_url(re.compile(r"/capture"))
    page.wait_for_load_state("load")
    assert "/refreshed" not in page.url and page.url.startswith(workbench.base_url)
    browser.screenshot("capture-hostile")
    browser.goto(document_url.removeprefix(workbench.base_url))
    assert workbench.canary.requests == []


def test_every_page_loads_without_errors(browser: WatchedPage) -> None:
    for path, name in [("/watchlists", "watchlists"), ("/runs", "runs"), ("/alerts", "alerts-list"), ("/api", "api")]:
        browser.goto(path)
        browser.screenshot(name)
    browser.goto("/runs")
    browser.page.locator("table a").first.click()
    expect(browser.page).to_have_url(re.compile(r"/runs/"))
    browser.screenshot("run")


def test_keyboard_first_stop_is_the_skip_link(browser: WatchedPage) -> None:
    browser.goto("/")
    browser.page.keyboard.press("Tab")
    focused = browser.page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"


def test_readable_on_a_phone(workbench: Workbench) -> None:
    with chromium(workbench.base_url, width=390) as phone:
        phone.goto("/?q=kornet")
        overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        phone.screenshot("search-phone")
        assert phone.problems() == []


def test_signing_in_as_a_viewer_in_the_browser(tmp_path: Path) -> None:
    """With users, the browser is sent to the login form and back where it was going; a viewer
    sees no editing controls, and the session cookie is out of reach of scripts."""
    osint = OsintCli(tmp_path / "data", extract_workers=0)
    osint.run("user", "add", "vera", "--role", "viewer", "--password-stdin", input="a long enough password\n")
    with osint_serve(osint) as (_, base_url), chromium(base_url) as browser:
        page = browser.page
        page.goto(base_url + "/runs")
        expect(page).to_have_url(re.compile(r"/login\?next=%2Fruns$"))
        browser.screenshot("login")
        page.get_by_label("Name").fill("vera")
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("do not match")
        page.get_by_label("Password").fill("a long enough password")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(base_url + "/runs")
        assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads the session or CSRF cookie
        browser.goto("/watchlists")
        expect(page.get_by_role("button", name="Create watchlist")).to_have_count(0)
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/login"))
        assert browser.problems() == []
