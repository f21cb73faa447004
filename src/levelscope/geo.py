"""GeoPandas at the edges: boundaries out of the workspace, and area tables with their shapes.

GeoPandas is optional (``pip install levelscope[geo]``): nothing in levelscope imports it until
one of these functions is called, and then a missing install is a clear error rather than an
``ImportError`` from deep inside. Shapes are stored in the workspace as WKB with their CRS;
:func:`boundaries` gives them back as a ``GeoDataFrame`` with ``geography_code`` and
``geography_name`` columns, and :func:`with_geometry` puts those shapes beside any table whose
rows are areas (a result's ``to_frame()``, ``ws.observations(...)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from levelscope.errors import LevelscopeError

if TYPE_CHECKING:
    from geopandas import GeoDataFrame


class ShapeSource(Protocol):
    """What :func:`boundaries` reads: a workspace (this module sits below the data layer)."""

    def geometries(self, level: Any) -> tuple[list[str], list[Any], str | None]: ...

    def geographies(self, level: Any = None) -> pd.DataFrame: ...


def geopandas() -> Any:
    """The ``geopandas`` module, or an error that says how to install it."""
    try:
        import geopandas
    except ImportError:
        raise LevelscopeError(
            "this needs GeoPandas, an optional extra: pip install 'levelscope[geo]'"
        ) from None
    return geopandas


def boundaries(ws: ShapeSource, level: str) -> GeoDataFrame:
    """The shapes of the places at ``level`` that have one, as a GeoDataFrame.

    Parameters
    ----------
    ws
        The workspace.
    level
        A geographic level, e.g. ``"lad"`` or ``"itl3"``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place with a shape: ``geography_code``, ``geography_name`` and ``geometry``,
        in the CRS the shapes were stored with (e.g. ``EPSG:27700``, the British National Grid).

    Examples
    --------
    >>> itl3 = boundaries(ws, "itl3")
    >>> itl3.columns.tolist(), str(itl3.crs)
    (['geography_code', 'geography_name', 'geometry'], 'EPSG:27700')
    """
    gpd = geopandas()
    codes, shapes, crs = ws.geometries(level)
    names = ws.geographies(level).set_index("code")["name"]
    return gpd.GeoDataFrame(
        {"geography_code": codes, "geography_name": names.reindex(codes).tolist()},
        geometry=shapes,
        crs=crs,
    )


def with_geometry(table: pd.DataFrame, shapes: GeoDataFrame) -> GeoDataFrame:
    """``table`` (rows about areas, with ``geography_code``) as a GeoDataFrame with their shapes.

    Every row of ``table`` is kept, in its order; a row whose area has no shape in ``shapes``
    gets an empty geometry. Columns ``shapes`` has besides ``geography_code`` and ``geometry``
    are not added.

    Parameters
    ----------
    table
        A frame with a ``geography_code`` column, e.g. a result's ``to_frame()``.
    shapes
        A GeoDataFrame with ``geography_code`` and a geometry, e.g. :func:`boundaries`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``table``'s columns and ``geometry``, in ``shapes``' CRS.

    Examples
    --------
    >>> gva = ws.observations("gva_per_hour_worked", level="itl3", periods="2021")
    >>> mapped = with_geometry(gva, boundaries(ws, "itl3"))
    >>> len(mapped) == len(gva), bool(mapped.geometry.notna().all())
    (True, True)
    """
    gpd = geopandas()
    if "geography_code" not in table.columns:
        raise ValueError(
            f"the table has no geography_code column (it has {list(table.columns)}), so its rows "
            "are not areas that have shapes"
        )
    if shapes.index.name == "geography_code" and "geography_code" not in shapes.columns:
        shapes = shapes.reset_index()
    geometry = shapes.set_index("geography_code").geometry
    if not geometry.index.is_unique:
        raise ValueError("each area must have one shape in shapes")
    return gpd.GeoDataFrame(
        table.reset_index(drop=True),
        geometry=geometry.reindex(table["geography_code"]).to_numpy(),
        crs=shapes.crs,
    )
