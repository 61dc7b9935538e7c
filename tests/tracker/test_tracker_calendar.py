"""Business days skip weekends and US federal holidays, including observed days and year ends."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_docs.tracker.calendar import add_business_days, business_days_between, is_business_day, next_annual
from sc_docs.tracker.holiday_table import FIRST_YEAR, LAST_YEAR, TABLE
from sc_docs.errors import RequirementsFileError

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 12, 1), 10, D(2026, 12, 15)),  # two plain weeks
        (D(2026, 12, 4), 1, D(2026, 12, 7)),  # Friday -> Monday
        (D(2026, 12, 5), 1, D(2026, 12, 7)),  # from a Saturday
        (D(2026, 11, 25), 1, D(2026, 11, 27)),  # Thanksgiving Thursday skipped
        (D(2026, 11, 24), 3, D(2026, 11, 30)),  # Wed, (Thu holiday), Fri, Mon
        (D(2026, 12, 24), 1, D(2026, 12, 28)),  # Christmas Friday, then the weekend
        (D(2026, 12, 31), 1, D(2027, 1, 4)),  # year end: New Year's Day Friday
        (D(2027, 12, 23), 1, D(2027, 12, 27)),  # Christmas 2027 (Sat) observed Fri Dec 24
        (D(2027, 12, 30), 1, D(2028, 1, 3)),  # New Year 2028 (Sat) observed Fri Dec 31, 2027
        (D(2026, 7, 2), 1, D(2026, 7, 6)),  # Independence Day (Sat) observed Fri Jul 3
        (D(2026, 11, 30), -1, D(2026, 11, 27)),  # backwards over a weekend
        (D(2026, 11, 27), -1, D(2026, 11, 25)),  # backwards over Thanksgiving
        (D(2026, 12, 5), 0, D(2026, 12, 5)),  # zero days: the start itself
    ],
    ids=[
        "two-weeks",
        "friday",
        "saturday",
        "thanksgiving",
        "thanksgiving-3",
        "christmas",
        "new-year",
        "christmas-observed",
        "new-year-observed-previous-year",
        "july-4-observed",
        "back-weekend",
        "back-thanksgiving",
        "zero",
    ],
)
def test_add_business_days(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_business_days(start, days) == expected


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (D(2026, 11, 26), False),  # Thanksgiving
        (D(2026, 11, 27), True),  # the Friday after is a working day for the federal calendar
        (D(2027, 12, 31), False),  # New Year's Day 2028 observed
        (D(2027, 7, 5), False),  # July 4 (Sun) observed Monday
        (D(2026, 12, 26), False),  # Saturday
        (D(2026, 12, 29), True),
    ],
)
def test_is_business_day(day: dt.date, business: bool) -> None:
    assert is_business_day(day) is business


def test_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(RequirementsFileError, match="unknown country code 'XX'"):
        is_business_day(D(2026, 1, 5), "XX")


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2031, 12, 31))


@given(dates, st.integers(min_value=-40, max_value=40))
def test_adding_lands_on_a_business_day_and_counts_back(start: dt.date, days: int) -> None:
    end = add_business_days(start, days)
    if days:
        assert is_business_day(end)
        assert (end > start) is (days > 0)
    assert business_days_between(start, end) == days


@given(dates, st.integers(min_value=0, max_value=30))
def test_more_days_never_end_earlier(start: dt.date, days: int) -> None:
    assert add_business_days(start, days) < add_business_days(start, days + 1)


@pytest.mark.parametrize(
    ("month", "day", "ref", "expected"),
    [
        (4, 30, D(2026, 12, 1), D(2027, 4, 30)),
        (4, 30, D(2027, 4, 30), D(2027, 4, 30)),  # on the day itself
        (4, 30, D(2027, 5, 1), D(2028, 4, 30)),
        (4, 30, D(2027, 1, 1), D(2027, 4, 30)),
        (12, 31, D(2026, 12, 31), D(2026, 12, 31)),
        (2, 29, D(2026, 3, 1), D(2027, 2, 28)),  # no Feb 29 in 2027
        (2, 29, D(2027, 3, 1), D(2028, 2, 29)),
    ],
)
def test_next_annual(month: int, day: int, ref: dt.date, expected: dt.date) -> None:
    assert next_annual(month, day, ref) == expected


@pytest.mark.parametrize("country", sorted(TABLE))
def test_the_generated_table_is_what_holidays_says(country: str) -> None:
    """The table stands in for the library: regenerate it (`python -m tools.holiday_table`) when they differ."""
    import holidays

    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        library = sorted(d for d in holidays.country_holidays(country, years=year) if d.year == year)
        assert TABLE[country][year] == " ".join(d.strftime("%m%d") for d in library), (
            f"{country} {year}: run python -m tools.holiday_table")


def test_every_table_day_is_a_holiday_and_no_other_weekday_is() -> None:
    import holidays

    us = holidays.country_holidays("US")
    for day in (D(2020, 1, 1) + dt.timedelta(days=i) for i in range((D(2041, 1, 1) - D(2020, 1, 1)).days)):
        assert is_business_day(day) is (day.weekday() < 5 and day not in us), day


def test_years_beyond_the_table_ask_the_library() -> None:
    # July 4, 2100 is a Sunday, observed on Monday July 5: known to the library, not the table.
    assert LAST_YEAR < 2100
    assert not is_business_day(D(2100, 7, 5))
    assert is_business_day(D(2100, 7, 6))
    assert not is_business_day(D(1999, 12, 31))  # New Year 2000 (Sat) observed on Friday


def test_another_country_asks_the_library() -> None:
    assert not is_business_day(D(2026, 12, 28), "GB")  # Boxing Day (Sat) observed on Monday
    assert is_business_day(D(2026, 11, 26), "GB")  # no Thanksgiving in England


def test_a_us_packet_never_imports_holidays() -> None:
    """Counting US business days within the table's years needs no `holidays` import (it loads every country)."""
    import subprocess
    import sys

    code = ("import sys, datetime as dt; from sc_docs.tracker.calendar import add_business_days; "
            "add_business_days(dt.date(2026, 12, 20), 30); print('holidays' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
