"""Lines of text batched into byte chunks: one write per some tens of kilobytes, not per line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def line_chunks(lines: Iterable[str], per_chunk: int) -> Iterator[bytes]:
    """`lines` (without their newlines) as UTF-8, `per_chunk` newline-terminated lines a chunk."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == per_chunk:
            yield ("\n".join(batch) + "\n").encode("utf-8")
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode("utf-8")
