"""Augmented synthetic control and synthetic DiD on simulated panels with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from levelscope.evaluate import (
    DesignError,
    augmented_synthetic_control,
    synthetic_control,
    synthetic_did,
    twfe,
)

EFFECT = -2.0


def factor_panel(
    treated_loadings: list[float], n_controls: int = 40, seed: int = 0, noise: float = 0.1
) -> pd.DataFrame:
    """``y_it = a_i + 0.5 t + l_i f_t + effect * D_it``: a common trend plus a factor ``f`` that
    rises steadily, so units with a larger loading ``l`` grow faster. Controls have loadings in
    [0, 2]; treated units (named t0, t1, ...) the ones given, treated from period 15 of 20."""
    rng = np.random.default_rng(seed)
    times = np.arange(20)
    factor = 0.4 * times + rng.normal(0, 0.3, times.size)
    loadings = np.concatenate([treated_loadings, rng.uniform(0, 2, n_controls)])
    names = [f"t{i}" for i in range(len(treated_loadings))] + [f"c{i}" for i in range(n_controls)]
    level = rng.normal(5, 1, loadings.size)
    y = level[:, None] + 0.5 * times + loadings[:, None] * factor[None, :]
    y += rng.normal(0, noise, y.shape)
    y[: len(treated_loadings), times >= 15] += EFFECT
    return pd.DataFrame(
        {"unit": np.repeat(names, times.size), "time": np.tile(times, len(names)), "outcome": y.ravel()}
    )


def test_sdid_recovers_effect_where_did_is_biased() -> None:
    frame = factor_panel([1.7, 1.8, 1.6])
    treated = ["t0", "t1", "t2"]
    sdid = synthetic_did(frame, treated=treated, start=15, se="jackknife")
    assert sdid.effect == pytest.approx(EFFECT, abs=0.25)
    lower, upper = sdid.conf_int().loc["effect"]
    assert lower < EFFECT < upper
    # Plain DiD compares with the average control (loading 1), which grows more slowly.
    frame["d"] = (frame["unit"].isin(treated) & (frame["time"] >= 15)).astype(float)
    did = twfe(frame, unit="unit", time="time", outcome="outcome", treatment="d")
    assert abs(did.effect - EFFECT) > 4 * abs(sdid.effect - EFFECT)
    assert "interval" in sdid.summary()


def test_sdid_effect_is_the_weighted_double_difference() -> None:
    frame = factor_panel([1.2], seed=3)
    fit = synthetic_did(frame, treated="t0", start=15, se="none")
    # Hand calculation from the weights: (treated post - lambda-weighted treated pre) minus the
    # omega-weighted average of the same difference for the controls.
    wide = frame.pivot(index="unit", columns="time", values="outcome")
    post = wide.columns.to_numpy(dtype=float) >= 15
    lam = fit.time_weights.to_numpy()
    omega = fit.unit_weights
    assert lam.sum() == pytest.approx(1) and omega.sum() == pytest.approx(1)
    assert (lam >= 0).all() and (omega >= 0).all()

    def change(unit: str) -> float:
        row = wide.loc[unit].to_numpy()
        return float(row[post].mean() - lam @ row[~post])

    expected = change("t0") - sum(w * change(str(u)) for u, w in omega.items())
    assert fit.effect == pytest.approx(expected, abs=1e-10)


def test_sdid_placebo_standard_error_reports_progress() -> None:
    frame = factor_panel([1.0], n_controls=15, seed=4)
    calls: list[int] = []
    fit = synthetic_did(frame, treated="t0", start=15, n_resamples=20, seed=1,
                        progress=lambda done, total: calls.append(done))
    again = synthetic_did(frame, treated="t0", start=15, n_resamples=20, seed=1)
    assert calls == list(range(1, 21))
    assert fit.std_error > 0 and fit.std_error == again.std_error


def test_augmented_extrapolates_outside_the_convex_hull() -> None:
    # The treated unit grows faster than any donor (loading 2.6 > 2): no convex mix matches it.
    frame = factor_panel([2.6], seed=2)
    plain = synthetic_control(frame, treated="t0", start=15)
    augmented = augmented_synthetic_control(frame, treated="t0", start=15)
    assert abs(augmented.effect - EFFECT) < 0.5
    assert abs(augmented.effect - EFFECT) < abs(plain.effect - EFFECT) / 2
    assert augmented.pre_rmspe < plain.pre_rmspe
    assert augmented.weights.sum() == pytest.approx(1.0, abs=1e-9)
    assert (augmented.weights < 0).any()  # extrapolation needs negative weights
    # With an overwhelming penalty the correction vanishes and the weights are the plain ones.
    heavy = augmented_synthetic_control(frame, treated="t0", start=15, ridge=1e12)
    assert np.abs(heavy.weights - heavy.scm_weights).max() < 1e-6
    assert "negative weight" in augmented.summary()


def test_design_errors() -> None:
    frame = factor_panel([1.0], n_controls=5)
    with pytest.raises(DesignError, match="pre-period"):
        synthetic_did(frame, treated="t0", start=0)
    with pytest.raises(DesignError, match="jackknife"):
        synthetic_did(frame, treated="t0", start=15, se="jackknife")
    with pytest.raises(DesignError, match="among the donors"):
        augmented_synthetic_control(frame, treated="t0", start=15, donors=["t0", "c1", "c2"])
    with pytest.raises(DesignError, match="too few donors"):
        augmented_synthetic_control(frame, treated="t0", start=15, donors=["c1"])
    with pytest.raises(DesignError, match="unbalanced"):
        synthetic_did(frame.iloc[3:], treated="t0", start=15)
