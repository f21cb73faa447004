"""The ``levelscope inequality`` command: a table of inequality measures per group."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from levelscope.errors import LevelscopeError
from levelscope.measures.panel import DEFAULT_MEASURES, inequality_table

#: Returns the tidy observations of one indicator (optionally at one geography level).
ObservationLoader = Callable[[str, str | None], pd.DataFrame]


def register(app: typer.Typer, load_observations: ObservationLoader | None = None) -> None:
    """Add the ``inequality`` command to ``app``.

    ``load_observations(indicator, level)`` supplies the observations from a workspace; without
    it the command reads them from ``--input``.
    """

    @app.command("inequality")
    def inequality(
        indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. gva_per_head.")],
        level: Annotated[
            str | None, typer.Option(help="Geography level, e.g. ITL2 (column 'level').")
        ] = None,
        by: Annotated[list[str] | None, typer.Option(help="Column to group by; repeat for several.")] = None,
        measure: Annotated[
            list[str] | None,
            typer.Option("--measure", "-m", help="Measure, e.g. gini or 'atkinson(1)'; repeat."),
        ] = None,
        weight: Annotated[str | None, typer.Option(help="Column holding population weights.")] = None,
        input_file: Annotated[
            Path | None,
            typer.Option("--input", help="CSV of tidy observations to use instead of a workspace."),
        ] = None,
        csv: Annotated[Path | None, typer.Option(help="Also write the table to this CSV.")] = None,
    ) -> None:
        """Print inequality measures of an indicator for each period (or other grouping)."""
        console = Console()
        try:
            observations = _observations(indicator, level, input_file, load_observations)
            weights = None
            if weight is not None:
                if weight not in observations.columns:
                    raise typer.BadParameter(f"no column {weight!r} in the observations")
                weights = observations[weight]
            table = inequality_table(
                observations,
                by=by or ["period"],
                measures=measure or list(DEFAULT_MEASURES),
                weight=weights,
            )
        except (LevelscopeError, ValueError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(code=1) from exc
        console.print(_rich_table(table, f"Inequality in {indicator}"))
        if csv is not None:
            table.to_csv(csv, index=False)
            console.print(f"written to {csv}")


def _observations(
    indicator: str,
    level: str | None,
    input_file: Path | None,
    load: ObservationLoader | None,
) -> pd.DataFrame:
    if input_file is None:
        if load is None:
            raise ValueError("no workspace is connected; pass --input FILE with the observations")
        return load(indicator, level)
    observations = pd.read_csv(input_file)
    if "indicator_id" in observations.columns:
        observations = observations[observations["indicator_id"] == indicator]
    if level is not None:
        if "level" not in observations.columns:
            raise ValueError("--level needs a 'level' column in the observations")
        observations = observations[observations["level"] == level]
    if observations.empty:
        raise ValueError(f"no observations for {indicator!r}" + (f" at {level}" if level else ""))
    return observations.reset_index(drop=True)


def _rich_table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if column != frame.columns[0] else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row))
    return table
