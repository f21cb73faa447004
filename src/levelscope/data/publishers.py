"""Parsers for official publishers' own file layouts.

Each parser knows one release format — where its table starts, which column is which, how it
marks missing values, its release date — and returns :class:`Release` objects (tidy rows plus
everything excluded, with reasons) that :func:`levelscope.data.importers.import_frame` validates
and writes. These are the layouts users bring, so each is declared here once and tested against
the real files.

Formats:
- ONS *Subnational indicators explorer* dataset (``subnatindicators.xlsx``): one sheet per metric
  with a metadata block (Metric / Date / Coverage / Geography) above a table headed
  ``Area Code``, confidence bounds where they exist, and notes that mark obsolete codes.
- ONS *Regional GVA (balanced) by industry* tables (``Table 1b … .csv``): wide, one column per
  year, numbers with thousands separators.
- ONS *Subregional productivity* workbooks (``labourproductivity*.xls``): legacy Excel with
  title rows above wide tables (``Pounds_2004`` …).
- Nomis population export (``lad_pop.csv``): title lines above the header, ``-`` for missing,
  footnotes after the table.
- Nomis API CSV (what ``levelscope fetch nomis …`` mirrors): one row per place and date under
  the header ``DATE, GEOGRAPHY_CODE, GEOGRAPHY_NAME, OBS_VALUE, OBS_STATUS``, an empty value
  for a missing figure; no release date in the file (the mirror's manifest holds it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pandas as pd

from levelscope.data import codes
from levelscope.data.layout import Layout, extract
from levelscope.data.model import Geography, Level
from levelscope.data.periods import parse_period
from levelscope.data.readers import RawRow, read_rows, read_workbook
from levelscope.errors import Problem, ValidationError


@dataclass
class Release:
    """Tidy values from one table of a publisher's release, ready to validate and import."""

    file: str
    values: pd.DataFrame
    vintage: dt.date
    source: str
    rows_read: int
    excluded: list[Problem] = field(default_factory=list)
    unit: str | None = None


@dataclass
class Parsed:
    """What a publisher's file holds: its places and its values."""

    geographies: dict[str, Geography]
    releases: list[Release]


# --- ONS Subnational indicators explorer --------------------------------------------------------

#: Sheet of the explorer workbook → catalogue indicator. The GB and NI versions of a metric are
#: one indicator: the data dictionary defines them identically and their areas do not overlap.
EXPLORER_SHEETS: dict[str, str] = {
    "GVA per hour": "gva_per_hour_worked",
    "Weekly pay": "weekly_pay",
    "Employment rate": "employment_rate",
    "Employment rate (NI)": "employment_rate",
    "Unemployment rate": "unemployment_rate",
    "GDHI per head": "gdhi_per_head",
    "New enterprises": "enterprise_births",
    "Deaths of enterprises": "enterprise_deaths",
    "Active enterprises": "active_enterprises",
    "High growth enterprises": "high_growth_enterprises",
    "UK exports": "exports_value",
    "Inward FDI": "inward_fdi",
    "Outward FDI": "outward_fdi",
    "Goverment R&D": "public_rd_spend",
    "Public transport to employer": "travel_time_public_transport",
    "Drive to employer": "travel_time_car",
    "Cycle to employer": "travel_time_cycle",
    "Broadband availability": "gigabit_broadband",
    "4G area coverage": "mobile_4g_coverage",
    "KS2 attainment": "ks2_expected_standard",
    "GCSE by age 19": "gcse_english_maths_19",
    "Ofsted": "schools_good_outstanding",
    "Persistent absences": "persistent_absence",
    "Persistent absences FSM": "persistent_absence_fsm",
    "Persistent absences CLA": "persistent_absence_cla",
    "Early years comms": "early_years_communication",
    "Early years literacy": "early_years_literacy",
    "Early years maths": "early_years_maths",
    "FE and skills achievements": "fe_achievements",
    "Apprenticeship starts": "apprenticeship_starts",
    "Apprenticeship achievements": "apprenticeship_achievements",
    "Level 3+ qualifications": "level3_qualifications",
    "Level 3+ qualifications (NI)": "level3_qualifications",
    "FE and skills participation": "fe_participation",
    "Female HLE": "healthy_life_expectancy_female",
    "Male HLE": "healthy_life_expectancy_male",
    "Smokers": "smoking_prevalence",
    "Reception obesity": "obesity_reception",
    "Year 6 obesity": "obesity_year6",
    "Adult obesity": "obesity_adult",
    "Cancer diagnosis": "cancer_early_diagnosis",
    "Under 75 mortality rate": "under75_preventable_circulatory_mortality",
    "Under 75 mortality rate (NI)": "under75_preventable_circulatory_mortality",
    "Life satisfaction": "life_satisfaction",
    "Worthwhile": "worthwhile",
    "Happiness": "happiness",
    "Anxiety": "anxiety",
    "Net additions": "net_additional_dwellings",
    "Homicide": "homicide_rate",
    "Devolution": "population_with_devolution_deal",
}

