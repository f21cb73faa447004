"""Load the international files into a workspace: places with their parents, then values.

Files name the same place under the same code (Burgenland is ``AT11`` to the OECD and to
Eurostat), so the places of every file are merged into one register before anything is written:

- **level**: a code the OECD lists as a TL2 region stays one even where Eurostat lists it as a
  NUTS 2 region (in most European countries the two are the same regions); in order of
  precedence: country, extra-regio, OECD TL2, NUTS 2, OECD metropolitan unit, OECD TL3.
- **name**: as the OECD files give it, else as Eurostat's NUTS 2016 names give it
  (:mod:`~levelscope.data.international.reference`), else the code itself (a note counts those);
  countries take the English names of ``countries.csv``.
- **parents**: TL3 region or metropolitan unit → TL2 region → country, and NUTS 2 region → the
  TL2 region holding it where the TL2 region is a NUTS 1 region (``DED5`` Leipzig → ``DED``
  Saxony) → country. How a TL3 unit's TL2 region was found is kept as its ``tl2_rule``
  attribute (by its code, its principal city, or the state its name gives first).

Then each file's values are imported as one validated, all-or-nothing release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from levelscope.data.catalogue import international_catalogue
from levelscope.data.importers import ImportReport, import_frame
from levelscope.data.international import eurostat, oecd
from levelscope.data.international.reference import countries, region_names, tl2_of
from levelscope.data.international.tables import ParsedFile, PlaceRecord
from levelscope.data.model import Geography, Level
from levelscope.data.store import Workspace

#: The files, as published, and the parser of each.
FILES: dict[str, Callable[[Path], ParsedFile]] = {
    "oecd_tl3_gdppc_pop_2000_2020.csv": oecd.parse_tl3,
    "oecd_tl2_gdp_pop_2000_2020.csv": oecd.parse_tl2,
    "oecd_tl2_ctry_gdp_2005_2020.csv": oecd.parse_country_tl2,
    "oecd_reg_eco_gdp_pop_emp_2019_2020.csv": oecd.parse_sdmx,
    "eurostat_nuts2_indicators_2007_2020.csv": eurostat.parse_eurostat,
}
_PRECEDENCE = [Level.COUNTRY, Level.EXTRA_REGIO, Level.OECD_TL2, Level.NUTS2, Level.OECD_METRO,
               Level.OECD_TL3]


@dataclass
class InternationalLoad:
    """What loading the international files read and wrote."""

    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    places: int = 0
    imports: list[ImportReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def values_written(self) -> int:
        return sum(r.values_written for r in self.imports)


def find_files(folder: Path) -> dict[str, Path]:
    """The international files found anywhere under ``folder``, by name."""
    return {name: found for name in FILES if (found := next(folder.rglob(name), None)) is not None}


def load_international(
    ws: Workspace, folder: str | Path, progress: Callable[[str], None] | None = None,
    *, files: dict[str, Path] | None = None, parsed: Sequence[ParsedFile] = (),
) -> InternationalLoad:
    """Register the international places and indicators and import every file found.

    Parameters
    ----------
    ws:
        The workspace to write to.
    folder:
        A folder holding (in any sub-folder) some or all of the files in :data:`FILES`.
    progress:
        Called with a short description before each step.
    files:
        The files of :data:`FILES` to read, by name, instead of those found in ``folder``.
    parsed:
        Files already read (the publishers' answers ``levelscope fetch`` mirrored), registered
        and imported with the others.

    Returns
    -------
    InternationalLoad
        The files read and missing, places registered, one import report per file, and notes
        on what was read differently from how a file labels it.

    Raises
    ------
    levelscope.errors.ValidationError
        If a file is malformed (unknown series, codes outside any country, ...); the files
        already imported stay, each import being all or nothing.
    """
    step = progress or (lambda _message: None)
    found = find_files(Path(folder)) if files is None else files
    report = InternationalLoad(files=sorted([*found, *(p.file for p in parsed)]),
                               missing=sorted(set(FILES) - set(found)))
    ws.add_indicators(international_catalogue().values())
    parsed = list(parsed)
    for name, path in found.items():
        step(f"reading {name}")
        parsed.append(FILES[name](path))
    places, attributes, notes = register(parsed)
    step("registering international places")
    report.places = ws.add_geographies(places)
    ws.add_geography_attributes(attributes + [a for p in parsed for a in p.attributes])
    report.notes = notes + [f"{p.file}: {n}" for p in parsed for n in p.notes]
    for item in parsed:
        for part in item.releases:
            step(f"importing {part.file}")
            report.imports.append(import_frame(
                ws, part.values, vintage=part.vintage, source=part.source, file=part.file,
                rows_read=part.rows_read, excluded_rows=part.excluded,
            ))
    return report


def register(parsed: list[ParsedFile]) -> tuple[list[Geography], list[tuple[str, str, str]], list[str]]:
    """Merge the places of several files into geographies with parents (see the module notes)."""
    records: dict[str, list[PlaceRecord]] = {}
    for item in parsed:
        for record in item.places:
            records.setdefault(record.code, []).append(record)
    level = {code: min((r.level for r in rs), key=_PRECEDENCE.index) for code, rs in records.items()}
    country = {code: next((r.country for r in rs if r.country), None) for code, rs in records.items()}
    tl2_codes = {code for code, kind in level.items() if kind == Level.OECD_TL2}
    supplement = region_names()
    known_countries = countries()

    geographies: list[Geography] = []
    attributes: list[tuple[str, str, str]] = []
    by_code = 0
    for code, rs in sorted(records.items()):
        kind, nation = level[code], country[code]
        published = next((r.name for r in rs if r.name), None)
        if kind == Level.COUNTRY and code in known_countries:
            name = known_countries[code].name
        elif published:
            name = published
        elif code in supplement:
            name = supplement[code].name
        elif kind == Level.EXTRA_REGIO and nation in known_countries:
            name = f"Extra-regio territory ({known_countries[nation].name})"
        else:
            name, by_code = code, by_code + 1
        parents: list[str] = []
        if kind in (Level.OECD_TL3, Level.OECD_METRO, Level.NUTS2) and nation:
            tl2, rule = tl2_of(code, nation, published, tl2_codes)
            if tl2 and tl2 != code:
                parents.append(tl2)
                if kind != Level.NUTS2:
                    attributes.append((code, "tl2_rule", rule))
        if nation and kind != Level.COUNTRY:
            parents.append(nation)
        valid_to = supplement[code].valid_to if code in supplement else None
        geographies.append(Geography(
            code=code, name=name, level=kind, parents=tuple(parents),
            valid_to=dt.date.fromisoformat(valid_to) if valid_to else None,
        ))
    for nation in sorted({c for c in country.values() if c} - set(records)):
        geographies.append(Geography(code=nation, name=known_countries[nation].name, level=Level.COUNTRY))
    notes = [f"{by_code} places have no name in any file and are named by their code"] if by_code else []
    return geographies, attributes, notes
