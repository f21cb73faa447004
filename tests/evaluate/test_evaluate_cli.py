"""``levelscope evaluate``: panel CSVs and workspace areas from the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.evaluate import callaway_santanna, synthetic_control

runner = CliRunner()


def _toy(path: Path) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    paths = {f"r{u}": rng.normal(size=12).cumsum() + u for u in range(1, 7)}
    paths["r0"] = 0.5 * paths["r2"] + 0.5 * paths["r5"] - np.where(np.arange(12) >= 8, 1.5, 0.0)
    frame = pd.DataFrame(
        [{"region": u, "year": 2000 + t, "gdp": float(y[t])} for u, y in paths.items() for t in range(12)]
    )
    frame.to_csv(path, index=False)
    return frame


def test_panel_synth_writes_table_and_figure(tmp_path: Path) -> None:
    frame = _toy(tmp_path / "panel.csv")
    result = runner.invoke(app, [
        "evaluate", "panel", str(tmp_path / "panel.csv"), "-t", "r0", "--start", "2008",
        "--unit", "region", "--time", "year", "--outcome", "gdp",
        "--csv", str(tmp_path / "out.csv"), "--plot", str(tmp_path / "fig.html"),
    ])
    assert result.exit_code == 0, result.output
    assert "In-space placebo test" in result.output
    written = pd.read_csv(tmp_path / "out.csv")
    direct = synthetic_control(frame, unit="region", time="year", outcome="gdp", treated="r0",
                               start=2008)
    assert np.allclose(written["gap"], direct.gap.to_numpy())
    assert written.loc[written["post"], "gap"].mean() == pytest.approx(-1.5, abs=1e-6)
    assert (tmp_path / "fig.html").stat().st_size > 1000


def test_panel_callaway_santanna(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    rows = []
    for u in range(60):
        cohort = [2004, 2006, None][u % 3]
        for t in range(2000, 2009):
            effect = 1.0 if cohort is not None and t >= cohort else 0.0
            rows.append({"unit": u, "time": t, "cohort": cohort, "outcome": rng.normal() + effect})
    pd.DataFrame(rows).to_csv(tmp_path / "staggered.csv", index=False)
    result = runner.invoke(app, [
        "evaluate", "panel", str(tmp_path / "staggered.csv"), "--method", "cs",
        "--cohort", "cohort", "--n-resamples", "199", "--seed", "1", "--csv", str(tmp_path / "dyn.csv"),
    ])
    assert result.exit_code == 0, result.output
    direct = callaway_santanna(pd.DataFrame(rows).astype({"unit": str}), unit="unit", time="time",
                               outcome="outcome", cohort="cohort")
    written = pd.read_csv(tmp_path / "dyn.csv")
    assert np.allclose(written["att"], direct.aggregate("dynamic").estimates["att"])
    assert "Pre-trends test" in result.output


def test_panel_bootstrap_repeats_by_default(tmp_path: Path) -> None:
    """evaluate panel once drew fresh bootstrap draws each run unless --seed was given."""
    rng = np.random.default_rng(3)
    rows = [{"unit": u, "time": t, "cohort": [2004, None][u % 2],
             "outcome": rng.normal() + (1.0 if u % 2 == 0 and t >= 2004 else 0.0)}
            for u in range(30) for t in range(2000, 2007)]
    pd.DataFrame(rows).to_csv(tmp_path / "staggered.csv", index=False)
    runs = []
    for out in ("one.csv", "two.csv"):
        result = runner.invoke(app, [
            "evaluate", "panel", str(tmp_path / "staggered.csv"), "--method", "cs", "--cohort",
            "cohort", "--n-resamples", "99", "--csv", str(tmp_path / out),
        ])
        assert result.exit_code == 0, result.output
        assert "random draws: seed 0 (--seed changes it)" in result.output
        runs.append(pd.read_csv(tmp_path / out))
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert runs[0]["std_error"].notna().all()  # bootstrap standard errors, the same both times


def test_panel_bad_design_exits_with_invalid(tmp_path: Path) -> None:
    _toy(tmp_path / "panel.csv")
    result = runner.invoke(app, [
        "evaluate", "panel", str(tmp_path / "panel.csv"), "-t", "r0", "--start", "2000",
        "--unit", "region", "--time", "year", "--outcome", "gdp",
    ])
    assert result.exit_code == 1
    assert "no pre-period" in result.output


@pytest.mark.slow
def test_area_command(demo_workspace_path: Path) -> None:
    result = runner.invoke(app, [
        "evaluate", "area", "gva_per_hour_worked", "-t", "TLC11", "-t", "TLC12", "--start", "2015",
        "--method", "did", "--exclude-neighbours", "-w", str(demo_workspace_path),
    ])
    assert result.exit_code == 0, result.output
    assert "neighbour" in result.output and "interval" in result.output
    unknown = runner.invoke(app, [
        "evaluate", "area", "gva_per_hour_worked", "-t", "XX1", "--start", "2015",
        "-w", str(demo_workspace_path),
    ])
    assert unknown.exit_code == 3


def test_readme_area_example_runs_at_district_level(demo_workspace_path: Path) -> None:
    result = runner.invoke(app, [
        "evaluate", "area", "gva_per_hour_worked", "-t", "Birmingham", "--start", "2015",
        "--no-placebos", "-w", str(demo_workspace_path),
    ])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "for Birmingham (E08000025) from 2015 by synthetic control" in text
    # on 2023 boundaries (the demo's default) the merged districts have whole series: no gaps
    assert "against 360 other local authority districts" in text and "gaps in the series" not in text
    assert "placebo_in_space()" in text
    assert "--placebos" in text