#: Name columns of the explorer tables and the level of the area named in each.
EXPLORER_NAME_COLUMNS: dict[str, Level] = {
    "Country": Level.COUNTRY,
    "Nation": Level.NATION,
    "Region": Level.REGION,
    "ITL Level 1": Level.ITL1,
    "ITL Level 2": Level.ITL2,
    "ITL Level 3": Level.ITL3,
    "County or Unitary Authority": Level.COUNTY,
    "Local Authority District": Level.LAD,
    "Combined Authority or City Region": Level.COMBINED_AUTHORITY,
    "Welsh Health Board": Level.HEALTH_BOARD,
    "Police Force Area": Level.POLICE_FORCE_AREA,
}
_NOT_VALUES = {"Notes", "Observation Status", "Data accuracy"}
_LOWER = "Lower 95% Confidence Interval"
_UPPER = "Upper 95% Confidence Interval"
_OBSOLETE = re.compile(r"Obsolete code since (\d{4})")
_QUALIFIER = re.compile(r"\s+(revised|provisional|final)$", re.I)
EXPLORER_SOURCE = "ONS, Subnational indicators explorer dataset"


def _metadata(rows: list[RawRow], header_index: int) -> dict[str, str]:
    return {
        str(r.cells[0]).strip().rstrip(":"): str(r.cells[1]).strip()
        for r in rows[:header_index]
        if r.cells and r.cells[0] and len(r.cells) > 1 and r.cells[1] is not None
    }


def explorer_release_date(rows: list[RawRow], file: str) -> dt.date:
    """The release date printed on the workbook's Notes sheet (``Release date:`` then a date)."""
    for here, below in pairwise(rows):
        if here.cells and str(here.cells[0]).strip().lower() == "release date:":
            value = below.cells[0]
            if isinstance(value, dt.datetime):
                return value.date()
            return dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    raise ValidationError(Problem(file=file, sheet="Notes", reason="no 'Release date:' found"))


def parse_explorer(path: Path) -> Parsed:
    """Read the ONS Subnational indicators explorer workbook (every metric sheet)."""
    book = read_workbook(path)
    vintage = explorer_release_date(book.get("Notes", []), path.name)
    geographies: dict[str, Geography] = {}
    releases = []
    for sheet, indicator in EXPLORER_SHEETS.items():
        if sheet not in book:
            raise ValidationError(Problem(file=path.name, sheet=sheet, reason="sheet missing"))
        rows = book[sheet]
        header_index = next(
            (i for i, r in enumerate(rows) if r.cells and r.cells[0] == "Area Code"), None
        )
        if header_index is None:
            raise ValidationError(
                Problem(file=path.name, sheet=sheet, reason="no table headed 'Area Code'")
            )
        header = [str(c).strip() if c is not None else "" for c in rows[header_index].cells]
        value_column = next(
            c for c in header[1:]
            if c and c not in EXPLORER_NAME_COLUMNS and c not in _NOT_VALUES
            and c not in (_LOWER, _UPPER)
        )
        period = _QUALIFIER.sub("", _metadata(rows, header_index).get("Date", ""))
        layout = Layout(
            header_row=rows[header_index].number,
            geography="Area Code",
            indicator=None,
            indicator_id=indicator,
            period=None,
            period_label=period,
            value=value_column,
            lower=_LOWER if _LOWER in header else None,
            upper=_UPPER if _UPPER in header else None,
            ends_at_blank_row=True,
        )
        table = extract(rows, layout, f"{path.name} [{sheet}]")
        values, stale = _drop_after_retirement(rows, header, table.values, period,
                                               f"{path.name} [{sheet}]")
        releases.append(
            Release(
                file=f"{path.name} [{sheet}]",
                values=values,
                vintage=vintage,
                source=EXPLORER_SOURCE,
                rows_read=table.rows_read,
                excluded=table.excluded + stale,
            )
        )
        _explorer_places(rows[header_index + 1 :], header, geographies)
    return Parsed(geographies, releases)


