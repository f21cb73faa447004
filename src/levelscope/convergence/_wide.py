"""Panels: one row per area, one column per period, in time order."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from levelscope.deprecation import RenamedWarning
from levelscope.errors import UndefinedMeasureError


def panel_from_long(
    frame: pd.DataFrame,
    *,
    area: str = "geography_code",
    period: str = "period",
    value: str = "value",
) -> pd.DataFrame:
    """Pivot tidy observations (area, period, value) into a panel (areas × periods).

    Parameters
    ----------
    frame
        One row per area and period, e.g. :meth:`levelscope.Workspace.observations`.
    area, period, value
        The names of its area, period and value columns. A frame whose area column is still
        called ``geography`` (the default before the glossary's ``geography_code``) is read with
        a ``FutureWarning``.

    Returns
    -------
    pandas.DataFrame
        One row per area, one column per period in the order the periods sort.

    Examples
    --------
    >>> long = pd.DataFrame({"geography_code": ["a", "a", "b", "b"], "period": [2000, 2001] * 2,
    ...                      "value": [1.0, 2.0, 3.0, 4.0]})
    >>> panel_from_long(long).loc["b", 2001]
    np.float64(4.0)
    """
    if area == "geography_code" and area not in frame.columns and "geography" in frame.columns:
        warnings.warn(
            "panel_from_long(): the area column 'geography' is now called 'geography_code'; "
            "rename it, or pass area='geography' (the old default goes in the next release)",
            RenamedWarning,
            stacklevel=2,
        )
        area = "geography"
    missing = [c for c in (area, period, value) if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} not in the frame (it has {list(frame.columns)})")
    if frame.duplicated([area, period]).any():
        raise ValueError("an area has more than one value in a period")
    wide = frame.pivot(index=area, columns=period, values=value)
    return wide.sort_index(axis=1)


def checked_panel(panel: pd.DataFrame, *, min_periods: int = 2) -> pd.DataFrame:
    """The panel as floats, periods in order, with a clear error for gaps."""
    if not isinstance(panel, pd.DataFrame):
        raise TypeError("give a DataFrame with one row per area and one column per period")
    wide = panel.sort_index(axis=1).astype(np.float64)
    if wide.shape[1] < min_periods:
        raise UndefinedMeasureError(f"needs at least {min_periods} periods, got {wide.shape[1]}")
    if wide.shape[0] < 2:
        raise UndefinedMeasureError("needs at least two areas")
    gaps = wide.isna()
    if gaps.to_numpy().any():
        area, period = next(iter(gaps.stack()[lambda s: s].index))
        raise ValueError(
            f"{int(gaps.to_numpy().sum())} missing values, e.g. area {area!r} in period "
            f"{period!r}; drop those areas or fill the gaps first"
        )
    return wide


def period_positions(periods: pd.Index) -> NDArray[np.float64]:
    """Numeric time of each period: the period itself when numeric (years), else 0, 1, 2, …"""
    numeric = pd.to_numeric(pd.Series(periods), errors="coerce")
    if numeric.notna().all():
        return numeric.to_numpy(dtype=np.float64)
    return np.arange(len(periods), dtype=np.float64)
