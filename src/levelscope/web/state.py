"""What the explorer keeps in memory while it serves one read-only workspace.

The workspace cannot change while it is served read-only, so whatever is costly to work out is
worked out once per app and kept: the per-level standings (ranks, medians, flags), each
indicator's panel at each level, the broad regions, the simplified map shapes and recent
comparisons. Every analysis still comes from :mod:`levelscope.compare`; this module only
remembers the answers.

DuckDB connections must not be used by two threads at once, and the server answers requests on
a thread pool, so every query goes through one lock.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from levelscope.compare.comparison import AreaComparison, Comparison, compare_area
from levelscope.compare.inequality_view import broad_regions
from levelscope.compare.peers import PeerGroup, nearest_neighbours
from levelscope.compare.standings import level_standings
from levelscope.data.model import Geography, Indicator, Level
from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError
from levelscope.results import Provenance

T = TypeVar("T")


class ServedWorkspace(Workspace):
    """A read-only workspace that remembers the answers to its reading methods.

    Safe because nothing can write to a workspace opened read-only; thread-safe through one lock.
    Frames are copied on the way out so that a caller cannot change the remembered one.
    """

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace.con, workspace.path)
        self._lock = threading.RLock()
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _remember(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def indicators(self, theme: str | None = None) -> pd.DataFrame:
        base = super().indicators
        return self._remember(("indicators", theme), lambda: base(theme)).copy()

    def indicator(self, indicator_id: str) -> Indicator:
        base = super().indicator
        return self._remember(("indicator", indicator_id), lambda: base(indicator_id))

    def geographies(self, level: Level | str | None = None) -> pd.DataFrame:
        key = ("geographies", None if level is None else str(level))
        return self._remember(key, lambda: super(ServedWorkspace, self).geographies(level)).copy()

    def geography(self, code: str) -> Geography:
        return self._remember(("geography", code), lambda: super(ServedWorkspace, self).geography(code))

    def levels(self) -> list[str]:
        return list(self._remember(("levels",), lambda: super(ServedWorkspace, self).levels()))

    def provenance(self, indicator: str | Sequence[str]) -> Provenance:
        ids = (indicator,) if isinstance(indicator, str) else tuple(indicator)
        return self._remember(("provenance", ids), lambda: super(ServedWorkspace, self).provenance(list(ids)))

    def observations(
        self,
        indicator: str | Sequence[str] | None = None,
        level: Level | str | Sequence[Level | str] | None = None,
        periods: str | Sequence[str] | None = None,
        as_of: Any = None,
        geographies: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        def freeze(value: Any) -> Any:
            return value if value is None or isinstance(value, str) else tuple(value)

        key = ("observations", freeze(indicator), freeze(level), freeze(periods), str(as_of),
               freeze(geographies))
        compute = lambda: super(ServedWorkspace, self).observations(  # noqa: E731
            indicator, level, periods, as_of, geographies
        )
        return self._remember(key, compute).copy()

    def geometries(self, level: Level | str) -> tuple[list[str], list[Any], str | None]:
        base = super().geometries
        return self._remember(("geometries", str(level)), lambda: base(level))

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._lock:
            return super().scalar(sql, params)

    def vintages(self, indicator: str) -> list[Any]:
        base = super().vintages
        return list(self._remember(("vintages", indicator), lambda: base(indicator)))


class Explorer:
    """The served workspace and the explorer's remembered results."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = ServedWorkspace(workspace)
        self._lock = threading.RLock()
        self._comparisons = lru_cache(maxsize=512)(self._compare)
        self._peers = lru_cache(maxsize=512)(self._nearest)
        self._geojson: dict[tuple[str, float], str] = {}

    @classmethod
    def open(cls, path: Path) -> Explorer:
        return cls(Workspace.open(path, read_only=True))

    def close(self) -> None:
        self.ws.close()

    # -- cached pieces ---------------------------------------------------------------------------
    def standings(self, level: str) -> pd.DataFrame:
        """:func:`level_standings` of a level, computed once (do not modify the frame)."""
        return self.ws._remember(("standings", level), lambda: level_standings(self.ws, level))

    def area_standings(self, code: str) -> pd.DataFrame:
        level = str(self.ws.geography(code).level)
        groups = self.ws._remember(
            ("standings-by-area", level),
            lambda: dict(tuple(self.standings(level).groupby("geography_code", sort=False))),
        )
        return groups.get(code, self.standings(level).iloc[0:0])

    def panel(self, indicator: str, level: str) -> pd.DataFrame:
        """Every period of one indicator at one level (do not modify the frame)."""
        self.ws.indicator(indicator)
        return self.ws._remember(
            ("panel", indicator, level), lambda: Workspace.observations(self.ws, indicator, level=level)
        )

    def regions(self, level: str) -> pd.Series:
        return self.ws._remember(("regions", level), lambda: broad_regions(self.ws, level))

    def indicator_levels(self) -> pd.DataFrame:
        """For each indicator and level: areas, periods and newest period (for pickers)."""

        def compute() -> pd.DataFrame:
            with self.ws._lock:
                return self.ws.con.execute(
                    """
                    SELECT o.indicator_id, g.level, count(DISTINCT o.geography_code) AS areas,
                           count(DISTINCT o.period) AS periods, max(o.period_end) AS newest
                    FROM observation o JOIN geography g ON g.code = o.geography_code
                    GROUP BY ALL ORDER BY o.indicator_id, areas DESC
                    """
                ).df()

        return self.ws._remember(("indicator-levels",), compute)

    def levels_with_shapes(self) -> set[str]:
        def compute() -> set[str]:
            with self.ws._lock:
                rows = self.ws.con.execute(
                    "SELECT DISTINCT level FROM geography WHERE geometry IS NOT NULL"
                ).fetchall()
            return {r[0] for r in rows}

        return set(self.ws._remember(("shaped-levels",), compute))

    def geojson(self, level: str, tolerance: float = 250.0) -> str:
        """The level's shapes as GeoJSON text in longitude/latitude, simplified (cached)."""
        from levelscope.web.geo import level_geojson

        key = (level, tolerance)
        with self._lock:
            if key not in self._geojson:
                codes, shapes, crs = self.ws.geometries(level)
                if not codes:
                    raise NotFoundError(f"no boundaries for level {level!r} in this workspace; levels "
                                        f"with boundaries: {', '.join(sorted(self.levels_with_shapes()))}")
                self._geojson[key] = json.dumps(level_geojson(codes, shapes, crs, tolerance),
                                                separators=(",", ":"))
            return self._geojson[key]

    # -- remembered analyses -----------------------------------------------------------------------
    def comparison(
        self, code: str, compare: Comparison, areas: tuple[str, ...], k: int, context: tuple[str, ...]
    ) -> AreaComparison:
        return self._comparisons(code, compare, areas, k, context)

    def peers(self, code: str, k: int, context: tuple[str, ...]) -> PeerGroup:
        return self._peers(code, k, context)

    def _compare(
        self, code: str, compare: Comparison, areas: tuple[str, ...], k: int, context: tuple[str, ...]
    ) -> AreaComparison:
        level = str(self.ws.geography(code).level)
        return compare_area(self.ws, code, compare, areas, k=k, context=context or None,
                            standings=self.standings(level))

    def _nearest(self, code: str, k: int, context: tuple[str, ...]) -> PeerGroup:
        level = str(self.ws.geography(code).level)
        return nearest_neighbours(self.ws, code, k, context or None, standings=self.standings(level))

    def warm(self, levels: Sequence[str] = ("lad",)) -> None:
        """Work out the costly tables up front so that the first visitor does not wait."""
        for level in levels:
            if level in self.ws.levels():
                self.standings(level)
