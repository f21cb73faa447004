"""Boundaries for the browser: reprojected to longitude/latitude, simplified, as GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from levelscope.data.boundaries import is_lon_lat


def level_geojson(
    codes: Sequence[str], shapes: Sequence[Any], crs: str | None, tolerance: float = 250.0
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the shapes, each feature's ``id`` its code.

    Shapes are simplified (topology preserved) by ``tolerance`` in their own units — metres for
    British National Grid — before they are reprojected to longitude/latitude, and coordinates
    are rounded to 5 decimals (about a metre), which keeps a map of every local authority small
    enough to load quickly.
    """
    geoms = np.asarray(list(shapes), dtype=object)
    projected_crs = crs is not None and not is_lon_lat(crs)
    if projected_crs and tolerance > 0:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    if projected_crs:
        from pyproj import Transformer

        to_lon_lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

        def project(coords: np.ndarray) -> np.ndarray:
            lon, lat = to_lon_lat.transform(coords[:, 0], coords[:, 1])
            return np.round(np.column_stack([lon, lat]), 5)

        geoms = shapely.transform(geoms, project)
    features = [
        {"type": "Feature", "id": code, "properties": {}, "geometry": json.loads(shapely.to_geojson(g))}
        for code, g in zip(codes, geoms, strict=True)
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}
