from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watchlists.schedule import ScheduleError, parse_duration, parse_schedule

T0 = datetime(2026, 3, 1, 5, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("every 30 minutes", T0 + timedelta(minutes=30)),
        ("every 6 hours", T0 + timedelta(hours=6)),
        ("every hour", T0 + timedelta(hours=1)),
        ("hourly", datetime(2026, 3, 1, 6, 0, tzinfo=UTC)),
        ("daily at 06:00 UTC", datetime(2026, 3, 1, 6, 0, tzinfo=UTC)),
        ("daily", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
        ("*/15 * * * *", datetime(2026, 3, 1, 5, 15, tzinfo=UTC)),
    ],
)
def test_next_run(text, expected):
    assert parse_schedule(text).next_after(T0) == expected


@pytest.mark.parametrize("text", ["sometimes", "every 0 minutes", "daily at 25:00", "* * *", "every 30 seconds"])
def test_bad_schedules(text):
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_durations():
    assert parse_duration("7 days") == timedelta(days=7)
    with pytest.raises(ScheduleError):
        parse_duration("a while")
