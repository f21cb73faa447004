"""Which region, nation, ITL region, county and combined authority each district lies in, for
any boundary year.

The memberships come from ``memberships.csv`` (published lookups, the orders that set up
counties and combined authorities, and an overlay of the district and ITL3 boundaries); ITL2 and
ITL1 follow from an ITL3 code, and nations and the UK from the code itself. A membership holds
while both codes are in use, except that ITL regions (introduced on 1 January 2021 for the same
areas as the NUTS regions before them) are also given for earlier years.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from levelscope.data import codes as code_rules
from levelscope.data.geography.history import (
    CodeHistory,
    GeographyVintage,
    boundary_date,
    code_history,
    memberships,
)
from levelscope.data.model import Level

#: The parent levels :func:`lad_lookup` gives, in its column order.
LOOKUP_LEVELS: tuple[Level, ...] = (
    Level.REGION, Level.NATION, Level.ITL1, Level.ITL2, Level.ITL3, Level.COUNTY,
    Level.METROPOLITAN_COUNTY, Level.COMBINED_AUTHORITY,
)
_ITL = (Level.ITL1, Level.ITL2, Level.ITL3)


def parent_links(history: CodeHistory | None = None) -> pd.DataFrame:
    """Every (child, parent) membership with the parent's level and the source of the fact.

    Expands ``memberships.csv``: an ITL3 parent brings its ITL2 and ITL1, an ITL2 its ITL1; every
    UK district is in its nation and the UK. Columns: child, parent, parent_level, source.
    """
    return _parent_links(history or code_history()).copy()


@cache
def _parent_links(history: CodeHistory) -> pd.DataFrame:
    rows: list[tuple[str, str, str]] = []
    whole = memberships()
    for child, parent, source in whole[whole["whole"]][["child", "parent", "source"]].itertuples(index=False):
        rows.append((child, parent, source))
        for ancestor in _itl_ancestors(parent):
            rows.append((child, ancestor, f"{source}; ITL regions nest"))
    for record in history:
        if record.level == Level.LAD:
            nation = code_rules.nation_of(record.code)
            if nation:
                rows.append((record.code, nation, "the code's first letter names its nation"))
                rows.append((record.code, code_rules.UK, "every district is in the United Kingdom"))
    frame = pd.DataFrame(rows, columns=["child", "parent", "source"]).drop_duplicates(["child", "parent"])
    level_of = {r.code: str(r.level) for r in history}
    frame["parent_level"] = frame["parent"].map(level_of)
    return frame[frame["parent_level"].notna()].reset_index(drop=True)[
        ["child", "parent", "parent_level", "source"]
    ]


def partial_links(history: CodeHistory | None = None) -> pd.DataFrame:
    """(child, parent) for every area a child only partly lies in: the ITL3 regions of a district
    that straddles them, and their ITL2 and ITL1 regions the district is not wholly in."""
    history = history or code_history()
    everything = memberships()
    inside = everything[everything["whole"]]
    whole = set(zip(inside["child"], inside["parent"], strict=True))
    whole |= {(c, a) for c, p in list(whole) for a in _itl_ancestors(p)}
    rows = []
    for child, parent in everything.loc[~everything["whole"], ["child", "parent"]].itertuples(index=False):
        for area in (parent, *_itl_ancestors(parent)):
            if (child, area) not in whole:
                rows.append((child, area))
    return pd.DataFrame(rows, columns=["child", "parent"]).drop_duplicates().reset_index(drop=True)


def _itl_ancestors(code: str) -> list[str]:
    out = []
    parent = code_rules.itl_parent(code)
    while parent and parent != "UK":
        out.append(parent)
        parent = code_rules.itl_parent(parent)
    return out


def lad_lookup(geography_vintage: GeographyVintage, *, history: CodeHistory | None = None) -> pd.DataFrame:
    """Every local authority district in use in a boundary year, with the areas it lies in.

    Parameters
    ----------
    geography_vintage:
        The boundary year (districts in use on 31 December) or a date.

    Returns
    -------
    DataFrame
        One row per district: ``code``, ``name``, then one column per level of
        :data:`LOOKUP_LEVELS` (``region``, ``nation``, ``itl1``, ``itl2``, ``itl3``, ``county``,
        ``metropolitan_county``, ``combined_authority``) holding the parent's code, or empty
        where there is none (Scottish districts have no region; unitary authorities no county).
        ``straddles_itl3`` names the ITL3 regions of a district that lies in more than one
        (Cumberland from 2023: TLD11 and TLD12), whose ``itl3`` is then empty.

    Examples
    --------
    >>> table = lad_lookup(2023).set_index("code")
    >>> table.loc["E06000063", ["region", "itl2", "itl3", "straddles_itl3"]].tolist()
    ['E12000002', 'TLD1', None, 'TLD11;TLD12']
    """
    history = history or code_history()
    day = boundary_date(geography_vintage)
    lads = history.codes_in_force(day, Level.LAD)
    links = _parent_links(history)
    links = links[links["child"].isin(lads)]
    parents = links["parent"].map(history.records.get)
    usable = [
        p is not None and (p.valid_to is None or day <= p.valid_to)
        and (p.valid_from is None or p.valid_from <= day or p.level in _ITL)
        for p in parents
    ]
    links = links[usable]
    table = pd.DataFrame({"code": lads, "name": [history.records[c].name for c in lads]})
    for level in LOOKUP_LEVELS:
        at = links[links["parent_level"] == str(level)].drop_duplicates("child")
        table[str(level)] = table["code"].map(dict(zip(at["child"], at["parent"], strict=True)))
    parts = memberships()
    parts = parts[~parts["whole"]].sort_values(["child", "parent"])
    notes = parts.groupby("child")["parent"].agg(lambda p: ";".join(p))
    table["straddles_itl3"] = table["code"].map(notes)
    return table.astype(object).where(table.notna(), None)
