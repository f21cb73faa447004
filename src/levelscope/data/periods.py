"""Reading the many ways publishers write a time period.

Every period becomes a canonical label with a first and last day, so that "2022/23",
"Financial year ending 2023" and "04/2022-03/2023" are the same period and sort in time.

==========================  ==================  ======================
as published                canonical label     days
==========================  ==================  ======================
``2021``                    ``2021``            2021-01-01..2021-12-31
``2018 - 2020``             ``2018-2020``       2018-01-01..2020-12-31
``2022/23``, ``2022-23``,   ``2022/23``         2022-04-01..2023-03-31
``Financial year ending
2023``
``10/2022 - 09/2023``       ``2022-10/2023-09`` 2022-10-01..2023-09-30
``2023-Q1``                 ``2023-Q1``         2023-01-01..2023-03-31
``09/2023``                 ``2023-09``         2023-09-01..2023-09-30
``16/11/2021 - 15/11/2022`` ``2021-11-16/2022-11-15`` those days
``2023-01``                 ``2023-01``         2023-01-01..2023-01-31
``2023-01-13``,             ``2023-01-13``      that day
``As of 13 January 2023``
==========================  ==================  ======================
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

EARLIEST_YEAR = 1800


@dataclass(frozen=True, order=True)
class Period:
    """A period of time with its canonical label."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def year(self) -> int:
        """The year the period ends in: the year a time series plots it at."""
        return self.end.year


class PeriodError(ValueError):
    """A period label that cannot be read or names an impossible period."""


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str) -> int:
    year = int(text)
    if year < EARLIEST_YEAR or year > 2200:
        raise PeriodError(f"year {year} is outside {EARLIEST_YEAR}-2200")
    return year


def _month(year: int, month: int) -> tuple[int, int]:
    if not 1 <= month <= 12:
        raise PeriodError(f"month {month} does not exist")
    return year, month


def _years(first: int, last: int) -> Period:
    if last < first:
        raise PeriodError(f"period ends ({last}) before it starts ({first})")
    label = str(first) if first == last else f"{first}-{last}"
    return Period(dt.date(first, 1, 1), dt.date(last, 12, 31), label)


def _financial_year(first: int) -> Period:
    return Period(dt.date(first, 4, 1), dt.date(first + 1, 3, 31), f"{first}/{(first + 1) % 100:02d}")


def _months(y1: int, m1: int, y2: int, m2: int) -> Period:
    _month(y1, m1)
    _month(y2, m2)
    if (y2, m2) < (y1, m1):
        raise PeriodError(f"period ends ({y2}-{m2:02d}) before it starts ({y1}-{m1:02d})")
    if (y1, m1) == (y2, m2):
        return Period(dt.date(y1, m1, 1), _month_end(y1, m1), f"{y1}-{m1:02d}")
    label = f"{y1}-{m1:02d}/{y2}-{m2:02d}"
    return Period(dt.date(y1, m1, 1), _month_end(y2, m2), label)


def _day(y: int, m: int, d: int) -> Period:
    try:
        day = dt.date(_year(str(y)), m, d)
    except ValueError as exc:
        raise PeriodError(str(exc)) from None
    return Period(day, day, day.isoformat())


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}

_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"^(\d{4})$"), lambda m: _years(_year(m[1]), _year(m[1]))),
    (re.compile(r"^(\d{4})\s*(?:-|–|to)\s*(\d{4})$"), lambda m: _years(_year(m[1]), _year(m[2]))),
    (
        re.compile(r"^(\d{4})\s*([/-])\s*(\d{2})$"),
        lambda m: _fy_two_digit(_year(m[1]), int(m[3]), m[2]),
    ),
    (
        re.compile(r"^financial year ending (?:march )?(\d{4})$", re.I),
        lambda m: _financial_year(_year(m[1]) - 1),
    ),
    (
        re.compile(r"^(\d{1,2})/(\d{4})\s*(?:-|–|to)\s*(\d{1,2})/(\d{4})$"),
        lambda m: _months(_year(m[2]), int(m[1]), _year(m[4]), int(m[3])),
    ),
    (
        re.compile(r"^(\d{4})-(\d{2})/(\d{4})-(\d{2})$"),
        lambda m: _months(_year(m[1]), int(m[2]), _year(m[3]), int(m[4])),
    ),
    (
        re.compile(r"^(\d{1,2})/(\d{4})$"),
        lambda m: _months(_year(m[2]), int(m[1]), _year(m[2]), int(m[1])),
    ),
    (
        re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})\s*(?:-|–|to)\s*(\d{1,2})/(\d{1,2})/(\d{4})$"),
        lambda m: _days(_day(int(m[3]), int(m[2]), int(m[1])), _day(int(m[6]), int(m[5]), int(m[4]))),
    ),
    (
        # the canonical label of a range of days, so that an export reads back
        re.compile(r"^(\d{4})-(\d{2})-(\d{2})/(\d{4})-(\d{2})-(\d{2})$"),
        lambda m: _days(_day(int(m[1]), int(m[2]), int(m[3])), _day(int(m[4]), int(m[5]), int(m[6]))),
    ),
    (
        re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I),
        lambda m: _quarter(_year(m[1]), int(m[2])),
    ),
    (
        re.compile(r"^(\d{4})-(\d{1,2})$"),
        lambda m: _months(_year(m[1]), int(m[2]), _year(m[1]), int(m[2])),
    ),
    (
        re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
        lambda m: _day(int(m[1]), int(m[2]), int(m[3])),
    ),
    (
        re.compile(r"^(?:as (?:of|at) )?(\d{1,2}) ([a-z]+) (\d{4})$", re.I),
        lambda m: _named_day(int(m[1]), m[2], int(m[3])),
    ),
]


def _days(first: Period, last: Period) -> Period:
    if last.start < first.start:
        raise PeriodError(f"period ends ({last.label}) before it starts ({first.label})")
    return Period(first.start, last.end, f"{first.label}/{last.label}")


def _fy_two_digit(first: int, second: int, separator: str) -> Period:
    # "2022-23" is a financial year, "2023-05" a month: the digits decide
    if second == (first + 1) % 100:
        return _financial_year(first)
    if separator == "-" and 1 <= second <= 12:
        return _months(first, second, first, second)
    raise PeriodError(
        f"'{first}{separator}{second:02d}' is neither a financial year ({first}/"
        f"{(first + 1) % 100:02d}) nor a month (month {second} does not exist)"
    )


def _quarter(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(dt.date(year, first, 1), _month_end(year, first + 2), f"{year}-Q{quarter}")


def _named_day(day: int, month_name: str, year: int) -> Period:
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise PeriodError(f"{month_name!r} is not a month")
    return _day(year, month, day)


def parse_period(text: object) -> Period:
    """Read a period label as publishers write it.

    Parameters
    ----------
    text:
        The label, e.g. ``2021``, ``"2022/23"``, ``"10/2022 - 09/2023"``; a whole-number float
        such as ``2021.0`` (how spreadsheets often store years) is read as a year.

    Returns
    -------
    Period
        Canonical label and first and last day.

    Raises
    ------
    PeriodError
        If the label matches no known form or names an impossible period (month 13, a range
        that ends before it starts, a year before 1800).

    Examples
    --------
    >>> parse_period("Financial year ending 2023").label
    '2022/23'
    """
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    cleaned = re.sub(r"\s+", " ", str(text)).strip()
    for pattern, build in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            return build(match)  # type: ignore[operator]
    raise PeriodError(f"cannot read {cleaned!r} as a period")
