"""Throughput of the entity extractor.

    .venv/bin/python benchmarks/entities_speed.py [--words 300000] [--model-words 30000] [--model auto]

1. Gazetteer only (the model layer set to `none`): words/s on one core over the development
   texts repeated as many documents.
2. With the statistical model (--model, as OSINT_SPACY_MODEL: auto or a package name): words/s
   of `extract_many` against the model's own `nlp.pipe` on the same documents (same enabled
   components), and their ratio; and the same per document (`extract_entities(text)` against
   `nlp.pipe([text])`).

Times are CPU seconds of this process (time.process_time), so a busy shared machine does not
distort the figures; the extractor is single-threaded.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from entities_eval import load_documents  # noqa: E402

from extractors.entities import extract_entities, extract_many, model_layer  # noqa: E402
from extractors.entities.gazetteer import default_gazetteer  # noqa: E402


def corpus(words: int) -> list[tuple[str, str]]:
    documents = [(d["text"], d.get("language", "en")) for d in load_documents()]
    out, total = [], 0
    while total < words:
        for text, language in documents:
            out.append((text, language))
            total += len(text.split())
    return out


def count_words(documents: list[tuple[str, str]]) -> int:
    return sum(len(text.split()) for text, _ in documents)


def gazetteer_speed(words: int) -> dict[str, float]:
    model_layer.use_model("none")
    default_gazetteer()
    documents = corpus(words)
    started = time.process_time()
    for text, language in documents:
        extract_entities(text, language)
    elapsed = time.process_time() - started
    total = count_words(documents)
    return {
        "documents": len(documents),
        "words": total,
        "seconds": round(elapsed, 3),
        "words_per_second": round(total / elapsed),
    }


def model_speed(words: int, model: str = "auto") -> dict[str, float | str] | None:
    model_layer.use_model(model)
    chosen = model_layer.active_pipeline("en")
    if chosen is None:
        return None
    name, nlp = chosen
    documents = [(t, lang) for t, lang in corpus(words) if lang == "en"]
    texts = [t for t, _ in documents]
    list(nlp.pipe(texts[:20]))  # warm up
    started = time.process_time()
    for _ in nlp.pipe(texts):
        pass
    alone = time.process_time() - started
    started = time.process_time()
    extract_many(documents)
    combined = time.process_time() - started
    started = time.process_time()
    for _ in texts:
        list(nlp.pipe([_]))
    alone_single = time.process_time() - started
    started = time.process_time()
    for text, language in documents:
        extract_entities(text, language)
    combined_single = time.process_time() - started
    total = count_words(documents)
    return {
        "model": name,
        "words": total,
        "batch": {
            "model_alone_words_per_second": round(total / alone),
            "extract_many_words_per_second": round(total / combined),
            "ratio": round(alone / combined, 3),
        },
        "per_document": {
            "model_alone_words_per_second": round(total / alone_single),
            "extract_entities_words_per_second": round(total / combined_single),
            "ratio": round(alone_single / combined_single, 3),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--model-words", type=int, default=30_000)
    parser.add_argument("--model", default="auto", help="spaCy pipeline for part 2: auto or a package name")
    args = parser.parse_args(argv)
    report = {
        "gazetteer_only": gazetteer_speed(args.words),
        "with_model": model_speed(args.model_words, args.model),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
