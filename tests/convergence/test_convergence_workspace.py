"""``Workspace.convergence`` and the ``levelscope convergence`` command on the demo workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.errors import UndefinedMeasureError


def test_workspace_convergence_equals_direct_computation(demo_workspace: Any) -> None:
    report = demo_workspace.convergence("gva_per_hour_worked", "itl3", start="2005", end="2020")
    observations = demo_workspace.observations("gva_per_hour_worked", "itl3")
    panel = observations.pivot(index="geography_code", columns="period", values="value")
    panel = panel.dropna()
    growth = (np.log(panel["2020"]) - np.log(panel["2005"])) / 15
    fit = sm.OLS(growth.to_numpy(), sm.add_constant(np.log(panel["2005"]).to_numpy())).fit()
    assert report.beta.beta == pytest.approx(fit.params[1], rel=1e-10)
    assert report.beta.n == len(panel)
    window = panel.loc[:, "2005":"2020"]
    np.testing.assert_allclose(report.sigma.dispersion, np.log(window).std(axis=0, ddof=0),
                               rtol=1e-10)
    assert report.spatial_markov is not None
    assert report.markov.transitions.sum() == len(panel) * 15
    assert "Office for National Statistics" in str(report.provenance)
    assert {"beta", "sigma_slope", "shorrocks_mobility"} <= set(report.to_frame().columns)


def test_workspace_convergence_errors(demo_workspace: Any) -> None:
    with pytest.raises(UndefinedMeasureError, match="1990"):
        demo_workspace.convergence("gva_per_hour_worked", "itl3", start="1990")
    with pytest.raises(UndefinedMeasureError, match="no observations"):
        demo_workspace.convergence("gva_per_hour_worked", "police_force_area")
    # Local employment rates come for two periods, 2022 (11 areas) and 2022-10/2023-09 (the
    # rest): no area has both, and the error says how many areas each period has.
    with pytest.raises(UndefinedMeasureError, match=r"in every period from .*areas with a value"):
        demo_workspace.convergence("employment_rate", "lad")
    without_map = demo_workspace.convergence("gva_per_hour_worked", "itl2", spatial=False)
    assert without_map.spatial_markov is None


def test_cli_writes_sigma_chart_and_transition_heat_map(
    demo_workspace_path: Path, tmp_path: Path
) -> None:
    chart, heat = tmp_path / "sigma.html", tmp_path / "transitions.html"
    result = CliRunner().invoke(app, [
        "convergence", "gva_per_hour_worked", "--level", "itl3", "--measure", "gini",
        "--chart", str(chart), "--transitions", str(heat), "-w", str(demo_workspace_path),
    ])
    assert result.exit_code == 0, result.output
    assert "beta" in result.output.lower() and "Spatial Markov" in result.output
    assert "Dispersion of gva_per_hour_worked across itl3" in chart.read_text()
    assert "Transitions of gva_per_hour_worked" in heat.read_text()
    bad = CliRunner().invoke(app, ["convergence", "gva_per_hour_worked", "-l", "itl3",
                                   "--chart", str(tmp_path / "x.txt"), "-w",
                                   str(demo_workspace_path)])
    assert bad.exit_code != 0
