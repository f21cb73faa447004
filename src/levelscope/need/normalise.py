"""Normalisation: put indicators in different units on one scale, pointing the same way.

Each function takes a wide frame (rows = areas, columns = indicators) and the indicators'
polarities (+1: a higher raw value raises the score; -1: it lowers it) and works column by
column, ignoring missing values and keeping them missing. Formulas follow the OECD/JRC
*Handbook on Constructing Composite Indicators* (2008), section 5, with ``x`` an indicator's
values over the areas:

============================  ===============================================================
min_max                       low + (high - low) (x - min x) / (max x - min x)
z_score                       (x - mean x) / sd x   (sample sd, ddof = 1)
rank                          rank of x, 1 = lowest (ties share their mean rank)
distance_to_target            100 (x - min x) / (target - min x), capped at 100
distance_to_frontier          100 x / max x   (share of the best value; x must be positive)
goalposts                     low + (high - low) (x - lo) / (hi - lo), clipped to the goalposts
============================  ===============================================================

For polarity -1 the direction is reversed: min and max swap roles in min-max, distance to
target and goalposts; z-score and rank change sign / order; the frontier becomes the lowest
value and the score ``100 min x / x``.

Examples
--------
>>> import pandas as pd
>>> min_max(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))["a"].tolist()
[0.0, 50.0, 100.0]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError

Polarity = Mapping[str, int] | pd.Series | None


def min_max(
    frame: pd.DataFrame, polarity: Polarity = None, *, low: float = 0.0, high: float = 100.0
) -> pd.DataFrame:
    """Rescale each indicator linearly onto ``[low, high]`` (the best area gets ``high``)."""
    oriented = _orient(frame, polarity)
    lo, hi = oriented.min(), oriented.max()
    _require_spread(hi - lo, "min_max")
    return low + (high - low) * (oriented - lo) / (hi - lo)


def z_score(frame: pd.DataFrame, polarity: Polarity = None, *, ddof: int = 1) -> pd.DataFrame:
    """Standardise each indicator to mean 0 and standard deviation 1."""
    oriented = _orient(frame, polarity)
    sd = oriented.std(ddof=ddof)
    _require_spread(sd, "z_score")
    return (oriented - oriented.mean()) / sd


def rank(frame: pd.DataFrame, polarity: Polarity = None) -> pd.DataFrame:
    """Rank each indicator, 1 for the lowest oriented value; ties take their mean rank."""
    return _orient(frame, polarity).rank(method="average")


def distance_to_target(
    frame: pd.DataFrame, targets: Mapping[str, float], polarity: Polarity = None
) -> pd.DataFrame:
    """Progress from the worst area towards a target, in percent, capped at 100.

    ``100 (x - worst) / (target - worst)``: the worst area scores 0 and any area at or past the
    target scores 100. For polarity -1 the worst area is the one with the highest value.
    """
    signs = _signs(frame, polarity)
    target = pd.Series({c: float(targets[c]) for c in frame.columns}) * signs
    oriented = frame * signs
    worst = oriented.min()
    gap = target - worst
    if (gap <= 0).any():
        bad = list(gap.index[gap <= 0])
        raise UndefinedMeasureError(
            f"distance_to_target: the target of {bad} is not better than the worst area"
        )
    return (100 * (oriented - worst) / gap).clip(upper=100)


def distance_to_frontier(frame: pd.DataFrame, polarity: Polarity = None) -> pd.DataFrame:
    """Each area's value as a percentage of the best area's (``100 x / max x``).

    Needs strictly positive values. For polarity -1 the best is the lowest value and the score
    is ``100 min x / x``.
    """
    if (frame <= 0).to_numpy().any():
        raise UndefinedMeasureError(
            "distance_to_frontier needs strictly positive values; "
            f"non-positive values in {_columns_where(frame <= 0)}"
        )
    signs = _signs(frame, polarity)
    up = (signs > 0).astype(float)
    return 100 * (frame / frame.max() * up + (1 / frame).mul(frame.min()) * (1 - up))


def goalposts(
    frame: pd.DataFrame,
    posts: Mapping[str, tuple[float, float]],
    polarity: Polarity = None,
    *,
    low: float = 0.0,
    high: float = 100.0,
) -> pd.DataFrame:
    """Rescale between fixed goalposts ``(lo, hi)`` instead of the observed extremes.

    Values outside the goalposts are clipped to them, so scores stay comparable across years
    and samples (the method of the UN Human Development Index).
    """
    lo = pd.Series({c: float(posts[c][0]) for c in frame.columns})
    hi = pd.Series({c: float(posts[c][1]) for c in frame.columns})
    share = ((frame.clip(lower=lo, upper=hi, axis=1) - lo) / (hi - lo)).astype(float)
    up = (_signs(frame, polarity) > 0).astype(float)
    share = share * up + (1 - share) * (1 - up)
    return low + (high - low) * share


def normalise(
    frame: pd.DataFrame,
    method: str,
    polarity: Polarity = None,
    *,
    low: float = 0.0,
    high: float = 100.0,
    targets: Mapping[str, float] | None = None,
    posts: Mapping[str, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Apply the normalisation called ``method`` (one of the functions above by name)."""
    if method == "min_max":
        return min_max(frame, polarity, low=low, high=high)
    if method == "z_score":
        return z_score(frame, polarity)
    if method == "rank":
        return rank(frame, polarity)
    if method == "distance_to_target":
        if targets is None:
            raise ValueError("distance_to_target needs targets")
        return distance_to_target(frame, targets, polarity)
    if method == "distance_to_frontier":
        return distance_to_frontier(frame, polarity)
    if method == "goalposts":
        if posts is None:
            raise ValueError("goalposts needs posts")
        return goalposts(frame, posts, polarity, low=low, high=high)
    raise ValueError(f"unknown normalisation {method!r}")


def _signs(frame: pd.DataFrame, polarity: Polarity) -> pd.Series:
    if polarity is None:
        return pd.Series(1.0, index=frame.columns)
    signs = pd.Series({c: float(polarity[c]) for c in frame.columns})
    if not signs.isin([1.0, -1.0]).all():
        raise ValueError(f"polarity must be +1 or -1, got {signs.to_dict()}")
    return signs


def _orient(frame: pd.DataFrame, polarity: Polarity) -> pd.DataFrame:
    return frame.astype(float) * _signs(frame, polarity)


def _require_spread(spread: pd.Series, method: str) -> None:
    flat = spread.index[~(spread > 0)]
    if len(flat):
        raise UndefinedMeasureError(
            f"{method}: indicators {list(flat)} take a single value (or have fewer than two "
            "observations), so they cannot be rescaled"
        )


def _columns_where(mask: pd.DataFrame) -> list[str]:
    return [str(c) for c in mask.columns[np.asarray(mask.any())]]
