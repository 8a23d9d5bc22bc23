"""Captures end to end: real crawls through the `osint` CLI preserve what the sites served as WARC
records, which read back byte for byte, pack as a valid WACZ, and are pruned by age.

Two sets of crawls, each shared by the tests that read it (module-scoped fixtures): the bundled
demo site once (every source kind, one page rendered by Chromium), and a changing site twice
(an edit, a 304, a gzip page, the same bytes at two URLs). What a test compares against is what
the site serves, fetched here with urllib, never what the crawler says it fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
import sqlite3
import urllib.request
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.site_server import SiteServer
from captures.store import CATALOG_NAME, CaptureStore, Exchange
from captures.wacz import validate_wacz
from captures.warc import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED
from tests.crawl.helpers import REPO, OsintCli, demo_watchlist, write_watchlist
from tests.incremental.changing_site import ChangingSite, later
from tests.test_captures import read_warc, warc_files

pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: the smallest WARC file size the settings accept: the changing site's crawls rotate at it
FILE_BYTES = 1024 * 1024


def served(url: str) -> bytes:
    """The bytes the site sends for `url` (no content negotiation: as the crawler got them)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def documents(osint: OsintCli) -> dict[str, dict]:
    """Every indexed document, by URL, as `osint show --json` prints it."""
    hits = osint.json("search", "", "--size", "1000")["hits"]
    found = {}
    for hit in hits:
        document = osint.json("show", hit["id"])
        found[document["url"]] = document
    return found


def capture_get(osint: OsintCli, tmp_path: Path, *args: str) -> bytes:
    """`osint capture get ARGS -o FILE`: the bytes written (binary-safe, unlike stdout text)."""
    output = tmp_path / f"capture-{len(list(tmp_path.glob('capture-*')))}.out"
    osint.run("capture", "get", *args, "-o", str(output))
    return output.read_bytes()


def catalog_rows(data_dir: Path, sql: str, *parameters: object) -> list[tuple]:
    connection = sqlite3.connect(data_dir / "captures" / CATALOG_NAME)
    try:
        with connection:
            return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def open_store(data_dir: Path) -> CaptureStore:
    return CaptureStore(data_dir / "captures", max_file_bytes=FILE_BYTES)


# -- the demo site: every source kind ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo-captures")
    with SiteServer(REPO / "demo" / "site") as site:
        watchlist = demo_watchlist(tmp / "demo.yaml", site)
        osint = OsintCli(tmp / "data", extract_workers=0)
        report = osint.json("crawl", str(watchlist))
        assert report["failed"] == 0 and report["indexed"] >= 15, report
        yield osint, site, documents(osint)


def _document(docs: dict[str, dict], path_end: str) -> dict:
    [found] = [document for url, document in docs.items() if url.endswith(path_end)]
    return found


@pytest.mark.browser
def test_every_demo_document_can_be_shown_and_cited_with_its_capture(demo):
    osint, _, docs = demo
    kinds = set()
    for document in docs.values():
        digest = document["capture"]["payload_sha256"]
        shown = osint.run("show", document["id"][:12]).stdout
        assert digest in shown and document["capture"]["record_id"] in shown
        for style in ("text", "markdown", "bibtex"):
            cited = " ".join(osint.run("cite", document["id"], "--style", style).stdout.split())
            assert f"SHA-256 {digest}" in cited, (style, document["url"])
        [entry] = json.loads(osint.run("cite", document["id"], "--style", "csl-json").stdout)
        assert entry["URL"] == document["url"] and digest in entry["note"]
        kinds.add((document["kind"], document["content_type"]))
    assert {("page", "text/html"), ("document", "application/pdf")} <= kinds  # the rendered page and the PDF
    letter = _document(docs, "/letters/panel-letter-2025.pdf")
    cited = osint.run("cite", letter["id"], "--snippet", "Lower Juba").stdout
    assert "p. 2" in cited or "page 2" in cited, cited


@pytest.mark.browser
def test_every_demo_document_is_captured_as_the_site_served_it(demo):
    _, site, docs = demo
    assert len(docs) >= 15
    for url, document in docs.items():
        capture = document["capture"]
        assert capture is not None, url
        assert capture["url"].startswith(site.base_url) and capture["status"] == 200
        assert capture["ip"] == "127.0.0.1"  # the address connected to (for Chromium, through its proxy)
        body = served(capture["url"])
        assert capture["payload_sha256"] == hashlib.sha256(body).hexdigest(), url
        assert document["versions"] == []
    # the rendered page's response is the network copy, not the DOM Chromium built from it
    channel = _document(docs, "/channel/index.html")
    assert b"Loading posts" in served(channel["capture"]["url"])


