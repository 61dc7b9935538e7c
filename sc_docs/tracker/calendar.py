"""Business-day arithmetic: weekends and public holidays (from the `holidays` library) are skipped.

The holiday list comes from `holidays`, which is maintained and knows observed days (a Saturday
holiday observed on the Friday before, even across a year end), instead of a hand-written table.
Its dates for the years a certification deadline falls in are kept in `holiday_table`, generated
from the library (`python -m tools.holiday_table`; a test compares the two): importing `holidays`
loads every country it knows and costs more than the rest of a packet. Any other country or year
asks the library itself.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from sc_docs.errors import RequirementsFileError
from sc_docs.tracker.holiday_table import FIRST_YEAR, LAST_YEAR, TABLE


class _Calendar:
    """The holidays of one country: the generated table where it has the year, else `holidays`."""

    def __init__(self, country: str) -> None:
        self.country = country
        self._table = TABLE.get(country)
        self._years: dict[int, frozenset[dt.date]] = {}
        self._library: object | None = None
        if self._table is None:
            self._library = _library_calendar(country)  # an unknown code fails here, not mid-count

    def __contains__(self, day: dt.date) -> bool:
        if self._table is not None and FIRST_YEAR <= day.year <= LAST_YEAR:
            days = self._years.get(day.year)
            if days is None:
                days = self._years[day.year] = frozenset(
                    dt.date(day.year, int(mmdd[:2]), int(mmdd[2:])) for mmdd in self._table[day.year].split()
                )
            return day in days
        if self._library is None:
            self._library = _library_calendar(self.country)
        return day in self._library  # type: ignore[operator]


def _library_calendar(country: str) -> object:
    import holidays

    try:
        # Federal (country-level) holidays only: no subdivision, observed days included.
        return holidays.country_holidays(country)
    except NotImplementedError as exc:
        raise RequirementsFileError(f"calendar: unknown country code '{country}'") from exc


@cache
def _holiday_calendar(country: str) -> _Calendar:
    return _Calendar(country)


def is_business_day(day: dt.date, country: str = "US") -> bool:
    """Return whether `day` is a weekday that is not a holiday in `country`."""
    return day.weekday() < 5 and day not in _holiday_calendar(country)


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
