"""A gazetteer compiled from data written for a test, independent of the curated files."""

from __future__ import annotations

from pathlib import Path

from extractors.entities.gazetteer import Gazetteer, build


def gazetteer_from(directory: Path, **files: str) -> Gazetteer:
    """Compile `files` (weapons, categories, countries, armed_groups, generic_actors: YAML text)
    written into `directory`."""
    for name, body in files.items():
        (directory / f"{name}.yaml").write_text(body, encoding="utf-8")
    return build(data_dir=directory)
