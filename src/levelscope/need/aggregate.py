"""Aggregation: combine normalised indicators (or pillars) with weights into one score.

With weights ``w`` scaled to sum to one over the values an area has:

==========  ==========================  ===============================================
arithmetic  sum_j w_j x_j               full compensability between indicators
geometric   prod_j x_j ** w_j           partial compensability; needs x > 0
harmonic    1 / sum_j (w_j / x_j)       least compensability; needs x > 0
==========  ==========================  ===============================================

(OECD/JRC *Handbook on Constructing Composite Indicators*, 2008, section 6.2.) A missing value
is skipped and the area's remaining weights rescaled to sum to one; an area with no value at
all gets no score (NaN), which the index builder reports.

:func:`aggregate_runs` does the same for many weight vectors at once (one per Monte Carlo run)
with a single matrix product, which is what makes the uncertainty analysis fast.

Examples
--------
>>> import pandas as pd
>>> values = pd.DataFrame({"a": [1.0, 4.0], "b": [4.0, 16.0]})
>>> aggregate(values, {"a": 0.5, "b": 0.5}, "geometric").round(6).tolist()
[2.0, 8.0]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError

METHODS = ("arithmetic", "geometric", "harmonic")


def aggregate_runs(values: np.ndarray, weights: np.ndarray, method: str) -> np.ndarray:
    """Aggregate areas' values under many weight vectors at once.

    Parameters
    ----------
    values
        ``(n_areas, k)`` array; NaN marks a missing value.
    weights
        ``(n_runs, k)`` non-negative weights (need not sum to one).
    method
        ``"arithmetic"``, ``"geometric"`` or ``"harmonic"``.

    Returns
    -------
    ``(n_areas, n_runs)`` array of scores; NaN where an area has no weighted value.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation {method!r}; choose from {METHODS}")
    observed = ~np.isnan(values)
    if method != "arithmetic" and np.any(values[observed] <= 0):
        raise UndefinedMeasureError(
            f"{method} aggregation needs strictly positive values; normalise to a positive "
            "range (e.g. min-max onto [1, 100]) first"
        )
    weights_t = np.asarray(weights, dtype=float).T
    if observed.all():
        return _aggregate_complete(values, weights_t, method)
    total = observed.astype(float) @ weights_t
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "arithmetic":
            result = np.where(observed, values, 0.0) @ weights_t / total
        elif method == "geometric":
            result = np.exp(
                np.where(observed, np.log(np.where(observed, values, 1.0)), 0.0) @ weights_t / total
            )
        else:
            result = total / (np.where(observed, 1.0 / np.where(observed, values, 1.0), 0.0) @ weights_t)
    return np.where(total > 0, result, np.nan)


def _aggregate_complete(values: np.ndarray, weights_t: np.ndarray, method: str) -> np.ndarray:
    # No gaps: one matrix product per method, no masking.
    total = weights_t.sum(axis=0)
    if np.any(total <= 0):
        raise UndefinedMeasureError("weights sum to zero")
    if method == "arithmetic":
        return values @ (weights_t / total)
    if method == "geometric":
        return np.exp(np.log(values) @ (weights_t / total))
    return 1.0 / ((1.0 / values) @ (weights_t / total))


def aggregate(
    values: pd.DataFrame, weights: Mapping[str, float] | pd.Series, method: str = "arithmetic"
) -> pd.Series:
    """Weighted arithmetic, geometric or harmonic mean of each row of ``values``.

    ``weights`` are keyed by column; they are rescaled to sum to one over each row's observed
    values.
    """
    w = np.array([float(weights[c]) for c in values.columns])
    if np.any(w < 0) or w.sum() <= 0:
        raise UndefinedMeasureError(f"weights must be non-negative and not all zero: {w}")
    scores = aggregate_runs(values.to_numpy(dtype=float), w[None, :], method)[:, 0]
    return pd.Series(scores, index=values.index, name=method)
