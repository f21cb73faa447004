"""Permutation inference: valid under a true null, powerful on clustered data, reproducible,
and centred on the analytical moments.

The null is made real by placing the actual ITL3 values at random on the actual map: then every
arrangement is equally likely, and an exact permutation test must reject at level α with
probability α (at most α when values tie).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats
from shapely.geometry import box
from spatial_helpers import order_counts, shuffles

from levelscope.spatial import Weights, geary, getis_ord_global, local_moran, moran, spatial_gini


@pytest.fixture(scope="module")
def fuzzy(itl3: Any) -> Weights:
    return Weights.fuzzy(list(itl3.geometry), list(itl3.index))


def test_global_moran_p_values_are_uniform_under_the_null(log_gva: np.ndarray, fuzzy: Weights) -> None:
    rng = np.random.default_rng(20261123)
    p = np.array([
        moran(rng.permutation(log_gva), fuzzy, n_resamples=999, seed=rng,
              alternative="greater").p_sim
        for _ in range(300)
    ])
    assert stats.kstest(p, "uniform").pvalue > 0.001
    rejections = int(np.sum(p <= 0.05))
    assert stats.binomtest(rejections, len(p), 0.05).pvalue > 0.001


def test_local_moran_rejects_at_the_nominal_rate_under_the_null(
    log_gva: np.ndarray, fuzzy: Weights
) -> None:
    rng = np.random.default_rng(7)
    connected = fuzzy.cardinalities > 0
    rates = []
    for _ in range(150):
        res = local_moran(rng.permutation(log_gva), fuzzy, n_resamples=99, seed=rng,
                          alternative="greater")
        rates.append(np.mean(res.p_values[connected] <= 0.05))
    # Each area's conditional-permutation p-value is exactly uniform on {1..100}/100, so the
    # expected share of rejections is 5/100; areas are correlated within a map, hence the margin.
    assert np.mean(rates) == pytest.approx(0.05, abs=0.008)
    # With FDR control, a null map should almost never show a significant area.
    fdr_maps = [
        local_moran(rng.permutation(log_gva), fuzzy, n_resamples=999, seed=rng, fdr=True)
        .significant.any()
        for _ in range(40)
    ]
    assert np.mean(fdr_maps) <= 0.15


def _gradient_lattice(side: int) -> tuple[Weights, np.ndarray]:
    cells = [box(x, y, x + 1, y + 1) for y in range(side) for x in range(side)]
    values = np.array([float(x) for y in range(side) for x in range(side)])
    values += np.random.default_rng(0).normal(0, 0.1, len(values))
    return Weights.queen(cells), values


def test_clustered_data_give_small_p_values() -> None:
    w, values = _gradient_lattice(20)
    global_result = moran(values, w, n_resamples=999, seed=1)
    assert global_result.p_sim == pytest.approx(2 / 1000)  # no permutation reaches it, two-sided
    assert global_result.p_normal < 1e-50
    local = local_moran(values, w, n_resamples=999, seed=1)
    column = np.tile(np.arange(20), 20)
    labels = local.labels
    assert np.mean(labels[column <= 2] == "Low-Low") > 0.9
    assert np.mean(labels[column >= 17] == "High-High") > 0.9
    assert geary(values, w, n_resamples=999, seed=1).p_sim == pytest.approx(2 / 1000)


def test_same_seed_same_result_and_seeds_differ(log_gva: np.ndarray, fuzzy: Weights) -> None:
    first = local_moran(log_gva, fuzzy, n_resamples=199, seed=11)
    again = local_moran(log_gva, fuzzy, n_resamples=199, seed=11)
    other = local_moran(log_gva, fuzzy, n_resamples=199, seed=12)
    np.testing.assert_array_equal(first.p_values, again.p_values)
    assert not np.array_equal(first.p_values, other.p_values)
    a = moran(log_gva, fuzzy, n_resamples=199, seed=5).simulation
    b = moran(log_gva, fuzzy, n_resamples=199, seed=5).simulation
    assert a is not None and b is not None and a.mean == b.mean and a.std == b.std


def _within(simulated_mean: float, expected: float, variance: float, permutations: int) -> bool:
    return abs(simulated_mean - expected) < 5 * np.sqrt(variance / permutations)


def test_permutation_distributions_match_analytical_moments(
    log_gva: np.ndarray, itl3_gva: Any, fuzzy: Weights
) -> None:
    P = 20_000
    for result in (
        moran(log_gva, fuzzy, n_resamples=P, seed=1),
        geary(log_gva, fuzzy, n_resamples=P, seed=2),
    ):
        sim = result.simulation
        assert sim is not None and result.variance_randomisation is not None
        assert _within(sim.mean, result.expected, result.variance_randomisation, P)
        assert sim.std**2 == pytest.approx(result.variance_randomisation, rel=0.06)
    g = getis_ord_global(itl3_gva["2021"].to_numpy(), fuzzy, n_resamples=P, seed=3)
    assert g.simulation is not None
    assert _within(g.simulation.mean, g.expected, g.variance_normal, P)
    assert g.simulation.std**2 == pytest.approx(g.variance_normal, rel=0.1)


@pytest.mark.parametrize("kind", ["contiguity", "inverse distance"])
def test_moran_permutations_match_moments_whether_weights_are_coded_or_not(
    kind: str, log_gva: np.ndarray, itl3: Any, fuzzy: Weights
) -> None:
    # The permutation kernel stores up to 256 distinct pair weights as one-byte codes and
    # reads any other weights as they are: both ways must give the analytical moments.
    w = fuzzy if kind == "contiguity" else Weights.inverse_distance(list(itl3.geometry))
    distinct = len(np.unique(w.row_standardised().pairs.data))
    assert (distinct <= 256) == (kind == "contiguity")
    result = moran(log_gva, w, n_resamples=20_000, seed=4)
    sim = result.simulation
    assert sim is not None and result.variance_randomisation is not None
    assert _within(sim.mean, result.expected, result.variance_randomisation, 20_000)
    assert sim.std**2 == pytest.approx(result.variance_randomisation, rel=0.06)


def test_conditional_permutation_matches_conditional_moments(
    log_gva: np.ndarray, fuzzy: Weights
) -> None:
    P = 20_000
    res = local_moran(log_gva, fuzzy, n_resamples=P, seed=9)
    assert res.simulation is not None
    connected = fuzzy.cardinalities > 0
    mean, std = res.simulation.mean[connected], res.simulation.std[connected]
    expected, variance = res.expected_conditional[connected], res.variance_conditional[connected]
    assert np.all(np.abs(mean - expected) < 5 * np.sqrt(variance / P))
    np.testing.assert_allclose(std**2, variance, rtol=0.1)


def test_spatial_gini_permutations_centre_on_the_expected_sum(
    itl3_gva: Any, fuzzy: Weights
) -> None:
    y = itl3_gva["2021"].to_numpy()
    n = len(y)
    res = spatial_gini(y, fuzzy, n_resamples=5000, seed=4)
    total = np.abs(y[:, None] - y[None, :]).sum()
    # Each of the S0 ordered neighbour pairs is, under random placement, a random ordered pair
    # of distinct areas: E[neighbour sum] = S0 · total / (n (n − 1)).
    expected_neighbour = fuzzy.binary().s0 * total / (n * (n - 1))
    assert res.expected_non_neighbour_sum is not None
    assert res.expected_non_neighbour_sum == pytest.approx(total - expected_neighbour, rel=2e-3)
    assert res.p_sim is not None and 0 < res.p_sim <= 0.5


def test_spatial_gini_p_value_is_valid_under_the_null(itl3_gva: Any, fuzzy: Weights) -> None:
    rng = np.random.default_rng(3)
    y = itl3_gva["2021"].to_numpy()
    p = np.array([spatial_gini(rng.permutation(y), fuzzy, n_resamples=99, seed=rng).p_sim
                  for _ in range(200)])
    # The folded p-value (as PySAL) is the smaller tail: uniform on (0, 0.5] under the null.
    assert np.mean(p <= 0.05) == pytest.approx(0.10, abs=0.06)
    assert np.all(p <= 0.5 + 1e-12)


def test_bucket_shuffle_is_uniform_even_when_full_buckets_force_redraws() -> None:
    # Six values in two buckets of capacity four: every draw putting five or six values in one
    # bucket overflows (probability 14/64) and is drawn again. Conditioning on the bucket sizes
    # must leave all 720 orders equally likely. Buckets sit ten places apart: the capacity plus
    # room for the values scattered between two checks (here all six).
    from levelscope.spatial import _permutation as kernels

    values = np.arange(6, dtype=np.float64)
    start = kernels.permutation_state(12345, 0)
    counts = order_counts(shuffles(values, start, 72_000, layout=(2, 4, 10)))
    assert all(sorted(k) == list(values) for k in counts)
    assert len(counts) == 720
    observed = np.array(list(counts.values()))
    assert stats.chisquare(observed).pvalue > 0.001


def test_paired_draws_are_one_multiply_and_reject_draw_read_digit_by_digit() -> None:
    # draw · b · (b + 1) / 2³², rounded down, is j · (b + 1) + k: check against Python's exact
    # integers for accepted draws (a rejected one would take fresh bits from the stream).
    from levelscope.spatial import _permutation as kernels

    rng = np.random.default_rng(11)
    for bound in (1, 2, 7, 1_000, 4_094):
        product = bound * (bound + 1)
        threshold = (2**32 - product) % product
        for draw in rng.integers(0, 2**32, size=200):
            if (int(draw) * product) % 2**32 < threshold:
                continue
            _, j, k = kernels._below_pair(np.uint64(1), np.uint64(draw), np.uint64(bound))
            assert divmod(int(draw) * product >> 32, bound + 1) == (j, k)


def test_in_place_shuffle_gives_every_order_equally_often() -> None:
    # Six values shuffled in place: the first four steps take paired draws, the last a single
    # one. All 720 orders must be equally likely.
    from levelscope.spatial import _permutation as kernels

    values = np.arange(6, dtype=np.float64)
    assert kernels.bucket_layout(6)[0] == 1
    counts = order_counts(shuffles(values, kernels.permutation_state(777, 0), 72_000))
    assert len(counts) == 720
    assert stats.chisquare(np.array(list(counts.values()))).pvalue > 0.001


@pytest.mark.parametrize("n", [5_000, 70_000])
def test_shuffle_puts_every_value_anywhere_with_equal_chance(n: int) -> None:
    # 5,000 values are shuffled in place; 70,000 are first scattered into 128 buckets. Over
    # 4,000 shuffles of 0..n-1, the first and last values must land in each twentieth of the
    # array, and each twentieth of the values must reach the first position, equally often.
    from levelscope.spatial import _permutation as kernels

    assert kernels.bucket_layout(n)[0] == (1 if n == 5_000 else 128)
    values = np.arange(n, dtype=np.float64)
    first_at, last_at, at_start = [], [], []
    for out in shuffles(values, kernels.permutation_state(99, 0), 4_000):
        first_at.append(int(np.argmax(out == 0)))
        last_at.append(int(np.argmax(out == n - 1)))
        at_start.append(out[0])
    assert np.array_equal(np.sort(out), values)
    for sample in (first_at, last_at, at_start):
        counts = np.bincount(np.asarray(sample, dtype=np.int64) * 20 // n, minlength=20)
        assert stats.chisquare(counts).pvalue > 0.001


def test_permutations_do_not_depend_on_the_number_of_threads(log_gva: np.ndarray, fuzzy: Weights) -> None:
    # Each permutation has its own random stream, and threads take blocks of permutations as
    # they come free: one thread or all must give the same permuted statistics, bit for bit.
    import numba

    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        alone = moran(log_gva, fuzzy, n_resamples=203, seed=8).simulation
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        together = moran(log_gva, fuzzy, n_resamples=203, seed=8).simulation
    finally:
        numba.set_num_threads(before)
    assert alone is not None and together is not None
    assert (alone.p_value, alone.mean, alone.std) == (together.p_value, together.mean, together.std)
