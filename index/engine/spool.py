"""Documents the engine could not take, kept on disk until it can (``osint index flush``).

One JSON Lines file per spooled batch, named so that file order is spooling order, written to
a temporary name, synced and renamed, so a crash never leaves half a batch behind. Replaying
takes an exclusive lock, so a crawl and ``osint index flush`` never replay the same file twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schema.document import Document

SUFFIX = ".jsonl"


class Spool:
    def __init__(self, directory: Path):
        self.directory = directory

    def append(self, documents: list[Document]) -> int:
        if not documents:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        self._write(self.directory / name, documents)
        return len(documents)

    def files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(path for path in self.directory.iterdir() if path.name.endswith(SUFFIX))

    def pending(self) -> bool:
        return bool(self.files())

    def count(self) -> int:
        total = 0
        for path in self.files():
            with open(path, "rb") as handle:
                total += sum(1 for line in handle if line.strip())
        return total

    def read(self, path: Path) -> list[Document]:
        with open(path, encoding="utf-8") as handle:
            return [Document.model_validate(json.loads(line)) for line in handle if line.strip()]

    def replace(self, path: Path, documents: list[Document]) -> None:
        """Keep only `documents` of a partly replayed file (or drop the file if none are left)."""
        if documents:
            self._write(path, documents)
        else:
            path.unlink(missing_ok=True)

    @contextmanager
    def replay_lock(self) -> Iterator[bool]:
        """Yield True while holding the replay lock, False if another process holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".replay.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _write(path: Path, documents: list[Document]) -> None:
        temporary = path.with_name(path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            for document in documents:
                handle.write(document.model_dump_json())
                handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
