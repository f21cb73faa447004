"""``levelscope clusters`` and ``levelscope convergence``: where inequality sits and whether it
is closing.

Both read an indicator at one geography level of the workspace, print the result, and can write
a figure: the LISA cluster map, the dispersion chart or the transition-matrix heat map, as
``.html`` (self-contained, works offline) or ``.png`` / ``.svg`` / ``.pdf`` (needs the
``kaleido`` package and Chrome or Chromium).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from levelscope.cli.common import (
    SeedOption,
    WorkspaceOption,
    analysis_errors,
    console,
    handle_errors,
    open_workspace,
    print_frame,
    print_seed,
    write_frame,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.spatial.weights import Neighbours

# The analyses (SciPy, pandas, Plotly) are imported inside each command, so that --help stays
# quick; for the same reason the neighbour rules are written out here as well as in
# levelscope.spatial.weights.NEIGHBOURS (tests/test_cli_startup.py keeps the two equal).
NEIGHBOURS = ("fuzzy", "queen", "rook", "knn", "distance_band", "inverse_distance")

IndicatorArg = Annotated[str, typer.Argument(help="Indicator id, e.g. gva_per_hour_worked.")]
LevelOption = Annotated[str, typer.Option("--level", "-l", help="Geography level, e.g. itl3 or lad.")]
NeighboursOption = Annotated[
    str, typer.Option(help=f"How areas are linked: {', '.join(NEIGHBOURS)}.")
]


def write_figure(figure: go.Figure, path: Path, *, width: int = 1000, height: int = 800) -> None:
    """Save a figure as self-contained HTML (``.html``) or an image (``.png``, ``.svg``, ``.pdf``).

    The HTML embeds plotly.js, so it opens offline. Images go through Plotly's image export,
    which needs the ``kaleido`` package and a Chrome or Chromium on the machine; ``width`` and
    ``height`` are the image's size in pixels.
    """
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        figure.write_html(path, include_plotlyjs=True, full_html=True)
    elif suffix in (".png", ".svg", ".pdf"):
        _use_system_chromium()
        try:
            figure.write_image(path, width=width, height=height)
        except (ImportError, ValueError, RuntimeError) as exc:
            reason = " ".join(str(exc).split())
            raise typer.BadParameter(
                f"could not write {path.name}: image export needs the kaleido package and "
                f"Chrome or Chromium ({reason}); write the figure as .html instead"
            ) from exc
    else:
        raise typer.BadParameter(f"cannot write a figure to {path.name}: use .html, .png, .svg or .pdf")
    console.print(f"wrote {path}")


def _use_system_chromium() -> None:
    # kaleido drives a browser found by its helper package choreographer, which takes the
    # BROWSER_PATH environment variable first; point it at the system's Chromium (Debian names
    # it "chromium") unless the user has chosen a browser already.
    if "BROWSER_PATH" in os.environ:
        return
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        os.environ["BROWSER_PATH"] = found


def _neighbours(value: str) -> Neighbours:
    if value not in NEIGHBOURS:
        raise typer.BadParameter(f"--neighbours must be one of {', '.join(NEIGHBOURS)}")
    return value  # type: ignore[return-value]


def register(app: typer.Typer) -> None:
    """Add the ``clusters`` and ``convergence`` commands to ``app``."""

    @app.command("clusters")
    @handle_errors
    def clusters(
        indicator: IndicatorArg,
        level: LevelOption,
        period: Annotated[str | None, typer.Option(help="Period (default: the latest).")] = None,
        neighbours: NeighboursOption = "fuzzy",
        k: Annotated[int, typer.Option(help="Neighbours per area for --neighbours knn.")] = 6,
        permutations: Annotated[
            int, typer.Option("--n-resamples", "--permutations",
                              help="Random permutations (--permutations is the old name).")
        ] = 999,
        alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
        fdr: Annotated[bool, typer.Option(help="Control the false discovery rate.")] = False,
        seed: SeedOption = 0,
        map_file: Annotated[
            Path | None, typer.Option("--map", help="Write the LISA cluster map (.html or .png).")
        ] = None,
        csv: Annotated[Path | None, typer.Option(help="Write the per-area table (CSV).")] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Spatial clusters: global Moran's I and local (LISA) clusters of an indicator."""
        from levelscope.spatial.clusters import workspace_clusters

        with open_workspace(workspace, read_only=True) as ws, analysis_errors():
            result = workspace_clusters(
                ws, indicator, level, period, neighbours=_neighbours(neighbours), k=k,
                n_resamples=permutations, alpha=alpha, fdr=fdr, seed=seed,
            )
            names = ws.geographies(level).set_index("code")["name"]
        console.print(result.summary(), highlight=False)
        print_seed(result.provenance.seed)
        table = result.to_frame()
        significant = table[table["significant"]].assign(
            area=lambda t: t["geography_code"].map(names).fillna("")
        )
        if len(significant):
            shown = significant[["area", "geography_code", "value", "local_i", "p_sim", "cluster"]]
            print_frame(shown.rename(columns={"geography_code": "code"}), title="Significant areas",
                        limit=50)
        if csv is not None:
            write_frame(result.to_frame(), csv)
        if map_file is not None:
            write_figure(result.plot(title=f"LISA clusters: {indicator}, {result.period}"), map_file)

    @app.command("convergence")
    @handle_errors
    def convergence(
        indicator: IndicatorArg,
        level: LevelOption,
        start: Annotated[str | None, typer.Option(help="First period (default: earliest).")] = None,
        end: Annotated[str | None, typer.Option(help="Last period (default: latest).")] = None,
        measure: Annotated[
            str, typer.Option(help="Dispersion for sigma: std_log or a measure, e.g. gini.")
        ] = "std_log",
        k: Annotated[int, typer.Option(help="Classes of the Markov chains.")] = 5,
        spatial: Annotated[bool, typer.Option(help="Add the spatial Markov chain.")] = True,
        neighbours: NeighboursOption = "fuzzy",
        chart: Annotated[
            Path | None, typer.Option(help="Write the dispersion-over-time chart (.html or .png).")
        ] = None,
        transitions: Annotated[
            Path | None, typer.Option(help="Write the transition-matrix heat map (.html or .png).")
        ] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Convergence: beta and sigma convergence, Markov mobility and rank mobility."""
        from levelscope.convergence.analysis import workspace_convergence

        with open_workspace(workspace, read_only=True) as ws, analysis_errors():
            report = workspace_convergence(
                ws, indicator, level, start, end, measure=measure, k=k, spatial=spatial,
                neighbours=_neighbours(neighbours),
            )
        console.print(report.summary())
        if chart is not None:
            write_figure(report.sigma.plot(title=f"Dispersion of {indicator} across {level}"), chart)
        if transitions is not None:
            write_figure(report.markov.plot(title=f"Transitions of {indicator} ({k} classes)"),
                         transitions)
