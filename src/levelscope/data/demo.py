"""Build the demo workspace from a mirror of the official downloads.

The *mirror directory* holds the publishers' files exactly as released (any sub-folders):

====================================================  ==============================================
file                                                  what
====================================================  ==============================================
``subnatindicators.xlsx``                             ONS Subnational indicators explorer dataset
``Table {1,2,3}{b,c} ITL… pounds million.csv``        ONS regional GVA (balanced) by industry
``labourproductivitylocalauthorities.xls``,           ONS subregional productivity
``labourproductivityitls.xls``
``lad_pop.csv``                                       Nomis mid-year population by local authority
``LADs_2023.geojson``, ``LADs_to_region.csv``         LAD boundaries (Dec 2023) and LAD → region
``ITL3_JAN_2021_UK_BUC_V3.shp`` (+ .dbf, .shx, .prj)  ITL3 boundaries (Jan 2021)
``oecd_*.csv``, ``eurostat_*.csv`` (optional)          OECD and Eurostat regional statistics (see
                                                      :data:`levelscope.data.international.FILES`)
``levelling-up-fund-round-{1,2}.csv``, the priority   the Levelling Up Fund record (optional; see
categories and ``File_10_…IoD2019…xlsx``              :mod:`levelscope.data.funding.load`)
====================================================  ==============================================

Set ``LEVELSCOPE_MIRROR`` (or pass ``mirror=``) to that folder.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from levelscope.data import codes
from levelscope.data.boundaries import read_geojson, read_parent_lookup, read_shapefile
from levelscope.data.catalogue import catalogue
from levelscope.data.derived import Derivation, derive_values
from levelscope.data.funding.load import load_luf_record
from levelscope.data.geography import code_history
from levelscope.data.importers import ImportReport, import_frame
from levelscope.data.international import InternationalLoad, find_files, load_international
from levelscope.data.model import Geography, Level
from levelscope.data.publishers import (
    Parsed,
    parse_explorer,
    parse_gva,
    parse_nomis_population,
    parse_productivity,
)
from levelscope.data.store import Workspace
from levelscope.errors import MirrorMissing

ENV_MIRROR = "LEVELSCOPE_MIRROR"

REQUIRED_FILES = (
    "subnatindicators.xlsx",
    "lad_pop.csv",
    "LADs_2023.geojson",
    "LADs_to_region.csv",
    "ITL3_JAN_2021_UK_BUC_V3.shp",
    "labourproductivitylocalauthorities.xls",
    "labourproductivityitls.xls",
)
GVA_PATTERN = "Table [123][bc] *.csv"

#: Places no file lists with a name, needed as parents of those that do.
FIXED_PLACES = (
    Geography(code=codes.UK, name="United Kingdom", level=Level.COUNTRY),
    Geography(code="E92000001", name="England", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="W92000004", name="Wales", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="S92000003", name="Scotland", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="N92000002", name="Northern Ireland", level=Level.NATION, parents=(codes.UK,)),
    Geography(code="UK", name="United Kingdom (ITL)", level=Level.COUNTRY),
)
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

    @property
    def values_written(self) -> int:
        international = self.international.values_written if self.international else 0
        return sum(r.values_written for r in self.imports) + international


def find_mirror(mirror: str | Path | None = None) -> Path:
    """The mirror folder: the argument, else ``$LEVELSCOPE_MIRROR``; checked for every file."""
    chosen = mirror or os.environ.get(ENV_MIRROR)
    if not chosen:
        raise MirrorMissing(
            "no data mirror given. The demo is built from the publishers' own files: download "
            "them (see `levelscope demo --help` for the list) into one folder and pass "
            f"--mirror FOLDER or set {ENV_MIRROR}=FOLDER."
        )
    root = Path(chosen).expanduser()
    if not root.is_dir():
        raise MirrorMissing(f"mirror folder {root} does not exist")
    missing = [name for name in REQUIRED_FILES if not any(root.rglob(name))]
    if not any(root.rglob(GVA_PATTERN)):
        missing.append(GVA_PATTERN)
    if missing:
        raise MirrorMissing(f"mirror folder {root} lacks: {', '.join(missing)}")
    return root


def _one(root: Path, name: str) -> Path:
    return next(root.rglob(name))


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
        Folder holding the official files; ``$LEVELSCOPE_MIRROR`` if omitted.
    progress:
        Called with a short description before each step (for progress bars).
    """
    step = progress or (lambda _msg: None)
    started = time.perf_counter()
    root = find_mirror(mirror)
    report = DemoReport(ws.path)

    step("indicator catalogue")
    report.indicators = ws.add_indicators(catalogue().values())

    step("boundaries and lookups")
    places = {g.code: g for g in FIXED_PLACES}
    lads = read_geojson(_one(root, "LADs_2023.geojson"))
    itl3 = read_shapefile(_one(root, "ITL3_JAN_2021_UK_BUC_V3.shp"))
    region_of = read_parent_lookup(_one(root, "LADs_to_region.csv"))

    step("parsing publishers' files")
    sources: list[Parsed] = [
        parse_explorer(_one(root, "subnatindicators.xlsx")),
        parse_nomis_population(_one(root, "lad_pop.csv")),
        parse_productivity(_one(root, "labourproductivitylocalauthorities.xls")),
        parse_productivity(_one(root, "labourproductivityitls.xls")),
        *[parse_gva(path) for path in sorted(root.rglob(GVA_PATTERN))],
    ]
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

    for parsed in sources:
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
                )
            )
    if find_files(root):
        report.international = load_international(ws, root, progress=step)
    step("the Levelling Up Fund record")
    funding = load_luf_record(ws, root)
    report.imports += funding.imports
    step("deriving values for parent areas and derived indicators")
    report.derived = derive_values(ws)
    step("putting figures on the 2023 boundaries")
    ws.set_geography_vintage(DEMO_GEOGRAPHY_VINTAGE)
    report.seconds = time.perf_counter() - started
    return report


def _merge(existing: Geography | None, boundary: Geography) -> Geography:
    if existing is None:
        return boundary
    parents = tuple(dict.fromkeys((*existing.parents, *boundary.parents)))
    return boundary.model_copy(update={"parents": parents, "valid_to": existing.valid_to})


def _with_parent(place: Geography, parent: str) -> Geography:
    if parent in place.parents:
        return place
    return place.model_copy(update={"parents": (*place.parents, parent)})
