"""Business-day arithmetic: weekends and public holidays (from the `holidays` library) are skipped.

The holiday list comes from `holidays`, which is maintained and knows observed days (a Saturday
holiday observed on the Friday before, even across a year end), instead of a hand-written table.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from sc_docs.errors import RequirementsFileError


@cache
def _holiday_calendar(country: str) -> object:
    import holidays

    try:
        # Federal (country-level) holidays only: no subdivision, observed days included.
        return holidays.country_holidays(country)
    except NotImplementedError as exc:
        raise RequirementsFileError(f"calendar: unknown country code '{country}'") from exc


def is_business_day(day: dt.date, country: str = "US") -> bool:
    """Return whether `day` is a weekday that is not a holiday in `country`."""
    return day.weekday() < 5 and day not in _holiday_calendar(country)  # type: ignore[operator]


def add_business_days(start: dt.date, days: int, country: str = "US") -> dt.date:
    """Return the `days`-th business day after `start` (before it when `days` is negative).

    `start` itself never counts, so 1 business day after a Friday is the next Monday (or
    Tuesday when that Monday is a holiday); 0 returns `start` unchanged.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining:
        day += dt.timedelta(days=step)
        if is_business_day(day, country):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, country: str = "US") -> int:
    """Return the business-day offset of `end` from `start`: the inverse of `add_business_days`.

    Forwards it counts the business days after `start` up to and including `end`; backwards, as
    a negative number, those from `end` up to but excluding `start`.
    """
    if end < start:
        return -sum(
            is_business_day(end + dt.timedelta(days=i), country) for i in range((start - end).days)
        )
    return sum(is_business_day(start + dt.timedelta(days=i), country) for i in range(1, (end - start).days + 1))


def next_annual(month: int, day: int, on_or_after: dt.date) -> dt.date:
    """Return the first `month`/`day` on or after `on_or_after`; Feb 29 falls back to Feb 28."""
    year = on_or_after.year
    while True:
        candidate = _safe_date(year, month, day)
        if candidate >= on_or_after:
            return candidate
        year += 1


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # Feb 29 outside a leap year
        return dt.date(year, month, day - 1)
