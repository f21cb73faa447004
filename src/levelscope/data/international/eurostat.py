"""Parser for Eurostat regional indicators written out as one long CSV.

The format is what the R ``eurostat`` package returns, one row per value: ``eurostat_table,
variable, geo, year, unit, sex, age, na_item, value``. Each (table, variable, sex) is one
catalogue indicator, and the ``unit`` column must be the unit that table is in.

``geo`` holds NUTS 2 codes (``DED5``), extra-regio codes (``FRZZ``, output not attributed to a
region) and Eurostat country codes (``DE``, ``EL``, ``UK``), stored under their ISO 3166 alpha-3
codes (``DEU``, ``GRC``, ``GBR``) so that each country is one place whatever the publisher. Rows
for groups of countries (``EU28``, ``EA19``, ``EU27_2020``) or Metropolitan France (``FX``) are
not places: they are set aside and counted, with the reason, in the import report.

The extract was made in December 2020 (the repository it comes from added it on 16 December
2020); that date is its vintage.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from levelscope.data.international.reference import country_of_eurostat, is_extra_regio
from levelscope.data.international.tables import ParsedFile, PlaceRecord, read_table, release, values
from levelscope.data.model import Level
from levelscope.errors import Problem, ValidationError

VINTAGE = dt.date(2020, 12, 16)
SOURCE = "Eurostat regional indicators (extracted December 2020)"
COLUMNS = ("eurostat_table", "variable", "geo", "year", "unit", "sex", "age", "na_item", "value")

#: (table, variable, sex) → (indicator, the unit code the table is in; "" where it gives none).
SERIES: dict[tuple[str, str, str], tuple[str, str]] = {
    ("tgs00010", "unemployment_rate_pc", "T"): ("eu_unemployment_rate", "PC"),
    ("tgs00010", "unemployment_rate_pc", "F"): ("eu_unemployment_rate_female", "PC"),
    ("tgs00010", "unemployment_rate_pc", "M"): ("eu_unemployment_rate_male", "PC"),
    ("tgs00026", "hh_disp_income_pps_per_hab", ""): ("eu_household_income_per_head", "PPS_HAB"),
    ("tgs00003", "gdp_mio_eur", ""): ("eu_gdp", "MIO_EUR"),
    ("tgs00096", "population_nuts2", "T"): ("eu_population", "NR"),
    ("tps00001", "population_country", ""): ("eu_population", ""),
    ("tec00114", "gdp_pc_pps_index_eu27_2020", ""): ("eu_gdp_per_head_index", ""),
    ("tespm010", "at_risk_of_poverty_rate", "T"): ("eu_poverty_rate", "PC"),
}
_AGGREGATE = re.compile(r"^(EU\d|EA\d|EU27_|EA18|EA19|EU28|FX$)")
_NUTS2 = re.compile(r"^[A-Z]{2}[0-9A-Z]{2}$")


def parse_eurostat(path: Path) -> ParsedFile:
    """Read the long Eurostat extract: NUTS 2 regions and countries, 2007-2020."""
    frame = read_table(path, COLUMNS)
    problems: list[Problem] = []
    keys = pd.Series(list(zip(frame["eurostat_table"], frame["variable"], frame["sex"], strict=True)),
                     index=frame.index)
    for key in sorted(set(keys) - set(SERIES)):
        row = int(frame.loc[keys == key, "_row"].iloc[0])
        problems.append(Problem(file=path.name, row=row, column="eurostat_table, variable, sex",
                                value="/".join(key), reason="unknown Eurostat series"))
    frame["_indicator"] = keys.map(lambda k: SERIES.get(k, ("", ""))[0])
    expected = keys.map(lambda k: SERIES.get(k, ("", None))[1])
    clash = keys.isin(list(SERIES)) & (frame["unit"] != expected)
    for key, group in frame[clash].groupby(keys[clash]):
        problems.append(Problem(file=path.name, row=int(group["_row"].iloc[0]), column="unit",
                                value=group["unit"].iloc[0], reason=f"{'/'.join(key)} is in "
                                f"{SERIES[key][1] or 'no stated unit'}, not this unit"))

    aggregate = frame["geo"].str.match(_AGGREGATE)
    excluded = [Problem(file=path.name, row=int(r), column="geo", value=g,
                        reason="a group of countries, not a place")
                for r, g in frame.loc[aggregate, ["_row", "geo"]].itertuples(index=False)]
    kept = frame[~aggregate].copy()
    places: dict[str, PlaceRecord] = {}
    codes: dict[str, str] = {}
    for geo, group in kept.groupby("geo"):
        record = _place(str(geo))
        if record is None:
            problems.append(Problem(file=path.name, row=int(group["_row"].iloc[0]), column="geo",
                                    value=geo, reason="neither a NUTS 2 code nor a Eurostat "
                                    "country code"))
            continue
        places[record.code] = record
        codes[str(geo)] = record.code
    if problems:
        raise ValidationError(problems)
    kept["_code"] = kept["geo"].map(codes)
    parts = [values(group, str(indicator), "value", "year")
             for indicator, group in kept.groupby("_indicator", sort=True)]
    renamed = sorted(g for g, c in codes.items() if g != c)
    notes = [f"{len(renamed)} Eurostat country codes stored as ISO 3166 alpha-3 codes "
             f"(e.g. {', '.join(f'{g} as {codes[g]}' for g in renamed[:3])})"] if renamed else []
    return ParsedFile(path.name, list(places.values()),
                      [release(path.name, parts, VINTAGE, SOURCE, len(frame), excluded)], notes=notes)


def _place(geo: str) -> PlaceRecord | None:
    country = country_of_eurostat(geo)
    if country is None:
        return None
    if len(geo) == 2:
        return PlaceRecord(country, Level.COUNTRY, country)
    if is_extra_regio(geo):
        return PlaceRecord(geo, Level.EXTRA_REGIO, country)
    if _NUTS2.match(geo):
        return PlaceRecord(geo, Level.NUTS2, country)
    return None
