"""Sorting values with their weights: the same order as NumPy's sort, every pair kept."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from levelscope.measures._sorting import sort_with_weights


def check(values: np.ndarray) -> None:
    weights = np.arange(values.size, dtype=float) + 0.5  # tells every pair apart
    before = values.copy()
    y, w = sort_with_weights(values, weights)
    assert np.array_equal(y, np.sort(values))
    assert sorted(zip(y.tolist(), w.tolist(), strict=True)) == sorted(
        zip(values.tolist(), weights.tolist(), strict=True)
    )
    assert np.array_equal(values, before)  # the input is left as it was


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 300), elements=st.floats(allow_nan=False)))
def test_matches_numpy_sort_on_any_finite_or_infinite_values(values: np.ndarray) -> None:
    check(values)


def test_signed_zeros_infinities_and_subnormals() -> None:
    check(np.array([0.0, -0.0, 3.0, -2.5, np.inf, -np.inf, 5e-324, -5e-324, 1e308, -1e308]))


def test_values_agreeing_in_all_but_the_lowest_bits_come_out_in_exact_order() -> None:
    # The position replaces the lowest bits of each key, so these values share a truncated key:
    # short runs are put in order by insertion, long ones by argsort.
    rng = np.random.default_rng(0)
    base = np.nextafter(1.0, 2.0, dtype=np.float64)
    short = base + rng.integers(0, 4, 2_000) * np.spacing(base)
    long_run = np.repeat([7.0, 3.0], 3_000) + rng.integers(0, 64, 6_000) * np.spacing(7.0)
    check(short)
    check(long_run)
    check(rng.permutation(np.concatenate([short, long_run, rng.normal(size=5_000)])))


def test_ties_keep_their_weights() -> None:
    values = np.array([2.0, 1.0, 2.0, 1.0, 2.0])
    y, w = sort_with_weights(values, np.array([10.0, 20.0, 30.0, 40.0, 50.0]))
    assert y.tolist() == [1.0, 1.0, 2.0, 2.0, 2.0]
    assert sorted(w[:2].tolist()) == [20.0, 40.0] and sorted(w[2:].tolist()) == [10.0, 30.0, 50.0]
