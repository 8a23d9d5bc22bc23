"""An arsenal profile as its URL holds it, so that it can be bookmarked and shared: the document
date range (`since`, `until`), the sources (`source`, repeatable), the period comparison
(`new_within` a period: 90d, 12w or a number of days; or `new_since` a date) and whether the weaker co-occurrence links count
(`cooccurrence=0|1`); for the evidence behind one number, that number's selection (`weapon`,
`origin`, `category`, `supplier`, `strength`) and the page.

Reading and checking them only: each mistake is reported against its field, in words for the
analyst, and never reaches the index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from arsenal.groups import MAX_PERIOD_DAYS, period
from arsenal.profile import STRENGTHS, ProfileRequest, Strength
from index.query import QuerySyntaxError
from index.syntax import date_param

MAX_SOURCES = 50
MAX_VALUE_CHARS = 200
MAX_PAGE = 100_000
SELECTION = ("weapon", "origin", "category", "supplier")


class InvalidParams(ValueError):
    """Parameters that cannot be used: field -> what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value.strip())
    return values


@dataclass(frozen=True)
class ProfileParams:
    """The profile's filters as written in the URL (checked by `request`)."""

    since: str = ""
    until: str = ""
    sources: tuple[str, ...] = ()
    new_within: str = ""
    new_since: str = ""
    cooccurrence: str = "1"

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> ProfileParams:
        values = _grouped(pairs)

        def last(name: str, default: str = "") -> str:
            return values.get(name, [default])[-1]

        return cls(
            since=last("since"),
            until=last("until"),
            sources=tuple(dict.fromkeys(source for source in values.get("source", []) if source)),
            new_within=last("new_within"),
            new_since=last("new_since"),
            cooccurrence=last("cooccurrence", "1") or "1",
        )

    def pairs(self) -> list[tuple[str, str]]:
        """The query string's pairs, defaults left out."""
        pairs = [("since", self.since), ("until", self.until), *(("source", source) for source in self.sources)]
        pairs += [("new_within", self.new_within), ("new_since", self.new_since)]
        if self.cooccurrence != "1":
            pairs.append(("cooccurrence", self.cooccurrence))
        return [(name, value) for name, value in pairs if value]

    def request(self, group: str, now: datetime) -> ProfileRequest:
        """The profile request these parameters ask for (`now` anchors `new_within`), or
        InvalidParams naming each field that cannot be used."""
        errors: dict[str, str] = {}
        since = _date(errors, "since", self.since)
        until = _date(errors, "until", self.until)
        if since and until and since > until:
            errors["until"] = "The end of the range is before its start."
        new_since = None
        if self.new_within and self.new_since:
            errors["new_within"] = "Give the period to compare as a length of time or as a date, not both."
        elif self.new_within:
            within = period(self.new_within)
            if within is None:
                errors["new_within"] = (
                    f"A period like 90d or 12w (a plain number counts days), up to {MAX_PERIOD_DAYS:,} days,"
                    f" got {self.new_within!r}."
                )
            else:
                new_since = now - within
        else:
            new_since = _date(errors, "new_since", self.new_since)
        if len(self.sources) > MAX_SOURCES:
            errors["source"] = f"At most {MAX_SOURCES} sources at a time."
        elif any(len(source) > MAX_VALUE_CHARS for source in self.sources):
            errors["source"] = f"A source id has at most {MAX_VALUE_CHARS} characters."
        if self.cooccurrence not in ("0", "1"):
            errors["cooccurrence"] = "Either 1 (count co-occurrence, marked as weaker) or 0 (sentences only)."
        if errors:
            raise InvalidParams(errors)
        return ProfileRequest(
            group=group,
            since=since,
            until=until,
            sources=self.sources,
            new_since=new_since,
            cooccurrence=self.cooccurrence == "1",
        )


def _date(errors: dict[str, str], name: str, value: str) -> datetime | None:
    try:
        return date_param("until" if name == "until" else "since", value)
    except QuerySyntaxError:
        errors[name] = f"A date like 2024, 2024-05 or 2024-05-17, got {value!r}."
        return None


@dataclass(frozen=True)
class EvidenceSelection:
    """Which number's evidence to list: any of weapon, origin, category and supplier (all of
    those given), at one strength or both, a page at a time."""

    values: dict[str, str] = field(default_factory=dict)  # SELECTION name -> value
    strength: Strength | None = None
    page: int = 1

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> EvidenceSelection:
        """From a query string, or InvalidParams for a strength or page that cannot be used."""
        values = _grouped(pairs)
        errors: dict[str, str] = {}
        chosen = {name: values[name][-1] for name in SELECTION if values.get(name, [""])[-1]}
        for name, value in chosen.items():
            if len(value) > MAX_VALUE_CHARS:
                errors[name] = f"At most {MAX_VALUE_CHARS} characters."
        strength = values.get("strength", [""])[-1]
        if strength and strength not in STRENGTHS:
            errors["strength"] = f"Either {' or '.join(STRENGTHS)}, got {strength!r}."
        page = values.get("page", ["1"])[-1] or "1"
        if not page.isdecimal() or not 1 <= int(page) <= MAX_PAGE:
            errors["page"] = f"A page number from 1 to {MAX_PAGE:,}, got {page!r}."
        if errors:
            raise InvalidParams(errors)
        return cls(chosen, cast(Strength, strength) if strength else None, int(page))

    def pairs(self, page: int | None = None) -> list[tuple[str, str]]:
        pairs = list(self.values.items())
        if self.strength is not None:
            pairs.append(("strength", self.strength))
        number = self.page if page is None else page
        return pairs + ([("page", str(number))] if number > 1 else [])
