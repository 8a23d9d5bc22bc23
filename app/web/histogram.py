"""The search page's date histogram as an SVG bar chart's geometry: the matches' day counts in
days, months or years by how long a time they span, each bar a link narrowing the search to its
bucket (app/web/templates/_search_histogram.html draws it)."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.web.search_params import SearchParams

Interval = Literal["day", "month", "year"]

# Days while the matches span up to MAX_DAY_BARS days, then months up to MAX_MONTH_BARS, then
# years; past MAX_SLOTS slots only the non-empty ones are drawn.
MAX_DAY_BARS = 92
MAX_MONTH_BARS = 96
MAX_SLOTS = 200
CHART_WIDTH = 600
CHART_HEIGHT = 120  # the bars' area; the axis labels go below it
AXIS_HEIGHT = 18


@dataclass(frozen=True)
class Bar:
    label: str  # the bucket: 2024-03-05, 2024-03 or 2024
    count: int
    href: str  # the search narrowed to the bucket
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Histogram:
    interval: Interval
    bars: list[Bar]  # the non-empty buckets, each in its place on the time axis
    first_label: str
    last_label: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    axis_height: int = AXIS_HEIGHT

    @property
    def total_height(self) -> int:
        return self.height + self.axis_height


def _bucket(day: date, interval: Interval) -> date:
    return day if interval == "day" else day.replace(day=1) if interval == "month" else day.replace(month=1, day=1)


def _bucket_end(start: date, interval: Interval) -> date:
    if interval == "day":
        return start
    if interval == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start.replace(month=12, day=31)


def _next_bucket(start: date, interval: Interval) -> date:
    if interval == "day":
        return date.fromordinal(start.toordinal() + 1)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def _bucket_label(start: date, interval: Interval) -> str:
    return {"day": start.isoformat(), "month": f"{start:%Y-%m}", "year": str(start.year)}[interval]


def _interval(first: date, last: date) -> Interval:
    if (last - first).days < MAX_DAY_BARS:
        return "day"
    if (last.year - first.year) * 12 + last.month - first.month < MAX_MONTH_BARS:
        return "month"
    return "year"


def histogram(params: SearchParams, days: Sequence[tuple[str, int]]) -> Histogram | None:
    """The bar chart of a day histogram (non-empty buckets keyed YYYY-MM-DD), in days, months or
    years by how long a time the matches span; None when no match is dated."""
    by_day: dict[date, int] = {}
    for key, count in days:
        try:
            by_day[date.fromisoformat(key[:10])] = count
        except ValueError:  # a year the calendar cannot hold: nothing to draw
            continue
    if not by_day:
        return None
    interval = _interval(min(by_day), max(by_day))
    counts: dict[date, int] = {}
    for day, count in by_day.items():
        start = _bucket(day, interval)
        counts[start] = counts.get(start, 0) + count
    slots = [min(counts)]
    while slots[-1] < max(counts) and len(slots) <= MAX_SLOTS:
        slots.append(_next_bucket(slots[-1], interval))
    if len(slots) > MAX_SLOTS:  # a stray date decades away: the buckets side by side, gaps left out
        slots = sorted(counts)
    slot_width = CHART_WIDTH / len(slots)
    highest = max(counts.values())
    bars = []
    for position, start in enumerate(slots):
        count = counts.get(start, 0)
        if not count:
            continue
        height = max(CHART_HEIGHT * count / highest, 1.0)
        narrowed = params.restarted(since=start.isoformat(), until=_bucket_end(start, interval).isoformat())
        bars.append(
            Bar(
                _bucket_label(start, interval),
                count,
                narrowed.href(),
                x=round(position * slot_width + slot_width * 0.1, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(max(slot_width * 0.8, 0.5), 2),
                height=round(height, 2),
            )
        )
    return Histogram(interval, bars, _bucket_label(slots[0], interval), _bucket_label(slots[-1], interval))
