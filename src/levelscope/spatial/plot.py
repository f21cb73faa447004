"""The LISA cluster map: each area coloured by its local Moran cluster.

The map is drawn on plain Cartesian axes, the way the web explorer draws its maps: each area's
outline is a filled scatter line, the two axes share one scale (``yaxis.scaleanchor = "x"``)
and are hidden. Nothing is fetched from outside (no world outline, no tiles), so the figure
works offline, saves as self-contained HTML and exports to PNG through Plotly's image export.

Colours come from the Okabe–Ito palette, which people with the common forms of colour blindness
can tell apart; significance is also spelled out in the legend and hover text, never by colour
alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go
import shapely
from numpy.typing import NDArray

from levelscope.data.boundaries import is_lon_lat
from levelscope.spatial.local_autocorrelation import ISLAND, NOT_SIGNIFICANT, QUADRANT_LABELS

if TYPE_CHECKING:
    from levelscope.spatial.local_autocorrelation import LocalMoran

CLUSTER_COLOURS = {
    QUADRANT_LABELS[1]: "#D55E00",  # High-High: vermillion
    QUADRANT_LABELS[3]: "#0072B2",  # Low-Low: blue
    QUADRANT_LABELS[2]: "#56B4E9",  # Low-High: sky blue
    QUADRANT_LABELS[4]: "#E69F00",  # High-Low: orange
    NOT_SIGNIFICANT: "#DDDDDD",
    ISLAND: "#FFFFFF",
}

#: Above this many vertices in all, outlines are simplified before drawing.
MAX_VERTICES = 20_000

#: Simplification tolerance as a share of the map's larger side: 1/2000 of the width of Great
#: Britain is about 500 m, under a pixel on a map 1,000 pixels wide.
SIMPLIFY_SHARE = 1 / 2000

#: Fixed margins (pixels) around the drawing area; the legend sits in the right-hand one, so
#: the map's place on the page does not depend on the legend's width.
MARGIN = {"l": 10, "r": 190, "t": 50, "b": 10}


def lisa_cluster_map(
    result: LocalMoran,
    geometries: Sequence[Any] | Mapping[Any, Any],
    *,
    crs: str | None = "EPSG:27700",
    title: str | None = None,
    names: Mapping[Any, str] | None = None,
) -> go.Figure:
    """A Plotly map of LISA clusters, one legend entry (and colour) per cluster class.

    Areas are drawn in their own coordinates. Each class is one filled trace whose polygons are
    separated by gaps (NaN coordinates, which Plotly treats like ``None`` but keeps in compact
    typed arrays); the parts of a MultiPolygon are separate polygons. Rings are oriented
    exterior counter-clockwise and holes clockwise, so a hole is left unfilled (Plotly fills a
    trace's polygons as one path with the non-zero rule) and its outline is drawn; an area
    inside the hole shows through in its own colour. A transparent marker at a point inside
    each area carries its hover text. When all outlines have more than :data:`MAX_VERTICES`
    vertices they are simplified (topology of each area kept) with a tolerance of
    :data:`SIMPLIFY_SHARE` of the map's larger side.

    Parameters
    ----------
    result
        Output of :func:`levelscope.spatial.local_moran`.
    geometries
        Shapely shapes in the order of ``result.ids``, or a mapping from area id to shape (or to
        WKB bytes, as the workspace stores them).
    crs
        The shapes' coordinate reference system, which sets the aspect ratio: projected
        coordinates such as British National Grid (``"EPSG:27700"``, the default) are drawn one
        to one; for longitude/latitude (``"EPSG:4326"``) a degree of latitude is drawn
        ``1 / cos(latitude)`` times as long as a degree of longitude, at the map's middle
        latitude. ``None`` (unknown) draws one to one.
    title
        Figure title.
    names
        Optional area names for the hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        For each class present, a filled outline trace named ``"<class> (<count>)"`` followed
        by its hover-marker trace (same legend group, not in the legend).

    Examples
    --------
    >>> figure = lisa_cluster_map(result, shapes)  # doctest: +SKIP
    >>> figure.write_html("clusters.html", include_plotlyjs=True)  # doctest: +SKIP
    """
    ids = list(result.ids)
    shapes = _shapes_in_order(ids, geometries)
    shapes = _simplified(shapes)
    labels = result.labels
    p_values = result.simulation.p_values if result.simulation is not None else None
    inside = shapely.point_on_surface(shapes)
    figure = go.Figure()
    for label, colour in CLUSTER_COLOURS.items():
        chosen = np.nonzero(labels == label)[0]
        if len(chosen) == 0:
            continue
        x, y = _outline_coordinates(shapes[chosen])
        figure.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", fill="toself", fillcolor=colour,
                line={"color": "#555555", "width": 0.4},
                name=f"{label} ({len(chosen)})", legendgroup=label, hoverinfo="skip",
            )
        )
        hover = []
        for i in chosen:
            name = f"{names[ids[i]]} " if names and ids[i] in names else ""
            p_text = f", p = {p_values[i]:.3g}" if p_values is not None else ""
            hover.append(f"{name}({ids[i]})<br>{label}<br>value {result.values[i]:.4g}{p_text}")
        figure.add_trace(
            go.Scatter(
                x=shapely.get_x(inside[chosen]), y=shapely.get_y(inside[chosen]), mode="markers",
                marker={"size": 8, "color": "rgba(0,0,0,0)"}, text=hover, hoverinfo="text",
                name=label, legendgroup=label, showlegend=False,
            )
        )
    rule = "FDR" if result.fdr else "p"
    west, south, east, north = shapely.total_bounds(shapes)
    pad = 0.02 * max(east - west, north - south)
    figure.update_layout(
        title=title or f"LISA clusters ({rule} <= {result.threshold:.3g})",
        xaxis={"visible": False, "range": [west - pad, east + pad]},
        yaxis={"visible": False, "range": [south - pad, north + pad],
               "scaleanchor": "x", "scaleratio": _y_scale(crs, south, north)},
        legend={"title": {"text": "Cluster"}, "x": 1.02, "xanchor": "left", "y": 1},
        margin={**MARGIN, "autoexpand": False},
        hovermode="closest", plot_bgcolor="#FFFFFF", paper_bgcolor="#FFFFFF",
    )
    return figure


def _shapes_in_order(ids: list[Any], geometries: Sequence[Any] | Mapping[Any, Any]) -> NDArray[Any]:
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
    return np.asarray(shapes, dtype=object)


def _simplified(shapes: NDArray[Any]) -> NDArray[Any]:
    if int(shapely.get_num_coordinates(shapes).sum()) <= MAX_VERTICES:
        return shapes
    west, south, east, north = shapely.total_bounds(shapes)
    tolerance = SIMPLIFY_SHARE * max(east - west, north - south)
    return np.asarray(shapely.simplify(shapes, tolerance, preserve_topology=True), dtype=object)


def _outline_coordinates(shapes: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """x and y of every ring of every polygon, each ring followed by a NaN gap."""
    parts = shapely.get_parts(shapes)
    polygons = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    rings = shapely.get_rings(shapely.orient_polygons(polygons))
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    # Coordinate j of ring r moves r places along, leaving one free slot after each ring.
    drawn = np.full((len(coords) + len(rings), 2), np.nan)
    drawn[np.arange(len(coords)) + ring_of] = coords
    return drawn[:, 0], drawn[:, 1]


def _y_scale(crs: str | None, south: float, north: float) -> float:
    if not is_lon_lat(crs):
        return 1.0
    middle = math.radians((south + north) / 2)
    return 1 / max(math.cos(middle), 0.1)
