"""Does a change alter what the extractors make of a page? Extracts every demo and test fixture
page (and the real benchmark pages, read where they are) with the code of a git revision and
with the working tree, and lists each page whose extraction differs, field by field.

    .venv/bin/python benchmarks/extract_diff.py --base HEAD~3 [--pages DIR] [--model none|auto]

The revision is exported with `git archive` into a temporary directory (the checkout is not
touched) and run with this virtualenv's interpreter. Exit status 1 when any page differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import real_pages  # noqa: E402
from benchmarks.real_pages import page_paths  # noqa: E402

SUFFIX_TYPES = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".txt": "text/plain"}

#: run inside a checkout: extract each file named on stdin, one JSON line per file
_DUMP = """
import json, sys
from pathlib import Path
sys.path.insert(0, ".")
from extractors import ExtractionError, extract
from extractors.entities.model_layer import use_model
use_model(sys.argv[1])
types = json.loads(sys.argv[2])
for name in sys.stdin.read().splitlines():
    path = Path(name)
    try:
        result = extract(
            path.read_bytes(), url="https://pages.example/" + path.name,
            content_type=types.get(path.suffix, "application/octet-stream"),
        ).model_dump(mode="json")
    except ExtractionError as error:
        result = {"error": error.reason}
    print(json.dumps({"path": name, "result": result}, sort_keys=True))
"""


def pages(bench_pages: Path | None) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "demo/site", "tests/fixtures"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    ours = [str(REPO / name) for name in listed if Path(name).suffix in SUFFIX_TYPES]
    theirs = [str(path) for path in page_paths(bench_pages)] if bench_pages and bench_pages.is_dir() else []
    return ours + theirs


def extractions(checkout: Path, files: list[str], model: str) -> dict[str, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", _DUMP, model, json.dumps(SUFFIX_TYPES)],
        cwd=checkout,
        input="\n".join(files),
        check=True,
        capture_output=True,
        text=True,
    )
    rows = (json.loads(line) for line in done.stdout.splitlines())
    return {row["path"]: row["result"] for row in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="git revision to compare the working tree with")
    parser.add_argument("--pages", type=Path, default=real_pages.DEFAULT_DIR, help="more pages, read in place")
    parser.add_argument("--model", default="none", help="OSINT_SPACY_MODEL for both sides")
    args = parser.parse_args()

    files = pages(args.pages)
    with tempfile.TemporaryDirectory() as exported:
        archive = subprocess.run(["git", "archive", args.base], cwd=REPO, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", exported], input=archive, check=True)
        before = extractions(Path(exported), files, args.model)
    after = extractions(REPO, files, args.model)
    changed = 0
    for name in files:
        old, new = before[name], after[name]
        if old != new:
            changed += 1
            fields = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
            print(
                f"differs: {Path(name).relative_to(REPO) if name.startswith(str(REPO)) else name}: {', '.join(fields)}"
            )
    print(
        f"{len(files) - changed} of {len(files)} pages extract byte-identically at {args.base} and in the working tree"
    )
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