@pytest.mark.browser
def test_the_demo_warc_files_read_back_record_by_record(demo):
    osint, _, _ = demo
    directory = osint.data_dir / "captures"
    paths = warc_files(directory)
    assert paths
    in_files = {}
    for path in paths:
        for record in read_warc(path):  # digests checked by warcio, records tiling the file
            if record.type != "warcinfo":
                in_files[record.headers["WARC-Record-ID"]] = (path.name, record.offset, record.length, record.type)
    listed = catalog_rows(osint.data_dir, "SELECT record_id, warc, offset, length, type FROM capture_records")
    assert {row[0]: tuple(row[1:]) for row in listed} == in_files
    files = catalog_rows(osint.data_dir, "SELECT name, size, closed FROM capture_files")
    assert {name: (size, closed) for name, size, closed in files} == {
        path.name: (path.stat().st_size, 1) for path in paths
    }


@pytest.mark.browser
def test_the_rendered_page_keeps_its_dom_and_a_screenshot(demo):
    osint, _, docs = demo
    channel = _document(docs, "/channel/index.html")
    store = open_store(osint.data_dir)
    try:
        linked = store.catalog.concurrent(channel["capture"]["record_id"])
        resources = {entry.content_type: store.read(entry) for entry in linked if entry.type == "resource"}
        requests = [entry for entry in linked if entry.type == "request"]
    finally:
        store.close()
    assert sorted(resources) == ["image/png", "text/html"] and len(requests) == 1
    for record in resources.values():
        assert record.header("WARC-Concurrent-To") == channel["capture"]["record_id"]
        assert record.header("WARC-Target-URI") == channel["capture"]["url"]
    dom = resources["text/html"].payload
    assert b"post-301" in dom and b"Shahed-136" in dom and b"Loading posts" not in dom
    screenshot = resources["image/png"].payload
    assert screenshot.startswith(PNG_SIGNATURE) and len(screenshot) > 1000


@pytest.mark.browser
def test_the_demo_exports_as_a_valid_wacz_indexing_every_document(demo, tmp_path):
    osint, _, docs = demo
    output = tmp_path / "demo.wacz"
    summary = osint.json("capture", "export", "", "-o", str(output))
    assert summary["documents"] == len(docs) and summary["path"] == str(output)
    validate_wacz(output)  # raises WaczError if the wacz package refuses it
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        assert {"datapackage.json", "indexes/index.cdx.gz", "pages/pages.jsonl"} <= names
        lines = gzip.decompress(archive.read("indexes/index.cdx.gz")).decode().splitlines()
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").decode().splitlines()[1:]]
    indexed = {json.loads(line.split(" ", 2)[2])["url"] for line in lines if line.strip()}
    captured = {document["capture"]["url"] for document in docs.values()}
    assert captured <= indexed
    assert captured <= {page["url"] for page in pages}


@pytest.mark.browser
def test_capture_stats_count_the_demo_records(demo):
    osint, _, docs = demo
    stats = osint.json("capture", "stats")
    records = stats["records"]
    assert records["resource"] == 2  # the rendered page's DOM and screenshot
    assert records["request"] == records["response"] + records.get("revisit", 0) == stats["fetches"]
    assert stats["fetches"] >= len(docs)
    assert stats["open_files"] == 0 and stats["files"] == len(warc_files(osint.data_dir / "captures"))
    assert stats["bytes"] == sum(path.stat().st_size for path in warc_files(osint.data_dir / "captures"))
    [(stored,)] = catalog_rows(
        osint.data_dir, "SELECT coalesce(sum(payload_length), 0) FROM capture_records WHERE type = 'response'"
    )
    assert stats["payload_bytes_stored"] == stored


@pytest.mark.browser
def test_capture_get_gives_back_the_served_bytes(demo, tmp_path):
    osint, _, docs = demo
    article = _document(docs, "/news/2025-01-30-iswap-lake-chad-rifles-trace.html")
    letter = _document(docs, "/letters/panel-letter-2025.pdf")
    for document in (article, letter):
        body = served(document["capture"]["url"])
        assert capture_get(osint, tmp_path, document["id"], "--body") == body
        assert capture_get(osint, tmp_path, document["id"][:12], "--raw").endswith(b"\r\n\r\n" + body)
        whole = capture_get(osint, tmp_path, document["id"])
        assert whole.startswith(b"WARC/1.1\r\n") and document["capture"]["record_id"].encode() in whole
    assert letter["capture"]["payload_sha256"] == hashlib.sha256(served(letter["capture"]["url"])).hexdigest()
    assert served(letter["capture"]["url"]).startswith(b"%PDF")
    # to stdout, an HTML page as text
    printed = osint.run("capture", "get", article["id"], "--body").stdout
    assert printed == served(article["capture"]["url"]).decode("utf-8")


