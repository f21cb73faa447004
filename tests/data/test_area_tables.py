"""Area tables are read with the columns exports write, and older spellings still work."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from levelscope.data.area_tables import read_area_values
from levelscope.errors import ValidationError


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_an_export_reads_back_latest_period_per_area(tmp_path: Path) -> None:
    path = _write(tmp_path / "export.csv",
                  "geography_code,indicator_id,period,value,lower,upper,vintage,source\n"
                  "E1,population,2021,100,,,2024-06-05,ONS\nE1,population,2022,110,,,2024-06-05,ONS\n"
                  "E2,population,2022,50,,,2024-06-05,ONS\nE1,weekly_pay,2022,600,,,2024-03-21,ONS\n")
    population = read_area_values(path, indicator="population")
    assert population.to_dict() == {"E1": 110.0, "E2": 50.0}
    pay = read_area_values(path, indicator="weekly_pay")
    assert pay.to_dict() == {"E1": 600.0}


def test_older_column_names(tmp_path: Path) -> None:
    need = _write(tmp_path / "need.csv", "area,score\nE1,0.5\nE2,1.5\n")
    assert read_area_values(need, value_columns=("value", "score")).to_dict() == {"E1": 0.5, "E2": 1.5}
    population = _write(tmp_path / "pop.csv", "Code,population\nE1,10\n")
    assert read_area_values(population, value_columns=("value", "population")).to_dict() == {"E1": 10.0}


def test_excel_and_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"geography_code": ["E1", "E2"], "value": [1.0, 2.0]})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    for name in ("t.xlsx", "t.parquet"):
        assert read_area_values(tmp_path / name).to_dict() == {"E1": 1.0, "E2": 2.0}


def test_problems_name_file_row_and_value(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", "geography_code,value\nE1,10\nE2,ten\n")
    with pytest.raises(ValidationError, match=r"bad.csv, row 3, column 'value': value 'ten': not a number"):
        read_area_values(bad)
    twice = _write(tmp_path / "twice.csv", "geography_code,value\nE1,10\nE1,11\n")
    with pytest.raises(ValidationError, match=r"row 3, column 'geography_code': value 'E1'"):
        read_area_values(twice)
    missing = _write(tmp_path / "missing.csv", "geography_code,amount\nE1,10\n")
    with pytest.raises(ValidationError, match="no column 'value'"):
        read_area_values(missing)
    other = _write(tmp_path / "other.csv", "geography_code,indicator_id,value\nE1,pay,10\n")
    with pytest.raises(ValidationError, match="no rows of indicator 'population'"):
        read_area_values(other, indicator="population")
