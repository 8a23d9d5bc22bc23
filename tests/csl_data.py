"""The structure the CSL data schema (csl-data.json, CSL 1.0.2) requires of a CSL-JSON file, checked
by hand: the schema itself is not at hand without a network, and these are the parts of it that
decide whether a reference manager (Zotero) imports what `osint cite --style csl-json` prints."""

from __future__ import annotations

from typing import Any

#: item types of the CSL 1.0.2 data schema (csl-data.json)
_CSL_TYPE_LIST = (
    "article article-journal article-magazine article-newspaper bill book broadcast chapter classic "
    "collection dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing "
    "interview legal_case legislation manuscript map motion_picture musical_score pamphlet "
    "paper-conference patent performance periodical personal_communication post post-weblog regulation "
    "report review review-book software song speech standard thesis treaty webpage"
)
CSL_TYPES = frozenset(_CSL_TYPE_LIST.split())
CSL_NAME_VARIABLES = frozenset({"author", "editor", "translator", "container-author", "collection-editor"})
CSL_DATE_VARIABLES = frozenset({"accessed", "issued", "event-date", "original-date", "submitted", "available-date"})
CSL_STRING_VARIABLES = frozenset(
    {
        "id",
        "type",
        "title",
        "container-title",
        "publisher",
        "publisher-place",
        "URL",
        "note",
        "language",
        "page",
        "medium",
    }
)
CSL_NAME_PARTS = frozenset({"family", "given", "dropping-particle", "non-dropping-particle", "suffix", "literal"})


def assert_csl_data(data: Any) -> None:
    """The structure the CSL data schema requires of what we emit: an array of items, each with
    an id and a known type; names as objects of name parts; dates as date-parts of 1-3 integers."""
    assert isinstance(data, list) and data
    for item in data:
        assert isinstance(item, dict)
        assert isinstance(item.get("id"), str | int) and item.get("type") in CSL_TYPES
        for name, value in item.items():
            if name in CSL_NAME_VARIABLES:
                assert isinstance(value, list) and value
                for person in value:
                    assert isinstance(person, dict) and person and set(person) <= CSL_NAME_PARTS
                    assert all(isinstance(part, str) and part for part in person.values())
            elif name in CSL_DATE_VARIABLES:
                assert set(value) == {"date-parts"}
                assert len(value["date-parts"]) in (1, 2)
                for parts in value["date-parts"]:
                    assert 1 <= len(parts) <= 3 and all(isinstance(part, int) for part in parts)
                    if len(parts) > 1:
                        assert 1 <= parts[1] <= 12
            else:
                assert name in CSL_STRING_VARIABLES, name
                assert isinstance(value, str) and value, name
