"""International regions as analyses read them: one row per region and year, with its country,
its TL2 region, its weight and its OECD metropolitan typology.

Three *unit sets* cut a country's territory in different ways (the modifiable areal unit
problem: a measure of dispersion across units depends on the cut):

- ``"tl3"``: small regions as the OECD's *Regional Outlook 2023* data has them, the TL3 regions
  of each large functional urban area merged into one metropolitan unit;
- ``"tl2"``: large regions;
- ``"metro"``: the metropolitan units and TL3 regions of the ``"tl3"`` set that the OECD classes
  as metropolitan (typology ``MR-L`` or ``MR-M``), so that like is compared with like.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from levelscope.data.model import Level
from levelscope.errors import NotFoundError

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

UnitSet = Literal["tl3", "tl2", "metro"]

UNIT_SETS: dict[str, str] = {
    "tl3": "TL3 regions (metropolitan TL3 regions merged into one unit per functional urban area)",
    "tl2": "TL2 regions",
    "metro": "metropolitan TL3 units only (OECD typology MR-L or MR-M)",
}
_LEVELS: dict[str, list[str]] = {
    "tl3": [str(Level.OECD_TL3), str(Level.OECD_METRO)],
    "tl2": [str(Level.OECD_TL2)],
    "metro": [str(Level.OECD_TL3), str(Level.OECD_METRO)],
}
METROPOLITAN = ("MR-L", "MR-M")

GDP_PER_HEAD = "oecd_gdp_per_head"
POPULATION = "oecd_population"


def check_unit_set(units: str) -> UnitSet:
    """``units`` if it names a unit set; a ``ValueError`` listing them otherwise."""
    if units not in UNIT_SETS:
        raise ValueError(f"unknown unit set {units!r}; choose one of {', '.join(UNIT_SETS)}")
    return units  # type: ignore[return-value]


def places(ws: Workspace) -> pd.DataFrame:
    """Every place with its name, level, country and TL2 region (codes; None where it has none)."""
    geo = ws.geographies()
    levels = dict(zip(geo["code"], geo["level"], strict=True))

    def parent_at(parents: object, level: str) -> str | None:
        if not isinstance(parents, list | tuple | np.ndarray):
            return None
        return next((str(p) for p in parents if levels.get(p) == level), None)

    return pd.DataFrame({
        "geography_code": geo["code"],
        "geography_name": geo["name"],
        "level": geo["level"],
        "country": [c if lv == "country" else parent_at(p, "country")
                    for c, lv, p in zip(geo["code"], geo["level"], geo["parents"], strict=True)],
        "tl2": [parent_at(p, str(Level.OECD_TL2)) for p in geo["parents"]],
    })


def regional_panel(
    ws: Workspace,
    indicator: str = GDP_PER_HEAD,
    units: UnitSet = "tl3",
    weight: str | None = POPULATION,
    countries: list[str] | None = None,
    start: int | None = None,
    end: int | None = None,
) -> pd.DataFrame:
    """The regions of a unit set with their yearly values (and weights).

    Returns
    -------
    pandas.DataFrame
        ``geography_code, geography_name, level, country, tl2, metro_typology, year, value`` and,
        with ``weight``, ``weight``; rows without a weight are left out.
    """
    units = check_unit_set(units)
    wanted = [indicator] if weight is None or weight == indicator else [indicator, weight]
    both = ws.observations(wanted, level=_LEVELS[units])
    frame = both.loc[both["indicator_id"] == indicator, ["geography_code", "year", "value"]]
    if weight is not None:
        weights = both.loc[both["indicator_id"] == weight, ["geography_code", "year", "value"]]
        frame = frame.merge(weights.rename(columns={"value": "weight"}), on=["geography_code", "year"])
    about = places(ws)
    typology = ws.geography_attributes("metro_typology")[["code", "value"]].rename(
        columns={"code": "geography_code", "value": "metro_typology"})
    frame = frame.merge(about, on="geography_code").merge(typology, on="geography_code", how="left")
    if units == "metro":
        frame = frame[frame["metro_typology"].isin(METROPOLITAN)]
    if countries is not None:
        frame = frame[frame["country"].isin(countries)]
    if start is not None:
        frame = frame[frame["year"] >= start]
    if end is not None:
        frame = frame[frame["year"] <= end]
    columns = ["geography_code", "geography_name", "level", "country", "tl2", "metro_typology", "year",
               "value"] + (["weight"] if weight is not None else [])
    return frame[columns].sort_values(["country", "geography_code", "year"]).reset_index(drop=True)


def country_names(ws: Workspace) -> dict[str, str]:
    """ISO alpha-3 code → name of every country in the workspace."""
    geo = ws.geographies(Level.COUNTRY)
    return dict(zip(geo["code"], geo["name"], strict=True))


def require_country(ws: Workspace, country: str) -> str:
    """``country`` if the workspace has it as a country; :class:`NotFoundError` otherwise."""
    names = country_names(ws)
    if country not in names:
        close = sorted(c for c in names if c.startswith(country[:1].upper()))[:5]
        raise NotFoundError(f"no country {country!r} in the workspace (ISO 3166 alpha-3 codes, "
                            f"e.g. {', '.join(close) or 'GBR'})")
    return country
