"""Precision, recall and F1 of the group–weapon relation extractor on the annotated passages.

    .venv/bin/python benchmarks/relations_eval.py [--set dev|dev2|devall|heldout|all] [--model none|auto]
        [--json] [--show-errors]

`dev` (the default) is `benchmarks/relations/dev.jsonl`, the set the extractor is developed on;
`heldout` is `benchmarks/relations/heldout.jsonl`, annotated apart (skipped with a message while it
does not exist). The rules are in `benchmarks/relations/GUIDELINES.md`.

Scores, each over unique items per passage:
- group–weapon: (group, weapon, direction), whatever the type;
- per type: (group, weapon, type);
- supplier: of the correct pairs whose gold names a supplier, the share predicted with it; and the
  precision of every supplier predicted;
- origins: (weapon, origin) of the explicit origin statements;
- group–weapon per language.
The scoring functions are pure (gold passages and predictions in, counts out) so the tests can
check them on small lists without running the extractor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from schema.relations import RELATION_TYPES  # noqa: E402

SET_DIR = ROOT / "benchmarks" / "relations"
SET_FILES = {"dev": SET_DIR / "dev.jsonl", "dev2": SET_DIR / "dev2.jsonl", "heldout": SET_DIR / "heldout.jsonl"}
SETS = {
    "dev": ("dev",),
    "dev2": ("dev2",),
    "devall": ("dev", "dev2"),
    "heldout": ("heldout",),
    "all": ("dev", "dev2", "heldout"),
}

Passage = dict[str, Any]
#: passage id -> {"relations": [...], "origin_statements": [...]}, as `Extraction` holds them
Predictions = dict[str, dict[str, list[dict[str, Any]]]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        """None when nothing was predicted: no precision to speak of."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when the gold holds nothing."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        return 2 * p * r / (p + r) if p and r else 0.0

    def add(self, gold: set[Any], predicted: set[Any]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": _rounded(self.precision),
            "recall": _rounded(self.recall),
            "f1": _rounded(self.f1),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "gold": self.tp + self.fn,
        }


@dataclass
class SupplierScore:
    with_gold: int = 0  # correct pairs whose gold names a supplier
    matched: int = 0  # ... and predicted with one of those suppliers
    predicted: Counts = field(default_factory=Counts)  # every predicted supplier: tp / fp only

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.with_gold if self.with_gold else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "correct_pairs_with_gold_supplier": self.with_gold,
            "matched": self.matched,
            "match_rate": _rounded(self.match_rate),
            "predicted": self.predicted.tp + self.predicted.fp,
            "precision": _rounded(self.predicted.precision),
        }


@dataclass
class Report:
    pairs: Counts = field(default_factory=Counts)
    types: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in RELATION_TYPES})
    supplier: SupplierScore = field(default_factory=SupplierScore)
    origins: Counts = field(default_factory=Counts)
    languages: dict[str, Counts] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self, *, errors: bool) -> dict[str, Any]:
        report: dict[str, Any] = {
            "group_weapon": self.pairs.as_dict(),
            "types": {kind: counts.as_dict() for kind, counts in self.types.items()},
            "supplier": self.supplier.as_dict(),
            "origins": self.origins.as_dict(),
            "languages": {lang: counts.as_dict() for lang, counts in sorted(self.languages.items())},
        }
        if errors:
            report["errors"] = self.errors
        return report


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- scoring ----------------------------------------------------------------------------------


def score(passages: Sequence[Passage], predictions: Predictions) -> Report:
    """Compare each passage's gold with what was predicted for its id (nothing, if absent)."""
    report = Report()
    for passage in passages:
        predicted = predictions.get(passage["id"], {})
        _score_passage(report, passage, predicted.get("relations", []), predicted.get("origin_statements", []))
    return report


