"""Global and local spatial statistics equal PySAL esda (and inequality) on real ITL3 data."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from spatial_helpers import pysal_w

from levelscope.errors import UndefinedMeasureError
from levelscope.spatial import (
    Weights,
    fdr_threshold,
    geary,
    getis_ord,
    getis_ord_global,
    local_moran,
    moran,
    spatial_gini,
    spatial_lag,
)

REL = 1e-10


@pytest.fixture(scope="module", params=["fuzzy", "queen"])
def weights(request: pytest.FixtureRequest, itl3: Any) -> Weights:
    """Fuzzy contiguity (5 islands) and vertex queen contiguity (30 islands)."""
    return Weights.build(list(itl3.geometry), list(itl3.index), request.param)


def close(ours: Any, theirs: Any, rel: float = REL) -> None:
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                               rtol=rel, atol=0)


@pytest.mark.parametrize("transform", ["row", "binary"])
def test_moran_equals_esda(log_gva: np.ndarray, weights: Weights, transform: str) -> None:
    import esda

    theirs = esda.Moran(log_gva, pysal_w(weights, transform[0]), transformation=transform[0],
                        permutations=0)
    ours = moran(log_gva, weights, transform=transform, n_resamples=0)  # type: ignore[arg-type]
    close(ours.statistic, theirs.I)
    close(ours.expected, theirs.EI)
    close(ours.variance_normal, theirs.VI_norm)
    close(ours.variance_randomisation, theirs.VI_rand)
    close(ours.z_normal, theirs.z_norm)
    close(ours.z_randomisation, theirs.z_rand)
    close(ours.p_normal, theirs.p_norm)  # both two-sided
    close(ours.p_randomisation, theirs.p_rand)


def test_moran_by_hand_on_a_line() -> None:
    # Four cells in a row, rook neighbours, values 1, 2, 3, 4, binary weights.
    w = Weights.rook([box(i, 0, i + 1, 1) for i in range(4)])
    res = moran([1.0, 2.0, 3.0, 4.0], w, transform="binary", n_resamples=0)
    # z = (-1.5, -0.5, 0.5, 1.5); Σ_ij w_ij z_i z_j = 2 (0.75 + -0.25 + 0.75) = 2.5;
    # Σ z² = 5; S0 = 6; I = (4 / 6) (2.5 / 5) = 1/3; E[I] = -1/3.
    assert res.statistic == pytest.approx(1 / 3, rel=1e-14)
    assert res.expected == pytest.approx(-1 / 3, rel=1e-14)


def test_geary_equals_esda(log_gva: np.ndarray, weights: Weights) -> None:
    import esda

    theirs = esda.Geary(log_gva, pysal_w(weights, "r"), permutations=0)
    ours = geary(log_gva, weights, n_resamples=0)
    close(ours.statistic, theirs.C)
    close(ours.variance_normal, theirs.VC_norm)
    close(ours.variance_randomisation, theirs.VC_rand)
    close(ours.z_normal, theirs.z_norm)
    close(ours.z_randomisation, theirs.z_rand)
    # esda reports one tail; ours is two-sided by default and one-sided on request.
    close(ours.p_normal, 2 * theirs.p_norm)
    close(geary(log_gva, weights, n_resamples=0, alternative="less").p_randomisation, theirs.p_rand)


def test_general_g_equals_esda(itl3_gva: pd.DataFrame, weights: Weights) -> None:
    import esda

    y = itl3_gva["2021"].to_numpy()
    theirs = esda.G(y, pysal_w(weights, "b"), permutations=0)
    ours = getis_ord_global(y, weights, n_resamples=0)
    close(ours.statistic, theirs.G)
    close(ours.expected, theirs.EG)
    close(ours.variance_normal, theirs.VG)
    close(ours.z_normal, theirs.z_norm)
    # esda computes this tail as 1 − Φ(z), which keeps only ~1e-16 absolute precision.
    np.testing.assert_allclose(ours.p_normal, 2 * theirs.p_norm, rtol=1e-6, atol=1e-15)


def test_local_moran_equals_esda(log_gva: np.ndarray, weights: Weights) -> None:
    import esda

    theirs = esda.Moran_Local(log_gva, pysal_w(weights, "r"), permutations=0)
    ours = local_moran(log_gva, weights, n_resamples=0)
    close(ours.local_i, theirs.Is)
    np.testing.assert_array_equal(ours.quadrant, theirs.q)
    close(ours.expected, theirs.EI)
    close(ours.variance, theirs.VI)
    close(ours.expected_conditional, theirs.EIc)
    close(ours.variance_conditional, theirs.VIc)
    labels = pd.Series(ours.labels)
    assert (labels[np.isin(ours.ids, weights.islands)] == "Island").all()


@pytest.mark.parametrize("star", [False, True])
@pytest.mark.parametrize("transform", ["row", "binary"])
def test_local_g_equals_esda(itl3_gva: pd.DataFrame, weights: Weights, star: bool,
                             transform: str) -> None:
    import esda
    from libpysal.weights import fill_diagonal

    y = itl3_gva["2021"].to_numpy()
    w = pysal_w(weights, "b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if star:
            # Self-weight 1 for every area, islands included, then the transform (esda fills
            # islands with their row maximum, 0, unless told).
            w = fill_diagonal(w, 1.0)
        theirs = esda.G_Local(y, w, transform=transform[0].upper(), star=None if star else False,
                              permutations=0)
    ours = getis_ord(y, weights, star=star, transform=transform, n_resamples=0)  # type: ignore[arg-type]
    close(ours.g, theirs.Gs)
    close(ours.expected, theirs.EGs)
    close(ours.variance, theirs.VGs)
    finite = np.isfinite(theirs.Zs)
    close(ours.z[finite], theirs.Zs[finite])
    # An island's Gi has no variance: esda gives NaN, we report z = 0 and p = 1.
    assert np.all(ours.z[~finite] == 0) and np.all(ours.p_normal[~finite] == 1)


def test_spatial_lag_equals_libpysal(log_gva: np.ndarray, weights: Weights) -> None:
    from libpysal.weights import lag_spatial

    for transform in ("r", "b"):
        expected = lag_spatial(pysal_w(weights, transform), log_gva)
        ours = spatial_lag(log_gva, weights, transform="row" if transform == "r" else "binary")
        close(ours, expected, 1e-12)


def test_spatial_lag_by_hand() -> None:
    w = Weights.rook([box(i, 0, i + 1, 1) for i in range(4)])
    # Row-standardised: ends see one neighbour, the middle two see the mean of two.
    assert spatial_lag([1.0, 2.0, 6.0, 4.0], w).tolist() == [2.0, 3.5, 3.0, 6.0]


def test_spatial_gini_equals_inequality(itl3_gva: pd.DataFrame, weights: Weights) -> None:
    from inequality.gini import Gini_Spatial

    y = itl3_gva["2021"].to_numpy()
    theirs = Gini_Spatial(y, Weights(weights.sparse).to_pysal(), permutations=0)
    ours = spatial_gini(y, weights, n_resamples=0)
    close(ours.gini, theirs.g)
    close(ours.neighbour_sum, theirs.wg)
    close(ours.non_neighbour_sum, theirs.wcg)
    close(ours.polarization, theirs.polarization)
    close(ours.neighbour_share + ours.non_neighbour_share, ours.gini, 1e-12)


def test_fdr_threshold_equals_esda() -> None:
    from esda import fdr

    rng = np.random.default_rng(4)
    for p in (rng.uniform(size=300), np.concatenate([rng.uniform(0, 0.001, 30), rng.uniform(size=270)]),
              np.round(rng.uniform(size=200), 2)):
        assert fdr_threshold(p, 0.05) == pytest.approx(fdr(p, 0.05), rel=1e-15)


def test_values_are_aligned_by_area_code(itl3_gva: pd.DataFrame, weights: Weights) -> None:
    y = np.log(itl3_gva["2021"])
    shuffled = y.sample(frac=1.0, random_state=1)
    assert moran(shuffled, weights, n_resamples=0).statistic == pytest.approx(
        moran(y.to_numpy(), weights, n_resamples=0).statistic, rel=1e-14
    )


def test_undefined_inputs_raise() -> None:
    w = Weights.rook([box(i, 0, i + 1, 1) for i in range(5)])
    with pytest.raises(ValueError, match="finite"):
        moran([1.0, np.nan, 2.0, 3.0, 4.0], w)
    with pytest.raises(ValueError, match="5 areas"):
        moran([1.0, 2.0], w)
    with pytest.raises(UndefinedMeasureError, match="not negative"):
        getis_ord_global([1.0, -2.0, 3.0, 4.0, 5.0], w)
    lonely = Weights(np.zeros((4, 4)))
    with pytest.raises(UndefinedMeasureError, match="island"):
        moran([1.0, 2.0, 3.0, 4.0], lonely)
