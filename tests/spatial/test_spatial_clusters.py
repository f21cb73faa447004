"""Clusters from the workspace, the LISA map, and the ``levelscope clusters`` command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from spatial_helpers import pysal_w, run_clusters_cli
from typer.testing import CliRunner

from levelscope.cli import app
from levelscope.errors import UndefinedMeasureError
from levelscope.spatial import Weights, local_moran


def test_workspace_clusters_equal_esda_on_the_stored_data(demo_workspace: Any) -> None:
    import esda

    result = demo_workspace.clusters("gva_per_hour_worked", "itl3", seed=3, n_resamples=199)
    assert result.period == "2022"  # the latest period held
    observations = demo_workspace.observations("gva_per_hour_worked", "itl3", periods="2022")
    values = observations.set_index("geography_code")["value"].loc[list(result.local.ids)]
    codes, shapes, _ = demo_workspace.geometries("itl3")
    by_code = dict(zip(codes, shapes, strict=True))
    w = Weights.fuzzy([by_code[c] for c in values.index], list(values.index))
    theirs_i = esda.Moran_Local(values.to_numpy(), pysal_w(w, "r"), permutations=0).Is
    np.testing.assert_allclose(result.local.local_i, theirs_i, rtol=1e-10)
    theirs_global = esda.Moran(values.to_numpy(), pysal_w(w, "r"), permutations=0)
    assert result.global_moran.statistic == pytest.approx(theirs_global.I, rel=1e-10)
    assert "Office for National Statistics" in str(result.provenance)
    frame = result.to_frame()
    assert set(frame["cluster"]) <= {"High-High", "Low-Low", "Low-High", "High-Low",
                                     "Not significant", "Island"}


def test_workspace_clusters_options_and_errors(demo_workspace: Any) -> None:
    earlier = demo_workspace.clusters("gva_per_hour_worked", "itl3", period="2010",
                                      neighbours="knn", k=4, n_resamples=0)
    assert earlier.period == "2010" and np.all(earlier.weights.cardinalities == 4)
    with pytest.raises(UndefinedMeasureError, match="periods"):
        demo_workspace.clusters("gva_per_hour_worked", "itl3", period="1066")
    with pytest.raises(UndefinedMeasureError, match="boundary"):
        demo_workspace.clusters("gva_per_hour_worked", "itl1")


def test_areas_without_a_boundary_are_listed(demo_workspace: Any) -> None:
    result = demo_workspace.clusters("gva_per_filled_job", "lad", n_resamples=0)
    observations = demo_workspace.observations("gva_per_filled_job", "lad", periods=result.period)
    codes, _, _ = demo_workspace.geometries("lad")
    expected = sorted(set(observations["geography_code"]) - set(codes))
    assert sorted(result.left_out) == expected
    assert len(result.local.ids) == len(observations) - len(expected)


def test_cluster_map_shows_every_area_once(demo_workspace: Any) -> None:
    result = demo_workspace.clusters("gva_per_hour_worked", "itl3", seed=1, n_resamples=199)
    figure = result.plot()
    # Each class has a filled trace in the legend and a hover trace naming every area "(code)".
    hover = [trace for trace in figure.data if trace.showlegend is False]
    shown = [re.search(r"\((\w+)\)", text).group(1) for trace in hover for text in trace.text]
    assert sorted(shown) == sorted(str(c) for c in result.local.ids)
    names = {trace.name.split(" (")[0] for trace in figure.data if trace.showlegend is not False}
    assert names == set(result.local.labels)
    # Drawn in British National Grid metres on equal-aspect axes, so nothing is fetched.
    assert figure.layout.yaxis.scaleanchor == "x"


def test_cli_writes_the_cluster_map(demo_workspace_path: Path, tmp_path: Path) -> None:
    out, table = tmp_path / "clusters.html", tmp_path / "clusters.csv"
    result = run_clusters_cli(demo_workspace_path, out, table)
    assert result.exit_code == 0, result.output
    assert "Moran's I" in result.output
    html = out.read_text()
    assert "plotly" in html.lower() and "High-High" in html
    import pandas as pd

    written = pd.read_csv(table)
    assert len(written) == 179 and {"local_i", "p_sim", "cluster"} <= set(written.columns)


def test_cli_reports_bad_input_with_exit_codes(demo_workspace_path: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(app, ["clusters", "no_such_indicator", "-l", "itl3",
                                  "-w", str(demo_workspace_path)])
    assert unknown.exit_code == 3
    bad_period = runner.invoke(app, ["clusters", "gva_per_hour_worked", "-l", "itl3",
                                     "--period", "1066", "-w", str(demo_workspace_path)])
    assert bad_period.exit_code == 1 and "1066" in bad_period.output


def test_local_moran_plot_accepts_a_mapping_of_shapes(itl3: Any, log_gva: np.ndarray) -> None:
    w = Weights.fuzzy(list(itl3.geometry), list(itl3.index))
    res = local_moran(log_gva, w, n_resamples=99, seed=1, fdr=True)
    figure = res.plot(dict(zip(itl3.index, itl3.geometry, strict=True)))
    assert "FDR" in figure.layout.title.text


def test_dashboard_command_and_python_give_the_same_clusters(
    demo_workspace: Any, demo_workspace_path: Path, tmp_path: Path
) -> None:
    """One implementation: the cluster map page, /api/space and ws.clusters agree area by area."""
    from fastapi.testclient import TestClient

    from levelscope.web.app import create_app

    app = create_app(demo_workspace_path, records_url=f"sqlite:///{tmp_path / 'r.sqlite'}", warm=False)
    with TestClient(app) as client:
        page = client.get("/api/maps/weekly_pay/clusters", params={"level": "lad", "permutations": 199})
        space = client.get("/api/space/clusters/weekly_pay", params={"level": "lad", "permutations": 199})
    python = demo_workspace.clusters("weekly_pay", "lad", n_resamples=199).to_frame()
    expected = python.set_index("geography_code")["cluster"]
    for body, key, code in ((page.json(), "clusters", "geography_code"), (space.json(), "areas", "code")):
        got = {row[code]: row["cluster"] for row in body[key]}
        assert got == expected.to_dict()
    # High-High clusters exist in the demo data, so the comparison is not of all-"Not significant".
    assert (expected == "High-High").sum() > 0
