"""Which larger area each small area lies in, worked out from their boundaries.

Where no published lookup is at hand (say local authority districts of 2023 to ITL3 regions of
2021), laying one boundary set over the other answers it: each district's area is split between
the regions it touches. A district whose area lies (almost) wholly in one region is a member of
it; one whose area is shared between regions *straddles* them and is reported with the shares.

Boundary files are generalised to different degrees (ONS's ultra-generalised ITL3 shapes cut
corners the district shapes keep, and neither follows the coast exactly), so shares are taken of
the part of the district that lies in any region, and a district counts as inside a region when
at least ``within`` (95 %) of that part is in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import shapely

from levelscope.results import Result


@dataclass(frozen=True, repr=False)
class Overlay(Result):
    """The regions each area lies in, by area share.

    ``shares`` has one row per (child, parent) pair the shapes share, with ``share`` the part of
    the child's area in that parent; :attr:`members`, :attr:`straddling` and :attr:`outside`
    sort the children.
    """

    shares: pd.DataFrame
    children: tuple[str, ...]
    within: float
    part: float

    @property
    def members(self) -> pd.Series:
        """child → parent for every child inside one parent."""
        best = self.shares.sort_values("share", ascending=False).drop_duplicates("child")
        inside = best[best["share"] >= self.within]
        return pd.Series(inside["parent"].to_numpy(), index=inside["child"].to_numpy(), name="parent")

    @property
    def straddling(self) -> pd.DataFrame:
        """child, parent, share for every child shared between parents (parts below ``part`` left
        out as slivers of generalisation)."""
        inside = set(self.members.index)
        rows = self.shares[~self.shares["child"].isin(inside) & (self.shares["share"] >= self.part)]
        return rows.sort_values(["child", "share"], ascending=[True, False]).reset_index(drop=True)

    @property
    def outside(self) -> list[str]:
        """Children that touch no parent at all."""
        return sorted(set(self.children) - set(self.shares["child"]))

    def to_frame(self) -> pd.DataFrame:
        return self.shares.copy()

    def summary(self) -> str:
        lines = [f"{len(self.members)} areas inside one region, "
                 f"{self.straddling['child'].nunique()} straddling, {len(self.outside)} outside"]
        for child, rows in self.straddling.groupby("child"):
            parts = ", ".join(f"{p} {s:.0%}" for p, s in zip(rows["parent"], rows["share"], strict=True))
            lines.append(f"  {child} straddles {parts}")
        return "\n".join(lines)


def overlay(
    children: Sequence[str],
    child_shapes: Sequence[Any],
    parents: Sequence[str],
    parent_shapes: Sequence[Any],
    *,
    within: float = 0.95,
    part: float = 0.02,
) -> Overlay:
    """Lay parent boundaries over child boundaries and share each child's area among parents.

    Parameters
    ----------
    children, child_shapes:
        Codes and shapely geometries of the small areas (e.g. local authority districts).
    parents, parent_shapes:
        Codes and geometries of the larger areas (e.g. ITL3 regions), in the same coordinate
        reference system.
    within:
        Share of a child's area that makes it a member of one parent.
    part:
        Smallest share reported as a part of a straddling child.

    Returns
    -------
    Overlay

    Examples
    --------
    >>> from shapely.geometry import box
    >>> found = overlay(["a", "b"], [box(0, 0, 1, 1), box(1, 0, 3, 1)],
    ...                 ["P", "Q"], [box(0, 0, 2, 1), box(2, 0, 4, 1)])
    >>> dict(found.members), found.straddling["share"].tolist()
    ({'a': 'P'}, [0.5, 0.5])
    """
    kids = [shapely.make_valid(g) for g in child_shapes]
    bigs = [shapely.make_valid(g) for g in parent_shapes]
    tree = shapely.STRtree(bigs)
    rows = []
    for code, geometry in zip(children, kids, strict=True):
        hits = tree.query(geometry, predicate="intersects")
        areas = [(parents[i], shapely.intersection(geometry, bigs[i]).area) for i in hits]
        total = sum(a for _, a in areas)
        rows += [{"child": code, "parent": p, "share": a / total} for p, a in areas if total > 0 and a > 0]
    shares = pd.DataFrame(rows, columns=["child", "parent", "share"])
    return Overlay(shares=shares, children=tuple(children), within=within, part=part)
