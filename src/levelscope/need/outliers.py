"""Outlier treatment: winsorise or log-transform indicators whose distribution is extreme.

An indicator is flagged when its absolute skewness exceeds ``skew_threshold`` *and* its
(excess) kurtosis exceeds ``kurtosis_threshold`` — the rule of the JRC's COINr, defaults 2 and
3.5. Skewness is the adjusted Fisher–Pearson coefficient G1 and kurtosis the adjusted excess
kurtosis G2 (as pandas and spreadsheet programs compute them).

* ``"winsorise"``: repeatedly set the most extreme value on the long tail to the next value in,
  until the indicator is no longer flagged; if that takes more than ``max_winsorised`` values,
  undo it and log-transform instead (COINr's default procedure).
* ``"log"``: log-transform every flagged indicator: ``log(x - min x + 1)`` for a right tail and
  ``-log(max x - x + 1)`` for a left tail, which keeps the order of the areas.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"a": [1.0, 2, 2, 3, 3, 3, 4, 4, 5, 100]})
>>> treated = treat_outliers(frame, "winsorise")
>>> treated.report.loc["a", "action"]
'winsorised'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from levelscope.results import Result


@dataclass(frozen=True, repr=False)
class OutlierTreatment(Result):
    """Treated values and one report row per indicator of what was done."""

    values: pd.DataFrame
    report: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The report: one row per indicator (``indicator``, moments before and after, ``flagged``,
        ``action``, ``n_winsorised``)."""
        return self.report.reset_index()

    def summary(self) -> str:
        flagged = self.report.index[self.report["flagged"]].tolist()
        lines = [f"Outlier treatment: {len(flagged)} of {len(self.report)} indicators flagged"]
        for action, label in (("winsorised", "winsorised"), ("log", "log-transformed")):
            treated = self.report.index[self.report["action"] == action].tolist()
            if treated:
                lines.append(f"{label}: {', '.join(map(str, treated))}")
        return "\n".join(lines)


def skew_kurtosis(frame: pd.DataFrame) -> pd.DataFrame:
    """Skewness (G1) and excess kurtosis (G2) of each indicator, ignoring missing values."""
    return pd.DataFrame({"skew": frame.skew(), "kurtosis": frame.kurt()})


def treat_outliers(
    frame: pd.DataFrame,
    method: str,
    *,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    max_winsorised: int = 5,
) -> OutlierTreatment:
    """Treat flagged indicators with ``method`` ``"none"``, ``"winsorise"`` or ``"log"``.

    An indicator is flagged when its absolute skewness exceeds ``skew_threshold`` and its excess
    kurtosis exceeds ``kurtosis_threshold`` (the JRC/OECD Handbook's rule); winsorising replaces
    its most extreme value by the next one until it no longer is, at most ``max_winsorised``
    times, and an indicator that needs more is log-transformed instead.

    Parameters
    ----------
    frame
        Areas by indicators.
    method
        ``"none"`` (report only), ``"winsorise"`` or ``"log"``.
    skew_threshold, kurtosis_threshold, max_winsorised
        The rule above.

    Returns
    -------
    OutlierTreatment
        The treated frame and a report indexed by indicator with the skewness and kurtosis
        before and after, whether it was flagged, the action taken and how many values were
        winsorised.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1.0, 1.1, 1.2, 1.0, 1.1, 1.3, 1.2, 1.0, 1.1, 50.0]})
    >>> treated = treat_outliers(frame, "winsorise")
    >>> treated.report.loc["x", "action"], int(treated.report.loc["x", "n_winsorised"])
    ('winsorised', 1)
    >>> float(treated.values["x"].max())  # 50 became the next largest value
    1.3
    """
    if method not in ("none", "winsorise", "log"):
        raise ValueError(f"unknown outlier treatment {method!r}")
    treated = frame.astype(float).copy()
    rows = []
    for column in frame.columns:
        x = treated[column]
        before_skew, before_kurt = _moments(x)
        flagged = _flagged(x, skew_threshold, kurtosis_threshold)
        action, n_winsorised = "none", 0
        if flagged and method == "winsorise":
            x, n_winsorised = _winsorise(x, skew_threshold, kurtosis_threshold, max_winsorised)
            action = "winsorised"
            if n_winsorised > max_winsorised:
                x, action, n_winsorised = _log(frame[column].astype(float)), "log", 0
        elif flagged and method == "log":
            x, action = _log(x), "log"
        treated[column] = x
        rows.append(
            {
                "indicator": column,
                "skew_before": before_skew,
                "kurtosis_before": before_kurt,
                "flagged": flagged,
                "action": action,
                "n_winsorised": n_winsorised,
                "skew_after": _moments(x)[0],
                "kurtosis_after": _moments(x)[1],
            }
        )
    return OutlierTreatment(treated, pd.DataFrame(rows).set_index("indicator"))


def _moments(x: pd.Series) -> tuple[float, float]:
    return float(x.skew()), float(x.kurt())  # type: ignore[arg-type]


def _flagged(x: pd.Series, skew_threshold: float, kurtosis_threshold: float) -> bool:
    skew, kurt = _moments(x)
    return bool(abs(skew) > skew_threshold and kurt > kurtosis_threshold)


def _winsorise(
    x: pd.Series, skew_threshold: float, kurtosis_threshold: float, max_winsorised: int
) -> tuple[pd.Series, int]:
    """Winsorise one value at a time; returns a count above ``max_winsorised`` on failure."""
    values = x.to_numpy(dtype=float, copy=True)
    count = 0
    while _flagged(pd.Series(values), skew_threshold, kurtosis_threshold):
        if count == max_winsorised:
            return x, count + 1
        right_tail = _moments(pd.Series(values))[0] > 0
        extreme = int(np.nanargmax(values) if right_tail else np.nanargmin(values))
        rest = np.delete(values, extreme)
        values[extreme] = np.nanmax(rest) if right_tail else np.nanmin(rest)
        count += 1
    return pd.Series(values, index=x.index, name=x.name), count


def _log(x: pd.Series) -> pd.Series:
    if _moments(x)[0] >= 0:
        return np.log(x - x.min() + 1)
    return -np.log(x.max() - x + 1)
