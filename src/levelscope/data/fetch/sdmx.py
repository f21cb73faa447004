"""OECD and Eurostat answers in SDMX-CSV, read by the international readers.

Both publishers serve their regional tables through SDMX REST interfaces, and both answer in
SDMX-CSV, a flat table with one observation per row (``format=csvfile`` at the OECD,
``format=SDMX-CSV`` at Eurostat). The OECD's answer for ``DSD_REG_ECO@DF_GDP`` has the columns the
international stream's :func:`~levelscope.data.international.parse_sdmx` reads (it ignores the
``STRUCTURE``, ``STRUCTURE_ID`` and ``ACTION`` columns SDMX-CSV adds); Eurostat's
(``DATAFLOW, LAST UPDATE, freq, …, geo, TIME_PERIOD, OBS_VALUE, OBS_FLAG``) is laid out as the
long table :func:`~levelscope.data.international.parse_eurostat` reads, so both go through the
readers that are tested on the publishers' own files. An SDMX client library is not needed for
this: SDMX-CSV is a plain table, and a client would make its own HTTP requests, around the
retries, conditional requests and mirror of :mod:`levelscope.data.fetch.http`.

Places are registered, and values imported, only after the whole answer has been checked in a
throwaway in-memory workspace, so a bad answer writes nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from levelscope.errors import FetchError

if TYPE_CHECKING:
    from levelscope.data.fetch.datasets import Dataset
    from levelscope.data.importers import ImportReport
    from levelscope.data.international import ParsedFile
    from levelscope.data.store import Workspace

#: Eurostat's SDMX-CSV columns every answer must have.
EUROSTAT_COLUMNS = ("geo", "TIME_PERIOD", "OBS_VALUE", "unit")


def read_oecd(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
              dry_run: bool) -> list[ImportReport]:
    """An OECD SDMX-CSV answer of the regional economy dataflow."""
    from levelscope.data.international import parse_sdmx

    return _load_checked(ws, parse_sdmx(path), vintage, dataset, dry_run)


def read_eurostat(ws: Workspace, path: Path, dataset: Dataset, vintage: dt.date | None,
                  dry_run: bool) -> list[ImportReport]:
    """A Eurostat SDMX-CSV answer for one table, through the Eurostat reader."""
    return _load_checked(ws, parse_eurostat_answer(path, dataset),
                         vintage or eurostat_last_update(path), dataset, dry_run)


def parse_eurostat_answer(path: Path, dataset: Dataset) -> ParsedFile:
    """A Eurostat SDMX-CSV answer for one table, read by the Eurostat reader as the long
    extract it knows (:func:`~levelscope.data.international.parse_eurostat`)."""
    from levelscope.data.international import parse_eurostat

    table = dataset.path.rsplit("/", 1)[-1].lower()
    with tempfile.TemporaryDirectory() as scratch:
        long = Path(scratch) / path.name
        _eurostat_long(path, table, dataset.key).to_csv(long, index=False)
        return parse_eurostat(long)


def eurostat_last_update(path: Path) -> dt.date | None:
    """The latest ``LAST UPDATE`` of a Eurostat SDMX-CSV answer (``26/04/24 23:00:00``)."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c == "LAST UPDATE")
    if "LAST UPDATE" not in frame or frame.empty:
        return None
    stamps = pd.to_datetime(frame["LAST UPDATE"], format="%d/%m/%y %H:%M:%S", errors="coerce")
    return None if stamps.isna().all() else stamps.max().date()


def _eurostat_long(path: Path, table: str, what: str):  # type: ignore[no-untyped-def]
    """Eurostat's SDMX-CSV as the long table of the Eurostat reader (one row per value)."""
    import pandas as pd

    from levelscope.data.international.eurostat import SERIES

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in EUROSTAT_COLUMNS if c not in frame.columns]
    if missing:
        raise FetchError(f"{what}: the structure of Eurostat's answer changed (missing "
                         f"{', '.join(missing)}; it has {', '.join(frame.columns)})")
    variables = {v for (t, v, _s) in SERIES if t == table}
    if len(variables) != 1:
        raise FetchError(f"{what}: the Eurostat reader does not know table {table}")
    blank = pd.Series("", index=frame.index)
    return pd.DataFrame({
        "eurostat_table": table, "variable": variables.pop(), "geo": frame["geo"],
        "year": frame["TIME_PERIOD"], "unit": frame["unit"],
        "sex": frame.get("sex", blank),
        "age": frame.get("age", blank),
        "na_item": frame.get("na_item", blank),
        "value": frame["OBS_VALUE"],
    })


def _load_checked(ws: Workspace, parsed: ParsedFile, vintage: dt.date | None, dataset: Dataset,
                  dry_run: bool) -> list[ImportReport]:
    """Check everything in a scratch workspace, then (unless a dry run) write it to ``ws``."""
    from levelscope.data.store import Workspace as Store

    day = vintage or dt.datetime.now(dt.UTC).date()
    with Store.open(":memory:") as scratch:
        checked = _load(scratch, parsed, day, dataset, dry_run=True)
    if dry_run:
        return checked
    return _load(ws, parsed, day, dataset, dry_run=False)


def _load(ws: Workspace, parsed: ParsedFile, day: dt.date, dataset: Dataset,
          dry_run: bool) -> list[ImportReport]:
    from levelscope.data.catalogue import international_catalogue
    from levelscope.data.importers import import_frame
    from levelscope.data.international.load import register

    places, attributes, _notes = register([parsed])
    ws.add_indicators(international_catalogue().values())
    ws.add_geographies(places)
    ws.add_geography_attributes(attributes + parsed.attributes)
    return [import_frame(ws, part.values, vintage=day, source=f"{dataset.title}, {dataset.publisher}",
                         file=part.file, rows_read=part.rows_read, excluded_rows=part.excluded,
                         notes=parsed.notes, dry_run=dry_run)
            for part in parsed.releases]
