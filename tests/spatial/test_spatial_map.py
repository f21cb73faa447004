"""The LISA cluster map on plain axes: its traces, self-contained HTML, and PNG export.

The PNG checks read pixels back: an area's interior point is turned into a pixel position from
the figure's axis ranges and margins, and the colour there must be its cluster's colour.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.affinity
import typer
from shapely.geometry import MultiPolygon, Polygon, box
from spatial_helpers import run_clusters_cli

from levelscope.cli.space import write_figure
from levelscope.spatial import Weights, local_moran
from levelscope.spatial.plot import lisa_cluster_map

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design") the map promises.
OKABE_ITO = {
    "High-High": "#D55E00",
    "Low-Low": "#0072B2",
    "Low-High": "#56B4E9",
    "High-Low": "#E69F00",
    "Not significant": "#DDDDDD",
    "Island": "#FFFFFF",
}

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="image export needs Chromium on PATH; run scripts/install-system-deps.sh",
)


def legend_traces(figure: Any) -> list[Any]:
    return [trace for trace in figure.data if trace.showlegend is not False]


def rings(x: Any, y: Any) -> list[np.ndarray]:
    """The closed rings of a trace, split at its NaN gaps."""
    points = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    gaps = np.nonzero(np.isnan(points[:, 0]))[0]
    pieces = np.split(points, gaps)
    return [piece[~np.isnan(piece[:, 0])] for piece in pieces if (~np.isnan(piece[:, 0])).sum()]


def enclosed_area(x: Any, y: Any) -> float:
    """Sum of the rings' signed areas by the shoelace formula, 1/2 Σ (x_i y_{i+1} − x_{i+1} y_i):
    counter-clockwise outlines count positive and clockwise holes negative, which is what the
    non-zero fill rule paints."""
    total = 0.0
    for ring in rings(x, y):
        xs, ys = ring[:, 0], ring[:, 1]
        total += 0.5 * float(np.sum(xs * np.roll(ys, -1) - np.roll(xs, -1) * ys))
    return total


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def pixel_of(figure: Any, x: float, y: float, width: int, height: int) -> tuple[int, int]:
    """Where data point (x, y) lands in an image of width × height.

    The drawing area is the image less the margins. The axes share one scale, with a y unit
    drawn ``scaleratio`` times as long as an x unit, so Plotly widens whichever axis range has
    room to spare around its middle: pixels per x unit = min(W / x span, H / (y span × ratio)).
    """
    margin = figure.layout.margin
    plot_w = width - margin.l - margin.r
    plot_h = height - margin.t - margin.b
    (x0, x1), (y0, y1) = figure.layout.xaxis.range, figure.layout.yaxis.range
    ratio = figure.layout.yaxis.scaleratio
    per_x = min(plot_w / (x1 - x0), plot_h / ((y1 - y0) * ratio))
    column = margin.l + plot_w / 2 + (x - (x0 + x1) / 2) * per_x
    row = margin.t + plot_h / 2 - (y - (y0 + y1) / 2) * per_x * ratio
    return round(column), round(row)


@pytest.fixture(scope="module")
def itl3_clusters(itl3: Any, log_gva: np.ndarray) -> Any:
    weights = Weights.fuzzy(list(itl3.geometry), list(itl3.index))
    return local_moran(log_gva, weights, n_resamples=199, seed=11)


def test_one_trace_per_class_with_counts_colours_and_areas(itl3: Any, itl3_clusters: Any) -> None:
    result = itl3_clusters
    figure = lisa_cluster_map(result, list(itl3.geometry), names=dict(itl3["ITL321NM"]))
    assert {trace.type for trace in figure.data} == {"scatter"}  # no geo subplot, no topojson
    counts = pd.Series(result.labels).value_counts()
    shown = legend_traces(figure)
    assert len(shown) == len(counts) >= 3
    labels = np.asarray(result.labels)
    shapes = np.asarray(itl3.geometry)
    # These outlines have more than 20,000 vertices, so they are simplified by 1/2000 of the
    # map's larger side.
    assert shapely.get_num_coordinates(shapes).sum() > 20_000
    west, south, east, north = shapely.total_bounds(shapes)
    tolerance = max(east - west, north - south) / 2000
    for trace in shown:
        label, count = re.fullmatch(r"(.+) \((\d+)\)", trace.name).groups()  # type: ignore[union-attr]
        assert int(count) == counts[label]
        assert trace.fill == "toself" and trace.fillcolor.upper() == OKABE_ITO[label]
        # The class's rings enclose the area of its shapes, up to what simplification moved:
        # no edge moves further than the tolerance, so the area changes by at most
        # perimeter × tolerance.
        own = shapes[labels == label]
        moved = float(shapely.length(own).sum()) * tolerance
        expected_area = float(shapely.area(own).sum())
        assert enclosed_area(trace.x, trace.y) == pytest.approx(expected_area, abs=moved)
        # Its hover markers name each of its areas once, with the value.
        hover = next(t for t in figure.data if t.legendgroup == label and t.showlegend is False)
        codes = [re.search(r"\((\w+)\)", text).group(1) for text in hover.text]  # type: ignore[union-attr]
        assert sorted(codes) == sorted(itl3.index[labels == label])
    london = list(itl3.index).index("TLI31")  # Camden and City of London
    assert any("Camden and City of London (TLI31)" in t for tr in figure.data if tr.text for t in tr.text)
    assert f"value {result.values[london]:.4g}" in " ".join(
        t for tr in figure.data if tr.text for t in tr.text
    )
    # British National Grid metres are drawn one to one, axes hidden.
    assert figure.layout.yaxis.scaleanchor == "x" and figure.layout.yaxis.scaleratio == 1
    assert figure.layout.xaxis.visible is False and figure.layout.yaxis.visible is False
    x0, x1 = figure.layout.xaxis.range
    assert x0 < west < east < x1 and x1 - x0 > 100_000  # metres, not degrees


def test_multipolygons_and_holes_and_degrees() -> None:
    # A 3 × 3 square with a 1 × 1 hole; a square filling the hole; a two-part area beside them;
    # a 4 × 1 strip below all three.
    donut = Polygon(box(0, 0, 3, 3).exterior.coords, [box(1, 1, 2, 2).exterior.coords])
    centre = box(1, 1, 2, 2)
    pair = MultiPolygon([box(3, 0, 4, 1), box(3, 2, 4, 3)])
    strip = box(0, -1, 4, 0)
    # Shifted so the map's middle latitude is 60°, where cos = 1/2.
    shapes = [shapely.affinity.translate(g, 0, 59) for g in (donut, centre, pair, strip)]
    codes = ["A", "B", "C", "D"]
    result = local_moran([1.0, 2.0, 3.0, 4.0], Weights.queen(shapes, codes), n_resamples=0)
    figure = lisa_cluster_map(result, dict(zip(codes, shapes, strict=True)), crs="EPSG:4326")
    (trace,) = legend_traces(figure)
    assert trace.name == "Not significant (4)"
    # Donut outline + its hole + the centre square + two parts of the pair + the strip: 6 rings.
    assert len(rings(trace.x, trace.y)) == 6
    # Filled area: (9 − 1) for the donut, 1 for the centre, 1 + 1 for the pair, 4 for the strip.
    assert enclosed_area(trace.x, trace.y) == pytest.approx(8 + 1 + 2 + 4)
    assert figure.layout.yaxis.scaleratio == pytest.approx(2.0)
    with pytest.raises(ValueError, match="no shape for 1 areas"):
        lisa_cluster_map(result, dict(zip(codes[:3], shapes, strict=False)))
    with pytest.raises(ValueError, match="3 shapes for 4 areas"):
        lisa_cluster_map(result, shapes[:3])


def test_html_is_self_contained(itl3: Any, itl3_clusters: Any, tmp_path: Path) -> None:
    out = tmp_path / "clusters.html"
    write_figure(lisa_cluster_map(itl3_clusters, list(itl3.geometry)), out)
    html = out.read_text()
    assert not re.search(r"<script[^>]*\bsrc=", html)  # plotly.js embedded, nothing loaded
    assert not re.search(r"<link[^>]*\bhref=", html)
    figure_call = html[html.index("Plotly.newPlot("):]
    # Coordinates travel as base64 typed arrays, whose letters could spell anything.
    figure_call = re.sub(r'"bdata":"[^"]*"', '"bdata":""', figure_call)
    for word in ("http", "cdn", "topojson"):
        assert word not in figure_call.lower()
    assert "High-High" in figure_call


def test_image_export_failure_suggests_html(
    itl3: Any, itl3_clusters: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-browser"))
    figure = lisa_cluster_map(itl3_clusters, list(itl3.geometry))
    with pytest.raises(typer.BadParameter, match=r"kaleido.*Chrome.*\.html instead"):
        write_figure(figure, tmp_path / "clusters.png")
    with pytest.raises(typer.BadParameter, match=r"use \.html"):
        write_figure(figure, tmp_path / "clusters.gif")


def test_system_chromium_is_used_unless_a_browser_is_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from levelscope.cli import space

    monkeypatch.setattr(space.shutil, "which", lambda name: f"/opt/{name}")
    monkeypatch.setenv("BROWSER_PATH", "")  # so the teardown restores the variable's state
    monkeypatch.delenv("BROWSER_PATH")
    space._use_system_chromium()
    assert space.os.environ["BROWSER_PATH"] == "/opt/chromium"
    monkeypatch.setenv("BROWSER_PATH", "/my/chrome")
    space._use_system_chromium()
    assert space.os.environ["BROWSER_PATH"] == "/my/chrome"


@pytest.mark.slow
@needs_chromium
def test_cli_writes_png_cluster_map_in_the_right_colours(
    demo_workspace_path: Path, tmp_path: Path
) -> None:
    from PIL import Image

    from levelscope import Workspace

    out, table = tmp_path / "clusters.png", tmp_path / "clusters.csv"
    run = run_clusters_cli(demo_workspace_path, out, table)
    assert run.exit_code == 0, run.output
    assert out.read_bytes()[:8] == PNG_SIGNATURE
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        result = ws.clusters("gva_per_hour_worked", "itl3", seed=2, n_resamples=199)
    written = pd.read_csv(table)
    assert list(written["cluster"]) == list(result.local.labels)  # the map the CLI drew
    figure = result.plot()
    with Image.open(out) as image:
        assert image.size == (1000, 800)  # the CLI's image size
        pixels = image.convert("RGB")
        labels = np.asarray(result.local.labels)
        for label in ("High-High", "Not significant"):
            chosen = np.nonzero(labels == label)[0]
            assert len(chosen), f"no {label} area in the demo data"
            # The point of the class's widest area farthest from its edges (the centre of its
            # largest inscribed circle), so the pixel is surely inside that area.
            circles = [shapely.maximum_inscribed_circle(result.geometries[i]) for i in chosen]
            widest = max(circles, key=lambda line: line.length)
            x, y = widest.coords[0]
            column, row = pixel_of(figure, x, y, 1000, 800)
            radius_px = pixel_of(figure, x + widest.length, y, 1000, 800)[0] - column
            assert radius_px > 3  # the nearest edge is pixels away
            found = np.asarray(pixels.getpixel((column, row)), dtype=int)
            expected = np.asarray(hex_rgb(OKABE_ITO[label]))
            assert np.abs(found - expected).max() <= 3, (label, found, expected)
        assert pixels.getpixel((5, 795)) == (255, 255, 255)  # the margin is blank


@pytest.mark.slow
@needs_chromium
def test_transition_heat_map_exports_to_png_at_the_requested_size(
    demo_workspace_path: Path, tmp_path: Path
) -> None:
    from PIL import Image
    from plotly.colors import sample_colorscale, unlabel_rgb

    from levelscope import Workspace

    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        report = ws.convergence("gva_per_hour_worked", "itl3", k=5, spatial=False)
    out = tmp_path / "transitions.png"
    write_figure(report.markov.plot(title="Transitions"), out, width=640, height=480)
    assert out.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(out) as image:
        assert image.size == (640, 480)
        pixels = np.asarray(image.convert("RGB"), dtype=int)
    # The most likely transition's cell is painted in its Cividis colour (scale 0 to 1).
    top = float(report.markov.probabilities.max())
    expected = np.array(unlabel_rgb(sample_colorscale("Cividis", [top])[0]))
    close = np.abs(pixels - expected).max(axis=2) <= 3
    # One of the 25 cells covers thousands of pixels; the colour bar's band of that colour, a
    # few hundred.
    assert close.sum() > 1500
