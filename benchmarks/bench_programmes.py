"""Programme tracking and records: speed of projections and of a large import of actuals.

Projection: levelscope's trend projection with a prediction interval against statsmodels'
OLS ``get_prediction`` (the peer the tests compare it with), for many indicators.
Import: 5,000 actuals from one CSV into a SQLite records file, validated and written in one
transaction with the audit trail (no peer; the figure is for regressions).
Dashboard: everything the programme page shows (tracks with projections, spend, VfM, appraisal)
for a programme with 20 indicators of 40 actuals each (no peer; for regressions).

Run: ``.venv/bin/python benchmarks/bench_programmes.py``
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import statsmodels.api as sm

from levelscope.monitor import imports, programmes, tracking
from levelscope.records import accounts
from levelscope.records.db import connect, transaction

N_INDICATORS = 2_000
N_ACTUALS = 8


def best_of(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_projection() -> None:
    rng = np.random.default_rng(1)
    start = dt.date(2020, 1, 1)
    dates = [start + dt.timedelta(days=int(d)) for d in np.sort(rng.choice(1500, N_ACTUALS, replace=False))]
    series = [np.arange(N_ACTUALS) * 10 + rng.normal(0, 3, N_ACTUALS) for _ in range(N_INDICATORS)]
    target = dt.date(2025, 1, 1)
    x = np.array([(d - dates[0]).days / 365.25 for d in dates])
    x0 = np.array([[1.0, (target - dates[0]).days / 365.25]])

    def ours() -> None:
        for y in series:
            tracking.project(dates, y, target, alpha=0.1)

    def peer() -> None:
        design = sm.add_constant(x)
        for y in series:
            sm.OLS(y, design).fit().get_prediction(x0).summary_frame(alpha=0.1)

    a, b = best_of(3, ours), best_of(3, peer)
    print(
        f"projection, {N_INDICATORS} indicators: levelscope {a:.3f} s, "
        f"statsmodels {b:.3f} s, ratio {b / a:.1f}x"
    )


def bench_import() -> None:
    with tempfile.TemporaryDirectory() as folder:
        factory = connect(f"sqlite:///{Path(folder) / 'records.sqlite'}")
        with transaction(factory, "bench") as session:
            organisation = accounts.create_organisation(session, "Bench")
            programme = programmes.create_programme(
                session,
                organisation.id,
                "Bench",
                start_date=dt.date(2000, 1, 1),
                end_date=dt.date(2030, 1, 1),
            )
            for i in range(5):
                tracking.add_indicator(
                    session,
                    programme,
                    f"indicator {i}",
                    stage="output",
                    baseline_date=dt.date(2000, 1, 1),
                    baseline_value=0.0,
                    target_date=dt.date(2030, 1, 1),
                    target_value=1000.0,
                )
            programme_id = programme.id
        csv = Path(folder) / "actuals.csv"
        rows = [
            f"indicator {i % 5},{dt.date(2000, 1, 1) + dt.timedelta(days=i // 5)},{i}" for i in range(5_000)
        ]
        csv.write_text("indicator,date,value\n" + "\n".join(rows) + "\n")
        start = time.perf_counter()
        with transaction(factory, "bench") as session:
            imports.import_actuals(session, csv, programmes.get_programme(session, programme_id))
        print(f"import of 5,000 actuals into SQLite: {time.perf_counter() - start:.2f} s")


def bench_dashboard() -> None:
    from levelscope.monitor.dashboard import programme_dashboard

    with tempfile.TemporaryDirectory() as folder:
        factory = connect(f"sqlite:///{Path(folder) / 'records.sqlite'}")
        with transaction(factory, "bench") as session:
            organisation = accounts.create_organisation(session, "Bench")
            programme = programmes.create_programme(
                session,
                organisation.id,
                "Bench",
                start_date=dt.date(2020, 1, 1),
                end_date=dt.date(2030, 1, 1),
            )
            for year in range(2020, 2030):
                programmes.add_spend(session, programme, year, "fund", 1e6)
                programmes.add_cash_flow(session, programme, year, "cost", 1e6)
                programmes.add_cash_flow(session, programme, year + 1, "benefit", 1.2e6)
            for i in range(20):
                indicator = tracking.add_indicator(
                    session,
                    programme,
                    f"indicator {i}",
                    stage="output" if i % 2 else "outcome",
                    baseline_date=dt.date(2020, 1, 1),
                    baseline_value=0.0,
                    target_date=dt.date(2030, 1, 1),
                    target_value=1000.0,
                )
                for k in range(40):
                    day = dt.date(2020, 1, 1) + dt.timedelta(days=30 * k)
                    tracking.record_actual(session, indicator, day, 8.0 * k, update_status=False)
            programme_id = programme.id

        def build() -> None:
            with factory() as session:
                programme_dashboard(session, programmes.get_programme(session, programme_id))

        print(f"dashboard, 20 indicators x 40 actuals on SQLite: {best_of(3, build):.3f} s")


if __name__ == "__main__":
    bench_projection()
    bench_import()
    bench_dashboard()
