"""The ``levelscope inequality`` command: a table of inequality measures per period or group.

By default it reads the indicator from the workspace at one geography level
(``levelscope inequality weekly_pay --level lad --by year --weight population``); with
``--input`` it reads tidy observations from a CSV instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from levelscope.cli.common import (
    WorkspaceOption,
    analysis_errors,
    console,
    handle_errors,
    open_workspace,
    print_frame,
    write_frame,
)
from levelscope.formatting import level_name, with_area_names

if TYPE_CHECKING:
    import pandas as pd

# pandas and the measures are imported inside the command, so that its --help stays quick.


def register(app: typer.Typer) -> None:
    """Add the ``inequality`` command to ``app``."""

    @app.command("inequality")
    @handle_errors
    def inequality(
        indicator: Annotated[str, typer.Argument(help="Indicator id, e.g. gva_per_hour_worked.")],
        level: Annotated[
            str | None, typer.Option("--level", "-l", help="Geographic level, e.g. itl3 or lad.")
        ] = None,
        by: Annotated[
            list[str] | None,
            typer.Option(help="Column to group by (default: year); repeat for several."),
        ] = None,
        measure: Annotated[
            list[str] | None,
            typer.Option("--measure", "-m", help="Measure, e.g. gini or 'atkinson(1)'; repeat."),
        ] = None,
        weight: Annotated[
            str | None,
            typer.Option(help="Weights: an indicator id in the workspace (e.g. population), "
                         "or a column of the --input file."),
        ] = None,
        drop_unweighted: Annotated[
            bool, typer.Option(help="Leave out (and name) areas that have no weight.")
        ] = False,
        input_file: Annotated[
            Path | None,
            typer.Option("--input", help="CSV of tidy observations to use instead of a workspace."),
        ] = None,
        csv: Annotated[Path | None, typer.Option(help="Also write the table to this CSV.")] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Print inequality measures of an indicator across areas, for each year (or group)."""
        from levelscope.measures.engine import DEFAULT_MEASURES, inequality_table

        with analysis_errors():
            names: dict[str, str] = {}
            if input_file is not None:
                observations, weights, notes = _from_file(indicator, level, weight, input_file)
            else:
                observations, weights, notes, names = _from_workspace(
                    indicator, level, weight, drop_unweighted, workspace
                )
            table = inequality_table(
                observations,
                by=by or ["year"],
                measures=measure or list(DEFAULT_MEASURES),
                weight=weights,
            )
        where = f" across {level_name(level.lower(), plural=True)}" if level else ""
        what = names.get("indicator", indicator)
        print_frame(table, title=f"Inequality in {what}{where}")
        for note in notes:
            console.print(f"note: {with_area_names(note, names)}", highlight=False)
        if csv is not None:
            write_frame(table, csv)


def _from_workspace(
    indicator: str,
    level: str | None,
    weight: str | None,
    drop_unweighted: bool,
    workspace: Path | None,
) -> tuple[pd.DataFrame, pd.Series | None, tuple[str, ...], dict[str, str]]:
    """The panel, its weights, notes on what was left out, and names (areas by code, and the
    indicator's under the key ``"indicator"``)."""
    from levelscope.data.weighting import weighted_panel

    if level is None:
        raise ValueError("--level is required with a workspace (e.g. --level itl3)")
    with open_workspace(workspace, read_only=True) as ws:
        panel = weighted_panel(
            ws, indicator, level.lower(), weight=weight,
            missing_weights="drop" if drop_unweighted else "error",
        )
        places = ws.geographies(level.lower())
        names = dict(zip(places["code"], places["name"], strict=True))
        names["indicator"] = ws.indicator(indicator).name
    frame = panel.frame.reset_index(drop=True)
    return frame, (frame["weight"] if weight else None), panel.notes, names


def _from_file(
    indicator: str, level: str | None, weight: str | None, input_file: Path
) -> tuple[pd.DataFrame, pd.Series | None, tuple[str, ...]]:
    import pandas as pd

    observations = pd.read_csv(input_file)
    if "indicator_id" in observations.columns:
        observations = observations[observations["indicator_id"] == indicator]
    if level is not None:
        if "level" not in observations.columns:
            raise ValueError("--level needs a 'level' column in the observations")
        observations = observations[observations["level"].astype(str).str.lower() == level.lower()]
    if observations.empty:
        raise ValueError(f"no observations for {indicator!r}" + (f" at {level}" if level else ""))
    observations = observations.reset_index(drop=True)
    if weight is not None and weight not in observations.columns:
        raise ValueError(f"no column {weight!r} in {input_file.name}")
    return observations, (observations[weight] if weight else None), ()
