"""Markov chains, spatial Markov chains and their tests equal PySAL giddy on ITL3 GVA."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from levelscope.convergence import (
    chi_square_difference,
    homogeneity_test,
    markov,
    mean_first_passage_times,
    spatial_markov,
    steady_state,
)
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result
from levelscope.spatial import Weights

REL = 1e-10


@pytest.fixture(scope="module")
def weights(itl3_shapes: Any) -> Weights:
    return Weights.fuzzy(list(itl3_shapes.geometry), list(itl3_shapes.index))


def _pysal(weights: Weights) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights.to_pysal()
        w.transform = "r"
    return w


def test_markov_per_period_quintiles_equal_giddy(relative_gva: pd.DataFrame) -> None:
    import mapclassify
    from giddy.ergodic import mfpt
    from giddy.markov import Markov
    from giddy.mobility import markov_mobility

    classes = np.column_stack(
        [mapclassify.Quantiles(relative_gva[c].to_numpy(), k=5).yb for c in relative_gva.columns]
    )
    theirs = Markov(classes)
    ours = markov(relative_gva, k=5, pooled=False)
    np.testing.assert_array_equal(ours.classes, classes)
    np.testing.assert_array_equal(ours.transitions, theirs.transitions)
    np.testing.assert_allclose(ours.probabilities, theirs.p, rtol=REL)
    np.testing.assert_allclose(ours.steady_state, theirs.steady_state, rtol=1e-9)
    np.testing.assert_allclose(ours.first_passage_times, mfpt(theirs.p), rtol=1e-9)
    np.testing.assert_allclose(ours.sojourn_times, theirs.sojourn_time, rtol=1e-9)
    for index in ("P", "D", "L2", "B1", "B2"):
        assert ours.mobility(index) == pytest.approx(  # type: ignore[arg-type]
            markov_mobility(theirs.p, measure=index), rel=1e-9, abs=1e-14)


def test_discrete_classes_and_hand_counts() -> None:
    # Area 1: 0→1→1, area 2: 1→1→0, area 3: 1→0→0, area 4: 0→0→1.
    panel = np.array([[0, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 1]])
    res = markov(panel, discrete=True)
    np.testing.assert_array_equal(res.transitions, [[2, 2], [2, 2]])
    p = np.array([[0.9, 0.1], [0.3, 0.7]])
    # π solves π P = π: π = (0.3, 0.1) / 0.4 = (0.75, 0.25); m_01 = 1 / 0.1, m_10 = 1 / 0.3.
    np.testing.assert_allclose(steady_state(p), [0.75, 0.25], rtol=1e-14)
    np.testing.assert_allclose(mean_first_passage_times(p),
                               [[1 / 0.75, 10.0], [1 / 0.3, 4.0]], rtol=1e-12)


@pytest.mark.parametrize("k", [4, 5])
def test_spatial_markov_and_its_tests_equal_giddy(
    relative_gva: pd.DataFrame, weights: Weights, k: int
) -> None:
    from giddy.markov import Spatial_Markov

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Spatial_Markov(relative_gva.to_numpy(), _pysal(weights), k=k, m=k, fixed=True)
    ours = spatial_markov(relative_gva, weights.row_standardised(), k=k)
    np.testing.assert_array_equal(ours.transitions, theirs.T)
    np.testing.assert_allclose(ours.probabilities, theirs.P, rtol=REL)
    np.testing.assert_allclose(ours.pooled.probabilities, theirs.p, rtol=REL)
    np.testing.assert_array_equal(ours.lag_classes, theirs.lclass_ids)
    h = ours.homogeneity
    assert h.q == pytest.approx(theirs.Q, rel=REL)
    assert h.lr == pytest.approx(theirs.LR, rel=REL)
    assert h.dof == theirs.dof_hom
    assert h.q_p_value == pytest.approx(theirs.Q_p_value, rel=1e-8)
    assert h.lr_p_value == pytest.approx(theirs.LR_p_value, rel=1e-8)
    for our_test, their_test in zip(ours.chi2, theirs.chi2, strict=True):
        assert our_test.statistic == pytest.approx(their_test[0], rel=REL)
        assert our_test.p_value == pytest.approx(their_test[1], rel=1e-8)
        assert our_test.dof == their_test[2]
    total = ours.chi2_total
    assert total.statistic == pytest.approx(theirs.x2, rel=REL)
    assert total.dof == theirs.x2_dof
    assert total.p_value == pytest.approx(theirs.x2_pvalue, rel=1e-8)


def test_spatial_markov_with_fixed_cutoffs_equals_giddy(
    relative_gva: pd.DataFrame, weights: Weights
) -> None:
    from giddy.markov import Spatial_Markov

    cuts, lag_cuts = [0.4, 0.7, 1.2], [0.5, 0.8, 1.1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Spatial_Markov(relative_gva.to_numpy(), _pysal(weights), cutoffs=cuts,
                                lag_cutoffs=lag_cuts, fixed=True)
    ours = spatial_markov(relative_gva, weights.row_standardised(), cutoffs=cuts,
                          lag_cutoffs=lag_cuts)
    np.testing.assert_array_equal(ours.transitions, theirs.T)
    assert ours.homogeneity.q == pytest.approx(theirs.Q, rel=REL)
    assert ours.homogeneity.lr == pytest.approx(theirs.LR, rel=REL)


def test_homogeneity_by_hand() -> None:
    # Two regimes with identical transition probabilities: Q = LR = 0.
    counts = np.array([[[8, 2], [1, 9]], [[4, 1], [2, 18]]], dtype=float)
    same = homogeneity_test(counts)
    assert same.q == pytest.approx(0.0, abs=1e-12) and same.lr == pytest.approx(0.0, abs=1e-12)
    assert same.dof == 2  # 2 rows × (2 regimes − 1) × (2 cells − 1)


def test_the_tests_are_results_with_a_row_and_a_sentence() -> None:
    # By hand: the observed row totals (10, 10) spread by the reference's rows give expected
    # counts (9, 1) and (2, 8); chi2 = 1/9 + 1/1 + 1/2 + 1/8 on (2 - 1)(2 - 1) = 1 dof.
    test = chi_square_difference(np.array([[8.0, 2.0], [3.0, 7.0]]), np.array([[0.9, 0.1], [0.2, 0.8]]))
    assert isinstance(test, Result)
    row = test.to_frame().iloc[0]
    assert row["statistic"] == pytest.approx(1 / 9 + 1 + 1 / 2 + 1 / 8) and row["dof"] == 1
    assert row["p_value"] == pytest.approx(stats.chi2.sf(1 / 9 + 1.625, 1))
    assert repr(test).startswith("Chi-square test: 1.736 on 1 dof, p = 0.188")
    same = homogeneity_test(np.array([[[8, 2], [1, 9]], [[4, 1], [2, 18]]], dtype=float))
    assert isinstance(same, Result)
    assert list(same.to_frame().columns) == ["q", "q_p_value", "lr", "lr_p_value", "dof"]
    assert "on 2 dof: Q = " in same.summary() and "(p = 1)" in same.summary()


def test_reducible_chain_has_no_steady_state() -> None:
    with pytest.raises(UndefinedMeasureError, match="reducible"):
        steady_state([[1.0, 0.0], [0.0, 1.0]])


def test_transition_heat_maps(relative_gva: pd.DataFrame, weights: Weights) -> None:
    res = spatial_markov(relative_gva, weights.row_standardised(), k=5)
    figure = res.plot()
    assert len(figure.data) == 5
    np.testing.assert_allclose(figure.data[2].z, res.probabilities[2])
    single = res.pooled.plot()
    np.testing.assert_allclose(single.data[0].z, res.pooled.probabilities)
