"""Document-level precision, recall and F1 of the entity extractor on an annotated set.

    .venv/bin/python benchmarks/entities_eval.py [--set NAME] [--dir DIR] [--model auto|none|PACKAGE]
        [--by-language] [--json] [--verbose]

Sets (tests/data/):
- `dev` (the default): the development set the rules were tuned on (written by us, mostly English);
- `holdout`: an independent set of longer texts in the register of published reporting, kept apart
  to measure generalisation;
- `real`: passages of real Arabic, Russian, French and Spanish reporting (each with its source
  address; the sentences around the entity phrases reworded), which the non-English rules were
  tuned on;
- `real-2` … `real-6`: 60 more such passages each from other regions and outlets, each scored
  blind once (after the tuning on the sets before it), then tuned on too;
- `real-blind`: the same kind of passages from yet other regions and outlets, scored blind (its
  errors are not read while the rules are developed);
- `all`: dev and holdout.
`--by-language` adds a table per language (a set's `language` fields).

Scores are micro-averaged over documents: each document contributes its predicted and expected
canonical sets per type (weapons, weapon categories, countries, armed groups, historical states).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402

from extractors.entities import extract_entities, model_layer  # noqa: E402

DATA = ROOT / "tests" / "data"
DEFAULT_DIR = DATA / "entities_dev"
HOLDOUT_DIR = DATA / "entities_holdout"
#: the real-reporting sets, in the order they were built (each later one first scored blind)
REAL_SETS = {
    "real": DATA / "entities_real",
    **{f"real-{number}": DATA / f"entities_real_{number}" for number in range(2, 7)},
    "real-blind": DATA / "entities_real_blind",
}
SETS = {
    "dev": (DEFAULT_DIR,),
    "holdout": (HOLDOUT_DIR,),
    **{name: (directory,) for name, directory in REAL_SETS.items()},
    "all": (DEFAULT_DIR, HOLDOUT_DIR),
}
TYPES = ("weapons", "weapon_categories", "countries", "armed_groups", "historical_states")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_documents(directory: Path = DEFAULT_DIR) -> list[dict[str, Any]]:
    yaml = YAML(typ="safe", pure=True)
    documents: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.yaml")):
        documents.extend(yaml.load(path.read_text(encoding="utf-8")) or [])
    for path in sorted(directory.glob("*.jsonl")):
        documents.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return documents


def evaluate(documents: list[dict[str, Any]]) -> dict[str, Score]:
    scores = {kind: Score() for kind in TYPES}
    for document in documents:
        result = extract_entities(document["text"], document.get("language", "en"))
        for kind in TYPES:
            expected = {str(v) for v in document.get("expected", {}).get(kind) or []}
            predicted = set(getattr(result, kind))
            score = scores[kind]
            score.tp += len(expected & predicted)
            score.fp += len(predicted - expected)
            score.fn += len(expected - predicted)
            if expected != predicted:
                score.errors.append(
                    {
                        "id": document["id"],
                        "missed": sorted(expected - predicted),
                        "spurious": sorted(predicted - expected),
                    }
                )
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="dev", help="annotated set to score (default: dev)")
    parser.add_argument("--dir", type=Path, help="directory of annotated *.yaml / *.jsonl (overrides --set)")
    parser.add_argument("--by-language", action="store_true", help="also score each language on its own")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--verbose", action="store_true", help="list every document whose set differs")
    parser.add_argument("--model", default="auto", help="spaCy pipeline, as OSINT_SPACY_MODEL (default: auto)")
    args = parser.parse_args(argv)
    model_layer.use_model(args.model)
    directories = (args.dir,) if args.dir else SETS[args.set]
    documents = [document for directory in directories for document in load_documents(directory)]
    groups = {"all": documents}
    if args.by_language:
        for document in documents:
            groups.setdefault(document.get("language", "en"), []).append(document)
    scored = {name: evaluate(group) for name, group in groups.items()}
    if args.json:
        report = {
            name: {"documents": len(groups[name]), "scores": _as_json(scores, args.verbose)}
            for name, scores in scored.items()
        }
        print(json.dumps(report["all"] if not args.by_language else report, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(documents)} documents from {', '.join(str(d) for d in directories)}")
    for name, scores in scored.items():
        if args.by_language:
            print(f"\n{name} ({len(groups[name])} documents)")
        _print_table(scores)
    if args.verbose:
        for kind, s in scored["all"].items():
            for error in s.errors:
                print(f"  {kind:<18} {error['id']:<12} missed={error['missed']} spurious={error['spurious']}")
    return 0


def _as_json(scores: dict[str, Score], verbose: bool) -> dict[str, Any]:
    return {
        kind: {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "tp": s.tp,
            "fp": s.fp,
            "fn": s.fn,
            **({"errors": s.errors} if verbose else {}),
        }
        for kind, s in scores.items()
    }


def _print_table(scores: dict[str, Score]) -> None:
    print(f"{'type':<20}{'P':>8}{'R':>8}{'F1':>8}{'TP':>6}{'FP':>6}{'FN':>6}")
    for kind, s in scores.items():
        print(f"{kind:<20}{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.tp:>6}{s.fp:>6}{s.fn:>6}")


if __name__ == "__main__":
    sys.exit(main())
