"""`osint arsenal GROUP` as an analyst runs it, on documents written straight into the embedded
index of the test's data directory."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta

import pytest

from arsenal.export import GRAPHML_NS
from tests.arsenal.documents import Named, Said, article
from tests.crawl.helpers import OsintCli

KORNET = "9M133 Kornet"
NOW = datetime.now(UTC)
HOSTILE_TITLE = "Arms \x1b]8;;https://evil.example\x1b\\report\x1b]8;;\x1b\\ \x1b[2J"
HOSTILE_SENTENCE = "The Houthis\x1b[31m were armed with AK-47\r rifles\x07."

SHIPMENT = article(
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
    published=NOW - timedelta(days=400),
    page_break_before=1,
)
KORNET_REPORT = article(
    "kornet",
    [
        Said("Houthi fighters fired a Kornet at the convoy.", KORNET, "Kornet", "use", group_surface="Houthi"),
        Named("AK-47 rifles were sold in the market.", "AK-47", "AK-47"),
    ],
    published=NOW - timedelta(days=10),
    source_id="wire",
)
HOSTILE = article(
    "hostile",
    [Said(HOSTILE_SENTENCE, "AK-47", "AK-47")],
    published=NOW - timedelta(days=500),
    title=HOSTILE_TITLE,
)
OTHER_GROUP = article(
    "hezbollah",
    [Said("Hezbollah fired RPG-7 rockets.", "RPG-7", "RPG-7", "use", group="Hezbollah", group_surface="Hezbollah")],
    published=NOW - timedelta(days=5),
    groups=("Hezbollah",),
)

#: a group the gazetteer does not know (say, of an older gazetteer), named by stored documents
FORMER_GROUP = "Northern Shield Brigade"
FORMER = article(
    "former-group",
    [Said(f"The {FORMER_GROUP} held RPG-7 rockets.", "RPG-7", "RPG-7", group=FORMER_GROUP, group_surface=FORMER_GROUP)],
    published=NOW - timedelta(days=30),
    groups=(FORMER_GROUP,),
)


@pytest.fixture
def indexed(osint: OsintCli) -> OsintCli:
    osint.index(SHIPMENT, KORNET_REPORT, HOSTILE, OTHER_GROUP)
    return osint


def test_json_profile_by_any_alias(indexed: OsintCli) -> None:
    profile = indexed.json("arsenal", "Ansar Allah")
    assert profile["group"] == "Houthis"
    assert (profile["documents"], profile["cooccurrence_documents"]) == (3, 0)
    weapons = {row["weapon"]: row for row in profile["weapons"]}
    assert set(weapons) == {"Type 56", KORNET, "AK-47"}  # not Hezbollah's RPG-7
    assert (weapons["AK-47"]["documents"], weapons["AK-47"]["cooccurrence_documents"]) == (1, 1)
    assert weapons["Type 56"]["suppliers"] == ["IR"] and weapons["Type 56"]["relation_types"] == {"supply_to": 1}
    assert [(row["key"], row["documents"], row["cooccurrence_documents"]) for row in profile["origins"]] == [
        ("RU", 2, 0),  # the AK-47 merely named beside the Kornet: that document has a sentence for RU
        ("CN", 1, 0),
    ]
    assert profile["routes"] == [
        {
            "supplier": "IR",
            "supplier_kind": "country",
            "weapon": "Type 56",
            "documents": 1,
            "relation_types": {"supply_to": 1},
        }
    ]
    assert profile["new"] == {"weapons": [], "origins": [], "categories": [], "suppliers": []}
    assert datetime.fromisoformat(profile["weapons"][0]["first_seen"]).tzinfo is not None


def test_text_profile_has_the_table_the_charts_and_the_routes(indexed: OsintCli) -> None:
    out = indexed.run("arsenal", "houthis").stdout
    assert out.startswith("Arsenal of Houthis: 3 documents with sentence links, 0 more with co-occurrence only")
    for expected in ("Weapons", "Type 56", "supply_to 1", "9M133", "Origins", "Categories", "assault rifle"):
        assert expected in out, expected
    origins = out[out.index("Origins") : out.index("Categories")].splitlines()
    russia = next(line for line in origins if "Russia" in line)
    china = next(line for line in origins if "China (CN)" in line)
    assert russia.count("█") == 2 * china.count("█") > 0 and russia.rstrip().endswith(" 2")
    categories = out[out.index("Categories") : out.index("Suppliers")].splitlines()
    rifles = next(line for line in categories if "assault rifle" in line)
    assert rifles.count("█") + rifles.count("░") == 40  # the largest row spans the width (BAR_WIDTH)
    assert rifles.count("█") > rifles.count("░") > 0 and rifles.rstrip().endswith(" 2 (+1)")
    assert "Iran (IR) (country) → Type 56 → Houthis  1 document · supply_to 1" in out
    assert "\x1b" not in out and "\x07" not in out  # not a terminal, and crawled text never adds any


def test_new_within_marks_and_lists_what_was_first_seen_in_the_period(indexed: OsintCli) -> None:
    profile = indexed.json("arsenal", "Houthis", "--new-within", "90d")
    assert profile["new"] == {
        "weapons": [KORNET],
        "origins": [],
        "categories": ["anti-tank guided missile"],
        "suppliers": [],
    }
    out = indexed.run("arsenal", "Houthis", "--new-within", "13w").stdout
    assert "NEW" in out and f"New since {(NOW - timedelta(weeks=13)).date().isoformat()}" in out
    assert f"weapons: {KORNET}" in out
    since = (NOW - timedelta(days=450)).date().isoformat()
    profile = indexed.json("arsenal", "Houthis", "--new-since", since)
    assert set(profile["new"]["weapons"]) == {KORNET, "Type 56"}  # AK-47 was seen 500 days ago
    out = indexed.run("arsenal", "Houthis", "--new-since", NOW.date().isoformat()).stdout
    assert "Nothing new since" in out


def test_filters_narrow_the_documents_read(indexed: OsintCli) -> None:
    wire = indexed.json("arsenal", "Houthis", "--source", "wire")
    assert [row["weapon"] for row in wire["weapons"]] == [KORNET, "AK-47"]
    recent = indexed.json("arsenal", "Houthis", "--since", (NOW - timedelta(days=30)).date().isoformat())
    assert [row["weapon"] for row in recent["weapons"]] == [KORNET, "AK-47"]
    old = indexed.json("arsenal", "Houthis", "--until", (NOW - timedelta(days=450)).strftime("%Y-%m-%d"))
    assert [row["weapon"] for row in old["weapons"]] == ["AK-47"]
    strict = indexed.json("arsenal", "Houthis", "--no-cooccurrence")
    assert {row["weapon"]: row["cooccurrence_documents"] for row in strict["weapons"]} == {
        "Type 56": 0,
        KORNET: 0,
        "AK-47": 0,
    }
    assert strict["request"]["cooccurrence"] is False


def test_evidence_prints_each_sentence_with_its_citation(indexed: OsintCli) -> None:
    out = indexed.run("arsenal", "Houthis", "--evidence", "supplier:Iran").stdout
    assert "Evidence for Houthis, supplier IR: 1 item" in out
    assert "[sentence] supply_to (to_group) · Type 56 · origin CN · supplier IR" in out
    assert "“Type 56 rifles were shipped from Iran to the Houthis.”" in out
    assert SHIPMENT.url in out and "page 2" in out
    assert f"capture sha256 {SHIPMENT.capture.payload_sha256[:12]} " in out
    assert f"published {SHIPMENT.published.date().isoformat()}" in out
    rifles = indexed.run("arsenal", "Houthis", "--evidence", "ak47").stdout
    assert "Evidence for Houthis, weapon AK-47: 2 items" in rifles
    assert "[co-occurrence, weaker]" in rifles and KORNET_REPORT.url in rifles
    assert "\x1b" not in rifles and "\x07" not in rifles and "\r" not in rifles
    assert "The Houthis were armed with AK-47 rifles." in rifles  # escapes and control characters gone
    assert "Arms report" in rifles
    data = json.loads(indexed.run("arsenal", "Houthis", "--evidence", "origin:China", "--json").stdout)
    assert (data["selection"], data["total"]) == ({"origin": "CN"}, 1)
    assert data["evidence"][0]["capture_sha256"] == SHIPMENT.capture.payload_sha256
    assert data["evidence"][0]["page"] == 2 and data["evidence"][0]["strength"] == "sentence"
    categories = indexed.json("arsenal", "Houthis", "--evidence", "category:assault rifle", "--limit", "1")
    assert categories["total"] == 3 and len(categories["evidence"]) == 1


def test_exports_write_csv_and_graphml_files(indexed: OsintCli, tmp_path) -> None:
    target = tmp_path / "houthis.csv"
    summary = indexed.json("arsenal", "Houthis", "--export", "csv", "--output", str(target))
    assert summary == {"format": "csv", "group": "Houthis", "path": str(target), "bytes": target.stat().st_size}
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    assert {(row["weapon"], row["origin"]) for row in rows} == {("Type 56", "CN"), (KORNET, "RU"), ("AK-47", "RU")}
    assert not list(tmp_path.glob("*.part"))
    graph = tmp_path / "houthis.graphml"
    out = indexed.run("arsenal", "Houthis", "--export", "graphml", "-o", str(graph)).stdout
    assert out.startswith("Exported the arsenal of Houthis")
    nodes = {node.get("id") for node in ElementTree.parse(graph).getroot().iter(f"{{{GRAPHML_NS}}}node")}
    assert nodes == {
        "armed_group:Houthis",
        "weapon:Type 56",
        f"weapon:{KORNET}",
        "weapon:AK-47",
        "country:CN",
        "country:RU",
        "country:IR",
    }
    streamed = indexed.run("arsenal", "Houthis", "--export", "graphml", "--output", "-").stdout
    assert streamed == graph.read_text("utf-8")


def test_an_unknown_group_exits_2_with_a_suggestion(osint: OsintCli) -> None:
    result = osint.run("arsenal", "Hutis", check=False)
    assert result.returncode == 2
    assert "no known armed group 'Hutis'; did you mean Houthis?" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_group_only_the_documents_name_is_profiled_as_the_web_profiles_it(osint: OsintCli) -> None:
    osint.index(FORMER)
    profile = osint.json("arsenal", FORMER_GROUP)
    assert profile["group"] == FORMER_GROUP and [row["weapon"] for row in profile["weapons"]] == ["RPG-7"]


def test_a_known_group_with_no_documents_says_so(osint: OsintCli) -> None:
    assert "No document links Houthis to a weapon." in osint.run("arsenal", "Houthis").stdout
    assert osint.json("arsenal", "Houthis")["weapons"] == []


@pytest.mark.parametrize(
    "arguments",
    [
        ["--since", "last week"],
        ["--until", "2024-13-01"],
        ["--since", "2024-05-01", "--until", "2024-04-01"],
        ["--new-within", "soon"],
        ["--new-within", "0d"],
        ["--new-within", "36501d"],
        ["--new-since", ""],
        ["--new-within", "90d", "--new-since", "2024-01-01"],
        ["--export", "csv"],
        ["--output", "x.csv"],
        ["--export", "pdf", "--output", "x.pdf"],
        ["--export", "csv", "--output", "-", "--json"],
        ["--export", "csv", "--output", "x.csv", "--evidence", "AK-47"],
        ["--evidence", "origin:"],
        ["--limit", "0", "--evidence", "AK-47"],
    ],
    ids=lambda arguments: " ".join(arguments),
)
def test_bad_usage_exits_2(osint: OsintCli, arguments: list[str]) -> None:
    result = osint.run("arsenal", "Houthis", *arguments, check=False)
    assert result.returncode == 2, result.stdout
    assert result.stderr.startswith("Usage: osint arsenal") and "Traceback" not in result.stderr


def test_a_bad_date_is_named_by_its_option(osint: OsintCli) -> None:
    result = osint.run("arsenal", "Houthis", "--new-since", "2024-02-30", check=False)
    assert result.returncode == 2
    assert "Invalid value for '--new-since': '2024-02-30' is not a valid date" in result.stderr
    wrong = osint.run("arsenal", "Houthis", "--until", "soon", check=False).stderr
    assert "Invalid value for '--until': expects a date like 2024-05-17, 2024-05 or 2024, got 'soon'" in wrong


def test_help(osint: OsintCli) -> None:
    out = osint.run("arsenal", "--help").stdout
    assert out.startswith("Usage: osint arsenal [OPTIONS] GROUP") and "--new-within DURATION" in out


def test_a_year_as_until_takes_the_whole_year(indexed: OsintCli) -> None:
    year = str(HOSTILE.published.year)
    profile = indexed.json("arsenal", "Houthis", "--since", year, "--until", year)
    assert "AK-47" in [row["weapon"] for row in profile["weapons"]]
    assert profile["request"]["until"] == f"{year}-12-31T23:59:59.999000+00:00"
