"""Build the demo workspace from a mirror of the official downloads.

The *mirror directory* holds the publishers' files exactly as released (any sub-folders), placed
by hand or fetched with ``levelscope fetch`` (:mod:`levelscope.data.demo_inputs` says where each
input is looked for):

====================================================  ==============================================
file (``levelscope fetch`` that gets it)              what
====================================================  ==============================================
``subnatindicators.xlsx``                             ONS Subnational indicators explorer dataset
(``ons subnational-indicators``)
``lad_pop.csv`` (``nomis population --date            Nomis mid-year population by local authority
1991-2022``)
``labourproductivitylocalauthorities.xls``,           ONS subregional productivity
``labourproductivityitls.xls`` (``ons productivity``,
``ons productivity-itls``)
``Table {1,2,3}{b,c} ITL… pounds million.csv``        ONS regional GVA (balanced) by industry
``LADs_2023.geojson``, ``LADs_to_region.csv``         LAD boundaries (Dec 2023) and LAD → region
``ITL3_JAN_2021_UK_BUC_V3.shp`` (+ .dbf, .shx, .prj)  ITL3 boundaries (Jan 2021)
``oecd_*.csv``, ``eurostat_*.csv`` (optional;        OECD and Eurostat regional statistics (see
``oecd regional-gdp``, the ``eurostat`` tables)       :data:`levelscope.data.international.FILES`
                                                      and ``demo_inputs.STAND_INS``)
``levelling-up-fund-round-{1,2}.csv``, the priority   the Levelling Up Fund record (optional; see
categories and ``File_10_…IoD2019…xlsx``              :mod:`levelscope.data.funding.load`)
====================================================  ==============================================

Set ``LEVELSCOPE_MIRROR`` (or pass ``mirror=``) to that folder; without either, the folder
``levelscope fetch`` fills by default is used if it exists.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from levelscope.data import codes
from levelscope.data.boundaries import read_geojson, read_parent_lookup, read_shapefile
from levelscope.data.catalogue import catalogue
from levelscope.data.demo_inputs import Found, locate, locate_international
from levelscope.data.derived import Derivation, derive_values
from levelscope.data.fetch.datasets import find_dataset
from levelscope.data.fetch.mirror import MANIFEST, default_mirror
from levelscope.data.fetch.sdmx import parse_eurostat_answer
from levelscope.data.funding.load import load_luf_record
from levelscope.data.geography import code_history
from levelscope.data.importers import ImportReport, import_frame
from levelscope.data.international import (
    InternationalLoad,
    ParsedFile,
    load_international,
    parse_sdmx,
)
from levelscope.data.model import Geography, Level
from levelscope.data.publishers import (
    Parsed,
    parse_explorer,
    parse_gva,
    parse_nomis_api,
    parse_nomis_population,
    parse_productivity,
)
from levelscope.data.store import Workspace
from levelscope.errors import MirrorMissing

ENV_MIRROR = "LEVELSCOPE_MIRROR"

#: Places no file lists with a name, needed as parents of those that do.
FIXED_PLACES = (
    Geography(code=codes.UK, name="United Kingdom", level=Level.COUNTRY),
    Geography(code="E92000001", name="England", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="W92000004", name="Wales", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="S92000003", name="Scotland", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="N92000002", name="Northern Ireland", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="UK", name="United Kingdom (ITL)", level=Level.COUNTRY),
)
#: The inputs read by a publisher's parser, and the parser of each (as published).
PUBLISHER_FILES: dict[str, Callable[[Path], Parsed]] = {
    "subnatindicators.xlsx": parse_explorer,
    "lad_pop.csv": parse_nomis_population,
    "labourproductivitylocalauthorities.xls": parse_productivity,
    "labourproductivityitls.xls": parse_productivity,
    "Table [123][bc] *.csv": parse_gva,
}


def publisher_parser(path: Path) -> Callable[[Path], Parsed] | None:
    """The parser of :data:`PUBLISHER_FILES` that reads ``path`` as published (by its file name),
    or None.

    >>> publisher_parser(Path("Table 3c ITL3 UK current price estimates pounds million.csv")).__name__
    'parse_gva'
    """
    return next((parser for name, parser in PUBLISHER_FILES.items() if path.match(name)), None)


#: The boundary year the demo's figures are put on by default (the boundaries it ships).
DEMO_GEOGRAPHY_VINTAGE = 2023


@dataclass
class DemoReport:
    """What the demo build read and wrote, and how long it took."""

    workspace: Path | None
    imports: list[ImportReport] = field(default_factory=list)
    geographies: int = 0
    indicators: int = 0
    seconds: float = 0.0
    international: InternationalLoad | None = None
    derived: Derivation | None = None
    inputs: dict[str, list[Found]] = field(default_factory=dict)

    @property
    def fetched(self) -> list[Found]:
        """The inputs read from files ``levelscope fetch`` mirrored."""
        return [f for found in self.inputs.values() for f in found if f.entry is not None]

    @property
    def values_written(self) -> int:
        international = self.international.values_written if self.international else 0
        return sum(r.values_written for r in self.imports) + international


def find_mirror(mirror: str | Path | None = None) -> Path:
    """The mirror folder: the argument, else ``$LEVELSCOPE_MIRROR``, else the folder ``levelscope
    fetch`` fills by default if it exists; checked for every input (see
    :func:`levelscope.data.demo_inputs.locate`)."""
    root = _folder(mirror)
    locate(root)
    return root


def _folder(mirror: str | Path | None) -> Path:
    chosen = mirror or os.environ.get(ENV_MIRROR)
    root = Path(chosen).expanduser() if chosen else default_mirror()
    if chosen and not root.is_dir():
        raise MirrorMissing(f"mirror folder {root} does not exist")
    if chosen or (root / MANIFEST).is_file():
        return root
    raise MirrorMissing(
        "no data mirror given. The demo is built from the publishers' own files: fetch them "
        "(`levelscope fetch`, see docs/connectors.md) or download them (see `levelscope demo "
        f"--help` for the list) into one folder, and pass --mirror FOLDER or set "
        f"{ENV_MIRROR}=FOLDER."
    )


def build_demo(
    ws: Workspace,
    mirror: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Load every demo source from the mirror into ``ws`` (idempotent).

    Parameters
    ----------
    ws:
        The workspace to fill (usually a new one).
    mirror:
        Folder holding the official files, placed by hand or fetched (a fetched file is read
        as its manifest entry says: checked against its SHA-256 and dated by its release
        date); ``$LEVELSCOPE_MIRROR`` if omitted, else the folder ``levelscope fetch`` fills
        by default.
    progress:
        Called with a short description before each step (for progress bars).

    Raises
    ------
    MirrorMissing
        If no mirror is given or found, or it lacks an input (the message names each one, the
        fetch command that gets it and the file name that works instead).
    levelscope.errors.FetchError
        If a fetched file is missing or no longer matches its manifest entry.
    """
    step = progress or (lambda _msg: None)
    started = time.perf_counter()
    root = _folder(mirror)
    inputs = locate(root)
    report = DemoReport(ws.path, inputs=inputs)

    step("indicator catalogue")
    report.indicators = ws.add_indicators(catalogue().values())

    step("boundaries and lookups")
    places = {g.code: g for g in FIXED_PLACES}
    lads = read_geojson(inputs["LADs_2023.geojson"][0].path)
    itl3 = read_shapefile(inputs["ITL3_JAN_2021_UK_BUC_V3.shp"][0].path)
    region_of = read_parent_lookup(inputs["LADs_to_region.csv"][0].path)

    step("parsing publishers' files")
    read: list[tuple[Parsed, Found]] = [
        (_parse(name, found), found)
        for name in PUBLISHER_FILES for found in inputs[name]
    ]
    sources = [parsed for parsed, _found in read]
    for parsed in sources:
        for code, place in parsed.geographies.items():
            places.setdefault(code, place)
    for place in [*lads.geographies, *itl3.geographies]:
        places[place.code] = _merge(places.get(place.code), place)
    for code, (region, name) in region_of.items():
        places.setdefault(region, Geography(code=region, name=name, level=Level.REGION,
                                            parents=("E92000001",)))
        if code in places:
            places[code] = _with_parent(places[code], region)
    history = code_history()
    for code, place in list(places.items()):
        if code in history:  # its dates are the code history's, not a file's note
            places[code] = place.model_copy(update={"valid_from": None, "valid_to": None})
    report.geographies = ws.add_geographies(places.values())
    ws.add_geographies([places[g.code] for g in lads.geographies],
                       geometries=lads.shapes, crs=lads.crs)
    ws.add_geographies([places[g.code] for g in itl3.geographies],
                       geometries=itl3.shapes, crs=itl3.crs)

    for parsed, found in read:
        for release in parsed.releases:
            step(f"importing {release.file}")
            report.imports.append(
                import_frame(
                    ws,
                    release.values,
                    vintage=release.vintage,
                    source=release.source,
                    file=release.file,
                    rows_read=release.rows_read,
                    excluded_rows=release.excluded,
                    sha256=found.entry.sha256 if found.entry else "",
                    notes=[f"from {found.describe()}"] if found.entry else None,
                )
            )
    placed, fetched = locate_international(root)
    if placed or fetched:
        report.inputs["international"] = fetched
        report.international = load_international(
            ws, root, progress=step, files=placed, parsed=[_parse_international(f) for f in fetched])
    step("the Levelling Up Fund record")
    funding = load_luf_record(ws, root)
    report.imports += funding.imports
    step("deriving values for parent areas and derived indicators")
    report.derived = derive_values(ws)
    step("putting figures on the 2023 boundaries")
    ws.set_geography_vintage(DEMO_GEOGRAPHY_VINTAGE)
    report.seconds = time.perf_counter() - started
    return report


