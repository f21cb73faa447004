"""The workspace-aware entry points: areas of one level as comparisons, and registered programmes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from levelscope.data import Workspace
from levelscope.errors import NotFoundError
from levelscope.evaluate import (
    AreaEvaluation,
    DesignError,
    SyntheticControl,
    TwoWayFixedEffects,
    evaluate_area,
    evaluate_programme,
    synthetic_control,
)

INDICATOR = "gva_per_hour_worked"
TREATED = "TLC11"  # Hartlepool and Stockton-on-Tees


def _panel(ws: Workspace) -> pd.DataFrame:
    obs = ws.observations(INDICATOR, level="itl3")
    return obs.pivot(index="year", columns="geography_code", values="value")


@pytest.mark.slow
def test_area_synth_keeps_out_neighbours(demo_workspace: Workspace) -> None:
    evaluation = evaluate_area(demo_workspace, INDICATOR, [TREATED], 2015, exclude_neighbours=True)
    # Independent check of the neighbours: ITL3 shapes that share a boundary point with TLC11.
    codes, shapes, _ = demo_workspace.geometries("itl3")
    mine = shapes[codes.index(TREATED)]
    touching = {c for c, s in zip(codes, shapes, strict=True)
                if c != TREATED and shapely.intersects(mine, s)}
    assert set(evaluation.excluded.index) == touching
    assert set(evaluation.excluded) == {"neighbour"}
    assert len(touching) >= 2
    estimate = evaluation.estimate
    assert isinstance(estimate, SyntheticControl)
    donors = set(estimate.weights.index)
    assert donors.isdisjoint(touching) and TREATED not in donors
    assert donors | touching | {TREATED} == set(_panel(demo_workspace).columns)
    assert evaluation.comparisons == len(donors)
    # The same synthetic control fitted directly on the pivoted panel by hand.
    wide = _panel(demo_workspace).drop(columns=sorted(touching))
    long = wide.melt(var_name="geography_code", value_name="y", ignore_index=False).reset_index()
    direct = synthetic_control(long, unit="geography_code", time="year", outcome="y",
                               treated=TREATED, start=2015)
    assert np.abs(direct.weights - estimate.weights).max() < 1e-9
    assert evaluation.effect == pytest.approx(direct.effect, abs=1e-9)
    assert INDICATOR in evaluation.summary()
    assert "neighbour" in evaluation.summary()
    assert evaluation.provenance.sources  # the indicator's publisher is carried along
    assert len(evaluation.plot().data) == 2  # actual and synthetic


@pytest.mark.slow
def test_area_did_matches_twfe_by_hand(demo_workspace: Workspace) -> None:
    import pyfixest as pf

    treated = ["TLC11", "TLC12"]
    evaluation = evaluate_area(demo_workspace, INDICATOR, treated, "2014/15", method="did",
                               exclude=["TLC13"])
    assert evaluation.start == 2015  # a financial year is plotted at the year it ends
    assert isinstance(evaluation.estimate, TwoWayFixedEffects)
    wide = _panel(demo_workspace).drop(columns=["TLC13"])
    long = wide.melt(var_name="geography_code", value_name="y", ignore_index=False).reset_index()
    long["d"] = (long["geography_code"].isin(treated) & (long["year"] >= 2015)).astype(float)
    peer = pf.feols("y ~ d | geography_code + year", data=long, vcov={"CRV1": "geography_code"})
    assert evaluation.effect == pytest.approx(float(peer.coef()["d"]), abs=1e-6)
    assert "interval" in evaluation.verdict()
    assert evaluation.comparisons == 179 - 3


def test_area_design_errors(demo_workspace: Workspace) -> None:
    with pytest.raises(NotFoundError):
        evaluate_area(demo_workspace, INDICATOR, ["NOPE1"], 2015)
    with pytest.raises(NotFoundError):
        evaluate_area(demo_workspace, "no_such_indicator", [TREATED], 2015)
    lad = str(demo_workspace.observations(INDICATOR, level="lad")["geography_code"].iloc[0])
    with pytest.raises(DesignError, match="one level"):
        evaluate_area(demo_workspace, INDICATOR, [TREATED, lad], 2015)
    with pytest.raises(DesignError, match="both treated and excluded"):
        evaluate_area(demo_workspace, INDICATOR, [TREATED], 2015, exclude=[TREATED])
    with pytest.raises(DesignError, match="one treated area"):
        evaluate_area(demo_workspace, INDICATOR, [TREATED, "TLC12"], 2015)
    with pytest.raises(DesignError, match="no pre-period"):
        evaluate_area(demo_workspace, INDICATOR, [TREATED], 1990)
    # Northern Ireland's populations start in 2001, the others' in 1991: refused when asked to
    # refuse any gap.
    with pytest.raises(DesignError, match="unbalanced"):
        evaluate_area(demo_workspace, "population", [lad], 2015, balance="error")
    balanced = evaluate_area(demo_workspace, INDICATOR, [TREATED], 2015, balance="drop_periods")
    assert isinstance(balanced, AreaEvaluation)
    with pytest.raises(DesignError, match="balance must be"):
        evaluate_area(demo_workspace, INDICATOR, [lad], 2015, balance="drop_units")  # type: ignore[arg-type]


def test_district_with_gappy_donors_drops_them_and_says_so(demo_workspace_path: Path, tmp_path: Path) -> None:
    """The README's example, Birmingham's GVA per hour against the other districts, on the codes
    as published (on 2023 boundaries, the demo's default, the merged districts have no gaps)."""
    copy = tmp_path / "demo.duckdb"
    copy.write_bytes(demo_workspace_path.read_bytes())
    demo_workspace = Workspace.open(copy)
    demo_workspace.set_geography_vintage(None)
    panel = demo_workspace.observations(INDICATOR, level="lad")
    years = set(panel.loc[panel["geography_code"] == "E08000025", "year"])
    counts = panel[panel["year"].isin(years)].groupby("geography_code")["year"].nunique()
    gappy = sorted(counts.index[counts < len(years)])  # written out: districts missing a year
    assert len(gappy) > 0
    result = evaluate_area(demo_workspace, INDICATOR, ["E08000025"], 2015)
    assert sorted(result.excluded.index) == gappy
    assert set(result.excluded) == {"gaps in the series"}
    assert result.comparisons == len(counts) - 1 - len(gappy)
    assert f"(left out: {len(gappy)} gaps in the series)" in result.summary()
    assert "Birmingham (E08000025)" in result.summary()
    assert not re.search(r"\de[+-]\d", result.summary())  # no scientific notation


@pytest.mark.slow
def test_programme_uses_its_places_and_start(demo_workspace: Workspace, tmp_path: Path) -> None:
    from levelscope.monitor.programmes import create_programme
    from levelscope.records.accounts import create_organisation
    from levelscope.records.db import connect, transaction

    factory = connect(f"sqlite:///{tmp_path}/records.sqlite")
    with transaction(factory, "test") as session:
        org = create_organisation(session, "Tees Valley")
        programme = create_programme(
            session, org.id, "Tees productivity fund", start_date=dt.date(2015, 4, 1),
            end_date=dt.date(2020, 3, 31), places=["TLC11", "TLC12"],
        )
        create_programme(session, org.id, "Another fund", start_date=dt.date(2012, 1, 1),
                         end_date=dt.date(2016, 1, 1), places=["TLD11", "TLC12"])
        programme_id = programme.id
    with transaction(factory, "test") as session:
        evaluation = evaluate_programme(demo_workspace, session, programme_id, INDICATOR,
                                        method="did")
        with pytest.raises(NotFoundError):
            evaluate_programme(demo_workspace, session, 999, INDICATOR)
    # Started 1 April 2015, so calendar year 2015 is the first year it touched.
    assert evaluation.start == 2015
    assert evaluation.treated == ("TLC11", "TLC12")
    # The other programme's place that is not ours is kept out of the controls.
    assert evaluation.excluded.to_dict() == {"TLD11": "other programme"}
    same = evaluate_area(demo_workspace, INDICATOR, ["TLC11", "TLC12"], 2015, method="did",
                         exclude=["TLD11"])
    assert evaluation.effect == pytest.approx(same.effect, abs=1e-12)
