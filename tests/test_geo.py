"""GeoPandas at the edges: boundaries as GeoDataFrames, weights from them, results with shapes."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import geopandas
import libpysal
import numpy as np
import pytest

from levelscope.geo import boundaries, with_geometry
from levelscope.spatial import Weights


def linked(w: Weights) -> dict[str, set[str]]:
    rows, cols = w.sparse.nonzero()
    out: dict[str, set[str]] = {str(i): set() for i in w.ids}
    for r, c in zip(rows, cols, strict=True):
        out[str(w.ids[r])].add(str(w.ids[c]))
    return out


def test_boundaries_are_the_stored_shapes_with_names_and_crs(demo_workspace: Any) -> None:
    itl3 = demo_workspace.boundaries("itl3")
    codes, shapes, crs = demo_workspace.geometries("itl3")
    assert isinstance(itl3, geopandas.GeoDataFrame)
    assert itl3["geography_code"].tolist() == codes and str(itl3.crs) == crs == "EPSG:27700"
    np.testing.assert_allclose(itl3.area.to_numpy(), [s.area for s in shapes])
    names = demo_workspace.geographies("itl3").set_index("code")["name"]
    assert (itl3.set_index("geography_code")["geography_name"] == names.reindex(codes)).all()
    # The Isle of Wight's area in the ITL3 boundary file is about 380 km² (ONS, generalised).
    wight = itl3.loc[itl3["geography_name"].str.contains("Isle of Wight"), "geometry"].area.iloc[0]
    assert 3.5e8 < wight < 4.1e8


def test_weights_from_a_geodataframe_equal_libpysal(demo_workspace: Any) -> None:
    itl3 = demo_workspace.boundaries("itl3")
    ours = Weights.from_geodataframe(itl3, "queen")
    theirs = libpysal.weights.Queen.from_dataframe(itl3, ids=itl3["geography_code"].tolist(),
                                                   use_index=False)
    assert linked(ours) == {code: set(theirs.neighbors[code]) for code in itl3["geography_code"]}
    fuzzy = Weights.from_geodataframe(itl3)
    reference = libpysal.weights.fuzzy_contiguity(itl3.set_index("geography_code"))
    assert linked(fuzzy) == {code: set(reference.neighbors[code]) for code in itl3["geography_code"]}
    by_index = Weights.from_geodataframe(itl3.set_index("geography_code").drop(columns="geography_name"))
    assert list(by_index.ids) == itl3["geography_code"].tolist()


def test_results_carry_their_areas_shapes(demo_workspace: Any) -> None:
    clusters = demo_workspace.clusters("gva_per_hour_worked", "itl3", n_resamples=99)
    mapped = clusters.to_geodataframe()
    table = clusters.to_frame()
    assert isinstance(mapped, geopandas.GeoDataFrame) and str(mapped.crs) == "EPSG:27700"
    assert mapped["geography_code"].tolist() == table["geography_code"].tolist()
    stored = demo_workspace.boundaries("itl3").set_index("geography_code").geometry
    for code, shape in zip(mapped["geography_code"], mapped.geometry, strict=True):
        assert shape.equals(stored[code])
    again = clusters.to_geodataframe(demo_workspace.boundaries("itl3"))
    assert again["cluster"].tolist() == mapped["cluster"].tolist()

    inequality = demo_workspace.inequality("gva_per_hour_worked", "itl3")
    with pytest.raises(ValueError, match="no geography_code column"):
        inequality.to_geodataframe(demo_workspace.boundaries("itl3"))


def test_a_table_keeps_every_row_even_without_a_shape(demo_workspace: Any) -> None:
    gva = demo_workspace.observations("gva_per_hour_worked", level="itl3", periods="2021")
    shapes = boundaries(demo_workspace, "itl3")
    partial = shapes.iloc[:10]
    mapped = with_geometry(gva, partial)
    assert len(mapped) == len(gva)
    assert mapped.geometry.notna().sum() == gva["geography_code"].isin(partial["geography_code"]).sum()


def test_the_core_does_not_need_geopandas() -> None:
    script = (
        "import sys\n"
        "import levelscope, levelscope.spatial, levelscope.measures, levelscope.convergence\n"
        "from levelscope.data.store import Workspace\n"
        "assert 'geopandas' not in sys.modules, 'geopandas imported by the core'\n"
        "sys.modules['geopandas'] = None  # as if it were not installed\n"
        "ws = Workspace.open(':memory:')\n"
        "try:\n"
        "    ws.boundaries('lad')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "LevelscopeError" in done.stdout and "levelscope[geo]" in done.stdout
