"""Jinja filters for the wording of legal documents, registered in the DOCX engine's environment.

| filter | example input | output |
|---|---|---|
| `long_date` | `2027-01-01` | `the 1st day of January, 2027` |
| `us_date` | `2027-01-01` | `January 1, 2027` |
| `currency` | `7500` | `$7,500.00` (negative: `-$7,500.00`) |
| `join_list` | `["A", "B", "C"]` | `A, B and C` (`join_list("or")` gives `A, B or C`) |
| `upper_name` | `Jane Q. Doe` | `JANE Q. DOE` |

Dates may be `date`, `datetime` or ISO-8601 strings (`2027-01-01`, `2027-01-01T09:00:00`).
Bad input raises `ValueError`/`TypeError`, which the engine reports as a `TemplateError`
at the tag that used the filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any


def _as_date(value: Any) -> dt.date:
    """Return `value` as a date; accept date, datetime, or an ISO-8601 string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None
    raise TypeError(f"expected a date or an ISO date string, got {type(value).__name__}")


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def long_date(value: Any) -> str:
    """Return the recital form of a date: `the 1st day of January, 2027`."""
    d = _as_date(value)
    return f"the {_ordinal(d.day)} day of {d:%B}, {d.year}"


def us_date(value: Any) -> str:
    """Return the US form of a date: `January 1, 2027`."""
    d = _as_date(value)
    return f"{d:%B} {d.day}, {d.year}"


def currency(value: Any, symbol: str = "$") -> str:
    """Return an amount in dollars with thousands separators and cents: `$7,500.00`."""
    if isinstance(value, bool):
        raise TypeError("expected an amount, got a boolean")
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}{symbol}{abs(cents):,.2f}"


def join_list(values: Iterable[Any], conjunction: str = "and") -> str:
    """Join items as prose: `A`, `A and B`, `A, B and C`."""
    if isinstance(values, (str, bytes)):
        raise TypeError("join_list expects a list, got a string")
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def upper_name(value: Any) -> str:
    """Return a name in capitals, as signature blocks print it."""
    return str(value).upper()


_US_STATES = dict(
    AL="Alabama", AK="Alaska", AZ="Arizona", AR="Arkansas", CA="California", CO="Colorado", CT="Connecticut",
    DE="Delaware", DC="the District of Columbia", FL="Florida", GA="Georgia", HI="Hawaii", ID="Idaho",
    IL="Illinois", IN="Indiana", IA="Iowa", KS="Kansas", KY="Kentucky", LA="Louisiana", ME="Maine",
    MD="Maryland", MA="Massachusetts", MI="Michigan", MN="Minnesota", MS="Mississippi", MO="Missouri",
    MT="Montana", NE="Nebraska", NV="Nevada", NH="New Hampshire", NJ="New Jersey", NM="New Mexico",
    NY="New York", NC="North Carolina", ND="North Dakota", OH="Ohio", OK="Oklahoma", OR="Oregon",
    PA="Pennsylvania", RI="Rhode Island", SC="South Carolina", SD="South Dakota", TN="Tennessee", TX="Texas",
    UT="Utah", VT="Vermont", VA="Virginia", WA="Washington", WV="West Virginia", WI="Wisconsin", WY="Wyoming",
    AS="American Samoa", GU="Guam", MP="the Northern Mariana Islands", PR="Puerto Rico",
    VI="the U.S. Virgin Islands",
)


def state_name(value: Any) -> str:
    """Return the name of a US state or territory from its postal code (`CA` -> `California`).

    An unknown code is returned as given, so a template never fails on it.
    """
    code = str(value).strip()
    return _US_STATES.get(code.upper(), code)


FILTERS: dict[str, Callable[..., str]] = {
    "state_name": state_name,
    "long_date": long_date,
    "us_date": us_date,
    "currency": currency,
    "join_list": join_list,
    "upper_name": upper_name,
}
