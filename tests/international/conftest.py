"""The international files as published, read directly for hand calculations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def tl3(shared_data: Path) -> pd.DataFrame:
    """The Regional Outlook 2023 TL3 file, with the country read from the code (CH003M is Swiss,
    DE139 German), as the OECD's own calculations take it, and without the GDP per head of 0 the
    file writes where it has no figure (Cagliari; two Irish regions in 2015-2017)."""
    frame = pd.read_csv(shared_data / "international" / "oecd_tl3_gdppc_pop_2000_2020.csv")
    frame = frame[frame["GDP_PC"] > 0].copy()
    frame["country"] = frame["iso3"]
    frame.loc[frame["REG_ID"] == "CH003M", "country"] = "CHE"
    frame.loc[frame["REG_ID"] == "DE139", "country"] = "DEU"
    return frame


@pytest.fixture(scope="session")
def countries_published(shared_data: Path) -> pd.Series:
    """GDP per head of countries (USD PPP, constant 2015 prices) as OECD.Stat gives it."""
    frame = pd.read_csv(shared_data / "international" / "oecd_tl2_ctry_gdp_2005_2020.csv")
    frame = frame[frame["measure"] == "gdp_per_head_usd_ppp_const2015"]
    return frame.set_index(["reg_id", "year"])["value"]
