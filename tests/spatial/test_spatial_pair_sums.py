"""The permuted pair sums behind global permutation tests, in both layouts of the pairs.

Each permutation ``p`` has its own random stream, so the permutation a kernel used can be drawn
again with the plain shuffle; its pair sum is then recomputed here with SciPy, term by term.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import sparse
from spatial_helpers import shuffles

from levelscope.spatial import Weights, moran
from levelscope.spatial import _pair_sums as pair_sums
from levelscope.spatial import _permutation as kernels

SEED = 2024
MODES = {
    pair_sums.MODE_PRODUCT: lambda a, b: a * b,
    pair_sums.MODE_SQUARED: lambda a, b: (a - b) ** 2,
    pair_sums.MODE_ABSOLUTE: lambda a, b: np.abs(a - b),
}


def _without_some_links(w: Weights) -> Weights:
    # A grid with holes: every 97th cell loses all its links, so the diagonals have gaps.
    keep = sparse.diags_array((np.arange(w.n) % 97 != 0).astype(np.float64))
    matrix = sparse.csr_array(keep @ w.sparse @ keep)
    matrix.eliminate_zeros()
    return Weights.from_sparse(matrix)


def _scrambled(w: Weights) -> Weights:
    # The same links with the areas numbered in random order, as on a map sorted by name.
    order = np.random.default_rng(1).permutation(w.n)
    return Weights.from_sparse(sparse.csr_array(w.sparse)[order][:, order])


def _pairs_as_read(w: Weights) -> sparse.csr_array:
    """The pairs as the kernels number them, checked to be the weights' pairs renumbered."""
    layout = w.pair_layout
    if isinstance(layout, pair_sums.DiagonalLayout):
        return w.pairs
    read = sparse.csr_array(
        (layout.table[layout.codes], layout.indices, layout.indptr), shape=w.pairs.shape
    )
    symmetric = (w.pairs + w.pairs.T)[layout.order][:, layout.order]
    assert abs(read + read.T - symmetric).max() == 0
    return read


def _permuted(values: np.ndarray, p: int) -> np.ndarray:
    """The values in the order permutation ``p`` of the kernels puts them, for ``SEED``."""
    state = kernels.permutation_state(kernels.stream_seed(SEED), p)
    return next(shuffles(values, state, 1))


def _direct_sums(values: np.ndarray, pairs: sparse.csr_array, mode: int, p: int) -> tuple[float, float]:
    """Permutation ``p``'s pair sum, and the sum of its terms' sizes (the scale of rounding)."""
    v = _permuted(values, p)
    links = pairs.tocoo()
    terms = links.data * MODES[mode](v[links.row], v[links.col])
    return float(terms.sum()), float(np.abs(terms).sum())


@pytest.fixture(scope="module")
def layouts(itl3: Any) -> dict[str, Weights]:
    return {
        "rook grid, shuffled in place": Weights.grid(100, 120).row_standardised(),
        "queen grid, shuffled in buckets": Weights.grid(300, 250, queen=True).row_standardised(),
        "binary grid with holes": _without_some_links(Weights.grid(270, 270)),
        "wide grid, rows longer than 4,096 cells": Weights.grid(70, 5_000, queen=True),
        "ITL3 map": Weights.fuzzy(list(itl3.geometry)).row_standardised(),
        "grid numbered at random": _scrambled(Weights.grid(300, 250)).row_standardised(),
    }


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize(
    "name",
    [
        "rook grid, shuffled in place",
        "queen grid, shuffled in buckets",
        "binary grid with holes",
        "wide grid, rows longer than 4,096 cells",
        "ITL3 map",
        "grid numbered at random",
    ],
)
def test_each_permuted_sum_equals_the_sum_over_its_pairs(
    name: str, mode: int, layouts: dict[str, Weights]
) -> None:
    w = layouts[name]
    by_rows = name in ("ITL3 map", "grid numbered at random")
    assert isinstance(w.pair_layout, pair_sums.RowLayout if by_rows else pair_sums.DiagonalLayout)
    values = np.random.default_rng(mode).lognormal(size=w.n)
    sums = pair_sums.permuted_pair_sums(values, w.pair_layout, mode, 9, SEED)
    pairs = _pairs_as_read(w)
    for p in (0, 4, 8):
        direct, scale = _direct_sums(values, pairs, mode, p)
        assert abs(sums[p] - direct) <= 1e-12 * scale


