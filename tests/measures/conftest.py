"""Real data for the measures tests: ONS regional GVA by ITL3 region (current prices)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

GVA_FILE = "uk_gva_by_industry/Table 3c ITL3 UK current price estimates pounds million.csv"


@pytest.fixture(scope="session")
def itl3_gva(shared_data: Path) -> pd.DataFrame:
    """Total GVA (£ million) of each ITL3 region, long format: code, itl1, year, gva."""
    wide = pd.read_csv(shared_data / GVA_FILE, thousands=",", dtype={"ITL region code": str})
    total = wide[wide["SIC07 code"] == "Total"]
    years = [c for c in wide.columns if c.isdigit()]
    long = total.melt(id_vars=["ITL region code"], value_vars=years, var_name="year", value_name="gva")
    long = long.rename(columns={"ITL region code": "code"})
    long["year"] = long["year"].astype(int)
    long["gva"] = long["gva"].astype(float)
    # ITL3 codes are the ITL1 code plus two characters (TLC11 lies in TLC, North East England).
    long["itl1"] = long["code"].str[:3]
    return long.reset_index(drop=True)


@pytest.fixture(scope="session")
def gva_2021(itl3_gva: pd.DataFrame) -> pd.DataFrame:
    return itl3_gva[itl3_gva["year"] == 2021].reset_index(drop=True)
