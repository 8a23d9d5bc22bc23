"""Arsenal profile speed: `osint arsenal GROUP` for a group with 10,000 linked documents on the
embedded index. Target (issue "Arsenal profiles"): the profile renders in ≤ 1 s.

Builds, once, a real SQLite index (SqliteBackend.upsert) in --dir: --docs synthetic documents
naming the group, each with three to six weapons from the gazetteer, sentence relations for some
of them (every type and direction, stated origins, suppliers) and mere co-occurrence for the
rest, plus --others documents about other groups that the profile must leave out. Then times,
in this process, build_profile (the index read through iter_links and the aggregation), the
text rendering and the JSON rendering, each the best and median of --rounds; and once the whole
command in a process of its own (interpreter start-up and imports included).

    python -m benchmarks.arsenal_bench --dir /tmp/arsenal-bench [--docs 10000] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from app.commands.arsenal import print_profile
from arsenal.profile import ProfileRequest, build_profile, profile_json
from extractors.entities.gazetteer import all_records
from index.backend import open_backend
from schema.document import Capture, Document
from schema.entities import Entity
from schema.relations import Direction, Relation, RelationType, SupplierKind

REPO = Path(__file__).resolve().parents[1]
GROUP = "Houthis"
OTHER_GROUPS = ("al-Shabaab", "Hezbollah", "Islamic State", "Boko Haram")
TARGET_SECONDS = 1.0
#: (type, direction) as the relation extractor pairs them
RELATIONS: tuple[tuple[RelationType, Direction], ...] = (
    ("possession", "held"),
    ("use", "held"),
    ("found_with", "held"),
    ("seizure_from", "from_group"),
    ("capture_by", "to_group"),
    ("supply_to", "to_group"),
    ("sale_to", "to_group"),
    ("transfer", "to_group"),
    ("transfer", "from_group"),
)
SUPPLIERS: tuple[tuple[str, SupplierKind], ...] = (
    ("IR", "country"),
    ("RU", "country"),
    ("KP", "country"),
    ("Hezbollah", "group"),
    ("Norinco", "company"),
)
STATED_ORIGINS = ("IR", "CN", "BG", "RS", "KP")


def weapon_pool(size: int = 120) -> list[tuple[str, dict[str, Any]]]:
    """`size` gazetteer weapons (canonical name, attributes), models and categories, in a fixed order."""
    weapons: dict[str, dict[str, Any]] = {}
    for record in all_records():
        entry = record.entry
        if entry.label == "WEAPON":
            weapons.setdefault(entry.canonical, {k: v for k, v in entry.attributes.items() if v is not None})
    names = sorted(weapons)
    return [(name, weapons[name]) for name in random.Random(7).sample(names, size)]


def synthetic_document(number: int, group: str, pool: list[tuple[str, dict[str, Any]]], rng: random.Random) -> Document:
    """One article naming `group` and a few weapons, some tied to it by a sentence."""
    chosen = rng.sample(pool, rng.randint(3, 6))
    related = 0 if rng.random() < 0.15 else rng.randint(1, 3)  # weapons a sentence ties to the group
    sentences: list[str] = []
    entities: list[Entity] = []
    relations: list[Relation] = []
    position = 0
    for index, (weapon, attributes) in enumerate(chosen):
        sentence = (
            f"Fighters of {group} were reported with {weapon} near the front line."
            if index < related
            else f"Observers also listed {weapon} among the equipment seen in the province."
        )
        weapon_start = position + sentence.index(weapon)
        entities.append(
            Entity(
                label="WEAPON",
                text=weapon,
                start=weapon_start,
                end=weapon_start + len(weapon),
                canonical=weapon,
                attributes=attributes,
            )
        )
        if index < related:
            group_start = position + sentence.index(group)
            entities.append(
                Entity(
                    label="ARMED_GROUP", text=group, start=group_start, end=group_start + len(group), canonical=group
                )
            )
            kind, direction = rng.choice(RELATIONS)
            stated = rng.random() < 0.1
            supplier, supplier_kind = (
                rng.choice(SUPPLIERS) if direction == "to_group" and rng.random() < 0.4 else ("", "")
            )
            relations.append(
                Relation(
                    type=kind,
                    direction=direction,
                    group=group,
                    weapon=weapon,
                    weapon_kind=attributes["kind"],
                    category=attributes.get("category", weapon if attributes["kind"] == "category" else ""),
                    origin=rng.choice(STATED_ORIGINS) if stated else attributes.get("origin", ""),
                    origin_stated=stated,
                    supplier=supplier,
                    supplier_kind=supplier_kind,
                    start=position,
                    end=position + len(sentence),
                    sentence=sentence,
                    group_start=group_start,
                    group_end=group_start + len(group),
                    weapon_start=weapon_start,
                    weapon_end=weapon_start + len(weapon),
                    cue="reported with",
                    confidence=0.8,
                )
            )
        sentences.append(sentence)
        position += len(sentence) + 1
    text = " ".join(sentences)
    published = None if number % 20 == 0 else datetime(2019, 1, 1, tzinfo=UTC) + timedelta(hours=number * 5)
    fetched = datetime(2024, 12, 1, tzinfo=UTC) + timedelta(minutes=number)
    url = f"https://news.example.org/{group.lower().replace(' ', '-')}/{number}"
    models = [attributes for _, attributes in chosen]
    return Document.new(
        url,
        title=f"Report {number} on {group}",
        text=text,
        source_id=f"source-{number % 7}",
        language="en",
        published=published,
        fetched=fetched,
        capture=Capture(
            warc="OSINT-bench.warc.gz",
            offset=number * 1000,
            length=len(text),
            record_id=f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
            payload_sha256=f"{number:064x}",
            fetched_at=fetched,
        ),
        entities=entities,
        relations=relations,
        armed_groups=[group],
        weapons=sorted({name for name, a in chosen if a["kind"] == "model"}),
        weapon_categories=sorted({name for name, a in chosen if a["kind"] == "category"}),
        weapon_origins=sorted({str(a["origin"]) for a in models if a.get("origin")}),
    )


def corpus(docs: int, others: int, seed: int) -> Iterator[Document]:
    rng = random.Random(seed)
    pool = weapon_pool()
    for number in range(docs):
        yield synthetic_document(number, GROUP, pool, rng)
    for number in range(docs, docs + others):
        yield synthetic_document(number, OTHER_GROUPS[number % len(OTHER_GROUPS)], pool, rng)


def build_index(path: Path, docs: int, others: int, seed: int) -> dict[str, Any]:
    """The index at `path`, built unless it already holds docs + others documents."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_backend(f"sqlite:///{path}") as backend:
        if backend.count() == docs + others:
            return {"reused": True, "documents": docs + others}
        started = time.perf_counter()
        batch: list[Document] = []
        for document in corpus(docs, others, seed):
            batch.append(document)
            if len(batch) == 500:
                backend.upsert(batch)
                batch = []
        backend.upsert(batch)
        backend.refresh()
        return {"reused": False, "documents": backend.count(), "seconds": round(time.perf_counter() - started, 1)}


