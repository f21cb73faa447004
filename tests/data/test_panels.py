"""Workspace.inequality: measures over the stored panel equal PySAL on the source figures."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlrd
from inequality.gini import Gini
from inequality.theil import Theil

from levelscope import Workspace


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


def test_population_weighted_panel_carries_weights_and_says_so(
    demo_workspace: Workspace, shared_data: Path
) -> None:
    """Pay is published for the 2023 districts, population (Nomis) for the April 2021 ones: the
    demo puts both on 2023 boundaries, so Cumberland's weight is Allerdale + Carlisle + Copeland."""
    result = demo_workspace.inequality("weekly_pay", "lad", weight="population", measures=["cv"])
    assert any("population for 2022 used for weekly_pay in 2023" in n for n in result.notes)
    assert any("population for 2021 used for weekly_pay in 2023 (43 areas)" in n for n in result.notes)
    # the Williamson index by hand: population-weighted CV, populations read from the Nomis file
    lines = (shared_data / "uk_population" / "lad_pop.csv").read_text().splitlines()
    rows = [r for r in csv.reader(lines) if len(r) > 2]
    header = next(r for r in rows if r[1] == "mnemonic")
    # Scotland and Northern Ireland have no mid-2022 figure: the panel carries 2021, and says so
    latest = {r[1]: r[header.index("2022")] if r[header.index("2022")] != "-" else r[header.index("2021")]
              for r in rows if r[1][:1] in "EWSN" and r[1][1:].isdigit()}
    pop = {code: float(value) for code, value in latest.items()}
    merged_2023 = {"E06000063": ["E07000026", "E07000028", "E07000029"],
                   "E06000064": ["E07000027", "E07000030", "E07000031"],
                   "E06000065": [f"E07000{n}" for n in range(163, 170)],
                   "E06000066": ["E07000187", "E07000188", "E07000189", "E07000246"]}
    for new, old in merged_2023.items():
        pop[new] = sum(pop.pop(code) for code in old)
    pay = demo_workspace.observations(indicator="weekly_pay", level="lad").set_index(
        "geography_code")["value"]
    both = pay.to_frame("pay").join(pd.Series(pop, name="pop"), how="inner")
    assert {"E06000063", "E06000065"} <= set(both.index)
    w = both["pop"] / both["pop"].sum()
    mean = (w * both["pay"]).sum()
    williamson = np.sqrt((w * (both["pay"] - mean) ** 2).sum()) / mean
    assert result.table["value"].iloc[0] == pytest.approx(williamson, rel=1e-10)
