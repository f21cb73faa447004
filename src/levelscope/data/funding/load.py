"""Loading the Levelling Up Fund record into a workspace from the publishers' files.

:func:`load_luf_record` finds, in a folder of downloads (any sub-folders), the lists of
successful bids of rounds 1 and 2, the list of local authorities by priority category and the
IoD2019 district summaries, and loads what it finds: the bids into the funding register, the
deprivation measures as the indicators of :data:`~levelscope.data.funding.need_files.IMD_INDICATORS`
and the priority categories as the indicator ``luf_priority_category`` (period 2021). Each step is
idempotent, so the demo can be rebuilt over itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from levelscope.data.funding.need_files import (
    IMD_INDICATORS,
    IMD_RELEASE,
    IMD_SOURCE,
    PRIORITY_SOURCE,
    match_category_codes,
    merge_matches,
    read_imd_summaries,
    read_priority_categories,
)
from levelscope.data.funding.readers import LUF_ROUNDS, read_luf_bids
from levelscope.data.funding.register import AllocationImport, store_allocations
from levelscope.data.model import Indicator, Kind, Polarity

if TYPE_CHECKING:
    from levelscope.data.importers import ImportReport
    from levelscope.data.store import Workspace

ROUND_FILES = {key: f"levelling-up-fund-round-{key}.csv" for key in LUF_ROUNDS}
CATEGORY_FILE = "Levelling_Up_Fund_list_of_local_authorities_by_priority_category.xlsx"
IMD_FILE = "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
PRIORITY_INDICATOR = Indicator(
    id="luf_priority_category",
    name="Levelling Up Fund priority category (1 = most need)",
    unit="category",
    polarity=Polarity.HIGHER_IS_BETTER,
    theme="Deprivation",
    description="The category of each local authority in the Levelling Up Fund's round-1 index of "
    "priority places: 1 the most need (economic recovery and growth, transport connectivity, "
    "regeneration), 2, 3 the least.",
    source=PRIORITY_SOURCE,
    publisher="HM Treasury / Department for Levelling Up, Housing and Communities",
    url="https://www.gov.uk/government/publications/levelling-up-fund-additional-documents",
    kind=Kind.INDEX,
)
PRIORITY_RELEASE = dt.date(2021, 3, 3)


@dataclass
class LufLoad:
    """What :func:`load_luf_record` loaded."""

    allocations: list[AllocationImport] = field(default_factory=list)
    imports: list[ImportReport] = field(default_factory=list)
    unmatched_names: tuple[str, ...] = ()


def load_luf_record(ws: Workspace, root: Path) -> LufLoad:
    """Load whichever of the record's files ``root`` holds into ``ws`` (see the module)."""
    from levelscope.data.importers import import_frame

    done = LufLoad()
    for name in ROUND_FILES.values():
        path = next(root.rglob(name), None)
        if path is not None:
            done.allocations.append(store_allocations(ws, read_luf_bids(path), file=path.name,
                                                      source=LUF_ROUNDS[_round(name)].announcement))
    imd_path = next(root.rglob(IMD_FILE), None)
    imd = read_imd_summaries(imd_path) if imd_path is not None else None
    if imd is not None and imd_path is not None:
        ws.add_indicators(IMD_INDICATORS.values())
        done.imports.append(import_frame(ws, imd.drop(columns="name"), vintage=IMD_RELEASE,
                                         source=IMD_SOURCE, file=imd_path.name))
    category_path = next(root.rglob(CATEGORY_FILE), None)
    if category_path is not None:
        categories = read_priority_categories(category_path)
        # Match first against the districts of April 2021 (those with a 2021 population), so a
        # name whose code changed (Gateshead, Northumberland, East Hertfordshire ...) takes the
        # code of the list's year; names of districts gone by then against the 2019 summaries.
        people = ws.observations(indicator="population", level="lad", periods="2021")
        names = ws.geographies(level="lad").set_index("code")["name"]
        in_2021 = pd.DataFrame({"geography_code": people["geography_code"],
                                "name": people["geography_code"].map(names)}).dropna()
        matched = match_category_codes(categories, in_2021)
        if matched.unmatched and imd is not None:
            rest = categories[categories["name"].isin(matched.unmatched)]
            older = match_category_codes(rest, imd[["geography_code", "name"]].drop_duplicates())
            matched = merge_matches(matched, older)
        ws.add_indicators([PRIORITY_INDICATOR])
        values = matched.categories.rename("value").reset_index()
        values["indicator_id"], values["period"] = PRIORITY_INDICATOR.id, "2021"
        done.imports.append(import_frame(ws, values, vintage=PRIORITY_RELEASE, source=PRIORITY_SOURCE,
                                         file=category_path.name))
        done.unmatched_names = (*matched.unmatched, *matched.ambiguous)
    return done


def _round(file_name: str) -> str:
    return next(key for key, name in ROUND_FILES.items() if name == file_name)
