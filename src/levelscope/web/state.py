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
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

import pandas as pd

from levelscope.compare.comparison import AreaComparison, Comparison, compare_area
from levelscope.compare.maps import MapData, Scheme, map_data
from levelscope.compare.peers import PeerGroup, nearest_neighbours
from levelscope.compare.regions import RegionalInequality, broad_regions, regional_inequality
from levelscope.compare.standings import level_standings
from levelscope.compare.trends import Trend, area_trend
from levelscope.data.geography.harmonise import Harmonised
from levelscope.data.model import Geography, Indicator, Level
from levelscope.data.store import Workspace
from levelscope.errors import NotFoundError
from levelscope.formatting import level_name
from levelscope.results import Provenance
from levelscope.spatial.clusters import ClusterAnalysis, workspace_clusters

T = TypeVar("T")

#: Levels listed first in pickers: the most local first.
LEVEL_ORDER = ("lad", "itl3", "itl2", "itl1", "region", "nation", "country")


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

    def geography_attributes(
        self, attribute: str | None = None, codes: Sequence[str] | None = None
    ) -> pd.DataFrame:
        key = ("geography_attributes", attribute, None if codes is None else tuple(codes))
        base = super().geography_attributes
        return self._remember(key, lambda: base(attribute, codes)).copy()

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
        geography_vintage: Any = None,
    ) -> pd.DataFrame:
        def freeze(value: Any) -> Any:
            return value if value is None or isinstance(value, str) else tuple(value)

        key = ("observations", freeze(indicator), freeze(level), freeze(periods), str(as_of),
               freeze(geographies), str(geography_vintage))
        compute = lambda: super(ServedWorkspace, self).observations(  # noqa: E731
            indicator, level, periods, as_of, geographies, geography_vintage
        )
        return self._remember(key, compute).copy()

    def harmonised(self, *args: Any, **kwargs: Any) -> Harmonised:
        with self._lock:
            return super().harmonised(*args, **kwargs)

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
        self._maps = lru_cache(maxsize=256)(self._map)
        self._clusters = lru_cache(maxsize=64)(self._cluster)
        self._trends = lru_cache(maxsize=512)(self._trend)
        self._inequality = lru_cache(maxsize=128)(self._inequality_of)
        self._geojson: dict[tuple[str, float], str] = {}
        self._answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._remembered: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def answer(self, key: tuple[Any, ...], compute: Callable[[], bytes], maxsize: int = 2048) -> bytes:
        """A finished response body, remembered (least recently used dropped beyond ``maxsize``):
        the same question to a read-only workspace always has the same answer."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        body = compute()
        with self._lock:
            self._answers[key] = body
            if len(self._answers) > maxsize:
                self._answers.popitem(last=False)
        return body

    def remember(self, key: tuple[Any, ...], compute: Callable[[], T], maxsize: int = 32) -> T:
        """Any other result worked out from this copy of the workspace (a need index from a
        submitted definition, ...), the ``maxsize`` most recently used kept with the copy."""
        with self._lock:
            if key in self._remembered:
                self._remembered.move_to_end(key)
                return self._remembered[key]
        value = compute()
        with self._lock:
            self._remembered[key] = value
            if len(self._remembered) > maxsize:
                self._remembered.popitem(last=False)
        return value

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
                    FROM any_observation o JOIN geography g ON g.code = o.geography_code
                    GROUP BY ALL ORDER BY o.indicator_id, areas DESC
                    """
                ).df()

        return self.ws._remember(("indicator-levels",), compute)

    def areas_with_figures(self) -> pd.DataFrame:
        """Every area with at least one figure: ``code``, ``name``, ``level``, ``level_name``."""

        def compute() -> pd.DataFrame:
            with self.ws._lock:
                table = self.ws.con.execute(
                    """
                    SELECT g.code, g.name, g.level FROM geography g
                    WHERE EXISTS (SELECT 1 FROM any_observation o WHERE o.geography_code = g.code)
                    """
                ).df()
            order = {level: i for i, level in enumerate(LEVEL_ORDER)}
            table["level_name"] = table["level"].map(level_name)
            table["_order"] = table["level"].map(order).fillna(len(order))
            return table.sort_values(["_order", "name"], kind="stable").drop(columns="_order").reset_index(
                drop=True
            )

        return self.ws._remember(("areas-with-figures",), compute)

    def area_search(self, text: str, level: str | None = None) -> pd.DataFrame:
        """Areas whose name or code contains ``text`` (case-insensitive): exact matches first,
        then names that start with it, then the rest; local authorities before larger areas."""
        table = self.areas_with_figures()
        if level is not None:
            table = table[table["level"] == level]
        wanted = text.strip().casefold()
        if not wanted:
            return table.reset_index(drop=True)
        names = table["name"].str.casefold()
        codes = table["code"].str.casefold()
        exact = (names == wanted) | (codes == wanted)
        starts = names.str.startswith(wanted) | codes.str.startswith(wanted)
        contains = names.str.contains(wanted, regex=False)
        score = exact.map({True: 0, False: 3}) - starts.astype(int) - contains.astype(int)
        score = score.where(exact | starts | contains)
        found = table.assign(_score=score).dropna(subset=["_score"])
        return found.sort_values("_score", kind="stable").drop(columns="_score").reset_index(drop=True)

    def headline_trends(self, code: str, limit: int = 2, min_periods: int = 5) -> list[Trend]:
        """Trends worth a sentence in an area's summary: its indicators with a direction and at
        least ``min_periods`` periods at its level, longest series first."""
        level = str(self.ws.geography(code).level)
        coverage = self.indicator_levels()
        meta = self.ws.indicators().set_index("id")
        rows = coverage[(coverage["level"] == level) & (coverage["periods"] >= min_periods)]
        rows = rows[rows["indicator_id"].map(meta["polarity"]).ne("neutral")]
        found = []
        for ident in rows.sort_values("periods", ascending=False, kind="stable")["indicator_id"]:
            trend = self.trend(code, str(ident), ())
            if len(trend.series) >= 2:
                found.append(trend)
            if len(found) == limit:
                break
        return found

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

    def map(self, indicator: str, level: str, period: str | None, scheme: Scheme, k: int) -> MapData:
        return self._maps(indicator, level, period, scheme, k)

    def clusters(
        self, indicator: str, level: str, period: str | None, permutations: int, alpha: float
    ) -> ClusterAnalysis:
        return self._clusters(indicator, level, period, permutations, alpha)

    def trend(self, code: str, indicator: str, peers: tuple[str, ...]) -> Trend:
        return self._trends(code, indicator, peers)

    def inequality(self, indicator: str, level: str, measures: tuple[str, ...]) -> RegionalInequality:
        return self._inequality(indicator, level, measures)

    def _map(self, indicator: str, level: str, period: str | None, scheme: Scheme, k: int) -> MapData:
        return map_data(self.ws, indicator, level, period, scheme, k, panel=self.panel(indicator, level))

    def _cluster(
        self, indicator: str, level: str, period: str | None, permutations: int, alpha: float
    ) -> ClusterAnalysis:
        return workspace_clusters(self.ws, indicator, level, period, n_resamples=permutations, alpha=alpha)

    def _trend(self, code: str, indicator: str, peers: tuple[str, ...]) -> Trend:
        level = str(self.ws.geography(code).level)
        return area_trend(self.ws, code, indicator, peers=peers, panel=self.panel(indicator, level))

    def _inequality_of(self, indicator: str, level: str, measures: tuple[str, ...]) -> RegionalInequality:
        return regional_inequality(self.ws, indicator, level, measures, panel=self.panel(indicator, level),
                                    regions=self.regions(level))

    def warm(self, levels: Sequence[str] = ("lad",)) -> None:
        """Work out the costly tables up front so that the first visitor does not wait."""
        import plotly.graph_objects  # noqa: F401  (charts are drawn from the first page on)

        for level in levels:
            if level in self.ws.levels():
                self.standings(level)
