"""The OECD and Eurostat files are read as published: codes, levels, units, multipliers, countries."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from levelscope import Workspace
from levelscope.data.international import (
    load_international,
    parse_country_tl2,
    parse_eurostat,
    parse_sdmx,
    parse_tl3,
)
from levelscope.data.international.load import register
from levelscope.data.model import Level
from levelscope.errors import ValidationError


@pytest.fixture(scope="module")
def folder(shared_data: Path) -> Path:
    return shared_data / "international"


def _values(parsed, indicator: str, code: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    frame = pd.concat([r.values for r in parsed.releases])
    rows = frame[(frame["indicator_id"] == indicator) & (frame["geography_code"] == code)]
    return {str(p): float(v) for p, v in zip(rows["period"], rows["value"], strict=True)}


def test_tl3_file_levels_countries_and_typology(folder: Path) -> None:
    parsed = parse_tl3(folder / "oecd_tl3_gdppc_pop_2000_2020.csv")
    places = {p.code: p for p in parsed.places}
    assert len(places) == 1336
    assert places["DE008M"].level == Level.OECD_METRO and places["DE008M"].country == "DEU"
    assert places["FRG01"].level == Level.OECD_TL3 and places["FRG01"].name == "Loire-Atlantique"
    # The file lists the Basel unit (the two Swiss cantons) under Germany; its code says CHE.
    assert places["CH003M"].country == "CHE"
    assert any("CH003M (listed under DEU, in CHE" in n for n in parsed.notes)
    # Lörrach has neither name nor country in the file; its code places it in Germany.
    assert places["DE139"].country == "DEU" and places["DE139"].name is None
    attributes = {(c, a): v for c, a, v in parsed.attributes}
    assert attributes[("FRG01", "metro_typology")] == "MR-M"
    assert attributes[("FRG01", "functional_urban_area")] == "FR008M"
    assert ("DE008M", "functional_urban_area") not in attributes  # a merged unit is its own area
    # The first row of the file: Vienna in 2000.
    assert _values(parsed, "oecd_gdp_per_head", "AT001MC")["2000"] == pytest.approx(53031.2367324806)
    assert _values(parsed, "oecd_population", "AT001MC")["2000"] == 2378930.0


def test_three_letter_tl2_codes_are_not_read_as_countries(folder: Path) -> None:
    """The reshaped OECD.Stat file labels Saxony (DED) and the other 3-letter TL2 codes CTRY."""
    parsed = parse_country_tl2(folder / "oecd_tl2_ctry_gdp_2005_2020.csv")
    places = {p.code: p for p in parsed.places}
    assert places["DED"].level == Level.OECD_TL2 and places["DED"].country == "DEU"
    assert places["DEU"].level == Level.COUNTRY
    assert places["ATZZ"].level == Level.EXTRA_REGIO
    assert any("41 TL2 region(s)" in n for n in parsed.notes)
    assert _values(parsed, "oecd_gdp_per_head", "GBR")["2019"] == 44930.0


SDMX_HEADER = ("TERRITORIAL_LEVEL,REF_AREA,MEASURE,PRICES,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,COUNTRY,"
               "OBS_STATUS,REF_YEAR_PRICE,UNIT_MULT,DECIMALS,CURRENCY")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sdmx_values_are_scaled_by_their_unit_multiplier(tmp_path: Path) -> None:
    file = _write(tmp_path / "sdmx.csv", [
        SDMX_HEADER,
        "TL2,DED,GDP,V,USD_PPP,2019,142500.5,DEU,A,_Z,6.0,0.0,USD",       # USD million already
        "TL2,DED,GDP,V,USD_PPP,2020,140000000.0,DEU,A,_Z,3.0,0.0,USD",   # USD thousand
        "TL2,DED,GDP,V,XDC_PS,2019,31000.0,DEU,A,_Z,0.0,0.0,EUR",
    ])
    parsed = parse_sdmx(file)
    gdp = _values(parsed, "oecd_reg_gdp_usd_ppp_current", "DED")
    assert gdp == {"2019": 142500.5, "2020": pytest.approx(140000.0)}
    assert ("DEU", "currency", "EUR") in parsed.attributes
    assert any("1 values rescaled" in n for n in parsed.notes)


def test_sdmx_problems_are_all_reported_with_row_and_column(tmp_path: Path) -> None:
    file = _write(tmp_path / "bad.csv", [
        SDMX_HEADER,
        "TL2,DED,GDP,Q,USD_PPP,2019,1.0,DEU,A,2010,6.0,0.0,USD",   # constant 2010 prices
        "TL2,DED,GDP,V,USD_PPP,2019,1.0,DEU,A,_Z,2.5,0.0,USD",     # not a power of ten
        "TL2,DED,GVA,V,USD_PPP,2019,1.0,DEU,A,_Z,6.0,0.0,USD",     # unknown measure
        "TL2,DED,GDP,V,USD_PPP_PS,2020,1.0,DEU,A,_Z,0.0,0.0,EUR",  # US dollars said to be euros
    ])
    with pytest.raises(ValidationError) as caught:
        parse_sdmx(file)
    text = str(caught.value)
    assert "row 2, column 'REF_YEAR_PRICE': value '2010'" in text
    assert "row 3, column 'UNIT_MULT': value '2.5'" in text
    assert "row 4" in text and "GVA/USD_PPP/V" in text
    assert "row 5, column 'CURRENCY'" in text


def test_sdmx_wide_form_reads_the_same_values_as_long(folder: Path, tmp_path: Path) -> None:
    long = pd.read_csv(folder / "oecd_reg_eco_gdp_pop_emp_2019_2020.csv", dtype=str)
    part = long[long["COUNTRY"].isin(["DEU", "GBR"])].drop(columns=["OBS_STATUS", "DECIMALS"])
    keys = [c for c in part.columns if c not in ("TIME_PERIOD", "OBS_VALUE")]
    wide = part.pivot_table(index=keys, columns="TIME_PERIOD", values="OBS_VALUE",
                            aggfunc="first").reset_index()
    wide.to_csv(tmp_path / "wide.csv", index=False)
    part.to_csv(tmp_path / "long.csv", index=False)
    from_wide = pd.concat([r.values for r in parse_sdmx(tmp_path / "wide.csv").releases])
    from_long = pd.concat([r.values for r in parse_sdmx(tmp_path / "long.csv").releases])
    key = ["geography_code", "indicator_id", "period"]
    merged = from_long.merge(from_wide, on=key, suffixes=("_long", "_wide"))
    assert len(merged) == len(from_long) == len(from_wide) > 5000
    assert (merged["value_long"].astype(float) == merged["value_wide"].astype(float)).all()


def test_eurostat_countries_aggregates_and_units(folder: Path, tmp_path: Path) -> None:
    parsed = parse_eurostat(folder / "eurostat_nuts2_indicators_2007_2020.csv")
    places = {p.code: p for p in parsed.places}
    assert places["GBR"].level == Level.COUNTRY and "UK" not in places
    assert places["GRC"].level == Level.COUNTRY and "EL" not in places
    assert places["DED5"].level == Level.NUTS2 and places["DED5"].country == "DEU"
    assert places["FRZZ"].level == Level.EXTRA_REGIO
    (release,) = parsed.releases
    assert {p.value for p in release.excluded} >= {"EU28", "EA19", "EU27_2020"}
    assert release.rows_read == 23801 == len(release.values) + len(release.excluded)

    header = "eurostat_table,variable,geo,year,unit,sex,age,na_item,value"
    bad = _write(tmp_path / "eu.csv", [header, "tgs00003,gdp_mio_eur,DED5,2018,MIO_NAC,,,,100.0",
                                       "tgs00003,gdp_mio_eur,Q9Q9,2018,MIO_EUR,,,,100.0"])
    with pytest.raises(ValidationError) as caught:
        parse_eurostat(bad)
    assert "row 2, column 'unit': value 'MIO_NAC'" in str(caught.value)
    assert "row 3, column 'geo': value 'Q9Q9'" in str(caught.value)


def test_places_merge_into_one_register_with_parents(folder: Path) -> None:
    parsed = [parse_tl3(folder / "oecd_tl3_gdppc_pop_2000_2020.csv"),
              parse_country_tl2(folder / "oecd_tl2_ctry_gdp_2005_2020.csv"),
              parse_eurostat(folder / "eurostat_nuts2_indicators_2007_2020.csv")]
    geographies, attributes, _ = register(parsed)
    places = {g.code: g for g in geographies}
    assert places["DE008M"].parents == ("DED", "DEU")           # principal city Leipzig, Saxony
    assert places["DED5"].parents == ("DED", "DEU")             # NUTS 2 Leipzig in Saxony
    assert places["US035"].parents == ("US39", "USA")           # Cleveland-Akron-Elyria, OH
    assert places["UKE32"].parents == ("UKE", "GBR")            # Sheffield, by its code
    assert places["AT11"].level == Level.OECD_TL2               # TL2 and NUTS 2 at once
    assert places["DE139"].name == "Lörrach"
    assert places["GBR"].name == "United Kingdom" and places["GBR"].level == Level.COUNTRY
    assert places["UKI1"].valid_to is not None                  # a NUTS 2010 code
    rules = {(c, a): v for c, a, v in attributes}
    assert rules[("DE008M", "tl2_rule")] == "principal city"
    assert rules[("US035", "tl2_rule")] == "state named first"
    assert rules[("UKE32", "tl2_rule")] == "code"


def test_loading_twice_writes_nothing_new(folder: Path, tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "intl.duckdb")
    subset = tmp_path / "files"
    subset.mkdir()
    (subset / "oecd_tl2_gdp_pop_2000_2020.csv").write_bytes(
        (folder / "oecd_tl2_gdp_pop_2000_2020.csv").read_bytes())
    first = load_international(ws, subset)
    again = load_international(ws, subset)
    assert first.values_written == 8148 * 3 and again.values_written == 0
    assert "oecd_tl3_gdppc_pop_2000_2020.csv" in first.missing
    saxony = ws.observations("oecd_gdp_per_head", geographies=["DED"]).set_index("period")["value"]
    assert saxony["2000"] == 26502.0
    assert ws.indicator("oecd_gdp_per_head").currency == "USD PPP"
    assert math.isclose(ws.observations("oecd_gdp", geographies=["DED"])["value"].iloc[0], 117740.0)
