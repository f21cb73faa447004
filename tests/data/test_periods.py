"""Period labels as publishers write them, read into canonical periods."""

import datetime as dt

import pytest

from levelscope.data.periods import PeriodError, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2021", "2021", D(2021, 1, 1), D(2021, 12, 31)),
        (2021, "2021", D(2021, 1, 1), D(2021, 12, 31)),
        (2021.0, "2021", D(2021, 1, 1), D(2021, 12, 31)),
        ("2018 - 2020", "2018-2020", D(2018, 1, 1), D(2020, 12, 31)),
        ("2022/23", "2022/23", D(2022, 4, 1), D(2023, 3, 31)),
        ("2022-23", "2022/23", D(2022, 4, 1), D(2023, 3, 31)),
        ("1999/00", "1999/00", D(1999, 4, 1), D(2000, 3, 31)),
        ("Financial year ending 2023", "2022/23", D(2022, 4, 1), D(2023, 3, 31)),
        ("10/2022 - 09/2023", "2022-10/2023-09", D(2022, 10, 1), D(2023, 9, 30)),
        ("04/2022-03/2023", "2022-04/2023-03", D(2022, 4, 1), D(2023, 3, 31)),
        ("09/2023", "2023-09", D(2023, 9, 1), D(2023, 9, 30)),
        ("2024-02", "2024-02", D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        ("2023-05", "2023-05", D(2023, 5, 1), D(2023, 5, 31)),
        ("2012-13", "2012/13", D(2012, 4, 1), D(2013, 3, 31)),  # a financial year, not month 13
        ("2023-Q4", "2023-Q4", D(2023, 10, 1), D(2023, 12, 31)),
        ("2023-01-13", "2023-01-13", D(2023, 1, 13), D(2023, 1, 13)),
        ("As of 13 January 2023", "2023-01-13", D(2023, 1, 13), D(2023, 1, 13)),
        ("As at 31 January 2024", "2024-01-31", D(2024, 1, 31), D(2024, 1, 31)),
        ("16/11/2021 - 15/11/2022", "2021-11-16/2022-11-15", D(2021, 11, 16), D(2022, 11, 15)),
    ],
)
def test_reads_publisher_labels(text: object, label: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.year == end.year


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-13", "month 13 does not exist"),
        ("2020 - 2018", r"ends \(2018\) before it starts \(2020\)"),
        ("2022/24", "neither a financial year"),
        ("2023-14", "month 14 does not exist"),
        ("1750", "outside 1800-2200"),
        ("2023-02-30", "day is out of range"),
        ("next year", "cannot read"),
    ],
)
def test_rejects_impossible_periods(text: str, reason: str) -> None:
    with pytest.raises(PeriodError, match=reason):
        parse_period(text)


@pytest.mark.parametrize(
    "published",
    ["2021", "2018 - 2020", "2022-23", "Financial year ending 2023", "10/2022 - 09/2023",
     "2023-Q1", "09/2023", "16/11/2021 - 15/11/2022", "2023-01", "As of 13 January 2023"],
)
def test_every_canonical_label_reads_back_as_itself(published: str) -> None:
    """An export writes canonical labels; importing it again must read them (the day range
    2021-11-16/2022-11-15 once could not be)."""
    period = parse_period(published)
    again = parse_period(period.label)
    assert (again.label, again.start, again.end) == (period.label, period.start, period.end)
