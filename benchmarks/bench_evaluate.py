"""Synthetic control with all in-space placebos: levelscope against pysyncon.

Problem: one treated unit, 400 donors, 25 years (20 before the policy, 5 after), 6 predictors
(three covariates and three period averages of the outcome), ``V`` by nested optimisation.
levelscope fits the treated unit and all 400 placebos. pysyncon needs minutes per fit on this
problem (a general-purpose SLSQP solve of the 400-weight problem inside every Nelder–Mead step),
so it fits the treated unit and ``--pysyncon-fits - 1`` placebos and the time for all 401 fits is
extrapolated from the measured time per fit; both figures are printed.

Also times the Callaway & Sant'Anna estimator against ``differences`` on a staggered panel.

Run: ``.venv/bin/python benchmarks/bench_evaluate.py [--pysyncon-fits 2] [--pysyncon-budget 1800]``
(a pysyncon fit still running after the budget is stopped and the budget reported as a lower
bound on its time).
"""

from __future__ import annotations

import argparse
import signal
import time

import numpy as np
import pandas as pd

from levelscope.evaluate.did import callaway_santanna
from levelscope.evaluate.synth import Predictor, placebo_in_space, synthetic_control

N_DONORS, N_YEARS, N_PRE, FIRST_YEAR = 400, 25, 20, 2000


def simulated_panel(seed: int = 0) -> pd.DataFrame:
    """A two-factor model with covariates that load on the factors."""
    rng = np.random.default_rng(seed)
    n = N_DONORS + 1
    loadings = rng.normal(size=(n, 2))
    factors = np.cumsum(rng.normal(size=(N_YEARS, 2)), axis=0)
    level = rng.normal(10, 1, size=n)
    y = level[:, None] + loadings @ factors.T + rng.normal(0, 0.3, size=(n, N_YEARS))
    y[0, N_PRE:] -= 2.0  # the effect on the treated unit
    years = np.arange(FIRST_YEAR, FIRST_YEAR + N_YEARS)
    frame = pd.DataFrame(
        {
            "unit": np.repeat([f"u{i:03d}" for i in range(n)], N_YEARS),
            "year": np.tile(years, n),
            "y": y.ravel(),
        }
    )
    for j, name in enumerate(["x1", "x2", "x3"]):
        signal = loadings[:, j % 2] + rng.normal(0, 0.5, size=n)
        frame[name] = np.repeat(signal, N_YEARS) + rng.normal(0, 0.1, size=n * N_YEARS)
    return frame


def predictors() -> list[str | Predictor]:
    return [
        "x1",
        "x2",
        "x3",
        Predictor.of("y", range(2000, 2007)),
        Predictor.of("y", range(2007, 2014)),
        Predictor.of("y", range(2014, 2020)),
    ]


def run_levelscope(frame: pd.DataFrame) -> float:
    start = time.perf_counter()
    sc = synthetic_control(
        frame, unit="unit", time="year", outcome="y", treated="u000", start=2020,
        predictors=predictors(), predictor_periods=range(2000, 2020),
    )
    placebos = placebo_in_space(sc)
    elapsed = time.perf_counter() - start
    print(f"levelscope: fit + {len(placebos.ratio) - 1} placebos in {elapsed:.1f} s; "
          f"rank {placebos.rank}, p = {placebos.p_value:.4f}")
    return elapsed