@pytest.mark.parametrize("queen", [False, True])
@pytest.mark.parametrize("holes", [False, True])
def test_diagonals_and_their_exceptions_rebuild_the_pairs(queen: bool, holes: bool) -> None:
    # Row-standardised weights differ at the grid's edges; binary weights with holes have gaps.
    grid = Weights.grid(200, 150, queen=queen)
    w = _without_some_links(grid) if holes else grid.row_standardised()
    layout = w.pair_layout
    assert isinstance(layout, pair_sums.DiagonalLayout)
    assert len(layout.offsets) == (4 if queen else 2)
    diagonals = [np.full(w.n - d, weight) for d, weight in zip(layout.offsets, layout.weights, strict=True)]
    rebuilt = sparse.diags_array(diagonals, offsets=layout.offsets, shape=(w.n, w.n)).tocsr()
    rebuilt += sparse.csr_array(
        (layout.deltas, (layout.positions, layout.positions + layout.offsets[layout.diagonals])),
        shape=(w.n, w.n),
    )
    assert abs(rebuilt - w.pairs).max() < 1e-15
    # Few exceptions is the point of the layout: the grid's edges and the holes.
    assert len(layout.positions) * 8 <= w.pairs.nnz


def test_areas_numbered_at_random_are_renumbered_so_that_neighbours_sit_close() -> None:
    # Reverse Cuthill–McKee brings a scrambled grid back to a narrow band: on average a pair of
    # neighbours is a few hundred places apart, not a third of the array.
    w = _scrambled(Weights.grid(300, 250))
    layout = w.pair_layout
    assert isinstance(layout, pair_sums.RowLayout)
    assert sorted(layout.order) == list(range(w.n))
    rows = np.repeat(np.arange(w.n), np.diff(layout.indptr))
    assert np.mean(layout.indices - rows) < 400 < np.mean(np.abs(w.pairs.tocoo().col - w.pairs.tocoo().row))


def test_scattered_links_are_read_by_rows() -> None:
    # Ten nearest neighbours of random points: links reach all over the matrix.
    points = np.random.default_rng(3).uniform(size=(2_000, 2))
    from shapely import points as to_points

    w = Weights.knn(to_points(points), k=10)
    assert isinstance(w.pair_layout, pair_sums.RowLayout)


@pytest.mark.parametrize("scrambled", [False, True])
def test_grid_permutations_match_the_analytical_moments(scrambled: bool) -> None:
    # 90,000 cells: pair sums by diagonals bucket by bucket, or by renumbered rows, end to end.
    side, permutations = 300, 2_000
    cells = np.arange(side * side)
    y = np.sin(cells % side / 9.0) + np.random.default_rng(5).normal(size=side * side)
    w = Weights.grid(side, side)
    if scrambled:
        order = np.random.default_rng(1).permutation(w.n)
        w, y = _scrambled(w), y[order]
    result = moran(y, w, n_resamples=permutations, seed=6, alternative="greater")
    sim = result.simulation
    assert sim is not None and result.variance_randomisation is not None
    assert abs(sim.mean - result.expected) < 5 * np.sqrt(result.variance_randomisation / permutations)
    assert sim.std**2 == pytest.approx(result.variance_randomisation, rel=0.15)
    assert sim.p_value == pytest.approx(1 / (permutations + 1))  # strongly clustered rows


def test_grid_permutations_do_not_depend_on_the_number_of_threads() -> None:
    import numba

    w = Weights.grid(300, 300)
    y = np.random.default_rng(7).normal(size=w.n)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        alone = pair_sums.permuted_pair_sums(y, w.pair_layout, pair_sums.MODE_PRODUCT, 41, SEED)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        together = pair_sums.permuted_pair_sums(y, w.pair_layout, pair_sums.MODE_PRODUCT, 41, SEED)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(alone, together)
