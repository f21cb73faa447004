"""Rank mobility and the spatial decomposition of Kendall's tau against giddy and by hand."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from levelscope.convergence import rank_mobility, spatial_tau
from levelscope.spatial import Weights


@pytest.fixture(scope="module")
def weights(itl3_shapes: Any) -> Weights:
    return Weights.fuzzy(list(itl3_shapes.geometry), list(itl3_shapes.index))


def test_rank_mobility_equals_giddy_tau(gva: pd.DataFrame) -> None:
    from giddy.rank import Tau

    res = rank_mobility(gva)
    last = res.table.iloc[-1]
    theirs = Tau(gva["1998"].to_numpy(), gva["2021"].to_numpy())
    assert last["tau"] == pytest.approx(theirs.tau, rel=1e-10)
    # p-value: the tie-corrected normal approximation (scipy); giddy omits the tie correction.
    assert last["p_value"] == pytest.approx(
        stats.kendalltau(gva["1998"], gva["2021"]).pvalue, rel=1e-10)
    previous = rank_mobility(gva, reference="previous").table
    assert list(previous["from"]) == list(gva.columns[:-1])


def test_spatial_tau_equals_giddy(gva: pd.DataFrame, weights: Weights) -> None:
    from giddy.rank import SpatialTau

    x, y = gva["1998"].to_numpy(), gva["2021"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SpatialTau(x, y, Weights(weights.sparse).to_pysal(), permutations=0)
    ours = spatial_tau(x, y, weights, n_resamples=0)
    assert ours.tau == pytest.approx(theirs.tau, rel=1e-10)
    assert ours.tau_neighbours == pytest.approx(theirs.tau_spatial, rel=1e-10)
    assert ours.concordant_neighbours == theirs.concordant_spatial
    assert ours.discordant_neighbours == theirs.discordant_spatial
    assert ours.neighbour_pairs == theirs.pairs_spatial


def test_non_neighbour_tau_by_enumerating_pairs(gva: pd.DataFrame, weights: Weights) -> None:
    x, y = gva["2005"].to_numpy(), gva["2015"].to_numpy()
    linked = weights.sparse.toarray() > 0
    score = untied_x = untied_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        if linked[i, j]:
            continue
        dx, dy = x[i] - x[j], y[i] - y[j]
        score += int(np.sign(dx * dy))
        untied_x += dx != 0
        untied_y += dy != 0
    ours = spatial_tau(x, y, weights, n_resamples=0)
    assert ours.tau_non_neighbours == pytest.approx(score / np.sqrt(untied_x * untied_y), rel=1e-10)


@pytest.mark.slow
def test_spatial_tau_p_value_is_valid_under_the_null(gva: pd.DataFrame, weights: Weights) -> None:
    rng = np.random.default_rng(1)
    x, y = gva["1998"].to_numpy(), gva["2021"].to_numpy()
    p = []
    for _ in range(150):
        order = rng.permutation(len(x))  # the same random placement for both years
        p.append(spatial_tau(x[order], y[order], weights, n_resamples=99, seed=rng,
                             alternative="greater").p_sim)
    assert stats.binomtest(int(np.sum(np.array(p) <= 0.1)), len(p), 0.1).pvalue > 0.001
