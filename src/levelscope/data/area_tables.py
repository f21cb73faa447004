"""Tables of one figure per area, read with the columns every export writes.

A command that takes population, need scores or any other figure per area from a file reads it
here, so that what ``levelscope export`` and ``need build --csv`` write can be read back as it is:
``geography_code`` and ``value``, with ``indicator_id`` and ``period`` where the file holds
several indicators or periods. Files written before those names, or by hand, are read too: the
area column may be called ``area`` or ``code`` (or be the first column), and the figure may sit
in a column named for it (``population``, ``score``).

>>> import io
>>> text = "geography_code,indicator_id,period,value\\nE1,population,2021,10\\nE1,population,2022,11\\n"
>>> read_area_values(io.StringIO(text), indicator="population").to_dict()
{'E1': 11.0}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

import pandas as pd

from levelscope.data.periods import PeriodError, parse_period
from levelscope.errors import Problem, ValidationError

AREA_COLUMNS = ("geography_code", "area", "code")


def read_area_values(
    source: str | Path | IO[str],
    *,
    indicator: str | None = None,
    value_columns: Sequence[str] = ("value",),
    name: str | None = None,
) -> pd.Series:
    """One figure per area from a CSV, Excel or Parquet table.

    Parameters
    ----------
    source:
        The file (or an open text stream of CSV).
    indicator:
        With an ``indicator_id`` column, the rows of this indicator are read (an export of
        several indicators works as it is).
    value_columns:
        Names the figure's column may have, in order of preference (``value`` first).
    name:
        The file's name in error messages (default: the path's name).

    Returns
    -------
    pandas.Series
        The figure by area code (named after the column read). With a ``period`` column, each
        area's latest period is taken.

    Raises
    ------
    ValidationError
        No area or figure column, no rows of ``indicator``, a figure that is not a number, or an
        area given twice for one period; the message names the file, row, column and value.
    """
    file = name or (Path(source).name if isinstance(source, str | Path) else "table")
    table = _read(source)
    table.columns = [str(c).strip() for c in table.columns]
    lowered = {c.lower(): c for c in table.columns}
    area = next((lowered[c] for c in AREA_COLUMNS if c in lowered), table.columns[0])
    figure = next((lowered[c.lower()] for c in value_columns if c.lower() in lowered), None)
    if figure is None:
        wanted = " or ".join(repr(c) for c in value_columns)
        raise ValidationError(Problem(f"no column {wanted} with the figures", file=file))
    rows = table.assign(_row=range(2, len(table) + 2))
    if indicator is not None and "indicator_id" in lowered:
        rows = rows[rows[lowered["indicator_id"]].astype(str) == indicator]
        if rows.empty:
            raise ValidationError(Problem(f"no rows of indicator {indicator!r}", file=file,
                                          column=lowered["indicator_id"]))
    codes = rows[area].astype(str).str.strip()
    values = pd.to_numeric(rows[figure], errors="coerce")
    bad = values.isna() & rows[figure].notna()
    if bad.any():
        raise ValidationError([
            Problem("not a number", file=file, row=int(r), column=figure, value=v)
            for r, v in zip(rows.loc[bad, "_row"], rows.loc[bad, figure], strict=True)
        ])
    frame = pd.DataFrame({"code": codes, "value": values, "row": rows["_row"]}).dropna(subset=["value"])
    key = ["code"]
    if "period" in lowered:
        frame["end"] = [_period_end(p, file, int(r), lowered["period"]) for p, r in
                        zip(rows.loc[frame.index, lowered["period"]], frame["row"], strict=True)]
        key.append("end")
    repeated = frame[frame.duplicated(key, keep="first")]
    if len(repeated):
        first = repeated.iloc[0]
        raise ValidationError(Problem("the area appears twice (for one period)", file=file,
                                      row=int(first["row"]), column=area, value=first["code"]))
    # each area's latest period
    frame = frame.sort_values(key).drop_duplicates("code", keep="last")
    return frame.set_index("code")["value"].astype(float).rename(figure)


def _read(source: str | Path | IO[str]) -> pd.DataFrame:
    if not isinstance(source, str | Path):
        return pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""])
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _period_end(label: object, file: str, row: int, column: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(parse_period(str(label)).end)
    except PeriodError as error:
        raise ValidationError(Problem(str(error), file=file, row=row, column=column,
                                      value=label)) from None
