"""Regional inequality within countries: measures by hand, against the OECD's published Theil
index, ranked, and on other cuts of the territory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from levelscope import Workspace
from levelscope.international import (
    MAUP_NOTE,
    convergence_by_country,
    inequality_by_country,
    ranking_comparison,
)
from levelscope.international.inequality import same_regions
from levelscope.measures import coefficient_of_variation, decompose, gini, theil

# The OECD's own Theil index of GDP per head across TL3 regions, each region counting once, as
# published with Regional Outlook 2023 (OECD CFE, ro2023-country-pages,
# data/theil_gdppc_country_00_20.csv, level gdppc_tl3).
OECD_THEIL_TL3_2019 = {
    "GBR": 0.0277111879335965,
    "DEU": 0.0360171207088098,
    "FRA": 0.0231652806032485,
    "JPN": 0.00780965840270225,
    "KOR": 0.0389826653491171,
}


@pytest.fixture(scope="module")
def weighted(demo_workspace_path: Path) -> object:
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        return inequality_by_country(ws, n_resamples=199, seed=3)


def _year(tl3: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    return tl3[(tl3["country"] == country) & (tl3["TIME"] == year)]


def test_unweighted_theil_is_the_oecds_published_one(demo_workspace: Workspace, tl3: pd.DataFrame) -> None:
    result = inequality_by_country(demo_workspace, weighted=False, n_resamples=0,
                                   countries=list(OECD_THEIL_TL3_2019))
    ranked = result.ranking("theil", 2019).set_index("geography_code")
    for country, published in OECD_THEIL_TL3_2019.items():
        assert ranked.loc[country, "estimate"] == pytest.approx(published, rel=1e-9), country
        assert ranked.loc[country, "estimate"] == pytest.approx(theil(_year(tl3, country, 2019)["GDP_PC"]),
                                                                 rel=1e-12)
    # ranked by hand: Korea, Germany, the UK, France, Japan
    by_hand = sorted(OECD_THEIL_TL3_2019, key=OECD_THEIL_TL3_2019.__getitem__, reverse=True)
    assert ranked.sort_values("rank").index.tolist() == by_hand
    assert ranked.loc["GBR", "rank"] == 3 and ranked.loc["GBR", "n_ranked"] == 5


def test_measures_by_hand_for_three_countries(weighted, tl3: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    table = weighted.table.set_index(["geography_code", "year", "measure"])["estimate"]
    for country in ("GBR", "DEU", "POL"):
        rows = _year(tl3, country, 2015)
        y, w = rows["GDP_PC"].to_numpy(), rows["POP"].to_numpy()
        # Williamson: the population-weighted coefficient of variation, written out ...
        mean = np.average(y, weights=w)
        williamson = np.sqrt(np.average((y - mean) ** 2, weights=w)) / mean
        assert table[(country, 2015, "williamson")] == pytest.approx(williamson, rel=1e-10)
        # ... and the measures module's weighted coefficient of variation
        measured = coefficient_of_variation(y, w)
        assert table[(country, 2015, "williamson")] == pytest.approx(measured, rel=1e-12)
        assert table[(country, 2015, "gini")] == pytest.approx(gini(y, w), rel=1e-12)
        assert table[(country, 2015, "theil")] == pytest.approx(theil(y, w), rel=1e-12)


def test_theil_split_between_and_within_tl2(weighted, demo_workspace: Workspace, tl3: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    table = weighted.table.set_index(["geography_code", "year", "measure"])["estimate"]
    rows = _year(tl3, "GBR", 2019)
    parents = demo_workspace.geographies().set_index("code")["parents"]
    tl2 = [next(p for p in parents[code] if p.startswith("UK")) for code in rows["REG_ID"]]  # UKC … UKN
    split = decompose(rows["GDP_PC"], tl2, rows["POP"], measure="theil")
    assert table[("GBR", 2019, "theil_between")] == pytest.approx(split.between, rel=1e-10)
    assert table[("GBR", 2019, "theil_within")] == pytest.approx(split.within, rel=1e-10)
    assert table[("GBR", 2019, "between_share")] == pytest.approx(split.between / split.total, rel=1e-10)
    assert len(set(tl2)) == 12  # the UK's twelve ITL1 regions


def test_ranking_intervals_and_the_uks_place(weighted) -> None:  # type: ignore[no-untyped-def]
    ranking = weighted.ranking("theil")
    assert ranking["year"].iloc[0] == 2020 and len(ranking) == 29
    assert list(ranking["rank"]) == sorted(ranking["rank"]) and ranking["rank"].iloc[0] == 1
    assert (ranking["estimate"].diff().dropna() <= 0).all()
    assert (ranking["lower"] <= ranking["estimate"]).all()
    assert (ranking["estimate"] <= ranking["upper"]).all()
    assert (ranking["rank_lower"] <= ranking["rank"]).all()
    assert (ranking["rank"] <= ranking["rank_upper"]).all()
    assert "LUX" in weighted.excluded  # one TL3 region: no inequality to measure
    uk = weighted.place_of("GBR", "theil")
    assert list(uk["year"]) == list(range(2000, 2021))
    assert (uk["n_regions"] == 105).all() and (uk["n_ranked"] == 29).all()
    # an interval at another alpha comes from the same resamples
    wide = weighted.conf_int(alpha=0.01).set_index(["geography_code", "year", "measure"])
    narrow = weighted.conf_int().set_index(["geography_code", "year", "measure"])
    assert (wide.loc[("GBR", 2020, "theil"), "lower"] <= narrow.loc[("GBR", 2020, "theil"), "lower"])
    assert weighted.provenance.seed == 3 and MAUP_NOTE in weighted.summary()


def test_a_countrys_intervals_do_not_depend_on_the_others(demo_workspace: Workspace, weighted) -> None:  # type: ignore[no-untyped-def]
    alone = inequality_by_country(demo_workspace, countries=["GBR"], n_resamples=199, seed=3)
    mine = alone.table.set_index(["year", "measure"])
    theirs = weighted.table[weighted.table["geography_code"] == "GBR"].set_index(["year", "measure"])
    np.testing.assert_allclose(mine["lower"], theirs.loc[mine.index, "lower"])


def test_years_with_the_same_regions_go_together_in_the_order_they_first_appear() -> None:
    present = np.array([[1, 1, 0], [1, 1, 1], [1, 1, 0], [0, 0, 0], [1, 1, 1]], dtype=bool)
    groups = same_regions(present)
    assert [list(years) for years in groups] == [[0, 2], [1, 4], [3]]
    # what the resampling takes from it: the same regions in each year of a group
    assert all((present[years] == present[years[0]]).all() for years in groups)


def test_a_country_that_gains_a_region_is_resampled_in_two_groups(demo_workspace: Workspace) -> None:
    """Ireland's file has no GDP for two regions in 2015-2017 (see conftest): those years are
    measured on the regions they have, the others on all, each group with its own resamples."""
    result = inequality_by_country(demo_workspace, countries=["IRL"], n_resamples=49, seed=1)
    regions = result.table[result.table["measure"] == "theil"].set_index("year")["n_regions"]
    assert set(regions.loc[2015:2017]) == {int(regions.max()) - 2}
    assert (regions.drop(range(2015, 2018)) == regions.max()).all()


def test_rankings_on_other_cuts_of_the_territory(demo_workspace: Workspace) -> None:
    comparison = ranking_comparison(demo_workspace, "theil", 2019)
    table = comparison.table.set_index("geography_code")
    assert table.loc["GBR", "n_regions_tl3"] == 105 and table.loc["GBR", "n_regions_tl2"] == 12
    assert table.loc["DEU", "n_regions_tl2"] == 16
    assert set(comparison.agreement["first"] + "/" + comparison.agreement["second"]) == {
        "tl3/tl2", "tl3/metro", "tl2/metro"}
    assert (comparison.agreement["spearman"].between(-1, 1)).all()
    metro = inequality_by_country(demo_workspace, units="metro", n_resamples=0)
    # metropolitan units only: fewer regions than the whole set
    mine = metro.table[(metro.table["geography_code"] == "GBR") & (metro.table["measure"] == "theil")]
    assert (mine["n_regions"] < 105).all() and (mine["n_regions"] > 20).all()


def test_convergence_within_countries(demo_workspace: Workspace, tl3: pd.DataFrame) -> None:
    from levelscope.convergence import beta_convergence

    result = convergence_by_country(demo_workspace, countries=["GBR", "POL"])
    row = result.table.set_index("geography_code").loc["POL"]
    rows = tl3[tl3["country"] == "POL"]
    panel = rows.pivot(index="REG_ID", columns="TIME", values="GDP_PC")
    population = rows.pivot(index="REG_ID", columns="TIME", values="POP")
    by_hand = beta_convergence(panel, weights=population[2000])
    assert row["beta"] == pytest.approx(by_hand.beta, rel=1e-10)
    assert (row["start"], row["end"], row["n_regions"]) == (2000, 2020, 63)
    assert row["sigma_start"] == pytest.approx(coefficient_of_variation(panel[2000], population[2000]))
