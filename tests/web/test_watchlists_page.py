"""The watchlist pages (/watchlists, /watchlists/{name} with its source forms, crawl now and the
crawl's progress page) and their JSON, through the real app (FastAPI's TestClient) over watchlist
files in the test's own directory, a real ledger, and real crawls of a loopback site."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.web.application import create_app
from settings.config import load_config
from tests.crawl.helpers import OsintCli
from tests.web.crawl_helpers import CRAWL_DEADLINE, HeldSite, crawl_environment, held_site, until
from tests.web.forms import form_token, post_form
from watchlists.model import load_watchlist

NOTES = """\
# Harbour desk: what we follow about the northern ports.
name: harbour desk
owner: desk@example.org
description: Port authorities and customs notices
schedule: every 6 hours   # the desk's default

sources:
  # --- port authorities --------------------------------------------
  - id: port-news   # the authority's own feed
    kind: feed
    urls: ['https://port.example.org/feed.xml']   # English edition
    schedule: hourly  # busy season

  # --- customs -----------------------------------------------------
  - id: customs
    name: Customs notices <script>alert("name")</script>
    kind: page
    urls: [https://customs.example.org/notices]
"""


@dataclass
class Bench:
    client: TestClient
    lists: Path

    def token(self, path: str = "/watchlists") -> str:
        return form_token(self.client, path)

    def post(self, path: str, **fields: str) -> httpx.Response:
        return post_form(self.client, path, "/watchlists", **fields)


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "harbour.yaml").write_text(NOTES)
    crawl_environment(monkeypatch, tmp_path / "data")
    monkeypatch.setenv("OSINT_WATCHLISTS_DIR", str(lists))
    app = create_app(load_config())
    with TestClient(app, base_url="http://127.0.0.1", headers={"Accept": "text/html"}) as client:
        yield Bench(client, lists)


def main_of(page: str) -> str:
    """The page's own content (the layout's <head> loads the app's scripts)."""
    return page.split("<main", 1)[1]


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="{field}-error">(.*?)</span>', page, re.S)
    assert found is not None, f"no error beside {field}"
    assert re.search(rf'id="{field}"[^>]* aria-invalid="true" aria-describedby="{field}-error ', page), field
    return html.unescape(found[1])


def value_of(page: str, field: str) -> str:
    found = re.search(rf'<input type="[a-z]+" id="{field}" name="{field}" value="([^"]*)"', page)
    if found is None:
        found = re.search(rf'<textarea id="{field}" name="{field}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None, f"no field {field}"
    return html.unescape(found[1])


# the list and a new watchlist --------------------------------------------------------------------


def test_a_new_watchlist_with_a_mistake_then_fixed(bench: Bench, tmp_path: Path):
    listed = bench.client.get("/watchlists")
    assert listed.status_code == 200
    assert 'href="/watchlists/harbour">harbour desk</a>' in listed.text and "2 enabled of 2" in listed.text
    assert f"The watchlist files in <code>{bench.lists}</code>" in listed.text  # an editor sees where they are

    refused = bench.post("/watchlists", name="Sahel routes", owner="me@example.org", schedule="every blue moon")
    assert refused.status_code == 400
    message = field_error(refused.text, "schedule")
    assert value_of(refused.text, "name") == "Sahel routes" and value_of(refused.text, "schedule") == "every blue moon"
    assert not list(bench.lists.glob("sahel*"))
    # the CLI says the same
    cli = OsintCli(tmp_path / "data").run(
        "watchlist", "new", str(tmp_path / "x.yaml"), "--name", "x", "--schedule", "every blue moon", check=False
    )
    assert f"schedule: {message}" in cli.stderr

    created = bench.post("/watchlists", name="Sahel routes", owner="me@example.org", schedule="every 6 hours")
    assert created.status_code == 303 and created.headers["location"] == "/watchlists/sahel-routes?created=1"
    assert load_watchlist(bench.lists / "sahel-routes.yaml").name == "Sahel routes"
    page = bench.client.get(created.headers["location"])
    assert "Watchlist created" in page.text and "No source yet" in page.text

    again = bench.post("/watchlists", name="Sahel routes", file="sahel-routes")
    assert again.status_code == 400
    assert field_error(again.text, "file") == "sahel-routes.yaml exists; edit it with add-source / remove-source"
    assert field_error(again.text, "name") == "a watchlist named 'Sahel routes' exists already (sahel-routes.yaml)"


# one watchlist's sources ----------------------------------------------------------------------------


def test_the_sources_with_their_runs_and_health(bench: Bench):
    page = bench.client.get("/watchlists/harbour")
    assert page.status_code == 200
    main = main_of(page.text)
    assert 'id="source-port-news"' in main and 'id="source-customs"' in main
    assert "<script>alert" not in main and "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in main
    assert '<a class="external" href="https://port.example.org/feed.xml" rel="noopener noreferrer nofollow">' in main
    assert "never run" in main and "due now" in main
    shown = bench.client.get("/api/watchlists/harbour").json()
    assert shown["name"] == "harbour desk" and [s["id"] for s in shown["sources_status"]] == ["port-news", "customs"]
    assert shown["sources_status"][1]["schedule"] == "every 6 hours"  # the watchlist's default
    assert [row["key"] for row in bench.client.get("/api/watchlists").json()] == ["harbour"]


def test_sources_are_added_edited_and_removed_in_the_file_keeping_its_comments(bench: Bench):
    path = bench.lists / "harbour.yaml"
    refused = bench.post(
        "/watchlists/harbour/sources",
        id="port-news",
        kind="site",
        urls="https://port.example.org/\nftp://x",
        max_depth="50",
    )
    assert refused.status_code == 400
    assert field_error(refused.text, "urls") == "'ftp://x' is not an http(s) URL"
    assert field_error(refused.text, "max_depth") == "Input should be less than or equal to 20"
    assert value_of(refused.text, "urls") == "https://port.example.org/\nftp://x"
    assert path.read_text() == NOTES

    duplicate = bench.post("/watchlists/harbour/sources", id="port-news", kind="page", urls="https://a.example.org/")
    assert duplicate.status_code == 400 and field_error(duplicate.text, "id") == "a source 'port-news' exists already"

    added = bench.post(
        "/watchlists/harbour/sources",
        id="pilots",
        kind="site",
        urls="https://pilots.example.org/",
        max_depth="1",
        enabled="on",
        revisit="7 days",
    )
    assert added.status_code == 303 and added.headers["location"] == "/watchlists/harbour?added=pilots#source-pilots"
    assert path.read_text().startswith(NOTES)  # everything before stays byte for byte
    assert load_watchlist(path).source("pilots").scope.max_depth == 1

    form = bench.client.get("/watchlists/harbour/sources/port-news")
    assert form.status_code == 200
    assert (
        value_of(form.text, "urls") == "https://port.example.org/feed.xml"
        and value_of(form.text, "schedule") == "hourly"
    )
    assert 'id="id" name="id" value="port-news" readonly' in form.text
    values = {"kind": "feed", "urls": "https://port.example.org/feed.xml", "enabled": "on"}
    wrong = bench.post("/watchlists/harbour/sources/port-news", **values, schedule="twice a day")
    assert wrong.status_code == 400 and field_error(wrong.text, "schedule").startswith("'twice a day' is neither")
    saved = bench.post("/watchlists/harbour/sources/port-news", **values, schedule="every 2 hours", id="renamed")
    assert saved.status_code == 303
    text = path.read_text()
    assert "    schedule: every 2 hours  # busy season\n" in text and "renamed" not in text
    assert text.replace("every 2 hours", "hourly").startswith(NOTES)

    confirm = bench.client.get("/watchlists/harbour/sources/pilots/remove")
    assert confirm.status_code == 200 and "Remove source pilots from harbour.yaml?" in confirm.text
    removed = bench.post("/watchlists/harbour/sources/pilots/remove")
    assert removed.status_code == 303 and removed.headers["location"] == "/watchlists/harbour?removed=pilots"
    assert path.read_text() == NOTES.replace("schedule: hourly", "schedule: every 2 hours")


def test_only_files_of_the_directory_are_reached(bench: Bench, tmp_path: Path):
    (tmp_path / "secret.yaml").write_text(NOTES)
    for path in (
        "/watchlists/nope",
        "/watchlists/..%2Fsecret",
        "/watchlists/%2E%2E",
        "/watchlists/harbour.yaml",
        "/watchlists/harbour/sources/nope",
        "/watchlists/harbour/crawls/20260101000000-0123abcd",
        "/watchlists/harbour/crawls/..%2F..%2Fweb-secret",
    ):
        assert bench.client.get(path).status_code == 404, path
    assert bench.client.get("/api/watchlists/..%2Fsecret").status_code == 404
    assert (
        bench.post("/watchlists/..%2Fsecret/sources", id="x", kind="page", urls="https://x.example.org/").status_code
        == 404
    )
    assert bench.post("/watchlists/nope/crawl").status_code == 404


def test_changes_need_the_form_token(bench: Bench):
    path = bench.lists / "harbour.yaml"
    for action in (
        "/watchlists/harbour/sources",
        "/watchlists/harbour/sources/customs/remove",
        "/watchlists/harbour/crawl",
    ):
        response = bench.client.post(action, data={"id": "x", "kind": "page", "urls": "https://x.example.org/"})
        assert response.status_code == 403, action
    assert path.read_text() == NOTES


def test_a_broken_file_shows_its_problems_as_the_cli_does(bench: Bench):
    (bench.lists / "broken.yaml").write_text(
        "name: broken\nsources:\n  - id: a\n    kind: rss\n    urls: [https://a.example.org/]\n"
    )
    page = bench.client.get("/watchlists/broken")
    assert page.status_code == 200
    assert "broken.yaml:4: sources[0].kind: Input should be" in html.unescape(page.text)
    assert "Add a source" not in page.text and str(bench.lists) not in main_of(page.text)
    listed = bench.client.get("/api/watchlists").json()
    assert next(row["problems"] for row in listed if row["key"] == "broken")[0].startswith("broken.yaml:4:")


# crawl now ---------------------------------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[HeldSite]:
    with held_site() as found:
        yield found


def test_crawl_now_follows_the_run_to_its_report(bench: Bench, site: HeldSite):
    path = bench.lists / "harbour.yaml"
    path.write_text(
        NOTES + f"  - id: held\n    kind: page\n    urls: ['{site.url('/fast.html')}', '{site.url('/slow.html')}']\n"
    )
    started = bench.post("/watchlists/harbour/crawl", source="held")
    assert started.status_code == 303
    progress_page = started.headers["location"]
    job_id = progress_page.rsplit("/", 1)[1]
    assert progress_page == f"/watchlists/harbour/crawls/{job_id}"

    assert site.asked.wait(CRAWL_DEADLINE)
    page = bench.client.get(progress_page)
    assert page.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page.text  # no JavaScript: reloads
    fragment_href = f"{progress_page}/progress"
    assert f'hx-get="{fragment_href}" hx-trigger="every 1s" hx-swap="outerHTML"' in page.text
    assert f'<a href="{progress_page}">Refresh</a>' in page.text

    busy = bench.post("/watchlists/harbour/crawl", source="held")
    assert busy.status_code == 409 and "already being crawled" in busy.text
    listed = bench.client.get("/watchlists/harbour").text
    assert "crawling now" in listed and job_id in listed

    site.release()
    until(
        lambda: "hx-trigger" not in bench.client.get(fragment_href).text, CRAWL_DEADLINE, "the fragment stopped polling"
    )
    fragment = bench.client.get(fragment_href).text
    assert fragment.lstrip().startswith('<section id="run-progress"') and "<html" not in fragment
    api = bench.client.get(f"/api/crawls/{job_id}").json()
    assert (api["running"], api["exit_code"], api["verdict"], api["urls_done"]) == (False, 0, "ok", 2)
    assert api["report"]["indexed"] == 2
    assert "Run report" in fragment and f'href="/runs/{api["run_id"]}"' in fragment
    finished = bench.client.get(progress_page).text
    assert "http-equiv" not in finished and "hx-trigger" not in finished

    row = bench.client.get("/api/watchlists/harbour").json()["sources_status"][2]
    assert (row["last_run"], row["last_run_status"], row["health"]) == (api["run_id"], "finished", "ok")


def test_crawl_now_through_the_api(bench: Bench, site: HeldSite):
    path = bench.lists / "harbour.yaml"
    path.write_text(NOTES + f"  - id: quick\n    kind: page\n    urls: ['{site.url('/quick.html')}']\n")
    headers = {"X-CSRF-Token": bench.token(), "Accept": "application/json"}
    unknown = bench.client.post("/api/watchlists/harbour/crawl", json={"sources": ["nope"]}, headers=headers)
    assert unknown.status_code == 400 and "no source 'nope'" in unknown.json()["detail"]
    started = bench.client.post("/api/watchlists/harbour/crawl", json={"sources": ["quick"]}, headers=headers)
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    assert started.json()["sources"] == ["quick"]
    until(lambda: not bench.client.get(f"/api/crawls/{job_id}").json()["running"], CRAWL_DEADLINE, "the crawl ended")
    done = bench.client.get(f"/api/crawls/{job_id}").json()
    assert (done["verdict"], done["report"]["indexed"]) == ("ok", 1)
    assert bench.client.get("/api/crawls/nope").status_code == 404

    schemas = bench.client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "RecentOutcome" in schemas and not [name for name in schemas if "crawl_jobs" in name]


def test_the_watchlist_itself_is_edited_in_place(bench: Bench):
    path = bench.lists / "harbour.yaml"
    form = bench.client.get("/watchlists/harbour/edit")
    assert form.status_code == 200
    assert value_of(form.text, "name") == "harbour desk" and value_of(form.text, "schedule") == "every 6 hours"
    values = {
        "name": "harbour desk",
        "owner": "desk@example.org",
        "description": "Port authorities and customs notices",
    }
    wrong = bench.post("/watchlists/harbour/edit", **values, schedule="whenever")
    assert wrong.status_code == 400 and field_error(wrong.text, "schedule").startswith("'whenever' is neither")
    assert path.read_text() == NOTES
    long = "Port authorities, customs notices and shipping registers of the northern harbours and their warehouses"
    saved = bench.post("/watchlists/harbour/edit", **{**values, "description": long}, schedule="every 4 hours")
    assert saved.status_code == 303 and saved.headers["location"] == "/watchlists/harbour?saved_header=1"
    assert path.read_text() == NOTES.replace("every 6 hours   #", "every 4 hours   #").replace(
        "description: Port authorities and customs notices", f"description: {long}"
    )
    (bench.lists / "other.yaml").write_text("name: other desk\nsources: []\n")
    taken = bench.post("/watchlists/harbour/edit", **{**values, "name": "other desk"})
    assert field_error(taken.text, "name") == "a watchlist named 'other desk' exists already (other.yaml)"


def test_a_viewer_sees_the_watchlists_but_changes_nothing(bench: Bench):
    password = "a long enough password"
    bench.client.app.state.workbench.users.add("vera", "viewer", password)  # type: ignore[attr-defined]
    signed_in = bench.post("/login", name="vera", password=password, next="/watchlists/harbour")
    assert signed_in.status_code == 303
    page = bench.client.get("/watchlists/harbour")
    assert page.status_code == 200 and "port-news" in page.text
    assert "Crawl now" not in page.text and "Add source" not in page.text and "needs the editor role" in page.text
    listed = bench.client.get("/watchlists")
    assert "harbour desk" in listed.text and str(bench.lists) not in listed.text  # the server's paths are not theirs
    token = bench.token("/watchlists/harbour")
    for action, fields in (
        ("/watchlists/harbour/sources", {"id": "x", "kind": "page", "urls": "https://x.example.org/"}),
        ("/watchlists/harbour/sources/customs/remove", {}),
        ("/watchlists/harbour/crawl", {"source": "customs"}),
        ("/watchlists", {"name": "mine"}),
    ):
        refused = bench.client.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)
        assert refused.status_code == 403, action
    assert (bench.lists / "harbour.yaml").read_text() == NOTES and not (bench.lists / "mine.yaml").exists()


def test_a_field_too_long_is_refused_beside_it_never_cut(bench: Bench):
    path = bench.lists / "harbour.yaml"
    urls = "\n".join(f"https://port.example.org/notices/{number:05d}" for number in range(600))
    assert len(urls) > 20_000
    refused = bench.post("/watchlists/harbour/sources", id="notices", kind="page", urls=urls, enabled="on")
    assert refused.status_code == 400
    assert field_error(refused.text, "urls") == f"at most 20,000 characters; this has {len(urls):,}"
    assert value_of(refused.text, "urls") == urls  # all of it, to be shortened by the analyst
    assert path.read_text() == NOTES

    values = {"name": "harbour desk", "owner": "desk@example.org", "schedule": "every 6 hours"}
    long = "Port authorities and customs notices. " * 600
    edited = bench.post("/watchlists/harbour/edit", **values, description=long)
    assert edited.status_code == 400 and field_error(edited.text, "description").startswith("at most 20,000 characters")
    created = bench.post("/watchlists", name="desk " * 5000)
    assert created.status_code == 400 and field_error(created.text, "name").startswith("at most 20,000 characters")
    assert path.read_text() == NOTES and [p.name for p in bench.lists.iterdir()] == ["harbour.yaml"]

    unknown = bench.post("/watchlists/harbour/crawl", source="x" * 30_000)
    assert unknown.status_code == 400 and "There is no such source in this watchlist." in unknown.text
    assert "x" * 100 not in unknown.text
