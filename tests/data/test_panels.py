"""Workspace.inequality: measures over the stored panel equal PySAL on the source figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xlrd
from inequality.gini import Gini
from inequality.theil import Theil

from levelscope import Workspace
from levelscope.errors import UndefinedMeasureError


def itl3_productivity(shared_data: Path, year: int) -> np.ndarray:
    """ITL3 GVA per hour worked (£) for ``year``, read straight from the ONS workbook."""
    sheet = xlrd.open_workbook(
        str(shared_data / "uk_productivity" / "labourproductivityitls.xls")
    ).sheet_by_name("A3")
    header_at = next(i for i in range(sheet.nrows) if sheet.row_values(i)[0] == "ITL_level")
    header = sheet.row_values(header_at)
    column = header.index(f"Pounds_{year}")
    rows = [sheet.row_values(i) for i in range(header_at + 1, sheet.nrows)]
    return np.array([r[column] for r in rows if r[0] == "ITL3"], dtype=float)


def test_inequality_over_itl3_matches_pysal(demo_workspace: Workspace, shared_data: Path) -> None:
    result = demo_workspace.inequality("gva_per_hour_worked", "itl3",
                                       measures=["gini", "theil"])
    wide = result.wide().set_index("year")
    assert list(wide.index) == list(range(2004, 2023))
    for year in (2004, 2015, 2022):
        values = itl3_productivity(shared_data, year)
        assert wide.loc[year, "gini"] == pytest.approx(Gini(values).g, rel=1e-10)
        assert wide.loc[year, "theil"] == pytest.approx(Theil(values).T, rel=1e-10)
    assert "Subregional productivity" in str(result.provenance)


def test_population_weighted_panel_carries_weights_and_says_so(demo_workspace: Workspace) -> None:
    with pytest.raises(UndefinedMeasureError, match="E06000063"):
        demo_workspace.inequality("weekly_pay", "lad", weight="population", measures=["cv"])
    result = demo_workspace.inequality("weekly_pay", "lad", weight="population", measures=["cv"],
                                       missing_weights="drop")
    assert any("dropped" in n and "E06000063" in n for n in result.notes)
    assert any("population for 2022 used for weekly_pay in 2023" in n for n in result.notes)
    # the Williamson index by hand: population-weighted CV of the same rows
    pay = demo_workspace.observations(indicator="weekly_pay", level="lad").set_index(
        "geography_code")["value"]
    pop = demo_workspace.observations(indicator="population", level="lad")
    latest = pop.sort_values("year").groupby("geography_code")["value"].last()
    both = pay.to_frame("pay").join(latest.rename("pop"), how="inner")
    w = both["pop"] / both["pop"].sum()
    mean = (w * both["pay"]).sum()
    williamson = np.sqrt((w * (both["pay"] - mean) ** 2).sum()) / mean
    assert result.table["value"].iloc[0] == pytest.approx(williamson, rel=1e-10)
