"""Compiled evaluation of bootstrap resamples of a panel, for the Gini, Theil and CV.

Each resample is a vector of multiplicities; for every period the measures' own single-sample
implementations (:mod:`levelscope.measures.inequality`) are called on the multiplicities times the
weights, in value order, so no resamples × areas matrix is ever written.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from levelscope.measures._validation import FloatArray
from levelscope.measures.inequality import _cv_weighted, _gini_sorted, _theil_weighted

#: The measures evaluated here, by the code the compiled loop dispatches on.
COMPILED = {"gini": 0, "theil": 1, "cv": 2}


# error_model="numpy": a resample of only zero values divides by zero, giving NaN for the caller
# to report as an undefined measure, as the batched kernels do
@numba.njit(cache=True, error_model="numpy")
def resampled_measures(
    y_sorted: FloatArray,
    weights: FloatArray,
    rank: NDArray[np.intp],
    draws: NDArray[np.intp],
    kinds: NDArray[np.intp],
    group_sorted: NDArray[np.intp],
    n_groups: int,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    """Fill ``out[t, m, b]`` with measure ``kinds[m]`` of period ``t`` in resample ``b``.

    ``y_sorted[t]`` is period ``t``'s values in ascending order, ``rank[t, i]`` the position of
    area ``i`` in it, ``weights[t, i]`` its weight and ``draws[b]`` the areas resample ``b`` drew.
    With ``n_groups > 0``, ``out[t, len(kinds), b]`` receives the between-group Theil index of
    the groups ``group_sorted[t, j]`` (of the area at position ``j``).
    """
    periods, n = y_sorted.shape
    counts = np.zeros(n)
    resampled = np.empty(n)
    group_weight = np.empty(max(n_groups, 1))
    group_income = np.empty(max(n_groups, 1))
    for b in range(draws.shape[0]):
        counts[:] = 0.0
        for k in range(draws.shape[1]):
            counts[draws[b, k]] += 1.0
        for t in range(periods):
            for i in range(n):
                resampled[rank[t, i]] = counts[i] * weights[t, i]
            values = y_sorted[t]
            for m in range(kinds.size):
                if kinds[m] == 0:
                    out[t, m, b] = _gini_sorted(values, resampled)
                elif kinds[m] == 1:
                    out[t, m, b] = _theil_weighted(values, resampled)
                else:
                    out[t, m, b] = _cv_weighted(values, resampled)
            if n_groups > 0:
                group_weight[:] = 0.0
                group_income[:] = 0.0
                for j in range(n):
                    g = group_sorted[t, j]
                    group_weight[g] += resampled[j]
                    group_income[g] += resampled[j] * values[j]
                # a group the resample left empty has no mean and no part in the split
                present = 0
                for g in range(n_groups):
                    if group_weight[g] > 0.0:
                        group_income[present] = group_income[g] / group_weight[g]
                        group_weight[present] = group_weight[g]
                        present += 1
                out[t, kinds.size, b] = _theil_weighted(group_income[:present], group_weight[:present])