def _drop_after_retirement(
    rows: list[RawRow], header: list[str], values: pd.DataFrame, period: str, file: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Set aside values the workbook itself gives for codes it marks obsolete before the period.

    The explorer keeps publishing some figures under abolished codes (e.g. a county abolished in
    2020 in a 2023 table). A retired code cannot hold a value for a later period, so such rows
    are excluded and reported rather than attached to a place that no longer exists.
    """
    if "Notes" not in header:
        return values, []
    notes_at = header.index("Notes")
    start = parse_period(period).start
    stale: dict[int, tuple[str, str]] = {}
    for row in rows:
        note = row.cells[notes_at] if notes_at < len(row.cells) else None
        match = _OBSOLETE.search(str(note)) if note else None
        if match and dt.date(int(match[1]), 3, 31) < start:
            stale[row.number] = (str(row.cells[0]), str(note))
    drop = values["_row"].isin(list(stale))
    problems = [
        Problem(file=file, row=n, column="Area Code", value=code,
                reason="the publisher marks this code obsolete before the period "
                f"('{note.split('(')[0].strip()}')")
        for n, (code, note) in stale.items()
    ]
    return values[~drop], problems


def _explorer_places(rows: list[RawRow], header: list[str], into: dict[str, Geography]) -> None:
    notes_at = header.index("Notes") if "Notes" in header else None
    for row in rows:
        code = str(row.cells[0]).strip() if row.cells and row.cells[0] else ""
        if not code or code in into or code.lower() == "na":
            continue
        named = [
            (column, str(row.cells[i]).strip())
            for i, column in enumerate(header)
            if column in EXPLORER_NAME_COLUMNS and i < len(row.cells) and row.cells[i]
        ]
        if not named:
            continue
        column, name = named[0]
        level = codes.level_of(code) or EXPLORER_NAME_COLUMNS[column]
        retired = None
        note = row.cells[notes_at] if notes_at is not None and notes_at < len(row.cells) else None
        if note and (match := _OBSOLETE.search(str(note))):
            retired = dt.date(int(match[1]), 3, 31)  # boundary changes take effect on 1 April
        into[code] = Geography(code=code, name=name, level=level, valid_to=retired,
                               parents=_code_parents(code))


def _code_parents(code: str) -> tuple[str, ...]:
    parents = [codes.itl_parent(code), codes.nation_of(code)]
    return tuple(p for p in parents if p)


# --- ONS regional GVA by industry -----------------------------------------------------------------

GVA_TABLES = {"b": "gva_chained_volume", "c": "gva_current_prices"}
GVA_SOURCE = "ONS, Regional gross value added (balanced) by industry"
#: "Regional economic activity by gross domestic product, UK: 1998 to 2021", released 25 April 2023.
GVA_RELEASE = dt.date(2023, 4, 25)
_GVA_FILE = re.compile(r"^Table ([123])([bc]) ", re.I)


def parse_gva(path: Path, industries: tuple[str, ...] = ("Total",)) -> Parsed:
    """Read one ONS regional GVA by industry table (wide, ITL1, ITL2 or ITL3).

    Only the rows whose SIC07 code is in ``industries`` become observations (the whole economy by
    default); the others are reported as excluded.
    """
    match = _GVA_FILE.match(path.name)
    if not match:
        raise ValidationError(
            Problem(file=path.name, reason="not an ONS GVA table name ('Table 1b …' to 'Table 3c …')")
        )
    layout = Layout(
        form="wide",
        header_row=1,
        geography="ITL region code",
        indicator=None,
        indicator_id=GVA_TABLES[match[2].lower()],
        keep={"SIC07 code": list(industries)},
    )
    rows = read_rows(path)
    table = extract(rows, layout, path.name)
    places: dict[str, Geography] = {}
    for row in rows[1:]:
        code, name = str(row.cells[0]).strip(), str(row.cells[1]).strip()
        level = codes.level_of(code)
        if code and code not in places and level is not None:
            places[code] = Geography(code=code, name=name, level=level,
                                     parents=_code_parents(code))
    release = Release(path.name, table.values, GVA_RELEASE, GVA_SOURCE, table.rows_read,
                      table.excluded, unit=None)
    return Parsed(places, [release])


# --- ONS subregional productivity -----------------------------------------------------------------

PRODUCTIVITY_SHEETS = {"A3": "gva_per_hour_worked", "B3": "gva_per_filled_job",
                       "Productivity Hours": "hours_worked", "Productivity Jobs": "filled_jobs"}
#: The prefix of each sheet's year columns (``Pounds_2004``, ``Hours_2004``, ``Jobs_2002``).
_PRODUCTIVITY_YEARS = {"Productivity Hours": "Hours", "Productivity Jobs": "Jobs"}
PRODUCTIVITY_SOURCE = "ONS, Subregional productivity (June 2024)"
#: The workbooks name their edition ("June 2024 release") but not the day; the 1st is assumed.
PRODUCTIVITY_RELEASE = dt.date(2024, 6, 1)


def parse_productivity(path: Path) -> Parsed:
    """Read a productivity .xls: the £-valued tables (A3 per hour worked, B3 per filled job) and the
    hours worked and filled jobs they divide by (the weights that combine them over areas)."""
    releases = []
    places: dict[str, Geography] = {}
    for sheet, indicator in PRODUCTIVITY_SHEETS.items():
        rows = read_rows(path, sheet)
        code_column = "LAD_Code" if any("LAD_Code" in r.cells for r in rows[:8]) else "ITL_code"
        layout = Layout(
            form="wide",
            sheet=sheet,
            geography=code_column,
            indicator=None,
            indicator_id=indicator,
            period_columns=rf"^{_PRODUCTIVITY_YEARS.get(sheet, 'Pounds')}_(\d{{4}})$",
            ends_at_blank_row=True,
        )
        table = extract(rows, layout, f"{path.name} [{sheet}]")
        releases.append(
            Release(f"{path.name} [{sheet}]", table.values, PRODUCTIVITY_RELEASE,
                    PRODUCTIVITY_SOURCE, table.rows_read, table.excluded)
        )
        header_at = next(i for i, r in enumerate(rows) if code_column in r.cells)
        header = list(rows[header_at].cells)
        name_at = header.index("LAD_Name" if code_column == "LAD_Code" else "Region_name")
        for row in rows[header_at + 1 :]:
            code = str(row.cells[header.index(code_column)]).strip()
            level = codes.level_of(code)
            if code and level is not None and code not in places:
                places[code] = Geography(code=code, name=str(row.cells[name_at]).strip(),
                                         level=level, parents=_code_parents(code))
    return Parsed(places, releases)


# --- Nomis population ---------------------------------------------------------------------------

NOMIS_SOURCE = "ONS, Population estimates - local authority based (Nomis)"
_NOMIS_DATE = re.compile(r"from Nomis on (\d{1,2} \w+ \d{4})")


def parse_nomis_population(path: Path) -> Parsed:
    """Read a Nomis CSV export of mid-year population by local authority (wide by year).

    The vintage is the extraction date Nomis prints in the title lines.
    """
    rows = read_rows(path)
    stamp = next((m[1] for r in rows[:6] for c in r.cells if (m := _NOMIS_DATE.search(str(c)))), None)
    if stamp is None:
        raise ValidationError(Problem(file=path.name, reason="no 'from Nomis on <date>' title line"))
    vintage = dt.datetime.strptime(stamp, "%d %B %Y").date()
    layout = Layout(
        form="wide",
        geography="mnemonic",
        indicator=None,
        indicator_id="population",
        period_columns=r"^(\d{4})$",
        ends_at_blank_row=True,
    )
    table = extract(rows, layout, path.name)
    header_at = next(i for i, r in enumerate(rows) if "mnemonic" in r.cells)
    places: dict[str, Geography] = {}
    for row in rows[header_at + 1 :]:
        if len(row.cells) < 2 or not row.cells[1]:
            break
        code, name = str(row.cells[1]).strip(), str(row.cells[0]).strip()
        level = codes.level_of(code)
        if level is not None:
            places[code] = Geography(code=code, name=name, level=level,
                                     parents=_code_parents(code))
    release = Release(path.name, table.values, vintage, NOMIS_SOURCE, table.rows_read,
                      table.excluded)
    return Parsed(places, [release])



def parse_nomis_api(path: Path, vintage: dt.date, indicator: str = "population",
                    source: str = NOMIS_SOURCE) -> Parsed:
    """Read a Nomis API CSV answer (long: one row per place and date) as one release.

    The answer does not date itself, so ``vintage`` is the release date recorded when it was
    fetched (Nomis's ``LastUpdated``). Places are named as the answer names them.
    """
    from levelscope.data.fetch.datasets import NOMIS_COLUMNS

    rows = read_rows(path)
    header = [str(c).strip().upper() for c in rows[0].cells] if rows else []
    if header[: len(NOMIS_COLUMNS)] != list(NOMIS_COLUMNS):
        raise ValidationError(Problem(file=path.name, row=1, reason="not a Nomis API answer: "
                                      f"expected the columns {', '.join(NOMIS_COLUMNS)}"))
    layout = Layout(form="long", geography="GEOGRAPHY_CODE", indicator=None,
                    indicator_id=indicator, period="DATE", value="OBS_VALUE")
    table = extract(rows, layout, path.name)
    places: dict[str, Geography] = {}
    code_at, name_at = header.index("GEOGRAPHY_CODE"), header.index("GEOGRAPHY_NAME")
    for row in rows[1:]:
        code, name = str(row.cells[code_at]).strip(), str(row.cells[name_at]).strip()
        level = codes.level_of(code)
        if level is not None and code not in places:
            places[code] = Geography(code=code, name=name, level=level, parents=_code_parents(code))
    release = Release(path.name, table.values, vintage, source, table.rows_read, table.excluded)
    return Parsed(places, [release])
