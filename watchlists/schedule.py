"""Schedules and durations as analysts write them: cron expressions or plain intervals.

``*/30 * * * *`` · ``every 30 minutes`` · ``every 6 hours`` · ``hourly`` · ``daily`` ·
``daily at 06:00 UTC`` · ``weekly`` · durations for revisits: ``7 days``, ``12 hours``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from croniter import croniter

_UNITS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_INTERVAL = re.compile(r"^(?:every\s+)?(\d+)?\s*(minute|hour|day|week)s?$")
_NAMED = {"hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 1"}
_DAILY_AT = re.compile(r"^daily\s+at\s+(\d{1,2}):(\d{2})(?:\s*utc)?$")


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    text: str
    interval: timedelta | None = None
    cron: str | None = None

    def next_after(self, moment: datetime) -> datetime:
        """The first run time strictly after `moment` (UTC)."""
        moment = moment.astimezone(UTC)
        if self.interval is not None:
            return moment + self.interval
        assert self.cron is not None  # parse_schedule sets either interval or cron
        return croniter(self.cron, moment).get_next(datetime).astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    normalised = " ".join(text.lower().split())
    match = _INTERVAL.match(normalised)
    if not match or match[1] == "0" or (match[1] is None and not normalised.startswith("every")):
        raise ScheduleError(f"{text!r} is not a duration such as '30 minutes', '6 hours' or '7 days'")
    try:
        return timedelta(seconds=int(match[1] or 1) * _UNITS[match[2]])
    except OverflowError:  # more days than a timedelta holds (999999999)
        raise ScheduleError(f"{text!r} is too long a duration") from None


def parse_schedule(text: str) -> Schedule:
    normalised = " ".join(text.lower().split())
    if normalised in _NAMED:
        return Schedule(text, cron=_NAMED[normalised])
    if match := _DAILY_AT.match(normalised):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise ScheduleError(f"{text!r}: no such time of day")
        return Schedule(text, cron=f"{minute} {hour} * * *")
    if _INTERVAL.match(normalised):
        interval = parse_duration(normalised)
        if interval < timedelta(minutes=1):
            raise ScheduleError(f"{text!r}: the shortest interval is one minute")
        return Schedule(text, interval=interval)
    if croniter.is_valid(text.strip()):
        return Schedule(text, cron=text.strip())
    raise ScheduleError(
        f"{text!r} is neither a cron expression ('*/30 * * * *') nor an interval ('every 30 minutes', 'daily at 06:00 UTC')"
    )
