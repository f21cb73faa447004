"""A choropleth drawn as SVG on the server, so a report's map needs no script and prints as vectors.

The shapes are the workspace's boundaries, simplified; each area is one ``<path>`` filled with its
class colour from a :class:`~levelscope.compare.maps.MapData`, and the highlighted area is drawn
last with a thick outline. Shapes in longitude/latitude are stretched by 1/cos(latitude) so
that Britain keeps its proportions, as on the dashboard's maps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
import shapely
from markupsafe import Markup

from levelscope.compare.maps import MapData
from levelscope.data.boundaries import is_lon_lat

#: Width of the drawing in its own units (the SVG scales to the page).
WIDTH = 600.0
NO_FIGURE = "#ffffff"


def choropleth_svg(
    result: MapData, codes: Sequence[str], shapes: Sequence[Any], crs: str | None, *,
    highlight: str | None = None, label: str, tolerance: float = 400.0,
) -> Markup:
    """An SVG map of ``result`` over the shapes, ``highlight`` outlined in black.

    Parameters
    ----------
    result:
        The classed values (their ``colour`` fills each area; areas without one stay white).
    codes, shapes, crs:
        The level's boundaries as :meth:`Workspace.geometries` returns them.
    highlight:
        The code of the area to outline.
    label:
        The map's text alternative (``<title>`` and ``aria-label``).
    tolerance:
        Simplification in the shapes' own units (metres on the British National Grid).
    """
    geoms = np.asarray(list(shapes), dtype=object)
    lon_lat = crs is not None and is_lon_lat(crs)
    geoms = shapely.simplify(geoms, tolerance / 111_000 if lon_lat else tolerance, preserve_topology=True)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    stretch = 1 / math.cos(math.radians((ymin + ymax) / 2)) if lon_lat else 1.0
    scale = WIDTH / (xmax - xmin)
    height = (ymax - ymin) * scale * stretch
    colour = dict(zip(result.table["geography_code"], result.table["colour"], strict=True))

    def path(geom: Any) -> str:
        parts = []
        for polygon in getattr(geom, "geoms", [geom]):
            for ring in [polygon.exterior, *polygon.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                x = (xy[:, 0] - xmin) * scale
                y = (ymax - xy[:, 1]) * scale * stretch
                points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True))
                parts.append(f"M{points}Z")
        return "".join(parts)

    drawn, outline = [], ""
    for code, geom in zip(codes, geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        d = path(geom)
        drawn.append(f'<path d="{d}" fill="{colour.get(code, NO_FIGURE)}"/>')
        if code == highlight:
            outline = f'<path d="{d}" fill="none" stroke="#000" stroke-width="2.5"/>'
    return Markup(
        f'<svg class="report-map" viewBox="0 0 {WIDTH:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
        f'<g stroke="#555" stroke-width="0.3" stroke-linejoin="round">{"".join(drawn)}</g>{outline}</svg>'
    )
