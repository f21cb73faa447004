"""Tables and values as JSON and CSV, the same way for every endpoint.

JSON has no NaN, infinity, timestamp or NumPy number: :func:`json_value` turns a missing or
non-finite number into ``null``, a date (or a timestamp at midnight) into ``YYYY-MM-DD``, any
other timestamp into ISO 8601 text and a NumPy scalar into its Python value.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from fastapi import Response


def json_value(value: Any) -> Any:
    """One value as JSON can carry it (see the module docstring)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        midnight = value.tzinfo is None and value.time() == dt.time(0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as JSON-safe dictionaries keyed by column name."""
    columns = [str(c) for c in frame.columns]
    return [
        {c: json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def csv_response(frame: pd.DataFrame, filename: str) -> Response:
    """The frame as a CSV download."""
    return Response(
        frame.to_csv(index=False, date_format="%Y-%m-%d"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
