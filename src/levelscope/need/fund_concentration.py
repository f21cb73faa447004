"""Bootstrap intervals for the concentration index of funding against need.

The index is :func:`levelscope.need.funding.concentration_index`'s ``C = 2 cov_w(y, R) /
mean_w(y)``: ``y`` funding per head, ``w`` population, ``R`` the weighted fractional rank by
need, most needy first, with tied areas (e.g. all of one priority category) sharing their
group's mean rank. C < 0 means funding per head leans towards the most needy.

:func:`concentration_draws` resamples areas with replacement ``n_resamples`` times and
recomputes C on each resample, all draws at once in NumPy: a resample is a vector of counts
``c`` (how often each of the ``n`` areas was drawn, with equal chance), the weights become ``c_i w_i``, and
the ranks are recomputed from the resampled weights, tie groups kept together. The interval is
the percentile interval of the draws (Efron & Tibshirani 1993, ch. 13).

Examples
--------
>>> import pandas as pd
>>> y = pd.Series([3.0, 2.0, 1.0, 0.0], index=list("ABCD"))
>>> need = pd.Series([4.0, 3.0, 2.0, 1.0], index=list("ABCD"))
>>> draws = concentration_draws(y, need, n_resamples=500, seed=0)
>>> bool((draws <= 0).mean() > 0.9)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.results import check_alpha


def concentration_draws(
    values: pd.Series,
    need: pd.Series,
    weights: pd.Series | None = None,
    *,
    n_resamples: int = 2000,
    seed: int | None = 0,
) -> np.ndarray:
    """The concentration index on ``n_resamples`` bootstrap resamples of the areas.

    Parameters
    ----------
    values
        Funding per head (non-negative) by area.
    need
        Need by area (higher = more need); ties share their group's mean rank.
    weights
        Population by area; equal weights when omitted.
    n_resamples, seed
        Number of resamples and the seed of the random generator.

    Returns
    -------
    numpy.ndarray
        The finite draws of C (a resample in which no area was funded has no index and is left
        out).
    """
    y = values.astype(float)
    if y.isna().any() or (y < 0).any():
        raise UndefinedMeasureError("the concentration index needs non-negative values for every area")
    need = need.reindex(y.index).astype(float)
    if need.isna().any():
        raise UndefinedMeasureError("no need score for some areas")
    w = pd.Series(1.0, index=y.index) if weights is None else weights.reindex(y.index).astype(float)
    order = np.argsort(-need.to_numpy(), kind="stable")
    n = len(order)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(n_resamples, n)) + n * np.arange(n_resamples)[:, None]
    counts = np.bincount(picks.ravel(), minlength=n_resamples * n).reshape(n_resamples, n)
    draws = index_with_counts(counts, y.to_numpy()[order], w.to_numpy()[order], need.to_numpy()[order])
    return draws[np.isfinite(draws)]


def index_with_counts(counts: np.ndarray, y: np.ndarray, w: np.ndarray, need: np.ndarray) -> np.ndarray:
    """The concentration index of each row of ``counts`` (how often each area is drawn).

    ``y``, ``w`` and ``need`` are in need order, most needy first. With a row of ones this is
    the index of the areas themselves (``tests/need/test_fund_analysis.py`` checks it against
    :func:`~levelscope.need.funding.concentration_index`).
    """
    starts = np.r_[True, need[1:] != need[:-1]]
    group = np.cumsum(starts) - 1  # tie groups, in need order
    ends = np.r_[np.flatnonzero(starts)[1:], len(need)] - 1  # last area of each group
    weight = counts * w
    through = np.cumsum(weight, axis=1)[:, ends]  # weight up to the end of each group
    by_group = np.diff(np.c_[np.zeros(len(counts)), through], axis=1)
    total = through[:, -1]
    rank = ((through - by_group / 2) / total[:, None])[:, group]
    mean_y = (weight * y).sum(axis=1) / total
    mean_r = (weight * rank).sum(axis=1) / total
    covariance = (weight * (y - mean_y[:, None]) * (rank - mean_r[:, None])).sum(axis=1) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        result: np.ndarray = 2 * covariance / mean_y
    return result


def percentile_interval(draws: np.ndarray, alpha: float = 0.05) -> tuple[float, float]:
    """The ``1 - alpha`` percentile interval of bootstrap draws."""
    check_alpha(alpha)
    if draws.size == 0:
        raise UndefinedMeasureError("no bootstrap draw gave a value")
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)
