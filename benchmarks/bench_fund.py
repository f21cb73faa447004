"""Speed of the funding-versus-need analysis on the real Levelling Up Fund record (target: both
rounds with 2,000 bootstrap resamples in under 2 s).

Run: ``.venv/bin/python benchmarks/bench_fund.py [DATA]`` (DATA: the shared data folder, by
default ``../shared/data``). Prints, on the same inputs (216 bids, 361 districts of 2023, IMD 2019
and priority categories):

1. levelscope's whole analysis (both sharing rules, every table, concentration against
   deprivation and the priority categories for each round and all rounds, each with 2,000
   resamples, counterfactuals, findings);
2. the bootstrap alone: levelscope's vectorised draws against a loop that resamples the areas
   and calls :func:`levelscope.need.funding.concentration_index` on each resample (the
   straightforward way), timed on 200 resamples and scaled to 2,000; the ratio is printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from levelscope.data.funding.need_files import (
    match_category_codes,
    read_imd_summaries,
    read_priority_categories,
)
from levelscope.data.funding.readers import read_luf_bids
from levelscope.need.fund_analysis import analyse_fund
from levelscope.need.fund_concentration import concentration_draws
from levelscope.need.funding import concentration_index

COUNTRY = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def inputs(root: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    luf = root / "funding/levelling_up_fund"
    bids = pd.concat([read_luf_bids(luf / f"levelling-up-fund-round-{r}.csv") for r in ("1", "2")])
    ages = pd.read_csv(root / "uk_population/mid2022_by_age/population-estimates.csv")
    ages = ages[ages["Area code"].str.match(r"^(E0[6789]|W06|S12|N09)")]
    people = (ages["Mid-2022 population (Female)"] + ages["Mid-2022 population (Male)"]).groupby(
        [ages["Area code"], ages["Area name"]]).sum().reset_index(name="value")
    regions = pd.read_csv(root / "boundaries/lad_2023/LADs_to_region.csv", encoding="utf-8-sig")
    areas = pd.DataFrame({"geography_code": people["Area code"], "geography_name": people["Area name"]})
    areas["country"] = areas["geography_code"].str[0].map(COUNTRY)
    region_of = dict(zip(regions["LAD23CD"], regions["RGN23NM"], strict=True))
    areas["region"] = areas["geography_code"].map(region_of)
    population = pd.DataFrame({"geography_code": people["Area code"], "year": 2022,
                               "value": people["value"]})
    imd = read_imd_summaries(
        root / "deprivation/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx")
    scores = imd[imd["indicator_id"] == "imd_average_score"]
    categories = match_category_codes(
        read_priority_categories(
            luf / "Levelling_Up_Fund_list_of_local_authorities_by_priority_category.xlsx"),
        pd.concat([areas[["geography_code", "geography_name"]].rename(columns={"geography_name": "name"}),
                   imd[["geography_code", "name"]]]).drop_duplicates(),
    ).categories
    need = pd.DataFrame({"imd_average_score": scores.set_index("geography_code")["value"]}).join(
        categories.rename("priority_category"), how="outer").rename_axis("geography_code").reset_index()
    return bids, areas, population, need


def best_of(repeats: int, run: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data"
    bids, areas, population, need = inputs(root)
    whole = best_of(3, lambda: analyse_fund(bids, areas, population, need, population_year=2022,
                                            n_resamples=2000))
    print(f"whole analysis, both rounds, 2,000 resamples: {whole:.2f} s (target < 2 s)")

    result = analyse_fund(bids, areas, population, need, population_year=2022, n_resamples=0)
    frame = result.areas.dropna(subset=["imd_average_score"])
    y, w = frame["per_head_all"].reset_index(drop=True), frame["population_all"].reset_index(drop=True)
    score = frame["imd_average_score"].reset_index(drop=True)
    ours = best_of(3, lambda: concentration_draws(y, score, w, n_resamples=2000, seed=0))

    def loop(n: int) -> None:
        rng = np.random.default_rng(0)
        for _ in range(n):
            pick = rng.integers(0, len(y), len(y))
            # duplicates of an area are separate units of a resample
            index = pd.RangeIndex(len(pick))
            concentration_index(pd.Series(y.to_numpy()[pick], index=index),
                                pd.Series(score.to_numpy()[pick], index=index),
                                pd.Series(w.to_numpy()[pick], index=index))

    peer = best_of(1, lambda: loop(200)) * 10
    print(f"bootstrap of the concentration index, 2,000 resamples of {len(y)} districts: "
          f"levelscope {ours:.3f} s, loop over concentration_index {peer:.2f} s (scaled from 200); "
          f"ratio {peer / ours:.0f}x")


if __name__ == "__main__":
    main()
