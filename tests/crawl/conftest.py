from __future__ import annotations

from pathlib import Path

import pytest

from tests.crawl.helpers import OsintCli


@pytest.fixture
def osint(tmp_path: Path) -> OsintCli:
    return OsintCli(tmp_path / "data")
