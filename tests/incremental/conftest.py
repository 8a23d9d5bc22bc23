from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl.helpers import OsintCli


@pytest.fixture
def osint(tmp_path: Path) -> OsintCli:
    """Extraction in the crawler process: these tests count requests and outcomes, not speed."""
    return OsintCli(tmp_path / "data", extract_workers=0)
