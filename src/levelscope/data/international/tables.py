"""What an international file parser returns, and reading its table.

A parser returns a :class:`ParsedFile`: the places the file names (with the country and level
each code implies), attributes of places, and :class:`~levelscope.data.publishers.Release` s of
tidy values that :func:`~levelscope.data.importers.import_frame` validates and writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from levelscope.data.model import Level
from levelscope.data.publishers import Release
from levelscope.errors import Problem, ValidationError


@dataclass(frozen=True)
class PlaceRecord:
    """A place as one file describes it; files are merged into one register of places."""

    code: str
    level: Level
    country: str | None  # ISO 3166 alpha-3
    name: str | None = None  # as the file gives it, if it does


@dataclass
class ParsedFile:
    """Everything one international file holds."""

    file: str
    places: list[PlaceRecord]
    releases: list[Release]
    attributes: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A CSV file's cells as text (empty cells as ``""``), with ``_row`` as a spreadsheet numbers
    rows (the header is row 1); a missing column is an error naming the file and the column."""
    if not path.exists():
        raise ValidationError(Problem(file=path.name, reason="file not found"))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValidationError(
            [Problem(file=path.name, column=c, reason=f"column missing; the file has {list(frame.columns)}")
             for c in missing]
        )
    frame = frame.apply(lambda column: column.str.strip())
    frame["_row"] = range(2, len(frame) + 2)
    return frame


def values(frame: pd.DataFrame, indicator: str, column: str, period: str) -> pd.DataFrame:
    """Tidy values of one indicator from one column (rows keep their place in the file)."""
    return pd.DataFrame(
        {
            "geography_code": frame["_code"],
            "indicator_id": indicator,
            "period": frame[period],
            "value": frame[column],
            "_row": frame["_row"],
            "_column": column,
        }
    )


def release(
    file: str, parts: list[pd.DataFrame], vintage: dt.date, source: str, rows_read: int,
    excluded: list[Problem] | None = None,
) -> Release:
    """One release of tidy values."""
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["geography_code", "indicator_id", "period", "value", "_row", "_column"]
    )
    return Release(file=file, values=frame, vintage=vintage, source=source, rows_read=rows_read,
                   excluded=list(excluded or []))
