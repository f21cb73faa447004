"""Importing actuals from a CSV file: validate everything first, then write all or nothing.

The file has a header row and columns

=========  ==============================================================
indicator  the indicator's id or its exact name within the programme
date       an ISO date (``2024-03-31``) or a period label (``2023/24``, ``2024-Q1``), dated at the
           period's last day
value      a number
note       optional free text
=========  ==============================================================

Every problem found is reported with file, row (as a spreadsheet shows it, header = row 1),
column and value, and nothing is written. A valid file is written inside one savepoint of the
caller's transaction: if anything fails half way (a crash, a lost connection), the database is
left exactly as it was. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from levelscope.errors import Problem, ValidationError
from levelscope.monitor.indicator_records import Actual, Origin, ProgrammeIndicator
from levelscope.monitor.programmes import Programme
from levelscope.monitor.tracking import parse_date, refresh_status
from levelscope.results import Result

REQUIRED = ("indicator", "date", "value")
FLUSH_EVERY = 500  # rows per round trip; the savepoint still spans the whole file


@dataclass(frozen=True, repr=False)
class ImportSummary(Result):
    """What an import did: the file, the actuals it held and the indicators they were for."""

    file: str
    rows: int
    indicators: int

    def summary(self) -> str:
        return f"Imported {self.rows} actuals of {self.indicators} indicators from {self.file}"


@dataclass(frozen=True)
class _Row:
    indicator: ProgrammeIndicator
    date: dt.date
    value: float
    note: str


def _find_indicator(programme: Programme, key: str) -> ProgrammeIndicator | None:
    for indicator in programme.indicators:
        if key == str(indicator.id) or key == indicator.name:
            return indicator
    return None


def read_actuals(source: Path | IO[bytes] | IO[str], programme: Programme, *, name: str = "") -> list[_Row]:
    """Parse and validate a file (a path or an open file); :class:`ValidationError` listing every
    problem if any. ``name`` labels the problems (default: the path's file name)."""
    name = name or (source.name if isinstance(source, Path) else "upload")
    try:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValidationError(Problem(file=name, reason="the file is empty; it needs a header row "
                                      f"({', '.join(REQUIRED)}) and a row per actual")) from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ValidationError(Problem(file=name, reason=f"cannot be read as CSV: {error}")) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValidationError(
            [Problem(file=name, row=1, column=c, reason="required column missing") for c in missing]
        )
    problems: list[Problem] = []
    rows: list[_Row] = []
    seen: dict[tuple[int, dt.date], tuple[int, float]] = {}
    for offset, record in enumerate(frame.to_dict("records")):
        line = offset + 2

        def problem(column: str, value: object, reason: str, line: int = line) -> None:
            problems.append(Problem(file=name, row=line, column=column, value=value, reason=reason))

        indicator = _find_indicator(programme, record["indicator"].strip())
        if indicator is None:
            problem("indicator", record["indicator"], f"no such indicator in programme {programme.id}")
        try:
            day = parse_date(record["date"])
        except ValueError as error:
            problem("date", record["date"], str(error))
            day = None
        try:
            value = float(record["value"])
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            problem("value", record["value"], "not a finite number")
            value = None
        if indicator is None or day is None or value is None:
            continue
        key = (indicator.id, day)
        if key in seen and seen[key][1] != value:
            problem(
                "value",
                record["value"],
                f"row {seen[key][0]} gives a different value for this date",
            )
            continue
        seen[key] = (line, value)
        rows.append(_Row(indicator, day, value, str(record.get("note", "")).strip()))
    if problems:
        raise ValidationError(problems)
    return rows


def import_actuals(
    session: Session, source: Path | str | IO[bytes] | IO[str], programme: Programme, *, name: str = ""
) -> ImportSummary:
    """Import actuals for ``programme`` from a CSV file (a path or an open file), all or nothing.

    The file has a header and the columns ``indicator`` (its id or name), ``date`` (an ISO date
    or a period label, dated at the period's end), ``value`` and optionally ``note``.

    Parameters
    ----------
    session
        An open session of the records database (:func:`levelscope.records.db.transaction`).
    source
        The CSV file.
    programme
        The programme whose indicators the rows are for.
    name
        The file name reported in problems and notes (default: the path's name).

    Returns
    -------
    ImportSummary
        The file, the rows imported and the indicators they touched; the indicators' statuses
        are brought up to date.

    Raises
    ------
    ValidationError
        If any row is invalid (by row and column); nothing is written.

    Examples
    --------
    >>> import io
    >>> from levelscope.records.db import transaction
    >>> from levelscope.monitor.examples import example_indicator, example_records, example_programme
    >>> csv = io.StringIO("indicator,date,value\\nLearners trained,2022-10-01,100\\n"
    ...                   "Learners trained,2023-04-01,230\\n")
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     _ = example_indicator(session, skills)
    ...     summary = import_actuals(session, csv, skills, name="learners.csv")
    >>> print(summary.summary())
    Imported 2 actuals of 1 indicators from learners.csv
    """
    if isinstance(source, str):
        source = Path(source)
    name = name or (source.name if isinstance(source, Path) else "upload")
    rows = read_actuals(source, programme, name=name)
    touched = {row.indicator.id: row.indicator for row in rows}
    with session.begin_nested():
        existing = {
            (a.indicator_id, a.date): a
            for a in session.scalars(
                select(Actual).where(Actual.indicator_id.in_(touched)).execution_options(include_deleted=True)
            )
        }
        for number, row in enumerate(rows, start=1):
            write_actual(session, existing, row, note=row.note or name)
            if number % FLUSH_EVERY == 0:
                session.flush()
        session.flush()
        for indicator in touched.values():
            refresh_status(session, indicator)
    return ImportSummary(file=name, rows=len(rows), indicators=len(touched))


def write_actual(
    session: Session, existing: dict[tuple[int, dt.date], Actual], row: _Row, *, note: str
) -> None:
    """Add or correct one actual, leaving an identical one untouched (so re-imports are no-ops)."""
    actual = existing.get((row.indicator.id, row.date))
    if actual is None:
        actual = Actual(
            indicator_id=row.indicator.id, date=row.date, value=row.value, origin=Origin.FILE, note=note
        )
        session.add(actual)
        existing[(row.indicator.id, row.date)] = actual
        return
    if actual.deleted_at is not None:
        actual.deleted_at = None
    if actual.value != row.value:
        actual.value = row.value
        actual.origin = Origin.FILE
        actual.note = note
