"""Date strings from metadata and page text -> timezone-aware UTC datetimes."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

#: Dates outside this range are treated as noise (copyright years, placeholder 0001-01-01).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

#: Zone abbreviations common in English-language datelines; dateutil knows none by itself.
_ZONES = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "MSK": 3,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
    }.items()
}
_COMPACT_DATE = re.compile(r"^\d{8}$")  # 20240105 (citation_date, DC.date in some CMSes)

_YEAR = r"\b(?:1[89]|2\d)\d{2}\b"
#: A copyright notice with the years it names: "© 2026", "Copyright © 2019–2026", "(c) Name, 2026".
#: The gap before the first year is bounded and digit-free (linear time); later years follow a separator.
_COPYRIGHT_NOTICE = re.compile(rf"(?:©|\(c\)|\bcopyright\b)\D{{0,60}}?{_YEAR}(?:\s*[-–—,/]\s*{_YEAR})*", re.I)


#: Every other way a page can write a copyright sign or word than "©" itself, entities included,
#: case-folded ("copyr": a case-insensitive "copyright" also matches the Turkish dotted and dotless
#: i). A page without any has no notice to remove, and the tree walk that removes them is skipped.
_COPYRIGHT_MARKS = ("(c)", "&copy", "&#169", "&#xa9", "copyr")


def may_hold_copyright(html: str) -> bool:
    if "©" in html:  # the usual case, settled without folding the page
        return True
    folded = html.lower()  # one pass, then plain substring scans: a case-blind pattern is slower
    return any(mark in folded for mark in _COPYRIGHT_MARKS)


def without_copyright_years(text: str) -> str:
    """`text` with its copyright notices removed. A site's footer says "© 2026" on every page,
    old or new: the year is when the site was last touched, never when a page was published."""
    return _COPYRIGHT_NOTICE.sub("", text)


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken to be UTC (pages rarely say otherwise when they omit the offset)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(raw: str | None) -> datetime | None:
    """ISO 8601 first, then dateutil's lenient parser; None when nothing plausible is found."""
    if not raw:
        return None
    value = raw.strip()
    if not value or len(value) > 100:
        return None
    parsed: datetime | None = None
    if _COMPACT_DATE.match(value):
        try:
            parsed = datetime.strptime(value, "%Y%m%d")
        except ValueError:
            return None
    if parsed is None:
        try:
            parsed = dateutil_parser.isoparse(value)
        except (ValueError, OverflowError):
            parsed = _lenient(value)
    if parsed is None or not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return None
    return to_utc(parsed)


def _lenient(value: str) -> datetime | None:
    # A fixed default keeps missing fields deterministic instead of "today".
    default = datetime(2000, 1, 1)
    try:
        with warnings.catch_warnings():
            # Unknown zone names yield a naive datetime, which to_utc takes as UTC.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            return dateutil_parser.parse(value, default=default, tzinfos=_ZONES)
    except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
        return None
