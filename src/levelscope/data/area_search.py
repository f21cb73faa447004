"""Find an area by its name or its code, as a person types it.

``find_area(ws, "birmingham")`` and ``find_area(ws, "E08000025")`` both give Birmingham. Case,
spacing and punctuation do not matter, nor the publishers' ", City of" inversions ("Bristol"
finds "Bristol, City of"). Several places share some names across levels (Birmingham is a local
authority district and an ITL3 region); the search prefers places with figures in the
workspace, then current places, then the most detailed common level (local authority districts
first), and reports the others so a command can say how to pick one. An unknown name or code
raises :class:`NotFoundError` with the closest names and codes.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from levelscope.data.model import Geography, Level
from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError

if TYPE_CHECKING:
    import pandas as pd

#: When a name belongs to places at several levels, the first of these levels wins.
LEVEL_PREFERENCE = (
    "lad", "itl3", "itl2", "itl1", "region", "nation", "country", "combined_authority", "county",
    "metropolitan_county",
)


@dataclass(frozen=True)
class AreaMatch:
    """The area a search found, and the other places that share its name."""

    place: Geography
    others: tuple[Geography, ...] = ()

    @property
    def code(self) -> str:
        return self.place.code

    def note(self) -> str | None:
        """A line saying which other places have the name, and how to choose one (or None)."""
        if not self.others:
            return None
        from levelscope.formatting import level_name

        listed = ", ".join(f"{g.code} ({level_name(str(g.level))})" for g in self.others)
        return (f"{self.place.name} is also the name of {listed}; give the code (or --level) "
                "to choose another")


def normalise(name: str) -> str:
    """A name reduced for matching: lower case, no punctuation, ", City of" dropped."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r",?\s*city of\b", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def find_area(ws: Workspace, text: str, level: Level | str | None = None) -> AreaMatch:
    """The area whose code or name is ``text`` (optionally only at ``level``).

    Parameters
    ----------
    ws:
        The workspace whose places are searched.
    text:
        A code (``E08000025``, any case) or a name (``Birmingham``, ``bristol``).
    level:
        Only places at this level (e.g. ``itl3``), to choose between places of the same name.

    Returns
    -------
    AreaMatch
        The place found and the other places of the same name.

    Raises
    ------
    NotFoundError
        No place has that code or name; the message names the closest ones.

    Examples
    --------
    >>> from levelscope.data.model import Geography, Level
    >>> ws = Workspace.open(":memory:")
    >>> _ = ws.add_geographies([Geography(code="E08000025", name="Birmingham", level=Level.LAD)])
    >>> find_area(ws, "birmingham").code
    'E08000025'
    """
    places = ws.geographies(level)
    wanted = text.strip()
    codes = places["code"].astype(str)
    by_code = places[codes.str.upper() == wanted.upper()]
    if len(by_code):
        return AreaMatch(_geography(by_code.iloc[0]))
    key = normalise(wanted)
    named = places[places["name"].astype(str).map(normalise) == key]
    if named.empty:
        raise NotFoundError(_unknown(wanted, places, level))
    rank = {lv: i for i, lv in enumerate(LEVEL_PREFERENCE)}
    figured = _with_figures(ws, named["code"].astype(str).tolist()) if len(named) > 1 else set()
    ordered = named.assign(
        _empty=~named["code"].isin(figured),
        _retired=named["valid_to"].notna(),
        _level=named["level"].map(lambda lv: rank.get(str(lv), len(rank))),
    ).sort_values(["_empty", "_retired", "_level", "code"])
    found = [_geography(row) for _, row in ordered.iterrows()]
    if found[0].valid_to is None:  # a current place: retired namesakes (earlier codes) are history
        found = [found[0], *(g for g in found[1:] if g.valid_to is None)]
    return AreaMatch(found[0], tuple(found[1:]))


def _with_figures(ws: Workspace, codes: list[str]) -> set[str]:
    """Those of ``codes`` that have at least one figure, published or derived."""
    rows = ws.con.execute(
        "SELECT geography_code FROM observation WHERE list_contains($codes, geography_code) "
        "UNION SELECT geography_code FROM derived_observation WHERE list_contains($codes, geography_code)",
        {"codes": codes},
    ).fetchall()
    return {str(code) for (code,) in rows}


def _unknown(text: str, places: pd.DataFrame, level: Level | str | None) -> str:
    rank = {lv: i for i, lv in enumerate(LEVEL_PREFERENCE)}
    preferred = places.assign(  # of places sharing a name, hint the current one at the first level
        _retired=places["valid_to"].notna(),
        _level=places["level"].map(lambda lv: rank.get(str(lv), len(rank))),
    ).sort_values(["_retired", "_level", "code"], ascending=False)
    names = dict(zip(preferred["name"].astype(str), preferred["code"].astype(str), strict=False))
    close_names = difflib.get_close_matches(text, list(names), n=3, cutoff=0.7)
    if not close_names:
        lowered = {name.lower(): name for name in names}
        close_names = [lowered[n] for n in difflib.get_close_matches(text.lower(), list(lowered), n=3)]
    all_codes = places["code"].astype(str).tolist()
    swapped = [c for c in all_codes if sorted(c) == sorted(text.upper())]  # two characters swapped
    similar = difflib.get_close_matches(text.upper(), all_codes, n=3)
    close_codes = list(dict.fromkeys([*swapped, *similar]))[:3]
    hints = [f"{name} ({names[name]})" for name in close_names] + [
        c for c in close_codes if c not in {names[n] for n in close_names}
    ]
    where = f" at level {level}" if level else ""
    hint = f"; did you mean {', '.join(hints)}?" if hints else ""
    return f"unknown area {text!r}{where}: no place has that code or name{hint}"


def _geography(row: pd.Series) -> Geography:
    import pandas as pd

    parents = row["parents"]
    return Geography(
        code=str(row["code"]),
        name=str(row["name"]),
        level=Level(str(row["level"])),
        valid_from=None if pd.isna(row["valid_from"]) else pd.Timestamp(row["valid_from"]).date(),
        valid_to=None if pd.isna(row["valid_to"]) else pd.Timestamp(row["valid_to"]).date(),
        parents=tuple(parents) if hasattr(parents, "__len__") and not isinstance(parents, str) else (),
    )
