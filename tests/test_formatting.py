"""One way to write numbers, dates and level names: each slip a user reported, written out."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from levelscope import formatting
from levelscope.errors import Problem, ValidationError


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (767.0, "", "767"),  # was "767.0 places"
        (1200.0, "people", "1,200 people"),  # was "1,200.00 people"
        (5709343.0, "persons", "5,709,343 persons"),  # was 5.709343e+06
        (34.2, "£ per hour worked", "£34.20 per hour worked"),
        (52848.0, "£ per filled job", "£52,848 per filled job"),
        (527.0, "£ per week", "£527 per week"),
        (1234.5, "£ million", "£1,234 million"),
        (12.34, "£ million", "£12.3 million"),
        (-3.2, "£ per head", "-£3.20 per head"),
        (66.9, "%", "66.9%"),
        (7.11774, "minutes", "7.12 minutes"),
        (18.600000000000001, "years", "18.6 years"),
        (float("nan"), "%", "–"),
        (None, "", "–"),
    ],
)
def test_values_read_like_a_report(value: float | None, unit: str, expected: str) -> None:
    assert formatting.value(value, unit) == expected


def test_no_scientific_notation_at_any_size() -> None:
    for x in (5.709343e06, 1.5e12, 0.000123, 1e-7, -2.5e9):
        text = formatting.number(x)
        assert "e" not in text.lower(), text
    assert formatting.number(1.5e12) == "1,500,000,000,000"
    assert formatting.number(0.000123) == "0.000123"
    assert formatting.number(-0.0) == "0"


def test_shares_percentages_counts_and_differences() -> None:
    assert formatting.share(0.1234) == "12.3%"
    assert formatting.percent(12.34) == "12.3%"
    assert formatting.count(1157603.4) == "1,157,603"
    assert formatting.difference(-1.25, "%", signed=True) == "-1.25 percentage points"
    assert formatting.difference(2.0, "£ per head", signed=True) == "+£2 per head"


def test_dates_without_times() -> None:
    assert formatting.date(pd.Timestamp("1991-01-01")) == "1991-01-01"  # was "1991-01-01 00:00:00"
    assert formatting.date("1991-01-01 00:00:00") == "1991-01-01"
    assert formatting.date(dt.datetime(2024, 6, 5, 14, 3, 9)) == "2024-06-05 14:03"
    assert formatting.date(dt.date(2024, 6, 5)) == "2024-06-05"
    assert formatting.date(pd.NaT) == "–"


@pytest.mark.parametrize(
    ("level", "plural", "expected"),
    [
        ("itl3", True, "ITL3 regions"),  # was "Itl3 regions"
        ("extra_regio", True, "Extra-regio territories"),  # was "Extra regios"
        ("lad", False, "Local authority district"),
        ("oecd_tl3", True, "OECD small regions (TL3)"),
        ("new_level", True, "New levels"),
    ],
)
def test_level_names_from_one_registry(level: str, plural: bool, expected: str) -> None:
    assert formatting.level_name(level, plural, capital=True) == expected


def test_every_level_of_the_model_has_a_name() -> None:
    from levelscope.data.model import Level

    assert {str(lv) for lv in Level} <= set(formatting.LEVEL_NAMES)


def test_messages_quote_numbers_not_numpy_reprs() -> None:
    assert formatting.plain(np.float64(1014.0)) == "1014"  # was "np.float64(1014.0)"
    assert formatting.plain(np.int64(7)) == "7"
    assert formatting.plain(18.600000000000001) == "18.6"
    assert formatting.plain("E06000009") == "'E06000009'"
    problem = Problem("bounds do not bracket the value", file="a.csv", row=3, column="value",
                      value=np.float64(1014.0))
    assert str(problem) == "a.csv, row 3, column 'value': value 1014: bounds do not bracket the value"
    assert "np." not in str(ValidationError(problem))


def test_a_source_without_a_publisher_is_shown_by_its_dataset_alone() -> None:
    # regression: a user's own import without --source printed "Source: , IMD 2019 ..."
    from levelscope.results import Source

    assert str(Source("", "IMD 2019 average score", "2019-09-26")) == (
        "IMD 2019 average score; released 2019-09-26")
    assert str(Source("ONS", "Population", None, "OGL v3.0")) == "ONS, Population; OGL v3.0"
