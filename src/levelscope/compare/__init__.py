"""Compare an area with the median, with places like it, over time and on the map.

* :func:`area_profile` / :func:`latest_by_level` — the area's latest values, ranks and medians;
* :func:`level_standings` and :func:`flag_against_median` — every area's standing with
  uncertainty-aware better / worse flags;
* :func:`nearest_neighbours` — statistical peers (z-score Euclidean distance);
* :func:`compare_area` and :func:`plain_summary` — the area against the median, its peers or
  chosen areas, and in words;
* :func:`area_trend` — the gap over time, closing or widening;
* :func:`map_data`, :func:`natural_breaks`, :func:`quantile_breaks` — maps (LISA cluster maps
  are :func:`levelscope.spatial.workspace_clusters`);
* :func:`regional_inequality` — inequality measures and their decomposition over time.
"""

from levelscope.compare.comparison import AreaComparison, compare_area, plain_summary
from levelscope.compare.maps import MapData, map_data, natural_breaks, quantile_breaks
from levelscope.compare.peers import DEFAULT_CONTEXT, PeerGroup, nearest_neighbours, standardised_distances
from levelscope.compare.profile import AreaProfile, area_profile
from levelscope.compare.regions import RegionalInequality, broad_regions, regional_inequality
from levelscope.compare.standings import FLAG_RULE, flag_against_median, latest_by_level, level_standings
from levelscope.compare.trends import Trend, area_trend, gap_direction

__all__ = [
    "DEFAULT_CONTEXT",
    "FLAG_RULE",
    "AreaComparison",
    "AreaProfile",
    "MapData",
    "PeerGroup",
    "RegionalInequality",
    "Trend",
    "area_profile",
    "area_trend",
    "broad_regions",
    "compare_area",
    "flag_against_median",
    "gap_direction",
    "latest_by_level",
    "level_standings",
    "map_data",
    "natural_breaks",
    "nearest_neighbours",
    "plain_summary",
    "quantile_breaks",
    "regional_inequality",
    "standardised_distances",
]
