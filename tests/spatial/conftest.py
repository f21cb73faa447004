"""Real UK areas for the spatial tests: ITL3 (2021, ultra-generalised) and LAD (2023) boundaries
with ONS regional GVA, read straight from the publishers' files in the shared data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

YEARS = [str(y) for y in range(1998, 2022)]


def read_itl3(shared_data: Path) -> Any:
    import geopandas as gpd

    frame = gpd.read_file(shared_data / "boundaries/itl3_2021_buc/ITL3_JAN_2021_UK_BUC_V3.shp")
    return frame.set_index("ITL321CD").sort_index()


def read_itl3_gva(shared_data: Path, codes: pd.Index) -> pd.DataFrame:
    """ITL3 GVA at current prices (£ million), all industries, 1998–2021: areas × years."""
    table = pd.read_csv(
        shared_data / "uk_gva_by_industry/Table 3c ITL3 UK current price estimates pounds million.csv",
        thousands=",",
    )
    total = table[table["SIC07 code"] == "Total"].set_index("ITL region code")
    return total.loc[codes, YEARS].astype(float)


@pytest.fixture(scope="session")
def itl3(shared_data: Path) -> Any:
    return read_itl3(shared_data)


@pytest.fixture(scope="session")
def itl3_gva(shared_data: Path, itl3: Any) -> pd.DataFrame:
    return read_itl3_gva(shared_data, itl3.index)


@pytest.fixture(scope="session")
def lad(shared_data: Path) -> Any:
    import geopandas as gpd

    frame = gpd.read_file(shared_data / "boundaries/lad_2023/LADs_2023.geojson")
    return frame.set_index("LAD23CD").sort_index()


@pytest.fixture(scope="session")
def log_gva(itl3_gva: pd.DataFrame) -> np.ndarray:
    """Log GVA in 2021: skewed but not extreme, a realistic variable."""
    return np.log(itl3_gva["2021"].to_numpy())
