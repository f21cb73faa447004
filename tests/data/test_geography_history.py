"""The code history: the changes the orders made, checked against the publishers' own files.

Every code in the shared files must resolve for its own year (the year of the boundaries the
publisher used); the explorer workbook's "Obsolete code since ... (replaced by ...)" notes must
agree with the history; the districts in use on a date must be exactly those of a file whose
boundaries are of that date.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import openpyxl
import pytest
import xlrd

from levelscope.data.geography import ChangeKind, CodeStatus, boundary_date, code_history
from levelscope.data.model import Level

HISTORY = code_history()
GSS = re.compile(r"^[EWSNK]\d{8}$")


def lad_pop_codes(shared_data: Path) -> list[str]:
    rows = csv.reader((shared_data / "uk_population" / "lad_pop.csv").read_text().splitlines())
    return [r[1] for r in rows if len(r) > 2 and GSS.match(r[1])]


def lad_2023_codes(shared_data: Path) -> list[str]:
    data = json.loads((shared_data / "boundaries" / "lad_2023" / "LADs_2023.geojson").read_text())
    return [f["properties"]["LAD23CD"] for f in data["features"]]


def deprivation_codes(shared_data: Path) -> list[str]:
    book = openpyxl.load_workbook(
        shared_data / "deprivation"
        / "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx",
        read_only=True,
    )
    return [r[0] for r in list(book["IMD"].iter_rows(values_only=True))[1:] if r[0]]


def fund_codes(shared_data: Path, name: str) -> list[str]:
    with (shared_data / "funding" / "levelling_up_fund" / name).open(encoding="utf-8") as handle:
        codes = {c.strip() for row in csv.DictReader(handle) for c in row["LADs"].split(";")}
    return sorted(codes - {""})


def explorer_rows(shared_data: Path) -> list[tuple[str, str, str, str]]:
    """(sheet, code, period, note) for every area row of the explorer workbook."""
    book = openpyxl.load_workbook(shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx",
                                  read_only=True)
    out = []
    for sheet in book.sheetnames:
        rows = list(book[sheet].iter_rows(values_only=True))
        head = next((i for i, r in enumerate(rows) if r and r[0] == "Area Code"), None)
        if head is None:
            continue
        date = next(str(r[1]) for r in rows[:head] if r and r[0] == "Date:")
        notes = list(rows[head]).index("Notes") if "Notes" in rows[head] else None
        for r in rows[head + 1:]:
            if r and r[0] and GSS.match(str(r[0]).strip()):
                note = str(r[notes]) if notes is not None and r[notes] else ""
                out.append((sheet, str(r[0]).strip(), date, note))
    return out


def test_every_change_is_dated_sourced_and_joins_known_codes() -> None:
    assert len(HISTORY.changes) > 300
    for change in HISTORY.changes:
        old, new = HISTORY.record(change.predecessor), HISTORY.record(change.successor)
        assert change.instrument, change
        assert old.valid_to == change.effective - dt.timedelta(days=1), change
        assert new.valid_from is None or new.valid_from <= change.effective, change
    retired = [r for r in HISTORY if r.valid_to is not None and r.level == Level.LAD]
    assert all(HISTORY.successors(r.code) for r in retired), "a retired district with no successor"


@pytest.mark.parametrize(
    ("new", "old", "effective", "instrument"),
    [
        ("E06000052", ["E07000019", "E07000020", "E07000021", "E07000022", "E07000023", "E07000024"],
         "2009-04-01", "S.I. 2008/491"),
        ("E06000047", [f"E0700005{n}" for n in range(4, 10)] + ["E07000060"], "2009-04-01", "S.I. 2008/493"),
        ("E06000056", ["E07000001", "E07000003"], "2009-04-01", "S.I. 2008/907"),
        ("E06000058", ["E06000028", "E06000029", "E07000048"], "2019-04-01", "S.I. 2018/648"),
        ("E06000059", ["E07000049", "E07000050", "E07000051", "E07000052", "E07000053"], "2019-04-01",
         "S.I. 2018/648"),
        ("E07000244", ["E07000205", "E07000206"], "2019-04-01", "S.I. 2018/640"),
        ("E07000245", ["E07000201", "E07000204"], "2019-04-01", "S.I. 2018/639"),
        ("E07000246", ["E07000190", "E07000191"], "2019-04-01", "S.I. 2018/649"),
        ("E06000060", ["E07000004", "E07000005", "E07000006", "E07000007"], "2020-04-01", "S.I. 2019/957"),
        ("E06000061", ["E07000150", "E07000152", "E07000153", "E07000156"], "2021-04-01", "S.I. 2020/156"),
        ("E06000062", ["E07000151", "E07000154", "E07000155"], "2021-04-01", "S.I. 2020/156"),
        ("E06000063", ["E07000026", "E07000028", "E07000029"], "2023-04-01", "S.I. 2022/331"),
        ("E06000064", ["E07000027", "E07000030", "E07000031"], "2023-04-01", "S.I. 2022/331"),
        ("E06000065", [f"E0700016{n}" for n in range(3, 10)], "2023-04-01", "S.I. 2022/328"),
        ("E06000066", ["E07000187", "E07000188", "E07000189", "E07000246"], "2023-04-01", "S.I. 2022/329"),
        ("E07000240", ["E07000100"], "2012-04-01", "St Albans and Welwyn Hatfield"),
        ("E07000241", ["E07000104"], "2012-04-01", "St Albans and Welwyn Hatfield"),
        ("E07000242", ["E07000097"], "2013-04-01", "East Hertfordshire and Stevenage"),
        ("E07000243", ["E07000101"], "2013-04-01", "East Hertfordshire and Stevenage"),
        ("E08000037", ["E08000020"], "2013-04-01", "Gateshead and Northumberland"),
        ("E06000057", ["E06000048"], "2013-04-01", "Gateshead and Northumberland"),
        ("S12000047", ["S12000015"], "2018-02-02", "S.S.I. 2017/430"),
        ("S12000048", ["S12000024"], "2018-02-02", "S.S.I. 2017/430"),
        ("S12000049", ["S12000046"], "2019-04-01", "S.S.I. 2018/308"),
        ("S12000050", ["S12000044"], "2019-04-01", "S.S.I. 2018/308"),
    ],
)
def test_the_reorganisations_of_the_orders(new: str, old: list[str], effective: str, instrument: str) -> None:
    made = [c for c in HISTORY.predecessors(new) if HISTORY.record(c.predecessor).level == Level.LAD]
    assert sorted(c.predecessor for c in made) == sorted(old)
    assert {str(c.effective) for c in made} == {effective}
    assert all(instrument in c.instrument for c in made)
    assert HISTORY.record(new).valid_from == dt.date.fromisoformat(effective)


def test_counties_combined_authorities_and_itl_codes_that_changed() -> None:
    kinds = {(c.predecessor, c.successor): c.kind for c in HISTORY.changes}
    assert kinds[("E10000006", "E06000063")] == ChangeKind.SPLIT  # Cumbria county, 2023
    assert kinds[("E10000023", "E06000065")] == ChangeKind.RECODE  # North Yorkshire: same area
    assert kinds[("E10000002", "E06000060")] == ChangeKind.RECODE
    assert kinds[("E11000004", "E11000007")] == ChangeKind.RECODE  # Tyne and Wear, 2013
    assert kinds[("E47000005", "E47000011")] == ChangeKind.SPLIT  # North of Tyne, 2018
    assert kinds[("UKC11", "TLC11")] == ChangeKind.RECODE  # NUTS to ITL, 1 January 2021
    assert HISTORY.record("TLC11").valid_from == dt.date(2021, 1, 1)
    assert HISTORY.record("UKC11").valid_to == dt.date(2020, 12, 31)


def test_districts_in_force_match_the_files_of_each_boundary_year(shared_data: Path) -> None:
    in_force = lambda day, prefix="": {  # noqa: E731
        c for c in HISTORY.codes_in_force(day, Level.LAD) if c.startswith(prefix)
    }
    assert in_force(dt.date(2023, 12, 31)) == set(lad_2023_codes(shared_data))
    assert in_force(dt.date(2021, 4, 1)) == set(lad_pop_codes(shared_data))  # "as of April 2021"
    assert in_force(dt.date(2019, 12, 31), "E") == set(deprivation_codes(shared_data))
    assert len(in_force(dt.date(2008, 12, 31), "E")) == 354  # England before the 2009 unitaries


def test_explorer_obsolete_notes_agree_with_the_history(shared_data: Path) -> None:
    note = re.compile(r"Obsolete code since (\d{4}) \(replaced by (.+)\)")
    checked = 0
    for _, code, _, text in explorer_rows(shared_data):
        match = note.search(text)
        if not match:
            continue
        record = HISTORY.record(code)
        assert record.valid_to is not None and record.valid_to.year == int(match[1]), (code, text)
        # the workbook's notes are coarser than the orders: every Northamptonshire district is
        # "replaced by North Northamptonshire and West Northamptonshire", and Dorset county by
        # Dorset alone (Christchurch went to Bournemouth, Christchurch and Poole); they must
        # share a successor with the history
        named = set(re.findall(r"[EWSN]\d{8}", match[2]))
        successors = set(HISTORY.successors_on(code, dt.date(int(match[1]), 12, 31)))
        assert successors & named, (code, text)
        checked += 1
    assert checked > 100


def unresolved(codes: list[str], day: dt.date) -> list[str]:
    return sorted(c for c in codes if HISTORY.resolve(c, day).status != CodeStatus.IN_FORCE)


def test_every_code_in_the_shared_files_resolves_for_its_own_year(shared_data: Path) -> None:
    """Lists every code of a file that was not in use at the date of the file's boundaries."""
    problems = {
        "uk_population/lad_pop.csv (April 2021)": unresolved(lad_pop_codes(shared_data), dt.date(2021, 4, 1)),
        "deprivation File 10 (2019)": unresolved(deprivation_codes(shared_data), dt.date(2019, 12, 31)),
        "LADs_2023.geojson": unresolved(lad_2023_codes(shared_data), dt.date(2023, 12, 31)),
        "Levelling Up Fund round 1 (codes of April 2023)": unresolved(
            fund_codes(shared_data, "levelling-up-fund-round-1.csv"), dt.date(2023, 4, 1)),
        "Levelling Up Fund round 2 (codes of April 2023)": unresolved(
            fund_codes(shared_data, "levelling-up-fund-round-2.csv"), dt.date(2023, 4, 1)),
    }
    with (shared_data / "uk_population" / "mid2022_by_age" / "population-estimates.csv").open() as handle:
        codes = sorted({r["Area code"] for r in csv.DictReader(handle)})
    problems["mid-2022 population (2023 codes)"] = unresolved(codes, dt.date(2023, 12, 31))
    itl: set[str] = set()
    for table in (shared_data / "uk_gva_by_industry").glob("Table *.csv"):
        with table.open(encoding="utf-8-sig") as handle:
            itl |= {r["ITL region code"].strip() for r in csv.DictReader(handle)}
    problems["regional GVA tables (ITL 2021)"] = sorted(c for c in itl if c not in HISTORY)
    problems["GVA ITL codes in force 2021"] = unresolved(
        sorted(c for c in itl if c.startswith("TL")), dt.date(2021, 1, 1))
    book = xlrd.open_workbook(str(shared_data / "uk_productivity" / "labourproductivitylocalauthorities.xls"))
    sheet = book.sheet_by_name("A3")
    first = [str(sheet.row_values(i)[0]).strip() for i in range(sheet.nrows)]
    lads = [code for code in first if GSS.match(code)]
    problems["productivity by district (2023 districts)"] = unresolved(lads, dt.date(2023, 12, 31))
    # the explorer: each row's code in use for the start of its period, unless the publisher itself
    # marks it obsolete by then (those rows are excluded on import)
    bad = []
    for sheet_name, code, date, note in explorer_rows(shared_data):
        start = _period_start(date)
        status = HISTORY.resolve(code, start).status
        if status == CodeStatus.UNKNOWN or (status == CodeStatus.RETIRED and "Obsolete" not in note):
            bad.append(f"{sheet_name}: {code} ({status}) for {date}")
    problems["subnational indicators explorer"] = sorted(set(bad))
    assert {name: codes for name, codes in problems.items() if codes} == {}


