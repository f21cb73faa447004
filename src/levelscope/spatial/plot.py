"""The LISA cluster map: each area coloured by its local Moran cluster.

Colours come from the Okabe–Ito palette, which people with the common forms of colour blindness
can tell apart; significance is also spelled out in the legend and hover text, never by colour
alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
import shapely

from levelscope.spatial.autocorrelation import ISLAND, NOT_SIGNIFICANT, QUADRANT_LABELS

if TYPE_CHECKING:
    from levelscope.spatial.autocorrelation import LocalMoran

CLUSTER_COLOURS = {
    QUADRANT_LABELS[1]: "#D55E00",  # High-High: vermillion
    QUADRANT_LABELS[3]: "#0072B2",  # Low-Low: blue
    QUADRANT_LABELS[2]: "#56B4E9",  # Low-High: sky blue
    QUADRANT_LABELS[4]: "#E69F00",  # High-Low: orange
    NOT_SIGNIFICANT: "#DDDDDD",
    ISLAND: "#FFFFFF",
}


def _lon_lat(geometries: Sequence[Any], crs: str | None) -> list[Any]:
    if crs is None or crs.upper() in ("EPSG:4326", "OGC:CRS84"):
        return list(geometries)
    from pyproj import Transformer

    to_lon_lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_lon_lat.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return list(shapely.transform(np.asarray(geometries, dtype=object), project))


def lisa_cluster_map(
    result: LocalMoran,
    geometries: Sequence[Any] | Mapping[Any, Any],
    *,
    crs: str | None = "EPSG:27700",
    title: str | None = None,
    names: Mapping[Any, str] | None = None,
) -> go.Figure:
    """A Plotly map of LISA clusters.

    Parameters
    ----------
    result
        Output of :func:`levelscope.spatial.local_moran`.
    geometries
        Shapely shapes in the order of ``result.ids``, or a mapping from area id to shape (or to
        WKB bytes, as the workspace stores them).
    crs
        The shapes' coordinate reference system; they are reprojected to longitude/latitude.
        ONS boundaries use British National Grid (``"EPSG:27700"``, the default); pass ``None``
        for shapes already in longitude/latitude.
    title
        Figure title.
    names
        Optional area names for the hover text.
    """
    ids = list(result.ids)
    if isinstance(geometries, Mapping):
        missing = [i for i in ids if i not in geometries]
        if missing:
            raise ValueError(f"no shape for {len(missing)} areas, e.g. {missing[:5]}")
        shapes = [geometries[i] for i in ids]
    else:
        shapes = list(geometries)
        if len(shapes) != len(ids):
            raise ValueError(f"{len(shapes)} shapes for {len(ids)} areas")
    shapes = [shapely.from_wkb(s) if isinstance(s, bytes | bytearray) else s for s in shapes]
    projected = _lon_lat(shapes, crs)
    keys = [str(i) for i in ids]
    features = [
        {"type": "Feature", "id": key, "properties": {}, "geometry": json.loads(shapely.to_geojson(g))}
        for key, g in zip(keys, projected, strict=True)
    ]
    geojson = {"type": "FeatureCollection", "features": features}
    labels = result.labels
    p_values = result.simulation.p_values if result.simulation is not None else None
    figure = go.Figure()
    for label, colour in CLUSTER_COLOURS.items():
        chosen = np.nonzero(labels == label)[0]
        if len(chosen) == 0:
            continue
        hover = []
        for i in chosen:
            name = f"{names[ids[i]]} " if names and ids[i] in names else ""
            p_text = f", p = {p_values[i]:.3g}" if p_values is not None else ""
            hover.append(f"{name}({keys[i]})<br>{label}<br>value {result.values[i]:.4g}{p_text}")
        figure.add_trace(
            go.Choropleth(
                geojson=geojson,
                locations=[keys[i] for i in chosen],
                z=np.ones(len(chosen)),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                marker_line_color="#555555",
                marker_line_width=0.3,
                name=f"{label} ({len(chosen)})",
                showlegend=True,
                text=hover,
                hoverinfo="text",
            )
        )
    rule = "FDR" if result.fdr else "p"
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(
        title=title or f"LISA clusters ({rule} <= {result.threshold:.3g})",
        legend_title_text="Cluster",
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
    )
    return figure
