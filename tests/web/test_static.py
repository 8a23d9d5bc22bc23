"""The vendored browser libraries are exactly the npm releases VENDORED.tsv names."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "app" / "web" / "static" / "vendor"


def test_vendored_files_match_their_pinned_hashes() -> None:
    rows = [line.split("\t") for line in (VENDOR / "VENDORED.tsv").read_text().splitlines() if not line.startswith("#")]
    assert rows
    for package, version, _, vendored, sha256 in rows:
        assert version in vendored, package
        assert hashlib.sha256((VENDOR / vendored).read_bytes()).hexdigest() == sha256, vendored


def test_templates_load_nothing_from_another_origin() -> None:
    templates = Path(__file__).resolve().parents[2] / "app" / "web" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and " style=" not in text and not re.search(r" on[a-z]+=", text), template
        assert not re.search(r"""(src|href|action)=["'](https?:)?//""", text), template
