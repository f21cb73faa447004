"""Where the demo finds each of its inputs in a mirror folder: fetched, or placed by hand.

A mirror folder may hold two kinds of file, side by side:

- answers ``levelscope fetch`` wrote (``SOURCE/DATASET-KEY.EXT``, each listed in the folder's
  ``manifest.json`` with its URL, release date and licence; see
  :mod:`levelscope.data.fetch.mirror`);
- the publishers' files under their own names, in any sub-folder, placed there by hand (as a
  shared data folder holds them).

Each input of the demo is looked for first in the manifest, by its dataset (``ons
subnational-indicators``), and then by its publisher's file name. A fetched file is checked
against the SHA-256 its manifest entry records, and its values take the release date the entry
records as their vintage. Several fetches of one dataset (different selections) leave several
entries; the latest retrieved is read. Inputs without a connector (the GVA tables, the
boundaries and lookups) are always placed by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from levelscope.data.fetch.mirror import Mirror, MirrorEntry
from levelscope.errors import MirrorMissing


@dataclass(frozen=True)
class DemoInput:
    """One input of the demo.

    Parameters
    ----------
    file:
        The publisher's file name (a glob where the input is several files).
    what:
        What it is, for messages.
    fetch:
        The arguments of the ``levelscope fetch`` command that gets it (``"ons productivity"``),
        or None where there is no connector and the file is placed by hand.
    options:
        Options of that command that select what the demo reads (``--date 1991-2022``).
    label:
        How messages name the file, where ``file`` is a glob.
    """

    file: str
    what: str
    fetch: str | None = None
    options: str = ""
    label: str = ""

    @property
    def shown(self) -> str:
        return self.label or self.file

    @property
    def dataset(self) -> tuple[str, str] | None:
        """The connector's (source, dataset), if there is one."""
        if self.fetch is None:
            return None
        source, name = self.fetch.split()
        return source, name


@dataclass(frozen=True)
class Found:
    """Where an input is: a file, and the manifest entry when it was fetched."""

    path: Path
    entry: MirrorEntry | None = None

    @property
    def vintage(self) -> dt.date | None:
        """The release date the manifest records (None for a file placed by hand: its parser
        dates it)."""
        if self.entry is None or self.entry.release_date is None:
            return None
        return dt.date.fromisoformat(self.entry.release_date)

    def describe(self) -> str:
        """Where the values came from, for the demo's report and the import log."""
        if self.entry is None:
            return f"{self.path.name} (placed by hand)"
        e = self.entry
        return (f"{e.file}: {e.source} {e.dataset} fetched {e.retrieved_at} from {e.url}, "
                f"released {e.release_date or 'undated'}, {e.licence}")


