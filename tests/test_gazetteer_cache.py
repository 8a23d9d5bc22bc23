"""The compiled gazetteer kept on disk: read back, it finds exactly what a fresh compile finds;
a corrupt or unwritable cache costs a compile, never a wrong result or a crash."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.entities import compiled_cache, gazetteer
from extractors.entities.engine import extract_many

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from entities_eval import DEFAULT_DIR, load_documents  # noqa: E402


@pytest.fixture
def cache_dir(tmp_path: Path) -> Iterator[Path]:
    compiled_cache.use_cache_dir(tmp_path / "cache")
    yield tmp_path / "cache"
    compiled_cache.use_cache_dir(None)


def _found(compiled: gazetteer.Gazetteer) -> list[list[tuple[str, str, int, int]]]:
    documents = [(document["text"], document.get("language", "en")) for document in load_documents(DEFAULT_DIR)]
    return [
        [(mention.label, mention.canonical, mention.start, mention.end) for mention in result.entities]
        for result in extract_many(documents, compiled)
    ]


def test_a_cached_gazetteer_finds_what_a_fresh_compile_finds(cache_dir: Path) -> None:
    written = compiled_cache.load_or_build("gazetteer", gazetteer.build)
    (cached_file,) = cache_dir.glob("gazetteer-*.pickle")
    assert compiled_cache.inputs_key() in cached_file.name
    read_back = compiled_cache.load_or_build("gazetteer", gazetteer.build)
    assert read_back is not written  # read from the file, not the same object
    fresh = _found(gazetteer.build())
    assert sum(len(found) for found in fresh) > 100
    assert _found(read_back) == fresh


def test_a_corrupt_cache_is_compiled_again_and_replaced(cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    compiled_cache.load_or_build("gazetteer", gazetteer.build)
    (cached_file,) = cache_dir.glob("gazetteer-*.pickle")
    cached_file.write_bytes(cached_file.read_bytes()[:1000])  # truncated, as by a full disk
    with caplog.at_level(logging.WARNING):
        compiled = compiled_cache.load_or_build("gazetteer", gazetteer.build)
    assert "unreadable" in caplog.text
    assert _found(compiled) == _found(gazetteer.build())
    assert cached_file.stat().st_size > 100_000  # replaced by a whole one
    assert not list(cache_dir.glob(".gazetteer-*"))  # no temporary file left behind


def test_results_of_other_inputs_are_removed(cache_dir: Path) -> None:
    cache_dir.mkdir()
    (cache_dir / "gazetteer-0123456789abcdef.pickle").write_bytes(b"from other data files")
    (cache_dir / "other-0123.pickle").write_bytes(b"not ours to remove")
    compiled_cache.load_or_build("gazetteer", gazetteer.build)
    assert sorted(path.name for path in cache_dir.iterdir()) == sorted(
        [f"gazetteer-{compiled_cache.inputs_key()}.pickle", "other-0123.pickle"]
    )


def test_an_unwritable_cache_only_costs_a_compile(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    compiled_cache.use_cache_dir(blocker)
    try:
        with caplog.at_level(logging.WARNING):
            compiled = compiled_cache.load_or_build("gazetteer", gazetteer.build)
    finally:
        compiled_cache.use_cache_dir(None)
    assert "Could not keep the compiled gazetteer" in caplog.text
    assert compiled.root


def test_without_a_cache_directory_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    compiled_cache.load_or_build("gazetteer", gazetteer.build)
    assert list(tmp_path.iterdir()) == []