# -- a changing site: edits, 304s, gzip, copies, retention -------------------------------------

EDITED, STEADY = "/news/edited.html", "/news/steady.html"
GZIPPED, COPIES = "/gzipped.html", ("/copies/one.html", "/copies/two.html")
ZIPPED_HTML = (
    b"<html lang='en'><head><title>Compressed dispatch on mortar rounds</title></head><body><article>"
    b"<h1>Compressed dispatch on mortar rounds</h1><p>Investigators photographed mortar rounds stacked in a "
    b"warehouse near the river port and compared the lot numbers with a shipment reported missing last year."
    b"</p></article></body></html>"
)
COPY_HTML = (
    b"<html lang='en'><head><title>Syndicated note on grenade launchers</title></head><body><article>"
    b"<h1>Syndicated note on grenade launchers</h1><p>The same wire note about grenade launchers recovered from "
    b"a roadside cache was published on two pages of the site without a single changed byte.</p></article>"
    b"</body></html>"
)


def _filler(store: CaptureStore, name: str) -> None:
    """Another writer's large record (1.1 MB, incompressible): it fills the newest file past the
    rotation size, so the next crawl starts a file of its own."""
    store.record_exchange(
        Exchange(
            url=f"http://filler.example/{name}.bin",
            status=200,
            body=random.Random(name).randbytes(1_100_000),
            response_headers=[("Content-Type", "application/octet-stream")],
            fetched_at=datetime.now(UTC),
        )
    )


