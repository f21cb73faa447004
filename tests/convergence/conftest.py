"""ONS regional GVA by ITL3 area, 1998–2021, with the ITL3 boundaries, for the convergence tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

YEARS = [str(y) for y in range(1998, 2022)]


@pytest.fixture(scope="session")
def itl3_shapes(shared_data: Path) -> Any:
    import geopandas as gpd

    frame = gpd.read_file(shared_data / "boundaries/itl3_2021_buc/ITL3_JAN_2021_UK_BUC_V3.shp")
    return frame.set_index("ITL321CD").sort_index()


@pytest.fixture(scope="session")
def gva(shared_data: Path, itl3_shapes: Any) -> pd.DataFrame:
    """GVA at current prices (£ million), all industries: ITL3 areas × years."""
    table = pd.read_csv(
        shared_data / "uk_gva_by_industry/Table 3c ITL3 UK current price estimates pounds million.csv",
        thousands=",",
    )
    total = table[table["SIC07 code"] == "Total"].set_index("ITL region code")
    return total.loc[itl3_shapes.index, YEARS].astype(float)


@pytest.fixture(scope="session")
def relative_gva(gva: pd.DataFrame) -> pd.DataFrame:
    """Each area's GVA relative to the mean across areas that year."""
    return gva / gva.mean(axis=0)
