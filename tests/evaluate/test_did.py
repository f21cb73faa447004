"""Difference-in-differences against pyfixest and differences, and on simulated panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from levelscope.errors import ValidationError
from levelscope.evaluate import DesignError, callaway_santanna, event_study, twfe

TOL = 1e-6


def staggered_panel(
    n_units: int = 120, seed: int = 0, dynamic: float = 0.0, effect: float = 2.0
) -> pd.DataFrame:
    """Cohorts adopting in 2003, 2005 and 2006 plus never-treated units; the effect is
    ``effect + dynamic * (years since adoption)``."""
    rng = np.random.default_rng(seed)
    years = np.arange(2000, 2010)
    cohorts = rng.choice([2003.0, 2005.0, 2006.0, np.nan], size=n_units, p=[0.3, 0.25, 0.2, 0.25])
    unit = np.repeat(np.arange(n_units), years.size)
    year = np.tile(years, n_units)
    g = cohorts[unit]
    treated = year >= g
    y = (
        rng.normal(size=unit.size)
        + rng.normal(size=n_units)[unit]
        + 0.3 * (year - 2000)
        + np.where(treated, effect + dynamic * (year - g), 0.0)
    )
    return pd.DataFrame(
        {"unit": unit, "year": year, "cohort": g, "treated": treated.astype(float),
         "x": rng.normal(size=unit.size), "y": y}
    )


def test_twfe_matches_pyfixest_on_unbalanced_panel() -> None:
    import pyfixest as pf

    frame = staggered_panel().sample(frac=0.85, random_state=3)
    ours = twfe(frame, unit="unit", time="year", outcome="y", treatment="treated",
                covariates=["x"])
    peer = pf.feols("y ~ treated + x | unit + year", data=frame, vcov={"CRV1": "unit"})
    assert np.abs(ours.estimate.to_numpy() - peer.coef().to_numpy()).max() < TOL
    assert np.abs(ours.std_error.to_numpy() - peer.se().to_numpy()).max() < TOL
    assert np.abs(ours.p_value.to_numpy() - peer.pvalue().to_numpy()).max() < TOL
    ci = ours.conf_int()
    peer_ci = peer.confint()
    assert np.abs(ci.to_numpy() - peer_ci.to_numpy()).max() < TOL
    assert "treated" in ours.summary()


def _event_dummies(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    rel = frame["year"] - frame["cohort"]
    names = []
    out = frame.copy()
    for e in sorted(rel.dropna().unique()):
        if e == -1:
            continue
        name = f"ev_{'m' if e < 0 else ''}{abs(int(e))}"
        out[name] = (rel == e).astype(float)
        names.append(name)
    return out, names


def test_event_study_matches_pyfixest() -> None:
    import pyfixest as pf

    frame = staggered_panel(seed=4, dynamic=0.5)
    ours = event_study(frame, unit="unit", time="year", outcome="y", cohort="cohort")
    dummies, names = _event_dummies(frame)
    peer = pf.feols(f"y ~ {' + '.join(names)} | unit + year", data=dummies,
                    vcov={"CRV1": "unit"})
    assert np.abs(ours.estimate.to_numpy() - peer.coef().to_numpy()).max() < TOL
    assert np.abs(ours.std_error.to_numpy() - peer.se().to_numpy()).max() < TOL
    # Pre-trends: pyfixest reports the Wald chi-squared statistic q * F for a selection matrix.
    leads = [n for n in names if n.startswith("ev_m")]
    selection = np.array([[1.0 if n == lead else 0.0 for n in names] for lead in leads])
    with pytest.warns(UserWarning):
        wald = peer.wald_test(R=selection)
    test = ours.pretrend_test()
    assert test.df == len(leads)
    assert test.statistic * test.df == pytest.approx(float(wald["statistic"]), rel=1e-6)
    assert test.p_value > 0.01  # the simulated panel has parallel trends
    figure = ours.plot()
    assert 0.0 in list(figure.data[0].x)  # the reference period is drawn at zero


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
def test_callaway_santanna_matches_differences(control_group: str) -> None:
    from differences import ATTgt

    frame = staggered_panel(seed=5, dynamic=0.4)
    ours = callaway_santanna(frame, unit="unit", time="year", outcome="y", cohort="cohort",
                             control_group=control_group)  # type: ignore[arg-type]
    peer = ATTgt(data=frame.set_index(["unit", "year"]), cohort_column="cohort")
    peer.fit(formula="y", est_method="reg", control_group=control_group, progress_bar=False)
    cells = peer.results()
    assert np.abs(cells.iloc[:, 0].to_numpy() - ours.cells["att"].to_numpy()).max() < TOL
    assert np.abs(cells.iloc[:, 1].to_numpy() - ours.cells["std_error"].to_numpy()).max() < TOL
    for theirs, mine in [("event", "dynamic"), ("cohort", "group"), ("time", "calendar")]:
        table = peer.aggregate(theirs)
        overall = peer.aggregate(theirs, overall=True)
        agg = ours.aggregate(mine)  # type: ignore[arg-type]
        assert np.abs(table.iloc[:, 0].to_numpy() - agg.estimates["att"].to_numpy()).max() < TOL
        assert np.abs(table.iloc[:, 1].to_numpy() - agg.estimates["std_error"].to_numpy()).max() < TOL
        assert agg.overall == pytest.approx(float(overall.iloc[0, 0]), abs=TOL)
        assert agg.overall_se == pytest.approx(float(overall.iloc[0, 1]), abs=TOL)
    simple = peer.aggregate("simple")
    agg = ours.aggregate("simple")
    assert agg.overall == pytest.approx(float(simple.iloc[0, 0]), abs=TOL)
    assert agg.overall_se == pytest.approx(float(simple.iloc[0, 1]), abs=TOL)


def test_callaway_santanna_recovers_effect_where_twfe_is_biased() -> None:
    # Effects grow by 1 per year since adoption. True average effect over treated cells,
    # weighted as the simple aggregation weights them (by cohort size, over post periods):
    frame = staggered_panel(n_units=2000, seed=6, dynamic=1.0, effect=1.0)
    treated_cells = frame[frame["treated"] == 1]
    truth = float((1.0 + (treated_cells["year"] - treated_cells["cohort"])).mean())
    cs = callaway_santanna(frame, unit="unit", time="year", outcome="y", cohort="cohort")
    simple = cs.aggregate("simple")
    assert simple.overall == pytest.approx(truth, abs=3 * simple.overall_se)
    dynamic = cs.aggregate("dynamic").estimates
    for e in range(0, 5):
        row = dynamic.to_dict("index")[e]
        assert row["att"] == pytest.approx(1.0 + e, abs=4 * float(row["std_error"]))
    # TWFE uses already-treated units as controls and misses the truth by many SEs.
    naive = twfe(frame, unit="unit", time="year", outcome="y", treatment="treated")
    assert abs(naive.effect - truth) > 5 * float(naive.std_error["treated"])
    assert naive.effect < truth


def test_bootstrap_agrees_with_analytic_errors() -> None:
    frame = staggered_panel(n_units=400, seed=8, dynamic=0.3)
    cs = callaway_santanna(frame, unit="unit", time="year", outcome="y", cohort="cohort")
    analytic = cs.aggregate("dynamic")
    calls: list[int] = []
    boot = cs.aggregate("dynamic", n_resamples=999, seed=1, progress=lambda d, t: calls.append(d))
    again = cs.aggregate("dynamic", n_resamples=999, seed=1)
    assert calls[-1] == 999
    ratio = boot.estimates["std_error"] / analytic.estimates["std_error"]
    assert ratio.between(0.85, 1.15).all()
    assert boot.critical_value > 1.96  # a simultaneous band is wider than pointwise ones
    assert np.array_equal(boot.estimates.to_numpy(), again.estimates.to_numpy())


def test_pretrend_test_detects_diverging_trends() -> None:
    frame = staggered_panel(n_units=600, seed=9)
    ok = callaway_santanna(frame, unit="unit", time="year", outcome="y", cohort="cohort")
    assert ok.pretrend_test().p_value > 0.01
    # Treated units trend up by 0.5 a year more than controls, before and after adoption.
    frame["y"] += np.where(frame["cohort"].notna(), 0.5 * (frame["year"] - 2000), 0.0)
    bad = callaway_santanna(frame, unit="unit", time="year", outcome="y", cohort="cohort")
    assert bad.pretrend_test().p_value < 1e-6
    assert "Pre-trends" in bad.summary()


def test_did_design_errors() -> None:
    frame = staggered_panel()
    with pytest.raises(ValidationError):
        twfe(frame, unit="unit", time="year", outcome="missing", treatment="treated")
    with pytest.raises(DesignError, match="never varies"):
        twfe(frame.assign(treated=0.0), unit="unit", time="year", outcome="y",
             treatment="treated")
    with pytest.raises(DesignError, match="unbalanced"):
        callaway_santanna(frame.iloc[1:], unit="unit", time="year", outcome="y", cohort="cohort")
    with pytest.raises(DesignError, match="never-treated"):
        callaway_santanna(frame.fillna({"cohort": 2008.0}), unit="unit", time="year",
                          outcome="y", cohort="cohort")