def _period_start(date: str) -> dt.date:
    from levelscope.data.periods import parse_period

    label = re.sub(r"\s+(revised|provisional|final)$", "", date, flags=re.I)
    return parse_period(label).start


def test_resolution_names_successors_and_allows_back_series() -> None:
    gone = HISTORY.resolve("E07000026", dt.date(2024, 1, 1))
    assert gone.status == CodeStatus.RETIRED and [s.code for s in gone.successors] == ["E06000063"]
    assert "use E06000063 Cumberland" in gone.message()
    # a later code used for an earlier year (a back series on today's boundaries) is usable
    early = HISTORY.resolve("E06000063", dt.date(2015, 6, 30))
    assert early.status == CodeStatus.NOT_YET and early.usable
    # Taunton Deane → Somerset West and Taunton (2019) → Somerset (2023)
    assert HISTORY.successors_on("E07000190", dt.date(2024, 1, 1)) == ("E06000066",)
    assert HISTORY.carried_to("E07000190", dt.date(2020, 6, 30)) == "E07000246"
    assert HISTORY.carried_to("E10000006", dt.date(2024, 1, 1)) is None  # split: not carried
    assert HISTORY.carried_to("E08000037", dt.date(2012, 12, 31)) == "E08000020"  # recode undone
    assert boundary_date(2023) == dt.date(2023, 12, 31)


def test_lineage_follows_a_code_back_and_forward() -> None:
    """Somerset West and Taunton: formed in 2019, merged with its neighbours into Somerset in 2023
    (the lineage shows the whole of each change it is part of)."""
    table = HISTORY.lineage("E07000246")
    assert list(zip(table["predecessor"], table["successor"], strict=True)) == [
        ("E07000190", "E07000246"), ("E07000191", "E07000246"), ("E07000187", "E06000066"),
        ("E07000188", "E06000066"), ("E07000189", "E06000066"), ("E07000246", "E06000066"),
        ("E10000027", "E06000066"),
    ]
    assert set(table["instrument"]) >= {"The Somerset (Structural Changes) Order 2022 (S.I. 2022/329)"}
