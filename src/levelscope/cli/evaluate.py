"""``levelscope evaluate ...``: did the policy cause the change?

Works on a long CSV with one row per unit and period (columns named by options). Long runs
(placebos, placebo standard errors, bootstrap) show a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from levelscope.cli.common import EXIT_INVALID, console, errors, handle_errors, print_frame, write_frame
from levelscope.errors import Problem, ValidationError
from levelscope.evaluate import (
    DesignError,
    callaway_santanna,
    placebo_in_space,
    synth_verdict,
    synthetic_control,
    synthetic_did,
    twfe,
)


class Method(StrEnum):
    synth = "synth"
    sdid = "sdid"
    did = "did"
    cs = "cs"


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar fed by the estimators' ``progress(done, total)`` callback."""
    with Progress(
        TextColumn(label), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _read(path: Path, unit: str) -> pd.DataFrame:
    frame = pd.read_csv(path)
    if unit not in frame.columns:
        raise ValidationError(Problem("column is missing", file=path.name, column=unit))
    frame[unit] = frame[unit].astype(str)
    return frame


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` command to ``app``."""

    @app.command("evaluate")
    @handle_errors
    def evaluate(
        data: Annotated[Path, typer.Argument(help="long CSV: one row per unit and period", exists=True)],
        treated: Annotated[list[str] | None, typer.Option("--treated", "-t", help="treated unit (repeat for several)")] = None,
        start: Annotated[float | None, typer.Option(help="first treated period")] = None,
        unit: Annotated[str, typer.Option(help="unit column")] = "unit",
        time: Annotated[str, typer.Option(help="period column (numeric)")] = "time",
        outcome: Annotated[str, typer.Option(help="outcome column")] = "outcome",
        method: Annotated[Method, typer.Option(help="synth, sdid, did (TWFE) or cs (Callaway-Sant'Anna)")] = Method.synth,
        exclude: Annotated[list[str] | None, typer.Option(help="unit to keep out of the donors/controls (repeat)")] = None,
        predictor: Annotated[list[str] | None, typer.Option(help="synth predictor column, averaged over the pre-period (repeat)")] = None,
        placebos: Annotated[bool, typer.Option(help="synth: run in-space placebos for a p-value")] = True,
        cohort: Annotated[str | None, typer.Option(help="cs: column with each unit's first treated period")] = None,
        control_group: Annotated[str, typer.Option(help="cs: never_treated or not_yet_treated")] = "never_treated",
        bootstrap: Annotated[int, typer.Option(help="cs: multiplier bootstrap draws (0: analytic)")] = 0,
        seed: Annotated[int | None, typer.Option(help="random seed for placebo/bootstrap draws")] = None,
        plot: Annotated[Path | None, typer.Option(help="write the main figure as HTML here")] = None,
        csv: Annotated[Path | None, typer.Option("--csv", help="write the result table here")] = None,
    ) -> None:
        """Estimate the effect of a policy on an outcome from a panel CSV."""
        frame = _read(data, unit)
        frame = frame[~frame[unit].isin(exclude or [])]
        units = list(treated or [])
        try:
            if method is Method.cs:
                if cohort is None:
                    raise DesignError("--cohort is required for method cs")
                effects = callaway_santanna(
                    frame, unit=unit, time=time, outcome=outcome, cohort=cohort,
                    control_group=control_group,  # type: ignore[arg-type]
                )
                with progress_bar("bootstrap") as update:
                    dynamic = effects.aggregate("dynamic", bootstrap=bootstrap, seed=seed,
                                                progress=update if bootstrap else None)
                simple = effects.aggregate("simple")
                console.print(simple.summary())
                console.print(effects.pretrend_test().summary())
                print_frame(dynamic.to_frame(), title="Effect by periods since adoption")
                table, figure = dynamic.to_frame(), dynamic.plot()
            else:
                if not units or start is None:
                    raise DesignError("--treated and --start are required for this method")
                if method is Method.synth:
                    if len(units) != 1:
                        raise DesignError("synth takes one --treated unit; use sdid or did for several")
                    fit = synthetic_control(
                        frame, unit=unit, time=time, outcome=outcome, treated=units[0],
                        start=start, predictors=predictor or None,
                    )
                    test = None
                    if placebos:
                        with progress_bar("placebos") as update:
                            test = placebo_in_space(fit, progress=update)
                    console.print(fit.summary().rsplit("\n", 1)[0])
                    console.print(synth_verdict(fit, test))
                    table, figure = fit.to_frame(), (test.plot() if test else fit.plot())
                elif method is Method.sdid:
                    with progress_bar("placebo standard error") as update:
                        est = synthetic_did(
                            frame, unit=unit, time=time, outcome=outcome, treated=units,
                            start=start, seed=seed, progress=update,
                            se="jackknife" if len(units) > 1 else "placebo",
                        )
                    console.print(est.summary())
                    table, figure = est.to_frame(), est.plot()
                else:
                    marked = frame.assign(
                        _treated=(frame[unit].isin(units) & (frame[time] >= start)).astype(float)
                    )
                    est_twfe = twfe(marked, unit=unit, time=time, outcome=outcome, treatment="_treated")
                    console.print(est_twfe.summary())
                    table, figure = est_twfe.to_frame(), None
        except DesignError as exc:
            errors.print(f"[red]Design problem[/red]: {exc}", highlight=False)
            raise typer.Exit(EXIT_INVALID) from None
        if csv is not None:
            write_frame(table, csv)
        if plot is not None and figure is not None:
            figure.write_html(plot)
            console.print(f"wrote figure to {plot}")