class _OutOfTime(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _OutOfTime


def run_pysyncon(frame: pd.DataFrame, fits: int, budget: int) -> tuple[float, bool]:
    """Seconds pysyncon needs for all 401 fits, extrapolated from ``fits`` measured ones, and
    whether every measured fit finished.

    A fit still running after ``budget`` seconds is stopped; the budget is then a lower bound on
    the time per fit, and so is the extrapolated total."""
    from pysyncon import Dataprep, Synth

    units = sorted(frame["unit"].unique())
    specials = [
        ("y", list(range(2000, 2007)), "mean"),
        ("y", list(range(2007, 2014)), "mean"),
        ("y", list(range(2014, 2020)), "mean"),
    ]
    per_fit = []
    for treated in units[:fits]:
        controls = [u for u in units if u != treated and (treated == "u000" or u != "u000")]
        prep = Dataprep(
            foo=frame, predictors=["x1", "x2", "x3"], predictors_op="mean",
            time_predictors_prior=range(2000, 2020), special_predictors=specials,
            dependent="y", unit_variable="unit", time_variable="year",
            treatment_identifier=treated, controls_identifier=controls,
            time_optimize_ssr=range(2000, 2020),
        )
        start = time.perf_counter()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(budget)
        try:
            Synth().fit(dataprep=prep)
        except _OutOfTime:
            per_fit.append(time.perf_counter() - start)
            total = per_fit[-1] * (N_DONORS + 1)
            print(f"pysyncon: fit for {treated} unfinished after {per_fit[-1]:.0f} s; "
                  f"{N_DONORS + 1} fits > {total:.0f} s (lower bound)")
            return total, False
        finally:
            signal.alarm(0)
        per_fit.append(time.perf_counter() - start)
        print(f"pysyncon: fit for {treated} in {per_fit[-1]:.1f} s")
    total = float(np.mean(per_fit)) * (N_DONORS + 1)
    print(f"pysyncon: {np.mean(per_fit):.1f} s per fit; {N_DONORS + 1} fits ≈ {total:.0f} s "
          f"(extrapolated from {len(per_fit)} measured fits)")
    return total, True


def run_callaway_santanna() -> None:
    from differences import ATTgt

    rng = np.random.default_rng(1)
    n, years = 3000, np.arange(2000, 2015)
    cohort = rng.choice([2004.0, 2007.0, 2010.0, np.nan], size=n)
    unit = np.repeat(np.arange(n), years.size)
    year = np.tile(years, n)
    g = cohort[unit]
    y = rng.normal(size=unit.size) + 0.1 * unit / n + 0.2 * (year - 2000)
    y += np.where(year >= g, 1.0 + 0.1 * (year - g), 0.0)
    frame = pd.DataFrame({"unit": unit, "year": year, "cohort": g, "y": y})

    start = time.perf_counter()
    ours = callaway_santanna(frame, unit="unit", time="year", outcome="y", cohort="cohort")
    ours.aggregate("dynamic")
    t_ours = time.perf_counter() - start

    start = time.perf_counter()
    att = ATTgt(data=frame.set_index(["unit", "year"]), cohort_column="cohort")
    att.fit(formula="y", est_method="reg", control_group="never_treated", progress_bar=False)
    att.aggregate("event")
    t_peer = time.perf_counter() - start
    print(f"Callaway-Sant'Anna, {n} units x {years.size} years: levelscope {t_ours:.2f} s, "
          f"differences {t_peer:.2f} s, ratio {t_peer / t_ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pysyncon-fits", type=int, default=2)
    parser.add_argument("--pysyncon-budget", type=int, default=1800,
                        help="seconds after which one pysyncon fit is stopped (lower bound)")
    args = parser.parse_args()
    frame = simulated_panel()
    # Compile the numba kernels first so the timing measures the work, not the compiler.
    small = frame[frame["unit"].isin([f"u{i:03d}" for i in range(8)])]
    placebo_in_space(
        synthetic_control(small, unit="unit", time="year", outcome="y", treated="u000",
                          start=2020, predictors=predictors(), predictor_periods=range(2000, 2020))
    )
    ours = run_levelscope(frame)
    theirs, finished = run_pysyncon(frame, args.pysyncon_fits, args.pysyncon_budget)
    print(f"speed-up: {'' if finished else 'more than '}{theirs / ours:.0f}x")
    run_callaway_santanna()


if __name__ == "__main__":
    main()
