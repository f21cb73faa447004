"""Where inequality sits on the map: spatial weights, autocorrelation, clusters, spatial Gini.

>>> from levelscope.spatial import Weights, moran, local_moran
"""

from __future__ import annotations

from levelscope.spatial._common import fdr_threshold
from levelscope.spatial.clusters import ClusterAnalysis, find_clusters, workspace_clusters
from levelscope.spatial.global_autocorrelation import GlobalStatistic, geary, getis_ord_global, moran
from levelscope.spatial.local_autocorrelation import LocalG, LocalMoran, getis_ord, local_moran, spatial_lag
from levelscope.spatial.spatial_gini import SpatialGini, spatial_gini
from levelscope.spatial.weights import NEIGHBOURS, Weights

__all__ = [
    "NEIGHBOURS",
    "ClusterAnalysis",
    "GlobalStatistic",
    "LocalG",
    "LocalMoran",
    "SpatialGini",
    "Weights",
    "fdr_threshold",
    "find_clusters",
    "geary",
    "getis_ord",
    "getis_ord_global",
    "local_moran",
    "moran",
    "spatial_gini",
    "spatial_lag",
    "workspace_clusters",
]
