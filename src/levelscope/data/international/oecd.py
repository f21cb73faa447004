"""Parsers for OECD regional statistics, as published.

Formats:

- *Regional Outlook 2023* small regions (``gdp_pop_00_20_imputed_agg_l.csv``): one row per TL3
  region and year with GDP per head (USD PPP, constant 2015 prices), population and the OECD
  metropolitan typology; the TL3 regions of each large functional urban area are merged into one
  metropolitan unit (``DE008M`` Leipzig), and ``REG_ID_M`` names the urban area a region belongs
  to. Gaps are imputed by the OECD; where it has no figure it writes a GDP per head of 0, which
  is read as missing (and reported).
- *Regional Outlook 2023* large regions (``gdp_pop_tl2_00_20_imputed_l.csv``): TL2 regions with
  GDP (USD million), population and GDP per head.
- OECD.Stat *Regional economy* exports reshaped to long form (``reg_id, reg_name, level, measure,
  year, value``): countries and TL2 regions. Its ``level`` column calls three-letter TL2 codes
  (``DED`` Saxony, ``FRG`` Pays de la Loire, ``UKC`` North East England) countries, so a code's
  level is read from the code, not from that column.
- SDMX extracts of dataflow ``OECD.CFE.EDS:DSD_REG_ECO@DF_GDP`` (``TERRITORIAL_LEVEL, REF_AREA,
  MEASURE, PRICES, UNIT_MEASURE, TIME_PERIOD, OBS_VALUE, …``), long (one ``OBS_VALUE`` per row)
  or wide (one column per period). A series is named by its measure, unit and prices; values
  are scaled by ``UNIT_MULT`` (powers of ten) to the unit of the catalogue's indicator, and
  national-currency figures record each country's currency (``CURRENCY``) as an attribute.

The vintages are the publication dates: *Regional Outlook 2023* appeared on 2 October 2023; the
OECD.Stat export is in the CFE team's repository from its first commit (9 August 2023), the
latest it can have been released; the SDMX extract was written out on 18 December 2025.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from levelscope.data.international.reference import (
    countries,
    country_of_oecd,
    is_extra_regio,
)
from levelscope.data.international.tables import ParsedFile, PlaceRecord, read_table, release, values
from levelscope.data.model import Level
from levelscope.errors import Problem, ValidationError

RO2023_VINTAGE = dt.date(2023, 10, 2)
RO2023_SOURCE = "OECD Regional Database as prepared for Regional Outlook 2023"
OECD_STAT_VINTAGE = dt.date(2023, 8, 9)
OECD_STAT_SOURCE = "OECD.Stat, Regional economy"
SDMX_VINTAGE = dt.date(2025, 12, 18)
SDMX_SOURCE = "OECD Data Explorer, Regional economy (DSD_REG_ECO@DF_GDP)"

TL3_COLUMNS = ("REG_ID", "TIME", "GDP_PC", "POP", "REG_ID_M", "iso3", "reg_name", "metro_code")
TL2_COLUMNS = ("REG_ID", "TIME", "GDP", "POP", "GDP_PC", "iso3", "reg_name")
LONG_COLUMNS = ("reg_id", "reg_name", "level", "measure", "year", "value")
LONG_MEASURES = {
    "gdp_per_head_usd_ppp_const2015": "oecd_gdp_per_head",
    "gdp_mio_usd_ppp_const2015": "oecd_gdp",
}

#: The OECD metropolitan typology of TL3 regions (Fadic et al. 2019, *Classifying small (TL3)
#: regions based on metropolitan population, low density and remoteness*, OECD Regional
#: Development Working Papers 2019/06).
METRO_TYPOLOGY = {
    "MR-L": "Large metropolitan region",
    "MR-M": "Midsize metropolitan region",
    "NMR-M": "Region near a midsize or large functional urban area",
    "NMR-S": "Region near a small functional urban area",
    "NMR-R": "Remote region",
}


def parse_tl3(path: Path) -> ParsedFile:
    """Read the *Regional Outlook 2023* TL3 file (GDP per head and population, with metros)."""
    frame = read_table(path, TL3_COLUMNS)
    problems: list[Problem] = []
    notes: list[str] = []
    frame["_code"] = frame["REG_ID"]
    country = _countries_of(frame, path.name, "REG_ID", "iso3", problems, notes)
    for typology in sorted(set(frame["metro_code"]) - set(METRO_TYPOLOGY) - {""}):
        row = int(frame.loc[frame["metro_code"] == typology, "_row"].iloc[0])
        problems.append(Problem(file=path.name, row=row, column="metro_code", value=typology,
                                reason=f"unknown metropolitan typology; known: {sorted(METRO_TYPOLOGY)}"))
    if problems:
        raise ValidationError(problems)
    places, attributes = [], []
    first = frame.drop_duplicates("REG_ID")[["REG_ID", "REG_ID_M", "reg_name", "metro_code"]]
    for code, area, name, typology in first.itertuples(index=False):
        level = Level.OECD_METRO if code == area else Level.OECD_TL3
        places.append(PlaceRecord(code, level, country[code], name or None))
        if typology:
            attributes.append((code, "metro_typology", typology))
        if area and area != code:
            attributes.append((code, "functional_urban_area", area))
    unnamed = sorted(frame.loc[frame["reg_name"] == "", "REG_ID"].unique())
    if unnamed:
        notes.append(f"{len(unnamed)} region(s) without a name or country in the file: "
                     f"{', '.join(unnamed)}; the country is read from the code")
    # No region produces nothing: the file writes 0 where it has no GDP per head (Cagliari in
    # every year, two Irish regions in 2015-2017), so those are set aside, each named.
    zero = pd.to_numeric(frame["GDP_PC"], errors="coerce") == 0
    set_aside = [Problem(file=path.name, row=int(row), column="GDP_PC", value=value,
                         reason="a GDP per head of 0 marks a missing figure; left out")
                 for row, value in frame.loc[zero, ["_row", "GDP_PC"]].itertuples(index=False)]
    parts = [values(frame[~zero], "oecd_gdp_per_head", "GDP_PC", "TIME"),
             values(frame, "oecd_population", "POP", "TIME")]
    return ParsedFile(path.name, places,
                      [release(path.name, parts, RO2023_VINTAGE, RO2023_SOURCE, len(frame), set_aside)],
                      attributes, notes)


def parse_tl2(path: Path) -> ParsedFile:
    """Read the *Regional Outlook 2023* TL2 file (GDP, population, GDP per head)."""
    frame = read_table(path, TL2_COLUMNS)
    problems: list[Problem] = []
    notes: list[str] = []
    frame["_code"] = frame["REG_ID"]
    country = _countries_of(frame, path.name, "REG_ID", "iso3", problems, notes)
    if problems:
        raise ValidationError(problems)
    first = frame.drop_duplicates("REG_ID")[["REG_ID", "reg_name"]]
    places = [PlaceRecord(code, Level.OECD_TL2, country[code], name or None)
              for code, name in first.itertuples(index=False)]
    parts = [values(frame, "oecd_gdp", "GDP", "TIME"),
             values(frame, "oecd_population", "POP", "TIME"),
             values(frame, "oecd_gdp_per_head", "GDP_PC", "TIME")]
    return ParsedFile(path.name, places,
                      [release(path.name, parts, RO2023_VINTAGE, RO2023_SOURCE, len(frame))],
                      notes=notes)


def parse_country_tl2(path: Path) -> ParsedFile:
    """Read the OECD.Stat *Regional economy* export of countries and TL2 regions (long form)."""
    frame = read_table(path, LONG_COLUMNS)
    problems: list[Problem] = []
    notes: list[str] = []
    frame["_code"] = frame["reg_id"]
    for measure in sorted(set(frame["measure"]) - set(LONG_MEASURES)):
        row = int(frame.loc[frame["measure"] == measure, "_row"].iloc[0])
        problems.append(Problem(file=path.name, row=row, column="measure", value=measure,
                                reason=f"unknown measure; known: {sorted(LONG_MEASURES)}"))
    country = {}
    for code, row in frame.drop_duplicates("reg_id")[["reg_id", "_row"]].itertuples(index=False):
        country[code] = country_of_oecd(str(code))
        if country[code] is None:
            problems.append(Problem(file=path.name, row=int(row), column="reg_id",
                                    value=code, reason="not an OECD country or regional code"))
    if problems:
        raise ValidationError(problems)
    places = []
    relabelled = []
    first = frame.drop_duplicates("reg_id")[["reg_id", "reg_name", "level"]]
    for code, name, level in first.itertuples(index=False):
        if code in countries():
            kind = Level.COUNTRY
        elif is_extra_regio(code):
            kind = Level.EXTRA_REGIO
        else:
            kind = Level.OECD_TL2
            if level == "CTRY":
                relabelled.append(code)
        places.append(PlaceRecord(code, kind, country[code], name or None))
    if relabelled:
        notes.append(f"{len(relabelled)} TL2 region(s) the file labels as countries were read as "
                     f"TL2 regions from their codes: {', '.join(relabelled)}")
    parts = [values(group, LONG_MEASURES[str(measure)], "value", "year")
             for measure, group in frame.groupby("measure", sort=True)]
    return ParsedFile(path.name, places,
                      [release(path.name, parts, OECD_STAT_VINTAGE, OECD_STAT_SOURCE, len(frame))],
                      notes=notes)


# --- SDMX -------------------------------------------------------------------------------------

SDMX_DIMENSIONS = ("TERRITORIAL_LEVEL", "REF_AREA", "MEASURE", "PRICES", "UNIT_MEASURE", "COUNTRY",
                   "REF_YEAR_PRICE", "UNIT_MULT", "CURRENCY")
SDMX_LEVELS = {"CTRY": Level.COUNTRY, "TL2": Level.OECD_TL2, "TL3": Level.OECD_TL3}

#: (MEASURE, UNIT_MEASURE, PRICES) → (indicator, power of ten of the indicator's unit).
#: ``V`` is current prices, ``Q`` constant prices (of ``REF_YEAR_PRICE``), ``D`` a deflator.
SDMX_SERIES: dict[tuple[str, str, str], tuple[str, int]] = {
    ("GDP", "USD_PPP", "V"): ("oecd_reg_gdp_usd_ppp_current", 6),
    ("GDP", "USD_PPP", "Q"): ("oecd_reg_gdp_usd_ppp_constant_2015", 6),
    ("GDP", "USD", "V"): ("oecd_reg_gdp_usd_current", 6),
    ("GDP", "XDC", "V"): ("oecd_reg_gdp_national_currency_current", 6),
    ("GDP", "XDC", "Q"): ("oecd_reg_gdp_national_currency_constant_2015", 6),
    ("GDP", "USD_PPP_PS", "V"): ("oecd_reg_gdp_per_head_usd_ppp_current", 0),
    ("GDP", "USD_PPP_PS", "Q"): ("oecd_reg_gdp_per_head_usd_ppp_constant_2015", 0),
    ("GDP", "USD_PS", "V"): ("oecd_reg_gdp_per_head_usd_current", 0),
    ("GDP", "XDC_PS", "V"): ("oecd_reg_gdp_per_head_national_currency_current", 0),
    ("GDP", "XDC_PS", "Q"): ("oecd_reg_gdp_per_head_national_currency_constant_2015", 0),
    ("GDP", "USD_PPP_WR", "V"): ("oecd_reg_gdp_per_worker_usd_ppp_current", 0),
    ("GDP", "USD_PPP_WR", "Q"): ("oecd_reg_gdp_per_worker_usd_ppp_constant_2015", 0),
    ("GDP", "XDC_WR", "V"): ("oecd_reg_gdp_per_worker_national_currency_current", 0),
    ("GDP", "XDC_WR", "Q"): ("oecd_reg_gdp_per_worker_national_currency_constant_2015", 0),
    ("GDP", "IX", "D"): ("oecd_reg_gdp_deflator", 0),
    ("PPP_GDP", "XDC_USD", "_Z"): ("oecd_reg_ppp", 0),
    ("POP", "PS", "_Z"): ("oecd_reg_population", 0),
    ("EMP", "PS", "_Z"): ("oecd_reg_employment", 0),
}
#: The reference year every constant-price series (and the deflator) must have.
REFERENCE_YEAR = "2015"
_PERIOD_COLUMN = re.compile(r"^\d{4}$")


def parse_sdmx(path: Path) -> ParsedFile:
    """Read an SDMX-CSV extract of ``DSD_REG_ECO@DF_GDP``, long or wide.

    Raises
    ------
    ValidationError
        For an unknown series, a constant-price series of another reference year, a unit
        multiplier that is not a whole power of ten, a currency that contradicts the unit, a
        code outside its country, or a country with two national currencies; every problem is
        listed, and nothing is written.
    """
    raw = read_table(path, SDMX_DIMENSIONS)
    frame = _sdmx_long(raw, path.name)
    problems: list[Problem] = []
    notes: list[str] = []
    frame["_code"] = frame["REF_AREA"]

    series = frame["MEASURE"] + "/" + frame["UNIT_MEASURE"] + "/" + frame["PRICES"]
    catalogue = {"/".join(key): spec for key, spec in SDMX_SERIES.items()}
    for key in sorted(set(series) - set(catalogue)):
        row = int(frame.loc[series == key, "_row"].iloc[0])
        problems.append(Problem(file=path.name, row=row, column="MEASURE, UNIT_MEASURE, PRICES",
                                value=key, reason="unknown series of the regional economy "
                                f"dataflow ({int((series == key).sum())} rows)"))
    known = series.isin(list(catalogue))
    frame["indicator_id"] = series.map({k: v[0] for k, v in catalogue.items()})
    power = series.map({k: v[1] for k, v in catalogue.items()})

    fixed = frame["PRICES"].isin(["Q", "D"]) & known
    wrong_year = fixed & (frame["REF_YEAR_PRICE"] != REFERENCE_YEAR)
    for row, year in frame.loc[wrong_year, ["_row", "REF_YEAR_PRICE"]].itertuples(index=False):
        problems.append(Problem(file=path.name, row=int(row), column="REF_YEAR_PRICE", value=year,
                                reason=f"constant prices of another reference year; levelscope's "
                                f"indicators are in {REFERENCE_YEAR} prices"))

    multiplier = pd.to_numeric(frame["UNIT_MULT"], errors="coerce")
    bad_multiplier = multiplier.isna() | (multiplier % 1 != 0)
    for row, value in frame.loc[bad_multiplier, ["_row", "UNIT_MULT"]].itertuples(index=False):
        problems.append(Problem(file=path.name, row=int(row), column="UNIT_MULT", value=value,
                                reason="the unit multiplier must be a whole power of ten"))
    dollars = frame["UNIT_MEASURE"].str.startswith("USD")
    clash = dollars & (frame["CURRENCY"] != "USD")
    for row, value in frame.loc[clash, ["_row", "CURRENCY"]].itertuples(index=False):
        problems.append(Problem(file=path.name, row=int(row), column="CURRENCY", value=value,
                                reason="the unit is US dollars but the currency says otherwise"))

    country = _countries_of(frame, path.name, "REF_AREA", "COUNTRY", problems, notes, trust_column=True)
    levels = frame["TERRITORIAL_LEVEL"].map(SDMX_LEVELS)
    for row, value in frame.loc[levels.isna(), ["_row", "TERRITORIAL_LEVEL"]].itertuples(index=False):
        problems.append(Problem(file=path.name, row=int(row), column="TERRITORIAL_LEVEL", value=value,
                                reason=f"unknown territorial level; known: {sorted(SDMX_LEVELS)}"))
    attributes = _national_currencies(frame, path.name, problems)
    if problems:
        raise ValidationError(problems)

    number = pd.to_numeric(frame["OBS_VALUE"], errors="coerce")
    scaled = number * np.power(10.0, multiplier - power)
    frame["value"] = frame["OBS_VALUE"].where(number.isna() | (multiplier == power), scaled)
    status = frame["OBS_STATUS"].value_counts() if "OBS_STATUS" in frame else pd.Series(dtype=int)
    flagged = {k: int(v) for k, v in status.items() if k in ("E", "P", "D")}
    if flagged:
        words = {"E": "estimated", "P": "provisional", "D": "by a different definition"}
        notes.append("values flagged by the OECD: " + ", ".join(
            f"{n} {words[k]}" for k, n in sorted(flagged.items())))
    rescaled = int((multiplier != power).sum())
    if rescaled:
        notes.append(f"{rescaled} values rescaled by their unit multiplier to the indicator's unit")

    places = [PlaceRecord(code, SDMX_LEVELS[level], country[code])
              for code, level in frame.drop_duplicates("REF_AREA")[["REF_AREA", "TERRITORIAL_LEVEL"]]
              .itertuples(index=False)]
    part = pd.DataFrame({"geography_code": frame["REF_AREA"], "indicator_id": frame["indicator_id"],
                         "period": frame["TIME_PERIOD"], "value": frame["value"],
                         "_row": frame["_row"], "_column": frame["_column"]})
    return ParsedFile(path.name, places,
                      [release(path.name, [part], SDMX_VINTAGE, SDMX_SOURCE, len(raw))],
                      attributes, notes)


def _sdmx_long(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """The extract with one value per row: as it is when long, melted when wide."""
    if "TIME_PERIOD" in frame and "OBS_VALUE" in frame:
        return frame.assign(_column="OBS_VALUE")
    periods = [c for c in frame.columns if _PERIOD_COLUMN.match(c)]
    if not periods:
        raise ValidationError(Problem(file=file, reason="neither TIME_PERIOD and OBS_VALUE columns "
                                      "(long form) nor one column per year (wide form)"))
    keep = [c for c in frame.columns if c not in periods]
    long = frame.melt(id_vars=keep, value_vars=periods, var_name="TIME_PERIOD", value_name="OBS_VALUE")
    long["_column"] = long["TIME_PERIOD"]
    # a blank cell in a wide table is a period the series has no value for
    return long[long["OBS_VALUE"] != ""].sort_values(["_row", "TIME_PERIOD"], kind="stable")


def _national_currencies(
    frame: pd.DataFrame, file: str, problems: list[Problem]
) -> list[tuple[str, str, str]]:
    """Each country's national currency, from its national-currency (``XDC``) rows."""
    national = frame[frame["UNIT_MEASURE"].str.startswith("XDC")]
    attributes = []
    for country, group in national.groupby("COUNTRY"):
        found = sorted(set(group["CURRENCY"]) - {"", "_Z"})
        if len(found) > 1:
            problems.append(Problem(file=file, row=int(group["_row"].iloc[0]), column="CURRENCY",
                                    value=found, reason=f"{country} has two national currencies"))
        elif found:
            attributes.append((str(country), "currency", found[0]))
    return attributes


def _countries_of(
    frame: pd.DataFrame, file: str, code_column: str, country_column: str,
    problems: list[Problem], notes: list[str], *, trust_column: bool = False,
) -> dict[str, str]:
    """The country of each code, read from the code; where the file's country column names
    another country, the code wins and a note says so (the Regional Outlook file lists the Swiss
    Basel metropolitan unit, ``CH003M``, under Germany)."""
    out: dict[str, str] = {}
    corrected = []
    first = frame.drop_duplicates(code_column)[[code_column, country_column, "_row"]]
    for code, listed, row in first.itertuples(index=False):
        from_code = country_of_oecd(str(code))
        if from_code is None and trust_column and listed in countries():
            from_code = listed
        if from_code is None:
            problems.append(Problem(file=file, row=int(row), column=code_column, value=code,
                                    reason="no OECD country has this code or prefix"))
            continue
        if listed and listed != from_code:
            corrected.append(f"{code} (listed under {listed}, in {from_code} by its code)")
        out[str(code)] = from_code
    if corrected:
        notes.append("countries read from the codes where the file lists another: " + "; ".join(corrected))
    return out