@pytest.fixture(scope="module")
def changing(tmp_path_factory):
    """Two crawls of a changing site: the edited article changes between them; the steady one is
    answered 304 the second time. The crawls write separate files: a filler record too large for
    the first crawl's file takes one of its own after it, so the second crawl starts another; more
    fillers after the second crawl go to files no document uses."""
    tmp = tmp_path_factory.mktemp("changing-captures")
    compressed = gzip.compress(ZIPPED_HTML, mtime=0)
    with ChangingSite() as site:
        site.publish(EDITED, "Border seizure of rifle magazines")
        site.publish(STEADY, "Ministry statement on export licences")
        site.server.routes[GZIPPED] = lambda handler: (
            200,
            {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
            compressed,
        )
        for path in COPIES:
            site.server.routes[path] = lambda handler: (200, {"Content-Type": "text/html; charset=utf-8"}, COPY_HTML)
        urls = [site.server.url(path) for path in (EDITED, STEADY, GZIPPED, *COPIES)]
        watchlist = write_watchlist(tmp / "changing.yaml", [{"id": "pages", "kind": "page", "urls": urls}])
        osint = OsintCli(tmp / "data", extract_workers=0)
        osint.env["OSINT_CAPTURE_FILE_BYTES"] = str(FILE_BYTES)

        first = osint.json("crawl", str(watchlist))
        assert first["indexed"] >= 4 and first["failed"] == 0, first
        old_edited = site.articles[EDITED].html()
        store = open_store(osint.data_dir)
        try:
            _filler(store, "after-first-crawl")
        finally:
            store.close()

        site.edit(EDITED, edition=2, when=later(3))
        second = osint.json("crawl", str(watchlist))
        assert second["failed"] == 0, second
        store = open_store(osint.data_dir)
        try:
            _filler(store, "after-second-crawl")
            _filler(store, "alone")
        finally:
            store.close()
        yield {
            "osint": osint,
            "site": site,
            "watchlist": watchlist,
            "first": first,
            "second": second,
            "old_edited": old_edited,
            "compressed": compressed,
            "documents": documents(osint),
        }


def test_a_gzip_page_is_stored_compressed_and_read_back_plain(changing, tmp_path):
    osint, compressed = changing["osint"], changing["compressed"]
    document = changing["documents"][changing["site"].server.url(GZIPPED)]
    assert served(document["url"]) == compressed  # urllib does not undo the encoding either
    assert document["capture"]["payload_sha256"] == hashlib.sha256(compressed).hexdigest()
    assert "mortar rounds stacked in a warehouse" in document["text"]
    assert capture_get(osint, tmp_path, document["id"], "--body") == ZIPPED_HTML
    raw = capture_get(osint, tmp_path, document["id"], "--raw")
    assert raw.endswith(compressed) and b"Content-Encoding: gzip" in raw
    [original] = catalog_rows(
        osint.data_dir,
        "SELECT payload_length FROM capture_records WHERE uri = ? AND type = 'response'",
        document["url"],
    )
    assert original == (len(compressed),)


def test_an_edited_article_lists_its_earlier_capture(changing, tmp_path):
    osint, site = changing["osint"], changing["site"]
    document = changing["documents"][site.server.url(EDITED)]
    current = site.articles[EDITED].html()
    assert document["capture"]["payload_sha256"] == hashlib.sha256(current).hexdigest()
    [earlier] = document["versions"]
    assert earlier["url"] == document["url"] and earlier["record_id"] != document["capture"]["record_id"]
    assert earlier["payload_sha256"] == hashlib.sha256(changing["old_edited"]).hexdigest()
    assert earlier["content_hash"] and earlier["content_hash"] != document["content_hash"]

    old = capture_get(osint, tmp_path, document["id"], "--version", "1", "--body")
    new = capture_get(osint, tmp_path, document["id"], "--body")
    assert old == changing["old_edited"] and b"Edition 1 of this report" in old
    assert new == current and b"Edition 2 of this report" in new
    beyond = osint.run("capture", "get", document["id"], "--version", "2", "--body", check=False)
    assert beyond.returncode == 2 and "has 1 earlier versions" in " ".join(beyond.stderr.split())


def test_an_unchanged_page_answered_304_leaves_a_server_not_modified_revisit(changing):
    osint, site = changing["osint"], changing["site"]
    assert site.hits[(STEADY, 304)] == 1
    document = changing["documents"][site.server.url(STEADY)]
    rows = catalog_rows(
        osint.data_dir,
        "SELECT record_id, type, status, refers_to FROM capture_records "
        "WHERE uri = ? AND type IN ('response', 'revisit') ORDER BY date",
        document["url"],
    )
    assert [(kind, status) for _, kind, status, _ in rows] == [("response", 200), ("revisit", 304)]
    (original_id, *_), (revisit_id, _, _, refers_to) = rows
    assert original_id == document["capture"]["record_id"] and refers_to == original_id
    store = open_store(osint.data_dir)
    try:
        revisit = store.read(store.catalog.record(revisit_id))  # type: ignore[arg-type]
        resolved = store.payload_record(revisit_id)
    finally:
        store.close()
    assert revisit.header("WARC-Profile") == SERVER_NOT_MODIFIED
    assert revisit.header("WARC-Refers-To") == original_id
    assert revisit.http_headers is not None and revisit.http_headers.get_statuscode() == "304"
    assert resolved is not None and resolved[1].payload == site.articles[STEADY].html()


def test_the_same_bytes_at_two_urls_are_stored_once(changing, tmp_path):
    osint, site = changing["osint"], changing["site"]
    urls = [site.server.url(path) for path in COPIES]
    rows = catalog_rows(
        osint.data_dir,
        "SELECT record_id, uri, type, refers_to, payload_sha256 FROM capture_records "
        "WHERE uri IN (?, ?) AND type IN ('response', 'revisit') ORDER BY date",
        *urls,
    )
    digest = hashlib.sha256(COPY_HTML).hexdigest()
    assert all(row[4] == digest for row in rows)
    [original] = [row for row in rows if row[2] == "response"]  # one copy of the payload, in both crawls
    revisits = [row for row in rows if row[2] == "revisit"]
    assert len(revisits) == 3 and all(row[3] == original[0] for row in revisits)
    assert {row[1] for row in rows} == set(urls)
    store = open_store(osint.data_dir)
    try:
        first_revisit = store.read(store.catalog.record(revisits[0][0]))  # type: ignore[arg-type]
    finally:
        store.close()
    assert first_revisit.header("WARC-Profile") == IDENTICAL_PAYLOAD
    assert first_revisit.header("WARC-Refers-To-Target-URI") == original[1]
    for url in urls:
        document = changing["documents"].get(url)
        if document is not None:  # each copy read back in full, whichever record it points at
            assert capture_get(osint, tmp_path, document["id"], "--body") == COPY_HTML


def test_with_captures_off_nothing_is_preserved(changing, tmp_path):
    site = changing["site"]
    osint = OsintCli(tmp_path / "data", extract_workers=0)
    osint.env["OSINT_CAPTURES"] = "0"
    watchlist = write_watchlist(
        tmp_path / "off.yaml", [{"id": "off", "kind": "page", "urls": [site.server.url(STEADY)]}]
    )
    report = osint.json("crawl", str(watchlist))
    assert report["indexed"] == 1, report
    assert not (osint.data_dir / "captures").exists()
    [document] = documents(osint).values()
    assert document["capture"] is None and document["versions"] == []
    refused = osint.run("capture", "get", document["id"], check=False)
    assert refused.returncode != 0 and "no captures in" in " ".join(refused.stderr.split())
    stats = osint.run("capture", "stats", check=False)
    assert stats.returncode != 0 and "unless OSINT_CAPTURES=0" in " ".join(stats.stderr.split())


# -- retention ---------------------------------------------------------------------------------


def _age(data_dir: Path, names: list[str], days: int) -> None:
    """Make files look `days` old to retention: the catalog's `created` is what prune goes by."""
    created = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    for name in names:
        catalog_rows(data_dir, "UPDATE capture_files SET created = ? WHERE name = ?", created, name)


def test_prune_deletes_old_files_but_keeps_originals_of_kept_revisits(changing, tmp_path):
    # on a copy of the crawled data: the other tests read the captures prune deletes
    data_dir = tmp_path / "data"
    shutil.copytree(changing["osint"].data_dir, data_dir)
    osint = OsintCli(data_dir, extract_workers=0)
    edited = changing["documents"][changing["site"].server.url(EDITED)]
    first_file = edited["versions"][0]["warc"]  # the first crawl's file
    second_file = edited["capture"]["warc"]  # the second crawl's file
    files = [name for (name,) in catalog_rows(data_dir, "SELECT name FROM capture_files ORDER BY created, name")]
    assert files.index(first_file) < files.index(second_file)
    fillers = sorted(set(files) - {first_file, second_file})  # filler records only: nothing refers to them
    assert fillers

    fresh = osint.json("capture", "prune", "--older-than", "1")
    assert fresh["deleted"] == [] and fresh["kept_for_revisits"] == []
    assert len(warc_files(data_dir / "captures")) == len(files)

    # the first crawl's file holds the originals the second crawl's revisits refer to
    _age(data_dir, [first_file, *fillers], days=30)
    planned = osint.json("capture", "prune", "--older-than", "7", "--dry-run")
    assert sorted(planned["deleted"]) == fillers and planned["kept_for_revisits"] == [first_file]
    assert all((data_dir / "captures" / name).exists() for name in fillers)
    pruned = osint.json("capture", "prune", "--older-than", "7")
    assert sorted(pruned["deleted"]) == fillers and pruned["kept_for_revisits"] == [first_file]
    assert not any((data_dir / "captures" / name).exists() for name in fillers)
    assert capture_get(osint, tmp_path, edited["id"], "--version", "1", "--body") == changing["old_edited"]

    # once the revisits' file is old too, both go
    _age(data_dir, [second_file], days=30)
    pruned = osint.json("capture", "prune", "--older-than", "7")
    assert sorted(pruned["deleted"]) == sorted([first_file, second_file]) and pruned["kept_for_revisits"] == []
    assert warc_files(data_dir / "captures") == []
    assert catalog_rows(
        data_dir, "SELECT count(*) FROM capture_records WHERE warc IN (?, ?)", first_file, second_file
    ) == [(0,)]

    # the documents still name their captures; reading one says it is gone
    assert osint.json("show", edited["id"])["capture"]["warc"] == second_file
    for args, record_id in (
        ((edited["id"],), edited["capture"]["record_id"]),
        ((edited["id"], "--body"), edited["capture"]["record_id"]),
        ((edited["id"], "--version", "1", "--raw"), edited["versions"][0]["record_id"]),
    ):
        gone = osint.run("capture", "get", *args, check=False)
        message = " ".join(gone.stderr.split())
        assert gone.returncode != 0 and gone.stdout == "", args
        assert "removed by retention" in message and record_id in gone.stderr.replace("\n", ""), message


def test_capture_get_of_a_listed_file_deleted_by_hand_says_it_is_gone(changing, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(changing["osint"].data_dir, data_dir)
    osint = OsintCli(data_dir, extract_workers=0)
    edited = changing["documents"][changing["site"].server.url(EDITED)]
    (data_dir / "captures" / edited["capture"]["warc"]).unlink()  # still listed in the catalog
    for args in ((edited["id"],), (edited["id"], "--body"), (edited["id"], "--raw")):
        gone = osint.run("capture", "get", *args, check=False)
        message = " ".join(gone.stderr.split())
        assert gone.returncode == 1 and gone.stdout == "", args
        assert "removed by retention" in message and "Traceback" not in gone.stderr, message
