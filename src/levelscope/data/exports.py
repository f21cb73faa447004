"""Writing observations to a file that imports back unchanged.

An export has levelscope's own columns (``geography_code, indicator_id, period, value, lower,
upper, vintage, source``), the same the default import layout reads, so a file written here
re-imports as it was: numbers as the shortest decimal that reads back to the same value (18.6,
not 18.600000000000001), release dates without a time of day, each value's source.

A CSV is often opened in a spreadsheet, which runs a cell starting with ``=``, ``+``, ``-`` or
``@`` as a formula (OWASP, *CSV injection*). Text cells that start so are written with a leading
apostrophe, which spreadsheets show as text and levelscope's importer takes off again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from levelscope.data.layout import STANDARD_COLUMNS

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

#: Text that a spreadsheet would read as a formula.
FORMULA_START = r"^[=+\-@\t\r]"
TEXT_COLUMNS = ("geography_code", "indicator_id", "period", "source")


def export_observations(ws: Workspace, path: str | Path, **filters: Any) -> int:
    """Write observations (filtered as in :meth:`Workspace.observations`) to CSV or Parquet.

    Parameters
    ----------
    ws:
        The workspace.
    path:
        A ``.csv`` or ``.parquet`` file; the suffix picks the format.
    **filters:
        ``indicator``, ``level``, ``periods``, ``as_of``, ``geographies``.

    Returns
    -------
    int
        The number of rows written.

    Raises
    ------
    ValueError
        If the file name ends in neither ``.csv`` nor ``.parquet``.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise ValueError(f"cannot export to {target.name}: use a .csv or .parquet file name")
    frame = ws.observations(**filters)
    out = frame[list(STANDARD_COLUMNS)].assign(vintage=pd.to_datetime(frame["vintage"]).dt.date)
    if suffix == ".parquet":
        out.to_parquet(target, index=False)
    else:
        for column in TEXT_COLUMNS:
            out[column] = escape_formulas(out[column])
        # Python's float repr is the shortest decimal that reads back to the same number
        out.to_csv(target, index=False)
    return len(out)


def escape_formulas(texts: pd.Series) -> pd.Series:
    """Text a spreadsheet would run as a formula, prefixed with an apostrophe."""
    text = texts.astype("string")
    risky = text.str.contains(FORMULA_START, regex=True).fillna(False).astype(bool)
    return text.where(~risky, "'" + text)
