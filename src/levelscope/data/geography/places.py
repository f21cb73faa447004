"""Registering the code history's places in a workspace.

A new workspace knows every code of the history (with its dates and its memberships of regions,
counties, ITL regions and combined authorities), so an import accepts a code for the years it
was in use, and rejects it afterwards naming its successor.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from levelscope.data import codes as code_rules
from levelscope.data.geography.history import CodeHistory, code_history, memberships
from levelscope.data.model import Level


def place_rows(history: CodeHistory | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The history's places (code, name, level, valid_from, valid_to) and their direct parents
    (child, parent): published memberships, the ITL parent of an ITL code, the nation of a
    district, England of a region, the UK of a nation."""
    history = history or code_history()
    places = history.to_frame()[["code", "name", "level", "valid_from", "valid_to"]]
    whole = memberships()
    links = [(c, p) for c, p in whole.loc[whole["whole"], ["child", "parent"]].itertuples(index=False)]
    for record in history:
        parent: str | None = None
        if record.level in (Level.ITL1, Level.ITL2, Level.ITL3):
            parent = code_rules.itl_parent(record.code)
        elif record.level == Level.LAD:
            parent = code_rules.nation_of(record.code)
        elif record.level == Level.REGION:
            parent = code_rules.NATION_OF_PREFIX["E"]
        elif record.level == Level.NATION and record.code[1:3] == "92":
            parent = code_rules.UK
        if parent and parent in history:
            links.append((record.code, parent))
    parents = pd.DataFrame(links, columns=["child", "parent"]).drop_duplicates()
    return places, parents


def seed_places(con: duckdb.DuckDBPyConnection, history: CodeHistory | None = None) -> int:
    """Insert the history's places and parent links into a workspace's tables.

    Places already registered keep their names; dates they lack are filled in. Returns the
    number of places in the history. Runs inside the caller's transaction.
    """
    places, parents = place_rows(history)
    con.register("_history_places", places)
    con.execute(
        """
        INSERT INTO geography (code, name, level, valid_from, valid_to)
        SELECT code, name, level, CAST(valid_from AS DATE), CAST(valid_to AS DATE)
        FROM _history_places
        ON CONFLICT (code) DO UPDATE SET
            valid_from = coalesce(geography.valid_from, excluded.valid_from),
            valid_to = coalesce(geography.valid_to, excluded.valid_to)
        """
    )
    con.unregister("_history_places")
    con.register("_history_parents", parents)
    con.execute(
        "INSERT INTO geography_parent SELECT child, parent FROM _history_parents ON CONFLICT DO NOTHING"
    )
    con.unregister("_history_parents")
    return len(places)
