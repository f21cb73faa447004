"""Imports: every validation rule, atomicity, idempotence, vintages, layouts and round trips.

Each bad file must fail with a message naming the file, row, column and value, and leave the
workspace exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from levelscope.data import Geography, Indicator, Layout, Level, Workspace
from levelscope.errors import ValidationError


@pytest.fixture()
def ws() -> Iterator[Workspace]:
    workspace = Workspace.open(":memory:")
    workspace.add_geographies(
        [
            Geography(code="E06000001", name="Hartlepool", level=Level.LAD),
            Geography(code="E06000002", name="Middlesbrough", level=Level.LAD),
            Geography(code="E07000026", name="Allerdale", level=Level.LAD,
                      valid_to=dt.date(2023, 3, 31)),
        ]
    )
    workspace.add_indicators(
        [
            Indicator(id="pay", name="Weekly pay", unit="£ per week"),
            Indicator(id="jobs", name="Jobs", unit="jobs", aggregation="sum"),
        ]
    )
    yield workspace
    workspace.close()


def snapshot(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    obs = ws.con.execute("SELECT * EXCLUDE (import_id) FROM observation ORDER BY ALL").df()
    log = ws.con.execute("SELECT id, file FROM import_log ORDER BY id").df()
    return obs, log


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


GOOD = """
geography_code,indicator_id,period,value,lower,upper
E06000001,pay,2023,500.5,490,511
E06000002,pay,2023,"1,020.25",,
E06000001,jobs,2022/23,"41,000",,
E06000002,jobs,2022/23,x,,
"""


def test_the_importers_old_workspace_keyword_still_imports(ws: Workspace, tmp_path: Path) -> None:
    from levelscope.data.importers import import_file

    with pytest.warns(FutureWarning, match="'workspace' is now called 'ws'"):
        report = import_file(workspace=ws, path=write_csv(tmp_path / "good.csv", GOOD), vintage="2024-01-10")
    assert report.values_written == 3 and len(ws.observations(indicator="pay")) == 2


def test_long_csv_imports_with_report(ws: Workspace, tmp_path: Path) -> None:
    report = ws.import_file(write_csv(tmp_path / "good.csv", GOOD), vintage="2024-01-10")
    assert (report.values_read, report.values_written, report.values_unchanged) == (4, 3, 0)
    assert report.values_skipped == 1
    assert report.skipped[0].row == 5 and report.skipped[0].value == "x"
    assert "missing-value marker 'x'" in report.skipped[0].reason
    obs = ws.observations(indicator="pay").set_index("geography_code")
    assert obs.loc["E06000002", "value"] == 1020.25  # thousands separator read
    assert (obs.loc["E06000001", "lower"], obs.loc["E06000001", "upper"]) == (490, 511)
    jobs = ws.observations(indicator="jobs")
    assert jobs["period"].tolist() == ["2022/23"] and jobs["value"].tolist() == [41000.0]
    assert jobs["year"].tolist() == [2023]


@pytest.mark.parametrize(
    ("name", "text", "row", "column", "value", "reason"),
    [
        ("unknown_code.csv", "geography_code,indicator_id,period,value\nE06000999,pay,2023,5",
         2, "geography_code", "E06000999", "unknown geography code"),
        ("retired_code.csv", "geography_code,indicator_id,period,value\nE07000026,pay,2023/24,5",
         2, "geography_code", "E07000026", "retired geography code: it ceased on 2023-03-31"),
        ("empty_code.csv", "geography_code,indicator_id,period,value\n,pay,2023,5",
         2, "geography_code", "", "empty geography code"),
        ("unknown_indicator.csv", "geography_code,indicator_id,period,value\nE06000001,wage,2023,5",
         2, "indicator_id", "wage", "unknown indicator"),
        ("not_numeric.csv", "geography_code,indicator_id,period,value\nE06000001,pay,2023,5\n"
         "E06000002,pay,2023,five", 3, "value", "five", "not a number"),
        ("bad_bound.csv", "geography_code,indicator_id,period,value,lower,upper\n"
         "E06000001,pay,2023,5,abc,6", 2, "lower", "abc", "not a number"),
        ("bound_above.csv", "geography_code,indicator_id,period,value,lower,upper\n"
         "E06000001,pay,2023,5,6,7", 2, "lower", 6.0, "lower confidence bound is above the value"),
        ("bad_month.csv", "geography_code,indicator_id,period,value\nE06000001,pay,2023-13,5",
         2, "period", "2023-13", "month 13 does not exist"),
        ("future.csv", "geography_code,indicator_id,period,value\nE06000001,pay,2031,5",
         2, "period", "2031", "starts after the release date"),
        ("duplicate.csv", "geography_code,indicator_id,period,value\nE06000001,pay,2023,5\n"
         "E06000001,pay,2023,6", 3, "value", 6.0, "duplicate key"),
    ],
)
def test_each_rule_rejects_and_writes_nothing(
    ws: Workspace, tmp_path: Path, name: str, text: str, row: int, column: str, value: object,
    reason: str,
) -> None:
    ws.import_file(write_csv(tmp_path / "first.csv", GOOD), vintage="2024-01-10")
    before = snapshot(ws)
    with pytest.raises(ValidationError) as caught:
        ws.import_file(write_csv(tmp_path / name, text), vintage="2024-06-01")
    problem = next(p for p in caught.value.problems if reason in p.reason)
    assert (problem.file, problem.row, problem.column, problem.value) == (name, row, column, value)
    assert name in str(caught.value) and f"row {row}" in str(caught.value)
    after = snapshot(ws)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def test_unit_clash_is_refused(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "thousands.csv", "geography_code,indicator_id,period,value\n"
                     "E06000001,pay,2023,0.5")
    with pytest.raises(ValidationError, match="clashes with indicator 'pay'"):
        ws.import_file(path, Layout(unit="£ thousand per week"), vintage="2024-01-01")
    ws.import_file(path, Layout(unit="£ per week"), vintage="2024-01-01")  # same unit: fine
    assert ws.counts()["observation"] == 1


def test_all_problems_reported_at_once(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "many.csv", "geography_code,indicator_id,period,value\n"
                     "E06000999,pay,2023,5\nE06000001,pay,2023,abc\nE06000002,pay,20233,1")
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, vintage="2024-01-01")
    assert sorted(p.row for p in caught.value.problems) == [2, 3, 4]


def test_exact_duplicate_rows_are_skipped_and_reported(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dupes.csv", "geography_code,indicator_id,period,value\n"
                     "E06000001,pay,2023,5\nE06000001,pay,2023,5.0")
    report = ws.import_file(path, vintage="2024-01-01")
    assert report.values_written == 1
    assert [(p.row, p.reason) for p in report.skipped] == [(3, "exact duplicate of row 2")]


def test_reimport_is_idempotent(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "good.csv", GOOD)
    ws.import_file(path, vintage="2024-01-10")
    before = snapshot(ws)
    again = ws.import_file(path, vintage="2024-01-10")
    assert (again.values_written, again.values_unchanged, again.values_skipped) == (0, 3, 1)
    after = snapshot(ws)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def test_changed_value_in_same_vintage_is_refused(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file(write_csv(tmp_path / "a.csv", GOOD), vintage="2024-01-10")
    revised = GOOD.replace("500.5", "502.0")
    with pytest.raises(ValidationError, match="import a revision with a new vintage"):
        ws.import_file(write_csv(tmp_path / "b.csv", revised), vintage="2024-01-10")


def test_vintages_are_kept_and_as_of_reads_history(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file(write_csv(tmp_path / "v1.csv", GOOD), vintage="2024-01-10")
    revised = GOOD.replace("500.5,490,511", "502.0,492,512")
    report = ws.import_file(write_csv(tmp_path / "v2.csv", revised), vintage="2024-06-10")
    assert report.values_written == 3  # a new release is written whole
    assert ws.vintages("pay") == [dt.date(2024, 1, 10), dt.date(2024, 6, 10)]

    def hartlepool_pay(**kw: object) -> float:
        frame = ws.observations(indicator="pay", geographies=["E06000001"], **kw)
        assert len(frame) == 1
        return float(frame["value"].iloc[0])

    assert hartlepool_pay() == 502.0
    assert hartlepool_pay(as_of="2024-06-10") == 502.0
    assert hartlepool_pay(as_of="2024-06-09") == 500.5
    assert hartlepool_pay(as_of=dt.date(2024, 1, 10)) == 500.5
    assert ws.observations(indicator="pay", as_of="2023-12-31").empty


def test_wide_csv_with_title_lines_and_footnotes(ws: Workspace, tmp_path: Path) -> None:
    text = (
        '"Jobs by area"\n"Source: a publisher"\n\n'
        'Area,Code,2019,2020,2021\n'
        'Hartlepool,E06000001,"1,200",-,"1,300"\n'
        'Middlesbrough,E06000002,900,950,[c]\n'
        '\n"-","missing"\n"[c]","confidential"\n'
    )
    layout = Layout(form="wide", geography="Code", indicator=None, indicator_id="jobs",
                    ends_at_blank_row=True)
    report = ws.import_file(write_csv(tmp_path / "wide.csv", text), layout, vintage="2024-01-01")
    assert (report.rows_read, report.values_read, report.values_written) == (2, 6, 4)
    assert sorted(p.value for p in report.skipped) == ["-", "[c]"]
    assert [p.row for p in report.excluded_rows] == [8, 9]  # footnote lines
    frame = ws.observations(indicator="jobs").pivot(index="geography_code", columns="period",
                                                     values="value")
    assert frame.loc["E06000001", "2019"] == 1200 and frame.loc["E06000001", "2021"] == 1300
    assert frame.loc["E06000002", "2020"] == 950


def test_excel_with_metadata_block(ws: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Pay"
    sheet.append(["Metric:", "Weekly pay"])
    sheet.append(["Date:", "2023"])
    sheet.append([])
    sheet.append(["Area Code", "Name", "Pay (£)", "Lower", "Upper"])
    sheet.append(["E06000001", "Hartlepool", 512.3, 500.1, 524.5])
    sheet.append(["E06000002", "Middlesbrough", 498.0, "na", "na"])
    path = tmp_path / "pay.xlsx"
    book.save(path)
    layout = Layout(sheet="Pay", geography="Area Code", indicator=None, indicator_id="pay",
                    period=None, period_label="2023", value="Pay (£)", lower="Lower",
                    upper="Upper")
    report = ws.import_file(path, layout, vintage="2024-03-21")
    assert report.values_written == 2
    obs = ws.observations(indicator="pay").set_index("geography_code")
    assert obs.loc["E06000001", "upper"] == 524.5
    assert pd.isna(obs.loc["E06000002", "lower"])  # 'na' bound is absent, not zero


def test_bad_excel_value_names_sheet_row_and_column(ws: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Area Code", "Pay"])
    sheet.append(["E06000001", "12O"])  # letter O typed for zero
    path = tmp_path / "typo.xlsx"
    book.save(path)
    layout = Layout(geography="Area Code", indicator=None, indicator_id="pay", period=None,
                    period_label="2023", value="Pay")
    with pytest.raises(ValidationError) as caught:
        ws.import_file(path, layout, vintage="2024-01-01")
    assert str(caught.value.problems[0]) == (
        "typo.xlsx, sheet 'Sheet', row 2, column 'Pay': value '12O': not a number: a value must "
        "be numeric"
    )


def test_missing_column_is_named(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cols.csv", "geography_code,indicator_id,year,value\nE06000001,pay,2023,1")
    with pytest.raises(ValidationError, match="column 'period': column not found"):
        ws.import_file(path, vintage="2024-01-01")


def test_round_trip_csv_and_parquet(ws: Workspace, tmp_path: Path) -> None:
    ws.import_file(write_csv(tmp_path / "good.csv", GOOD), vintage="2024-01-10")
    original = ws.observations()
    for suffix in ("csv", "parquet"):
        target = tmp_path / f"export.{suffix}"
        assert ws.export(target) == 3
        fresh = Workspace.open(":memory:")
        fresh.add_geographies(ws.geography(c) for c in ("E06000001", "E06000002", "E07000026"))
        fresh.add_indicators(ws.indicator(i) for i in ("pay", "jobs"))
        report = fresh.import_file(target)  # vintage read from the file
        assert report.vintage == dt.date(2024, 1, 10)
        again = fresh.observations()
        columns = ["geography_code", "indicator_id", "period", "value", "lower", "upper",
                   "vintage"]
        pd.testing.assert_frame_equal(original[columns], again[columns])
        fresh.close()


def test_vintage_defaults_to_today_and_says_so(ws: Workspace, tmp_path: Path) -> None:
    report = ws.import_file(write_csv(tmp_path / "good.csv", GOOD))
    assert report.vintage == dt.date.today() and report.vintage_assumed
    assert "assumed" in str(report)