def _score_passage(
    report: Report, passage: Passage, relations: list[dict[str, Any]], origins: list[dict[str, Any]]
) -> None:
    pid, text = passage["id"], passage["text"]
    gold_relations: list[dict[str, Any]] = passage["relations"]

    gold_pairs = _evidence_by(gold_relations, _pair, lambda r: r["evidence"])
    predicted_pairs = _evidence_by(relations, _pair, lambda r: _predicted_evidence(r, text))
    report.pairs.add(set(gold_pairs), set(predicted_pairs))
    report.languages.setdefault(passage["lang"], Counts()).add(set(gold_pairs), set(predicted_pairs))
    _note_differences(report.errors, pid, "relation", gold_pairs, predicted_pairs)

    gold_types = _types_by_pair(gold_relations)
    predicted_types = _types_by_pair(relations)
    for kind, counts in report.types.items():
        counts.add(_pairs_of_type(gold_types, kind), _pairs_of_type(predicted_types, kind))
    for pair in sorted(gold_pairs.keys() & predicted_pairs.keys()):
        expected, found = sorted(gold_types[pair]), sorted(predicted_types[pair])
        if expected != found:
            report.errors.append(_error(pid, "type", pair, f"gold {expected}, predicted {found}", gold_pairs[pair]))

    _score_suppliers(report, pid, gold_relations, relations, gold_pairs, set(predicted_pairs))

    gold_origins = _evidence_by(passage["origins"], _origin, lambda o: o["evidence"])
    predicted_origins = _evidence_by(origins, _origin, lambda o: _predicted_evidence(o, text))
    report.origins.add(set(gold_origins), set(predicted_origins))
    _note_differences(report.errors, pid, "origin", gold_origins, predicted_origins)


def _score_suppliers(
    report: Report,
    pid: str,
    gold: list[dict[str, Any]],
    predicted: list[dict[str, Any]],
    gold_pairs: dict[tuple[str, ...], str],
    predicted_pairs: set[tuple[str, ...]],
) -> None:
    gold_suppliers = _suppliers_by_pair(gold)
    predicted_suppliers = _suppliers_by_pair(predicted)
    for pair, expected in sorted(gold_suppliers.items()):
        if pair not in predicted_pairs:
            continue  # a missed pair is counted once, under group–weapon
        report.supplier.with_gold += 1
        found = predicted_suppliers.get(pair, set())
        if expected & found:
            report.supplier.matched += 1
        else:
            detail = f"gold {sorted(expected)}, predicted {sorted(found) or 'none'}"
            report.errors.append(_error(pid, "supplier", pair, detail, gold_pairs[pair]))
    for pair, found in predicted_suppliers.items():
        expected = gold_suppliers.get(pair, set())
        extra = found - expected
        report.supplier.predicted.tp += len(found & expected)
        report.supplier.predicted.fp += len(extra)
        # Listed here only for a correct pair the loop above did not already list.
        if extra and pair in gold_pairs and (not expected or expected & found):
            detail = f"gold {sorted(expected) or 'none'}, predicted {sorted(found)}"
            report.errors.append(_error(pid, "supplier", pair, detail, gold_pairs[pair]))


def _pair(relation: dict[str, Any]) -> tuple[str, ...]:
    return (relation["group"], relation["weapon"], relation["direction"])


def _origin(statement: dict[str, Any]) -> tuple[str, ...]:
    return (statement["weapon"], statement["origin"])


def _types_by_pair(relations: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], set[str]]:
    types: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for relation in relations:
        types[_pair(relation)].add(relation["type"])
    return types


def _pairs_of_type(types: dict[tuple[str, ...], set[str]], kind: str) -> set[tuple[str, str]]:
    """(group, weapon) of every pair with a relation of this type: the per-type score ignores direction."""
    return {(pair[0], pair[1]) for pair, kinds in types.items() if kind in kinds}


def _suppliers_by_pair(relations: Iterable[dict[str, Any]]) -> dict[tuple[str, ...], set[str]]:
    suppliers: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for relation in relations:
        if relation.get("supplier"):
            # Compared without case: "Lone Star Tactical LLC" and "Lone Star Tactical Llc" are one company.
            suppliers[_pair(relation)].add(relation["supplier"].strip().casefold())
    return dict(suppliers)


def _evidence_by(
    items: Iterable[dict[str, Any]],
    key: Callable[[dict[str, Any]], tuple[str, ...]],
    evidence: Callable[[dict[str, Any]], str],
) -> dict[tuple[str, ...], str]:
    """Unique keys, each with the evidence of its first item (for error listings)."""
    found: dict[tuple[str, ...], str] = {}
    for item in items:
        found.setdefault(key(item), evidence(item))
    return found


def _predicted_evidence(item: dict[str, Any], text: str) -> str:
    if item.get("evidence"):
        return str(item["evidence"])
    start, end = item.get("start"), item.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return str(item.get("sentence", ""))


def _note_differences(
    errors: list[dict[str, str]],
    pid: str,
    what: str,
    gold: dict[tuple[str, ...], str],
    predicted: dict[tuple[str, ...], str],
) -> None:
    for key in sorted(gold.keys() - predicted.keys()):
        errors.append(_error(pid, f"missed {what}", key, "", gold[key]))
    for key in sorted(predicted.keys() - gold.keys()):
        errors.append(_error(pid, f"spurious {what}", key, "", predicted[key]))


