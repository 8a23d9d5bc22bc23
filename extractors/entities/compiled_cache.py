"""The compiled gazetteer, kept on disk between processes.

Compiling the data files (YAML, alias variants, tries) costs ~0.7 s of CPU in every process that
finds entities: each of a crawl's extraction workers, every `osint extract`. A process given a
cache directory (`use_cache_dir`: the crawl's <data_dir>/cache) loads the compiled result written
by an earlier process from the same inputs (~0.1 s), and writes it when there is none.

The key covers every input of the result: this package's data files, rules and code (the
compiler and the pickled classes), pycountry's version (country names) and Python's. A file that
cannot be read back (truncated, corrupt) is compiled again and replaced. Writes go to a temporary
file renamed into place, so a process never reads another's half-written file. The directory is
the user's own data directory: its pickles are trusted as the rest of the state there is.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

_T = TypeVar("_T")
_PACKAGE = Path(__file__).parent
_cache_dir: Path | None = None


def use_cache_dir(path: Path | None) -> None:
    """Keep compiled gazetteers under `path` in this process (None: compile every time)."""
    global _cache_dir
    _cache_dir = path


def inputs_key() -> str:
    """A digest of everything the compiled gazetteer is made from."""
    digest = hashlib.sha256()
    files = [*_PACKAGE.glob("*.py"), *_PACKAGE.glob("*.yaml"), *_PACKAGE.glob("data/*.yaml")]
    for path in sorted(files):
        digest.update(f"{path.relative_to(_PACKAGE)}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    digest.update(f"pycountry {importlib.metadata.version('pycountry')}\0python {sys.version}".encode())
    return digest.hexdigest()[:32]


def load_or_build(name: str, build: Callable[[], _T]) -> _T:
    """`build()`'s result, from the cache directory when it holds one of the same inputs."""
    if _cache_dir is None:
        return build()
    path = _cache_dir / f"{name}-{inputs_key()}.pickle"
    try:
        with path.open("rb") as file:
            loaded: _T = pickle.load(file)
        return loaded
    except FileNotFoundError:
        pass
    except Exception as exc:  # a truncated or corrupt file: compiled again below, and replaced
        log.warning("Compiled %s cache %s unreadable (%s): compiling it again", name, path, exc)
    built = build()
    try:
        _write(path, built, name)
    except OSError as exc:  # a read-only or full disk costs the next process a compile, no more
        log.warning("Could not keep the compiled %s in %s: %s", name, path.parent, exc)
    return built


def _write(path: Path, value: object, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for stale in path.parent.glob(f"{name}-*.pickle"):  # earlier inputs' results are never read again
        if stale != path:
            stale.unlink(missing_ok=True)
