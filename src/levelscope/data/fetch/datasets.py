"""What can be fetched: each publisher's datasets, where they are, and how they are read.

A :class:`Dataset` knows its publisher's URL for a selection (geography, dates), the format of
the answer, the licence, where the publisher states its release date, and which of levelscope's
validated importers reads it. The readers are the ones ``levelscope import`` and the demo use:
a :class:`~levelscope.data.layout.Layout` for Nomis's CSV API and the ONS parsers of
:mod:`levelscope.data.publishers` for ONS workbooks.

Publishers (and their interfaces):

- **Nomis** (``https://www.nomisweb.co.uk/api/v01``): ``dataset/ID.data.csv`` with ``geography``,
  ``date`` and the dataset's own dimensions as query parameters, and ``select`` naming the
  columns (``DATE, GEOGRAPHY_CODE, GEOGRAPHY_NAME, OBS_VALUE, OBS_STATUS``), page by page with
  ``recordoffset`` and ``recordlimit`` (at most 25,000 rows a call); the release date is the
  ``LastUpdated`` annotation of ``dataset/ID.def.sdmx.json``.
- **ONS** (``https://www.ons.gov.uk``): dataset files under ``/file?uri=…``; the release date is
  the one the workbook prints (the explorer's metadata block), else the answer's
  ``Last-Modified``. The **ONS API** (``https://api.beta.ons.gov.uk/v1``): a dataset's edition
  links its latest version, whose document gives the CSV (V4 form) and the release date
  (:mod:`~levelscope.data.fetch.ons_api`).
- **OECD** (``https://sdmx.oecd.org/public/rest``): SDMX REST ``data/AGENCY,DATAFLOW,/all`` with
  ``format=csvfile`` (SDMX-CSV) and ``startPeriod`` / ``endPeriod``; dated by the answer's
  ``Last-Modified``, else the day it was retrieved.
- **Eurostat** (``https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1``): SDMX REST
  ``data/TABLE`` with ``format=SDMX-CSV``; dated by the answer's ``LAST UPDATE`` column.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from levelscope.data.fetch.ons_api import ONS_API, V4Selection, read_v4
from levelscope.errors import FetchError, NotFoundError

if TYPE_CHECKING:
    from levelscope.data.importers import ImportReport
    from levelscope.data.publishers import Parsed
    from levelscope.data.store import Workspace

OGL = "Open Government Licence v3.0"
NOMIS_API = "https://www.nomisweb.co.uk/api/v01"
ONS_SITE = "https://www.ons.gov.uk"
#: The columns asked of Nomis (``select``), in the order it answers them.
NOMIS_COLUMNS = ("DATE", "GEOGRAPHY_CODE", "GEOGRAPHY_NAME", "OBS_VALUE", "OBS_STATUS")
#: Nomis geography type of local authority districts and unitary authorities (as of April 2021),
#: the geography of its mid-year population export.
NOMIS_DISTRICTS = "TYPE424"


@dataclass(frozen=True)
class Dataset:
    """One fetchable dataset.

    Parameters
    ----------
    source, name:
        How the command line names it (``levelscope fetch nomis population``).
    title, publisher, licence:
        What it is, who publishes it and under which terms (shown by ``levelscope sources``
        and kept in the mirror's manifest).
    indicators:
        The catalogue indicators it fills.
    suffix:
        File suffix of the answer (``.csv``, ``.xlsx``).
    selection:
        Default query parameters, which ``fetch`` options override (Nomis: ``geography``,
        ``date`` and the dataset's own dimensions).
    path:
        The dataset's path under the publisher's base URL.
    reader:
        How the answer is read (:data:`READERS`).
    base:
        The interface's base URL where it is not the publisher's usual one (the ONS API).
    v4:
        For the ONS API's V4 CSV: which rows are which indicator.
    """

    source: str
    name: str
    title: str
    publisher: str
    licence: str
    indicators: tuple[str, ...]
    suffix: str
    path: str
    selection: dict[str, str] = field(default_factory=dict)
    reader: str = "nomis"
    base: str | None = None
    v4: V4Selection | None = None

    @property
    def key(self) -> str:
        return f"{self.source} {self.name}"

    @property
    def paged(self) -> bool:
        """Whether the publisher answers in pages (Nomis's CSV API: ``recordoffset`` and
        ``recordlimit``, at most 25,000 rows a call without an account)."""
        return self.reader == "nomis"

    def url(self, base: str, selection: dict[str, str] | None = None) -> str:
        """The URL of the data for ``selection`` (merged over the defaults)."""
        chosen = {**self.selection, **(selection or {})}
        if self.reader == "ons-api":  # the edition's document, or the version's
            edition = f"{base.rstrip('/')}/{self.path}/editions/{chosen.get('edition', 'time-series')}"
            return edition + (f"/versions/{chosen['version']}" if "version" in chosen else "")
        if self.reader in SDMX_READERS and "date" in chosen:  # 2015-2020 → SDMX's period range
            first, _, last = chosen.pop("date").partition("-")
            chosen.update({"startPeriod": first, **({"endPeriod": last} if last else {})})
        if self.reader == "nomis":
            chosen["select"] = ",".join(c.lower() for c in NOMIS_COLUMNS)
        query = f"?{urlencode(chosen, safe=',')}" if chosen else ""
        return f"{base.rstrip('/')}/{self.path}{query}"

    def release_url(self, base: str) -> str | None:
        """Where the publisher states the release date, if apart from the data."""
        if self.reader == "nomis":
            dataset_id = self.path.split("/")[1].split(".")[0]
            return f"{base.rstrip('/')}/dataset/{dataset_id}.def.sdmx.json"
        return None


def _nomis(name: str, dataset_id: str, title: str, indicator: str, **dimensions: str) -> Dataset:
    return Dataset(
        source="nomis", name=name, title=title, publisher="ONS via Nomis", licence=OGL,
        indicators=(indicator,), suffix=".csv", path=f"dataset/{dataset_id}.data.csv",
        selection={"geography": NOMIS_DISTRICTS, "date": "latest", **dimensions},
    )


def _ons(name: str, path: str, title: str, indicators: tuple[str, ...], reader: str) -> Dataset:
    return Dataset(source="ons", name=name, title=title, publisher="Office for National Statistics",
                   licence=OGL, indicators=indicators, suffix=Path(path).suffix, path=path,
                   reader=reader)


#: What a subregional productivity workbook fills: GVA per hour worked and per filled job, and
#: the hours worked and filled jobs that weight them.
PRODUCTIVITY_INDICATORS = ("gva_per_hour_worked", "gva_per_filled_job", "hours_worked",
                           "filled_jobs")


def _explorer_indicators() -> tuple[str, ...]:
    from levelscope.data.publishers import EXPLORER_SHEETS

    return tuple(dict.fromkeys(EXPLORER_SHEETS.values()))


CC_BY = "CC BY 4.0"


def _oecd_indicators() -> tuple[str, ...]:
    from levelscope.data.international.oecd import SDMX_SERIES

    return tuple(dict.fromkeys(indicator for indicator, _power in SDMX_SERIES.values()))
SDMX_READERS = ("oecd-sdmx", "eurostat-sdmx")


def _eurostat(name: str, table: str, title: str, indicators: tuple[str, ...]) -> Dataset:
    return Dataset(source="eurostat", name=name, title=title, publisher="Eurostat", licence=CC_BY,
                   indicators=indicators, suffix=".csv", path=f"data/{table}",
                   selection={"format": "SDMX-CSV"}, reader="eurostat-sdmx")


def _ons_api(name: str, dataset_id: str, title: str, v4: V4Selection) -> Dataset:
    return Dataset(source="ons", name=name, title=title, publisher="Office for National Statistics",
                   licence=OGL, indicators=tuple(dict.fromkeys(v4.indicators.values())),
                   suffix=".csv", path=f"datasets/{dataset_id}", reader="ons-api", base=ONS_API,
                   v4=v4)


#: Every dataset ``levelscope fetch`` knows, by (source, name).
DATASETS: dict[tuple[str, str], Dataset] = {
    (d.source, d.name): d for d in (
        # Nomis NM_2002_1: population estimates - local authority based by single year of age;
        # gender 0 = total, c_age 200 = all ages, measures 20100 = value
        _nomis("population", "NM_2002_1", "Mid-year population estimates, all ages (ONS)",
               "population", gender="0", c_age="200", measures="20100"),
        # Nomis NM_30_1: Annual Survey of Hours and Earnings, resident analysis; item 2 = median,
        # pay 1 = gross weekly pay, sex 8 = full-time workers
        _nomis("weekly-pay", "NM_30_1", "Gross median weekly pay of full-time workers, by "
               "residence (ASHE)", "weekly_pay", item="2", pay="1", sex="8", measures="20100"),
        # Nomis NM_17_5: Annual Population Survey; variable 45 = employment rate aged 16-64
        _nomis("employment-rate", "NM_17_5", "Employment rate aged 16 to 64 (Annual Population "
               "Survey)", "employment_rate", variable="45", measures="20599"),
        _ons("subnational-indicators",
             "file?uri=/peoplepopulationandcommunity/wellbeing/datasets/"
             "subnationalindicatorsdataset/current/subnatindicators.xlsx",
             "Subnational indicators explorer dataset (about 50 levelling-up metrics)",
             _explorer_indicators(), reader="ons-explorer"),
        _ons("productivity",
             "file?uri=/employmentandlabourmarket/peopleinwork/labourproductivity/datasets/"
             "subregionalproductivitylabourproductivitygvaperhourworkedandgvaperfilledjob"
             "indicesbylocalauthoritydistrict/current/labourproductivitylocalauthorities.xls",
             "Subregional productivity: GVA per hour worked and per filled job (pounds) by "
             "local authority", PRODUCTIVITY_INDICATORS,
             reader="ons-productivity"),
        _ons("productivity-itls",
             "file?uri=/employmentandlabourmarket/peopleinwork/labourproductivity/datasets/"
             "subregionalproductivitylabourproductivitygvaperhourworkedandgvaperfilledjob"
             "indicesbyuknuts2andnuts3subregions/current/labourproductivityitls.xls",
             "Subregional productivity: GVA per hour worked and per filled job (pounds) by "
             "ITL1, ITL2 and ITL3 region", PRODUCTIVITY_INDICATORS,
             reader="ons-productivity"),
        # the ONS API's wellbeing-local-authority: the mean of each of the four measures
        _ons_api("wellbeing", "wellbeing-local-authority", "Personal well-being estimates by "
                 "local authority: average life satisfaction, worthwhile, happiness and anxiety "
                 "(ONS API)", V4Selection(
                     "MeasureOfWellbeing", {"Life satisfaction": "life_satisfaction",
                                            "Worthwhile": "worthwhile", "Happiness": "happiness",
                                            "Anxiety": "anxiety"},
                     keep={"Estimate": "Average (mean)"})),
        Dataset(source="oecd", name="regional-gdp", title="OECD Regional Statistics: regional "
                "economy (GDP, population, employment) of countries, TL2 and TL3 regions",
                publisher="OECD", licence=CC_BY,
                indicators=_oecd_indicators(),
                suffix=".csv", path="data/OECD.CFE.EDS,DSD_REG_ECO@DF_GDP,/all",
                selection={"startPeriod": "2000", "dimensionAtObservation": "AllDimensions",
                           "format": "csvfile"}, reader="oecd-sdmx"),
        _eurostat("unemployment-rate", "tgs00010", "Unemployment rate by NUTS 2 region",
                  ("eu_unemployment_rate", "eu_unemployment_rate_female", "eu_unemployment_rate_male")),
        _eurostat("household-income", "tgs00026", "Disposable income of private households per "
                  "inhabitant (PPS) by NUTS 2 region", ("eu_household_income_per_head",)),
        _eurostat("gdp", "tgs00003", "Regional gross domestic product (million EUR) by NUTS 2 "
                  "region", ("eu_gdp",)),
        _eurostat("population", "tgs00096", "Population on 1 January by NUTS 2 region",
                  ("eu_population",)),
    )
}
#: Base URL of each publisher's interface (``--base-url`` points elsewhere, e.g. a local copy).
BASE_URLS = {"nomis": NOMIS_API, "ons": ONS_SITE, "oecd": "https://sdmx.oecd.org/public/rest",
             "eurostat": "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"}


def find_dataset(source: str, name: str) -> Dataset:
    """The dataset ``source name``, or a not-found error listing what there is."""
    found = DATASETS.get((source.lower(), name.lower()))
    if found is not None:
        return found
    import difflib

    known = [f"{s} {n}" for s, n in DATASETS]
    close = difflib.get_close_matches(f"{source} {name}", known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise NotFoundError(f"no dataset {source} {name}{hint} (levelscope sources lists them all)")


# --- release dates -----------------------------------------------------------------------------

def nomis_release_date(definition: bytes, what: str) -> dt.date:
    """The ``LastUpdated`` annotation of a Nomis dataset definition (``def.sdmx.json``)."""
    try:
        family = json.loads(definition)["structure"]["keyfamilies"]["keyfamily"][0]
        notes = family["annotations"]["annotation"]
        stamp = next(a["annotationtext"] for a in notes if a["annotationtitle"] == "LastUpdated")
        return dt.date.fromisoformat(str(stamp)[:10])
    except (ValueError, KeyError, IndexError, TypeError, StopIteration):
        raise FetchError(f"{what}: Nomis's dataset definition gives no LastUpdated date, so the "
                         "release cannot be dated") from None


def http_date(value: str | None) -> dt.date | None:
    """The date of an HTTP date header (``Last-Modified``), if there is one."""
    import email.utils

    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


# --- readers -----------------------------------------------------------------------------------

Reader = Callable[["Workspace", Path, Dataset, dt.date | None, bool], "list[ImportReport]"]


def read_nomis(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
               dry_run: bool) -> list[ImportReport]:
    """A Nomis CSV answer, through the layout importer (streamed, validated, all or nothing)."""
    from levelscope.data.layout import Layout

    _check_nomis_columns(path, dataset)
    layout = Layout(form="long", geography="GEOGRAPHY_CODE", name="GEOGRAPHY_NAME", indicator=None,
                    indicator_id=dataset.indicators[0], period="DATE", value="OBS_VALUE")
    return [ws.import_file(path, layout, vintage=vintage, source=f"{dataset.title}, Nomis",
                           dry_run=dry_run)]


def _check_nomis_columns(path: Path, dataset: Dataset) -> None:
    """The answer's header is the columns asked for; otherwise say what changed."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    got = [h.strip().upper() for h in header]
    if got == list(NOMIS_COLUMNS):
        return
    missing = [c for c in NOMIS_COLUMNS if c not in got]
    extra = [c for c in got if c not in NOMIS_COLUMNS]
    change = "; ".join(part for part in (
        f"missing {', '.join(missing)}" if missing else "",
        f"new {', '.join(extra)}" if extra else "",
    ) if part) or f"in another order: {', '.join(got)}"
    raise FetchError(f"{dataset.key}: the structure of Nomis's answer changed ({change}); "
                     f"expected the columns {', '.join(NOMIS_COLUMNS)}")


def read_ons_explorer(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
                      dry_run: bool) -> list[ImportReport]:
    """The ONS explorer workbook, through its parser (see :func:`import_parsed`)."""
    from levelscope.data.publishers import parse_explorer

    return import_parsed(ws, parse_explorer(path), dry_run)


def read_ons_productivity(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
                          dry_run: bool) -> list[ImportReport]:
    """An ONS subregional productivity workbook (.xls), through the demo's parser (see
    :func:`import_parsed`); dated by the edition the workbook names."""
    from levelscope.data.publishers import parse_productivity

    return import_parsed(ws, parse_productivity(path), dry_run)


def import_parsed(ws: Workspace, parsed: Parsed, dry_run: bool) -> list[ImportReport]:
    """Every release a publisher's parser read from a file, each checked before any is written,
    so a bad sheet leaves the workspace as it was; then the places and the values."""
    from levelscope.data.importers import import_frame

    names = {code: place.name for code, place in parsed.geographies.items()}
    checks = []
    for release in parsed.releases:
        frame = release.values.assign(geography_name=release.values["geography_code"].map(names))
        checks.append(import_frame(ws, frame, vintage=release.vintage, source=release.source,
                                   file=f"{release.file}", rows_read=release.rows_read,
                                   excluded_rows=release.excluded, dry_run=True))
    if dry_run:
        return checks
    ws.add_geographies(parsed.geographies.values())
    return [import_frame(ws, r.values, vintage=r.vintage, source=r.source, file=r.file,
                         rows_read=r.rows_read, excluded_rows=r.excluded)
            for r in parsed.releases]


def read_oecd(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
              dry_run: bool) -> list[ImportReport]:
    from levelscope.data.fetch.sdmx import read_oecd as read

    return read(ws, path, dataset, vintage, dry_run)


def read_eurostat(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
                  dry_run: bool) -> list[ImportReport]:
    from levelscope.data.fetch.sdmx import read_eurostat as read

    return read(ws, path, dataset, vintage, dry_run)


READERS: dict[str, Reader] = {
    "nomis": read_nomis, "ons-explorer": read_ons_explorer, "ons-productivity": read_ons_productivity,
    "ons-api": read_v4, "oecd-sdmx": read_oecd, "eurostat-sdmx": read_eurostat,
}
