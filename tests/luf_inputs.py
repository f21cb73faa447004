"""The Levelling Up Fund record and what the analysis sets it against, read from the shared files
with plain pandas (independently of levelscope's readers, except where a test says so)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

COUNTRY = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}
LUF = "funding/levelling_up_fund"
IMD_FILE = "deprivation/File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
CATEGORY_FILE = f"{LUF}/Levelling_Up_Fund_list_of_local_authorities_by_priority_category.xlsx"


@dataclass
class LufInputs:
    bids: dict[str, list[dict[str, str]]]  # round -> raw CSV rows
    areas: pd.DataFrame  # geography_code, geography_name, region, country (2023 districts)
    population: pd.DataFrame  # geography_code, year, value (mid-2022, 2023 codes)
    imd: pd.DataFrame  # geography_code, imd_average_score (2019 codes)


def load(shared: Path) -> LufInputs:
    bids = {}
    for key in ("1", "2"):
        with (shared / LUF / f"levelling-up-fund-round-{key}.csv").open(encoding="utf-8") as handle:
            bids[key] = list(csv.DictReader(handle))
    ages = pd.read_csv(shared / "uk_population/mid2022_by_age/population-estimates.csv")
    ages = ages[ages["Area code"].str.match(r"^(E0[6789]|W06|S12|N09)")]
    people = ages["Mid-2022 population (Female)"] + ages["Mid-2022 population (Male)"]
    totals = people.groupby([ages["Area code"], ages["Area name"]]).sum().reset_index(name="value")
    regions = pd.read_csv(shared / "boundaries/lad_2023/LADs_to_region.csv", encoding="utf-8-sig")
    areas = pd.DataFrame({"geography_code": totals["Area code"], "geography_name": totals["Area name"]})
    areas["country"] = areas["geography_code"].str[0].map(COUNTRY)
    region_of = dict(zip(regions["LAD23CD"], regions["RGN23NM"], strict=True))
    areas["region"] = areas["geography_code"].map(region_of)
    population = pd.DataFrame({"geography_code": totals["Area code"], "year": 2022, "value": totals["value"]})
    imd = pd.read_excel(shared / IMD_FILE, sheet_name="IMD")
    imd = pd.DataFrame({"geography_code": imd.iloc[:, 0], "imd_average_score": imd.iloc[:, 4].astype(float)})
    return LufInputs(bids, areas.reset_index(drop=True), population, imd)


def hand_shares(rows: list[dict[str, str]], population: dict[str, float], rule: str) -> dict[str, float]:
    """Each area's money from the raw bid rows: equal shares, or shares by population."""
    out: dict[str, float] = {}
    for row in rows:
        codes = [c.strip() for c in row["LADs"].split(";") if c.strip()]
        value = float(row["Bid Value"])
        weights = [1.0] * len(codes) if rule == "equal" else [population[c] for c in codes]
        for code, weight in zip(codes, weights, strict=True):
            out[code] = out.get(code, 0.0) + value * weight / sum(weights)
    return out