def timed(action: Callable[[], object], rounds: int) -> dict[str, float]:
    """Wall clock and this process's CPU time, best and median of `rounds` (CPU time is what a
    busy shared machine distorts least)."""
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "best": round(min(wall), 3),
        "median": round(statistics.median(wall), 3),
        "cpu_best": round(min(cpu), 3),
        "cpu_median": round(statistics.median(cpu), 3),
    }


def measure(path: Path, rounds: int) -> dict[str, Any]:
    request = ProfileRequest(group=GROUP, new_since=datetime(2024, 1, 1, tzinfo=UTC))
    with open_backend(f"sqlite:///{path}") as backend:
        profile = build_profile(backend, request)
        report: dict[str, Any] = {
            "linked_documents": profile.documents + profile.cooccurrence_documents,
            "weapons": len(profile.weapons),
            "build_profile": timed(lambda: build_profile(backend, request), rounds),
        }
    report["render_text"] = timed(lambda: print_profile(profile, Console(file=io.StringIO(), width=160)), rounds)
    report["render_json"] = timed(lambda: json.dumps(profile_json(profile)), rounds)
    report["total_median"] = round(
        sum(report[key]["median"] for key in ("build_profile", "render_text", "render_json")), 3
    )
    report["command"] = run_command(path)
    return report


def run_command(path: Path) -> dict[str, float]:
    """`osint arsenal GROUP` and `--json` in processes of their own: wall clock, start-up included."""
    environment = {**os.environ, "OSINT_INDEX_URL": f"sqlite:///{path}", "OSINT_DATA_DIR": str(path.parent)}
    environment["PYTHONPATH"] = str(REPO)
    seconds: dict[str, float] = {}
    for name, extra in (("text", []), ("json", ["--json"]), ("startup", ["--help"])):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app.cli", "arsenal", GROUP, *extra],
            cwd=REPO,
            env=environment,
            check=True,
            capture_output=True,
        )
        seconds[name] = round(time.perf_counter() - started, 2)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="where the index is built once (and reused)")
    parser.add_argument("--docs", type=int, default=10_000, help="documents naming the group (default 10000)")
    parser.add_argument("--others", type=int, default=2_000, help="documents about other groups (default 2000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    path = args.dir / f"arsenal-{args.docs}-{args.others}-{args.seed}.sqlite3"
    report = {"index": build_index(path, args.docs, args.others, args.seed), **measure(path, args.rounds)}
    report["target_seconds"] = TARGET_SECONDS
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
