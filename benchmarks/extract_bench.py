"""Extraction CPU per page, stage by stage, on real pages, against trafilatura alone; and the
main text's quality against a stored reference.

    .venv/bin/python benchmarks/extract_bench.py [--pages DIR] [--rounds 3] [--model none|auto]
    .venv/bin/python benchmarks/extract_bench.py --write-reference   # after a deliberate quality change

Every page is read from DIR (never copied into the repository). A warm-up pass loads the
gazetteers, the model and the libraries' lazy tables; then each round runs, page by page and in
alternating order, the project's `extract` (the crawl's extraction, stages timed by
extractors/timing.py) and `trafilatura.extract` alone with the options extractors/content.py
gives it. Both start from the page's bytes, as fetched: each decodes them its own way. Figures are CPU seconds of this process (time.process_time);
the median round is reported. Content extraction is decode + parse + metadata + date + main
text: the part `trafilatura.extract` alone is measured against (target ratio ≤ 1.3).

Quality is measured the way article-extraction benchmarks do: token-level precision, recall and
F1 of each page's main text against a reference. The reference is this project's own output
before the parse-once rewrite, kept in benchmarks/reference/bench_pages_tokens.json as each
page's bag of hashed tokens (counts of an 8-hex-digit digest, so no page text is stored);
every page must stay at F1 ≥ 0.99.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from benchmarks import real_pages  # noqa: E402
from benchmarks.real_pages import page_paths  # noqa: E402
from extractors import Extraction, ExtractionError, extract  # noqa: E402
from extractors.content import TRAFILATURA_OPTIONS  # noqa: E402
from extractors.entities.model_layer import use_model  # noqa: E402
from extractors.timing import measure  # noqa: E402

REFERENCE = REPO / "benchmarks" / "reference" / "bench_pages_tokens.json"
CONTENT_STAGES = ("decode", "parse", "metadata", "date", "main_text")
STAGES = (*CONTENT_STAGES, "language", "gazetteer", "model", "relations")
MIN_F1 = 0.99
TARGET_RATIO = 1.3
_TOKEN = re.compile(r"\w+")


def token_bag(text: str) -> Counter[str]:
    """The text's word tokens, case-folded and hashed: comparable, not readable."""
    return Counter(
        hashlib.blake2b(token.encode(), digest_size=4).hexdigest() for token in _TOKEN.findall(text.casefold())
    )


def f1(reference: Counter[str], candidate: Counter[str]) -> float:
    if not reference and not candidate:
        return 1.0
    overlap = sum((reference & candidate).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(candidate.values()), overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def page_url(path: Path) -> str:
    return f"https://bench.example/{path.name}"


def run_project(path: Path, body: bytes) -> tuple[Extraction | None, dict[str, float]]:
    with measure() as timings:
        try:
            result: Extraction | None = extract(body, url=page_url(path), content_type="text/html")
        except ExtractionError:
            result = None
    return result, timings


def run_anchor(path: Path, body: bytes) -> float:
    started = time.process_time()
    trafilatura.extract(body, url=page_url(path), **TRAFILATURA_OPTIONS)
    return time.process_time() - started


def one_round(pages: list[tuple[Path, bytes]], flip: bool) -> tuple[dict[str, float], float, dict[str, str]]:
    """CPU seconds per stage over all pages, the anchor's CPU seconds, and each page's text."""
    stages: Counter[str] = Counter()
    anchor = 0.0
    texts: dict[str, str] = {}
    for number, (path, body) in enumerate(pages):

        def ours(path: Path = path, body: bytes = body) -> None:
            result, timings = run_project(path, body)
            stages.update(timings)
            texts[path.name] = result.text if result is not None else ""

        def theirs(path: Path = path, body: bytes = body) -> None:
            nonlocal anchor
            anchor += run_anchor(path, body)

        steps: list[Callable[[], None]] = [ours, theirs] if (number % 2 == 0) != flip else [theirs, ours]
        for step in steps:
            step()
    return dict(stages), anchor, texts


def load_pages(directory: Path) -> list[tuple[Path, bytes]]:
    return [(path, path.read_bytes()) for path in page_paths(directory)]


def quality(texts: dict[str, str]) -> dict[str, Any]:
    reference = json.loads(REFERENCE.read_text())
    scores = {name: f1(Counter(reference.get(name, {})), token_bag(text)) for name, text in texts.items()}
    below = {name: round(score, 4) for name, score in sorted(scores.items()) if score < MIN_F1}
    return {
        "pages": len(scores),
        "identical_bags": sum(score == 1.0 for score in scores.values()),
        "min_f1": round(min(scores.values()), 4),
        "mean_f1": round(statistics.fmean(scores.values()), 4),
        "below_0.99": below,
        "missing_from_reference": sorted(set(texts) - set(reference)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=real_pages.DEFAULT_DIR)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", default="none", help="OSINT_SPACY_MODEL: none (gazetteer only) or auto")
    parser.add_argument("--write-reference", action="store_true", help="store the current main texts as the reference")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    use_model(args.model)
    pages = load_pages(args.pages)
    _, _, texts = one_round(pages, flip=False)  # warm-up: gazetteers, model, lazy tables
    if args.write_reference:
        REFERENCE.parent.mkdir(exist_ok=True)
        bags = {name: dict(sorted(token_bag(text).items())) for name, text in sorted(texts.items())}
        REFERENCE.write_text(json.dumps(bags, separators=(",", ":")) + "\n")
        print(f"reference of {len(bags)} pages written to {REFERENCE.relative_to(REPO)}")
        return
    rounds = [one_round(pages, flip=number % 2 == 1) for number in range(args.rounds)]
    median = sorted(rounds, key=lambda r: sum(r[0].get(s, 0.0) for s in CONTENT_STAGES))[len(rounds) // 2]
    stages, anchor, texts = median
    count = len(pages)
    content = sum(stages.get(name, 0.0) for name in CONTENT_STAGES)
    results = {
        "pages": count,
        "rounds": args.rounds,
        "entity_model": args.model,
        "ms_per_page": {name: round(stages.get(name, 0.0) / count * 1000, 2) for name in STAGES},
        "content_ms_per_page": round(content / count * 1000, 2),
        "trafilatura_alone_ms_per_page": round(anchor / count * 1000, 2),
        "content_to_trafilatura_ratio": round(content / anchor, 3),
        "content_ratio_per_round": [round(sum(r[0].get(s, 0.0) for s in CONTENT_STAGES) / r[1], 3) for r in rounds],
        "quality": quality(texts),
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{count} real pages from {args.pages}, entities: {args.model}, median of {args.rounds} rounds (CPU ms per page)"
    )
    for name, ms in results["ms_per_page"].items():
        print(f"  {name:<10} {ms:7.2f}")
    print(
        f"  content extraction {results['content_ms_per_page']} ms vs trafilatura.extract alone "
        f"{results['trafilatura_alone_ms_per_page']} ms: ratio {results['content_to_trafilatura_ratio']} "
        f"(target ≤ {TARGET_RATIO}; per round {results['content_ratio_per_round']})"
    )
    q = results["quality"]
    print(
        f"  main text vs reference: token F1 min {q['min_f1']}, mean {q['mean_f1']}, "
        f"{q['identical_bags']}/{q['pages']} identical; below {MIN_F1}: {q['below_0.99'] or 'none'}"
    )


if __name__ == "__main__":
    main()
