"""Reading allocations of money to places: one row per award or bid, checked cell by cell.

The table read here is what :mod:`levelscope.need.funding` analyses against need.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"programme": ["Fund"], "round": ["1"], "geography_code": ["E08000025"],
...                       "amount": ["£1,000"], "date": ["27/10/2021"]})
>>> row = read_allocations(table, name="example").iloc[0]
>>> float(row["amount"]), row["date"].date().isoformat()
(1000.0, '2021-10-27')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from levelscope.errors import Problem, ValidationError

REQUIRED_COLUMNS = ("programme", "round", "geography_code", "amount", "date")
#: What a file may call the area code column instead of ``geography_code`` (as releases before the
#: glossary wrote it); the table read always names it ``geography_code``.
AREA_ALIASES = ("area",)
OPTIONAL_COLUMNS = ("outcome",)
_SUCCESS = {"successful", "success", "awarded", "funded", "yes", "y", "true", "1"}
_FAILURE = {"unsuccessful", "rejected", "declined", "not funded", "no", "n", "false", "0"}


def read_allocations(source: str | Path | pd.DataFrame, *, name: str | None = None) -> pd.DataFrame:
    """Read and check a table of allocations (CSV or Excel file, or a frame).

    Columns (names are matched ignoring case and surrounding spaces): ``programme``, ``round``,
    ``geography_code`` (the area code; ``area`` is read too), ``amount`` (money allocated;
    ``£`` and thousands separators allowed), ``date`` (``YYYY-MM-DD`` or ``DD/MM/YYYY``) and
    optionally ``outcome`` of a bid (successful / unsuccessful; blank when not a bid). The
    amount of an unsuccessful bid is not counted as funding.

    Parameters
    ----------
    source
        A CSV or Excel file, or a frame with those columns.
    name
        The name errors give the source by; default the file's name.

    Returns
    -------
    pandas.DataFrame
        Those columns typed (amount float, date datetime, outcome "successful", "unsuccessful"
        or missing), the area code in ``geography_code``.

    Examples
    --------
    >>> areas = list("ABCDEFGHIJ")
    >>> need = pd.Series(np.arange(10.0, 0, -1), index=areas)  # A the most needy, J the least
    >>> population = pd.Series(1000.0, index=areas)
    >>> allocations = read_allocations(pd.DataFrame({
    ...     "programme": "Towns Fund", "round": ["1", "1", "1", "2"],
    ...     "geography_code": ["A", "B", "C", "J"], "amount": [3000, 2000, 1000, 500],
    ...     "date": ["2021-03-03", "2021-03-03", "2021-03-03", "2021-10-27"]}))
    >>> first, last = allocations.iloc[0], allocations.iloc[-1]
    >>> first["geography_code"], float(first["amount"]), str(last["date"].date())
    ('A', 3000.0, '2021-10-27')

    Raises
    ------
    ValidationError
        Listing every bad cell by file, row (header = row 1), column and value.
    """
    if isinstance(source, pd.DataFrame):
        table, file = source.astype(str).where(source.notna()), name
    else:
        path = Path(source)
        file = name or path.name
        if path.suffix.lower() in (".xlsx", ".xls"):
            table = pd.read_excel(path, dtype=str)
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    table = table.rename(columns=lambda c: str(c).strip().lower())
    written = {c: c for c in REQUIRED_COLUMNS}  # the name a problem gives each column: the file's
    if "geography_code" not in table.columns:
        alias = next((a for a in AREA_ALIASES if a in table.columns), None)
        if alias is not None:
            table = table.rename(columns={alias: "geography_code"})
            written["geography_code"] = alias
    absent = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if absent and {"bid value", "lads"} <= set(table.columns):
        raise ValidationError([Problem(
            "this is a Levelling Up Fund list as published (Bid Value, LADs), not a table of "
            "allocations: `levelscope funding import` stores it in the funding register and "
            "`levelscope funding record` sets it against need, a bid naming several districts "
            "shared among them", file=file)])
    if absent:
        raise ValidationError([Problem("required column is missing", file=file, column=c) for c in absent])
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    for position, record in enumerate(table.to_dict("records")):
        row = position + 2
        parsed = _parse_row({str(k): v for k, v in record.items()}, file, row, problems, written)
        if parsed is not None:
            rows.append(parsed)
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError(Problem("no allocations in the table", file=file))
    result = pd.DataFrame(rows)
    result["date"] = pd.to_datetime(result["date"])
    return result


def _parse_row(
    record: dict[str, Any], file: str | None, row: int, problems: list[Problem], written: dict[str, str]
) -> dict[str, Any] | None:
    found = len(problems)

    def problem(column: str, reason: str) -> None:
        value = record.get(column)
        problems.append(Problem(reason, file=file, row=row, column=written.get(column, column),
                                value=_text(value) or None))

    text = {c: _text(record.get(c)) for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    for column in ("programme", "round", "geography_code"):
        if not text[column]:
            problem(column, "is empty")
    amount = _amount(text["amount"])
    if amount is None:
        problem("amount", "is not an amount of money")
    elif amount < 0:
        problem("amount", "is negative")
    date = _date(text["date"])
    if date is None:
        problem("date", "is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    outcome: str | None = None
    if text["outcome"]:
        word = text["outcome"].lower()
        outcome = "successful" if word in _SUCCESS else "unsuccessful" if word in _FAILURE else None
        if outcome is None:
            problem("outcome", "is neither successful nor unsuccessful")
    if len(problems) > found:
        return None
    return {
        "programme": text["programme"],
        "round": text["round"],
        "geography_code": text["geography_code"],
        "amount": amount,
        "date": date,
        "outcome": outcome,
    }


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _amount(text: str) -> float | None:
    cleaned = text.replace("£", "").replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _date(text: str) -> pd.Timestamp | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return pd.Timestamp(pd.to_datetime(text, format=fmt))
        except (ValueError, TypeError):
            continue
    return None