def _error(pid: str, kind: str, key: tuple[str, ...], detail: str, evidence: str) -> dict[str, str]:
    return {"id": pid, "kind": kind, "item": " | ".join(key), "detail": detail, "evidence": evidence}


# --- running the extractor --------------------------------------------------------------------


def load_passages(path: Path) -> list[Passage]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def predict(passages: Sequence[Passage], model: str) -> tuple[Predictions, float]:
    """The extractor's relations and origin statements per passage, and the seconds they took."""
    # Imported here: the tests import the scoring functions without loading the extractor.
    from extractors import extract_text
    from extractors.entities import model_layer

    model_layer.use_model(model)
    first_of_each_language = {passage["lang"]: passage for passage in reversed(passages)}
    for passage in first_of_each_language.values():  # gazetteers and models load per language, untimed
        extract_text(passage["text"], language_hint=passage["lang"])
    predictions: Predictions = {}
    started = time.perf_counter()
    for passage in passages:
        extraction = extract_text(passage["text"], language_hint=passage["lang"])
        predictions[passage["id"]] = {
            "relations": _with_evidence(extraction.relations, extraction.text),
            "origin_statements": _with_evidence(extraction.origin_statements, extraction.text),
        }
    return predictions, time.perf_counter() - started


def _with_evidence(items: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """Offsets index into the extraction's normalised text, which may differ from the passage's."""
    return [{**item, "evidence": text[item["start"] : item["end"]]} for item in items]


# --- output -----------------------------------------------------------------------------------


def _cell(value: float | None) -> str:
    return "     -" if value is None else f"{value:>6.3f}"


def _row(name: str, counts: Counts) -> str:
    return (
        f"  {name:<16}{_cell(counts.precision)}  {_cell(counts.recall)}  {_cell(counts.f1)}"
        f"{counts.tp:>6}{counts.fp:>6}{counts.fn:>6}"
    )


def print_report(report: Report, *, show_errors: bool) -> None:
    header = f"  {'':<16}{'P':>6}  {'R':>6}  {'F1':>6}{'TP':>6}{'FP':>6}{'FN':>6}"
    print("group–weapon (group, weapon, direction)")
    print(header)
    print(_row("all", report.pairs))
    for lang, counts in sorted(report.languages.items()):
        print(_row(lang, counts))
    print("relation type (group, weapon, type)")
    print(header)
    for kind, counts in report.types.items():
        print(_row(kind, counts))
    supplier = report.supplier
    print(
        f"supplier: {supplier.matched}/{supplier.with_gold} correct pairs with a gold supplier matched"
        f" (rate {_cell(supplier.match_rate).strip()}); precision of {supplier.predicted.tp + supplier.predicted.fp}"
        f" predicted suppliers {_cell(supplier.predicted.precision).strip()}"
    )
    print("origin statements (weapon, origin)")
    print(header)
    print(_row("all", report.origins))
    if show_errors:
        print(f"errors ({len(report.errors)})")
        for error in report.errors:
            detail = f" ({error['detail']})" if error["detail"] else ""
            print(f"  {error['id']:<10} {error['kind']:<18} {error['item']}{detail}")
            print(f"  {'':<10} {'':<18} « {error['evidence']} »")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="dev", help="annotated set to score (default: dev)")
    parser.add_argument("--model", default="auto", help="spaCy pipeline: none, auto or a package (default: auto)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--show-errors", action="store_true", help="list false positives and negatives")
    args = parser.parse_args(argv)

    passages: list[Passage] = []
    scored: list[str] = []
    for name in SETS[args.set]:
        path = SET_FILES[name]
        if not path.exists():
            print(f"{name}: {path.relative_to(ROOT)} does not exist yet, skipped", file=sys.stderr)
            continue
        passages.extend(load_passages(path))
        scored.append(name)
    if not passages:
        print("no annotated passages to score", file=sys.stderr)
        return 0

    predictions, seconds = predict(passages, args.model)
    report = score(passages, predictions)
    rate = len(passages) / seconds if seconds else None
    if args.json:
        summary = {"sets": scored, "passages": len(passages), "model": args.model, "seconds": round(seconds, 3)}
        summary["passages_per_second"] = _rounded(rate)
        print(json.dumps({**summary, **report.as_dict(errors=args.show_errors)}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(passages)} passages ({', '.join(scored)}), model {args.model}")
    print_report(report, show_errors=args.show_errors)
    print(f"timing: {seconds:.2f} s, {rate or 0:.1f} passages/s (extraction, after a warm-up per language)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
