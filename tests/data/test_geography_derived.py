"""Values for parent areas and derived indicators, checked by hand against the shared files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from geography_helpers import nomis
from levelscope.data import Workspace


def gva_itl3(shared_data: Path, code: str, year: str) -> float:
    table = next((shared_data / "uk_gva_by_industry").glob("Table 3c *.csv"))
    with table.open(encoding="utf-8-sig") as handle:
        row = next(r for r in csv.DictReader(handle)
                   if r["ITL region code"] == code and r["SIC07 code"] == "Total")
    return float(row[year].replace(",", ""))


def test_itl3_population_is_the_sum_of_its_districts(demo_workspace: Workspace, shared_data: Path) -> None:
    pop = nomis(shared_data)
    got = demo_workspace.observations("population", geographies=["TLD11", "TLD12", "E12000001"],
                                      periods="2020").set_index("geography_code")
    assert got.loc["TLD11", "value"] == pop["E07000026"]["2020"] + pop["E07000029"]["2020"]  # West Cumbria
    east = ["E07000027", "E07000028", "E07000030", "E07000031"]
    assert got.loc["TLD12", "value"] == sum(pop[c]["2020"] for c in east)
    assert got.loc["TLD11", "derivation"] == "sum of 2 local authority districts"
    north_east = [c for c in pop if c.startswith(("E06000001", "E06000002", "E06000003", "E06000004",
                                                  "E06000005", "E06000047", "E06000057", "E08000021",
                                                  "E08000022", "E08000023", "E08000024", "E08000037"))]
    assert len(north_east) == 12
    assert got.loc["E12000001", "value"] == sum(pop[c]["2020"] for c in north_east)
    assert "levelscope" in got.loc["E12000001", "source"]


def test_published_values_are_never_replaced(demo_workspace: Workspace) -> None:
    itl3 = demo_workspace.observations("gva_per_hour_worked", level="itl3", periods="2021")
    assert len(itl3) == 179 and itl3["derivation"].isna().all()
    # ITL regions of productivity are published; English regions are not, so they are derived
    regions = demo_workspace.observations("gva_per_hour_worked", level="region", periods="2021")
    assert len(regions) == 9 and regions["derivation"].str.startswith("mean of").all()
    assert (regions["derivation"].str.endswith("weighted by hours_worked")).all()


def test_a_region_straddled_by_a_district_gets_no_value(
    demo_workspace: Workspace, demo_workspace_path: Path, tmp_path: Path
) -> None:
    """Highland straddles three ITL3 regions and Argyll and Bute two: those regions cannot be built
    from districts, and the ITL3 panel leaves exactly them out."""
    itl3 = demo_workspace.observations("population", level="itl3", periods="2020")
    missing = {"TLM61", "TLM62", "TLM63", "TLM81", "TLM93"}
    assert len(itl3) == 179 - len(missing) and not missing & set(itl3["geography_code"])
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(demo_workspace_path.read_bytes())
    with Workspace.open(copy) as ws:
        report = ws.derive(["population"])
    straddled = report.incomplete[report.incomplete["geography_code"] == "TLM93"]
    assert set(straddled["reason"]) == {"S12000021 lies only partly in it"}


def test_gva_per_head_is_declared_in_the_catalogue_and_derived(demo_workspace: Workspace,
                                                                shared_data: Path) -> None:
    definition = demo_workspace.indicator("gva_per_head")
    assert (definition.numerator, definition.denominator, definition.scale) == (
        "gva_current_prices", "population", 1_000_000)
    pop = nomis(shared_data)
    by_hand = gva_itl3(shared_data, "TLD11", "2020") / (pop["E07000026"]["2020"] + pop["E07000029"]["2020"])
    got = demo_workspace.observations("gva_per_head", geographies=["TLD11"], periods="2020")
    assert got["value"].iloc[0] == pytest.approx(by_hand * 1_000_000, rel=1e-12)
    assert got["derivation"].iloc[0] == "gva_current_prices ÷ population × 1,000,000"


def test_inequality_across_itl3_weighted_by_population_runs(demo_workspace: Workspace) -> None:
    result = demo_workspace.inequality("gva_per_hour_worked", "itl3", weight="population", measures=["gini"],
                                       missing_weights="drop")
    assert list(result.wide()["year"]) == list(range(2004, 2023))
    [dropped] = [n for n in result.notes if "dropped" in n]
    assert dropped.endswith("TLM61, TLM62, TLM63, TLM81, TLM93")
    # 2022 by hand: the published ITL3 productivity weighted by the ITL3 population derived from
    # the districts (checked above); Scotland's and Northern Ireland's estimates end at mid-2021,
    # so their 29 regions carry their 2021 population, as the result's note says.
    # Gini = sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean_w)
    gva = demo_workspace.observations("gva_per_hour_worked", level="itl3", periods="2022")
    pop = demo_workspace.observations("population", level="itl3", periods=["2021", "2022"])
    latest = pop.sort_values("period").drop_duplicates("geography_code", keep="last")
    both = gva.set_index("geography_code")["value"].to_frame("x").join(
        latest.set_index("geography_code")["value"].rename("w"), how="inner")
    assert len(both) == 179 - 5
    assert "population for 2021 used for gva_per_hour_worked in 2022 (29 areas)" in result.notes
    x, w = both["x"].to_numpy(), both["w"].to_numpy()
    mean = np.sum(w * x) / np.sum(w)
    gini = np.sum(np.outer(w, w) * np.abs(x[:, None] - x[None, :])) / (2 * np.sum(w) ** 2 * mean)
    assert result.wide().set_index("year").loc[2022, "gini"] == pytest.approx(gini, rel=1e-9)
