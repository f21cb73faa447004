"""Checks shared by every measure: one place decides when a measure is defined.

The rules, applied in this order:

1. ``values`` is one-dimensional and every value is finite (no NaN, no infinity).
2. ``weights``, when given, has the same length, is finite and non-negative. Weights are
   *frequency* weights: observation *i* stands for ``w_i`` people. Observations with weight zero
   are dropped, exactly as if they had been left out.
3. At least two observations with positive weight remain, and their total weight is positive.
4. Values are non-negative and their (weighted) mean is positive: every measure here is a
   *relative* measure of a non-negative quantity.
5. Measures that take logarithms (``mld``, ``variance_of_logs``, ``generalized_entropy`` with
   ``alpha <= 0``, ``atkinson`` with ``epsilon >= 1``) need every value strictly positive.

Anything else raises :class:`~levelscope.errors.UndefinedMeasureError` (a ``ValueError``) that
says which rule failed, rather than returning NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from levelscope.errors import UndefinedMeasureError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Sample:
    """Validated values and their weights (all positive), as float arrays of equal length.

    ``positions`` gives each kept observation's index in the input, so callers can align other
    arrays (group labels) with it. Unweighted input stores no weights (``given_weights`` is
    ``None``) and input with nothing dropped stores no positions: both are built only when
    asked for, so that measures with an equal-weights path skip them.
    """

    values: FloatArray
    given_weights: FloatArray | None = None
    kept: NDArray[np.intp] | None = None

    @property
    def equal_weights(self) -> bool:
        """Whether every observation has weight one (no weights were given)."""
        return self.given_weights is None

    @property
    def weights(self) -> FloatArray:
        return np.ones_like(self.values) if self.given_weights is None else self.given_weights

    @property
    def positions(self) -> NDArray[np.intp]:
        return np.arange(self.values.size) if self.kept is None else self.kept


def as_float_vector(data: ArrayLike, name: str) -> FloatArray:
    """``data`` as a 1-D float array, or a ``ValueError`` naming the argument."""
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numbers: {exc}") from exc
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def prepare(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    measure: str,
    positive: bool = False,
) -> Sample:
    """Validate ``values`` and ``weights`` for ``measure`` and drop zero-weight observations.

    ``positive=True`` demands strictly positive values (for measures that take logarithms).
    """
    y = as_float_vector(values, "values")
    w: FloatArray | None = None
    kept: NDArray[np.intp] | None = None
    if weights is not None:
        w = as_float_vector(weights, "weights")
        if w.shape != y.shape:
            raise ValueError(f"values and weights differ in length ({y.size} values, {w.size} weights)")
        # Fast path: a finite sum and a positive minimum mean every weight is finite and positive.
        if not (w.size and np.isfinite(w.sum()) and w.min() > 0):
            _require(np.isfinite(w), measure, "weights must be finite (found NaN or infinity)", w)
            _require(w >= 0, measure, "weights must be non-negative", w)
            kept = np.flatnonzero(w > 0)
            y, w = y[kept], w[kept]
    if y.size < 2:
        _require(np.isfinite(y), measure, "values must be finite (found NaN or infinity)", y, kept)
        raise UndefinedMeasureError(
            f"{measure} needs at least two observations with positive weight, got {y.size}"
        )
    # One pass for the minimum (NaN propagates into it) and one for the sum (catches infinity);
    # the element-wise checks below run only to name the offending position.
    lowest = y.min()
    in_domain = lowest > 0 if positive else lowest >= 0
    if not (in_domain and np.isfinite(y.sum())):
        _require(np.isfinite(y), measure, "values must be finite (found NaN or infinity)", y, kept)
        _require(y >= 0, measure, "values must be non-negative", y, kept)
        if positive:
            rule = "values must be strictly positive (it takes logarithms)"
            _require(y > 0, measure, rule, y, kept)
    if not (lowest > 0 or np.any(y > 0)):
        raise UndefinedMeasureError(f"{measure} is undefined when the mean is zero")
    return Sample(y, w, kept)


def _require(
    ok: NDArray[np.bool_],
    measure: str,
    rule: str,
    data: FloatArray,
    positions: NDArray[np.intp] | None = None,
) -> None:
    if not ok.all():
        first = int(np.argmin(ok))
        position = first if positions is None else int(positions[first])
        raise UndefinedMeasureError(f"{measure}: {rule}; position {position} holds {float(data[first])!r}")