#: The demo's required inputs, in the order the demo reads them.
INPUTS = (
    DemoInput("subnatindicators.xlsx", "ONS Subnational indicators explorer dataset",
              "ons subnational-indicators"),
    DemoInput("lad_pop.csv", "mid-year population by local authority, 1991-2022 (Nomis)",
              "nomis population", "--date 1991-2022"),
    DemoInput("labourproductivitylocalauthorities.xls",
              "ONS subregional productivity by local authority", "ons productivity"),
    DemoInput("labourproductivityitls.xls", "ONS subregional productivity by ITL region",
              "ons productivity-itls"),
    DemoInput("Table [123][bc] *.csv", "ONS regional GVA (balanced) by industry, ITL1-3, chained "
              "volume and current prices (six tables)",
              label="'Table 1b … pounds million.csv' to 'Table 3c … pounds million.csv'"),
    DemoInput("LADs_2023.geojson", "LAD boundaries, December 2023 (ONS Open Geography Portal)"),
    DemoInput("LADs_to_region.csv", "LAD to region lookup (ONS Open Geography Portal)"),
    DemoInput("ITL3_JAN_2021_UK_BUC_V3.shp", "ITL3 boundaries, January 2021, with its .dbf, .shx "
              "and .prj (ONS Open Geography Portal)"),
)
#: Optional publishers' files that fetched datasets stand in for, and whether a fetched one is read
#: first. The OECD's regional-economy answer is the dataflow of its extract, so it is read in the
#: extract's place; Eurostat's four fetchable tables are four of the extract's seven, so they are
#: read only where the extract is not placed.
STAND_INS: dict[str, tuple[tuple[tuple[str, str], ...], bool]] = {
    "oecd_reg_eco_gdp_pop_emp_2019_2020.csv": ((("oecd", "regional-gdp"),), True),
    "eurostat_nuts2_indicators_2007_2020.csv": (tuple(
        ("eurostat", name) for name in ("unemployment-rate", "household-income", "gdp",
                                        "population")), False),
}
#: Inputs read when present (the OECD regional-economy extract and the Eurostat tables may
#: instead be fetched: see :data:`STAND_INS`).
OPTIONAL = ("the OECD and Eurostat regional files (oecd_*.csv, eurostat_*.csv; or `levelscope "
            "fetch oecd regional-gdp` and the `eurostat` tables)",
            "the Levelling Up Fund record (levelling-up-fund-round-1.csv, "
            "levelling-up-fund-round-2.csv, the priority categories workbook and the IoD2019 "
            "district summaries File_10_…xlsx)")


def locate(root: Path) -> dict[str, list[Found]]:
    """Every required input of the demo in the mirror ``root``, by its :attr:`DemoInput.file`.

    Raises
    ------
    MirrorMissing
        If any input is found neither in the manifest nor by its file name; the message names
        each missing input, the fetch command that gets it, and the file name that works instead.
    levelscope.errors.FetchError
        If a fetched file is missing or does not match its manifest entry's SHA-256.
    """
    mirror = Mirror(root)
    found: dict[str, list[Found]] = {}
    missing: list[DemoInput] = []
    for item in INPUTS:
        fetched = mirror.latest(*item.dataset) if item.dataset else None
        if fetched is not None:
            found[item.file] = [Found(mirror.verified(fetched), fetched)]
        elif paths := sorted(p for p in root.rglob(item.file) if p.is_file()):
            found[item.file] = [Found(path) for path in (paths if "*" in item.file else paths[:1])]
        else:
            missing.append(item)
    if missing:
        raise MirrorMissing(missing_message(root, missing))
    return found


def missing_message(root: Path, missing: list[DemoInput]) -> str:
    """What the mirror lacks, and for each input how to get it."""
    lines = [f"mirror folder {root} lacks {len(missing)} of the demo's {len(INPUTS)} inputs: "
             f"{', '.join(item.shown for item in missing)}"]
    for item in missing:
        if item.fetch:
            command = " ".join(part for part in ("levelscope fetch", item.fetch, item.options,
                                                 f"--mirror {root}") if part)
            lines.append(f"  - {item.what}: run `{command}`, or place {item.shown} there")
        else:
            lines.append(f"  - {item.what}: no connector; place {item.shown} there by hand")
    lines.append("Read when present: " + "; ".join(OPTIONAL) + ".")
    return "\n".join(lines)


def locate_international(root: Path) -> tuple[dict[str, Path], list[Found]]:
    """The international files placed in ``root`` to read, by name, and the fetched answers
    that stand in for the others (see :data:`STAND_INS`)."""
    from levelscope.data.international import find_files

    placed = find_files(root)
    mirror = Mirror(root)
    fetched: list[Found] = []
    for name, (datasets, first) in STAND_INS.items():
        entries = [entry for source, dataset in datasets
                   if (entry := mirror.latest(source, dataset)) is not None]
        if not entries or (name in placed and not first):
            continue
        placed.pop(name, None)
        fetched += [Found(mirror.verified(entry), entry) for entry in entries]
    return placed, fetched