def _parse(name: str, found: Found) -> Parsed:
    """The releases of one input file; a fetched file's are dated as its manifest records."""
    if found.entry is None:
        return PUBLISHER_FILES[name](found.path)
    if name == "lad_pop.csv":  # fetched, it is Nomis's API answer, not its web export
        parsed = parse_nomis_api(found.path, found.vintage or _retrieved(found))
    else:
        parsed = PUBLISHER_FILES[name](found.path)
    day = found.vintage
    if day is not None:
        parsed = Parsed(parsed.geographies, [replace(r, vintage=day) for r in parsed.releases])
    return parsed


def _parse_international(found: Found) -> ParsedFile:
    """A fetched OECD or Eurostat answer, read as the files it stands in for and dated as its
    manifest entry records. The OECD's keeps its reader's source (the same dataflow as the
    extract); a Eurostat table is sourced as the fetch sources it."""
    assert found.entry is not None
    spec = find_dataset(found.entry.source, found.entry.dataset)
    if spec.reader == "oecd-sdmx":
        parsed, source = parse_sdmx(found.path), None
    else:
        parsed, source = parse_eurostat_answer(found.path, spec), f"{spec.title}, {spec.publisher}"
    day = found.vintage or _retrieved(found)
    releases = [replace(r, vintage=day, source=source or r.source) for r in parsed.releases]
    return replace(parsed, releases=releases)


def _retrieved(found: Found) -> dt.date:
    assert found.entry is not None
    return dt.date.fromisoformat(found.entry.retrieved_at[:10])


def _merge(existing: Geography | None, boundary: Geography) -> Geography:
    if existing is None:
        return boundary
    parents = tuple(dict.fromkeys((*existing.parents, *boundary.parents)))
    return boundary.model_copy(update={"parents": parents, "valid_to": existing.valid_to})


def _with_parent(place: Geography, parent: str) -> Geography:
    if parent in place.parents:
        return place
    return place.model_copy(update={"parents": (*place.parents, parent)})
