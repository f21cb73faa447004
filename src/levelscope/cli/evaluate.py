"""``levelscope evaluate ...``: did the policy cause the change?

* ``evaluate panel DATA.csv`` — a long CSV with one row per unit and period (columns named by
  options), estimated by synthetic control, synthetic DiD, TWFE or Callaway–Sant'Anna;
* ``evaluate area INDICATOR -t CODE --start YEAR`` — an indicator of the workspace for treated
  areas, against the other areas of their level;
* ``evaluate programme ID INDICATOR`` — a registered programme's places from its start date.

Long runs (placebos, placebo standard errors, bootstrap) show a progress bar.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from levelscope.cli.common import (
    EXIT_INVALID,
    RecordsUrlOption,
    SeedOption,
    WorkspaceOption,
    console,
    errors,
    for_the_command_line,
    handle_errors,
    open_workspace,
    print_frame,
    print_seed,
    write_frame,
)
from levelscope.errors import Problem, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from levelscope.evaluate import AreaEvaluation, areas
    from levelscope.evaluate.panel import Balance

# The estimators (pandas, SciPy, Plotly) are imported inside each command, so that --help stays
# quick.


class Method(StrEnum):
    synth = "synth"
    sdid = "sdid"
    did = "did"
    cs = "cs"


class AreaMethod(StrEnum):
    synth = "synth"
    sdid = "sdid"
    did = "did"


class AreaBalance(StrEnum):
    drop_donors = "drop-donors"
    drop_periods = "drop-periods"
    error = "error"


_BALANCE: dict[AreaBalance, areas.AreaBalance] = {
    AreaBalance.drop_donors: "drop_donors", AreaBalance.drop_periods: "drop_periods",
    AreaBalance.error: "error",
}
#: The same rules on a panel file: drop-donors leaves out every unit with a gap.
_PANEL_BALANCE: dict[AreaBalance, Balance] = {
    AreaBalance.drop_donors: "drop_units", AreaBalance.drop_periods: "drop_periods",
    AreaBalance.error: "error",
}
BalanceOption = Annotated[
    AreaBalance,
    typer.Option(help="gaps in the series: drop-donors leaves out comparison areas missing a year "
                 "the treated areas have; drop-periods keeps only the years every area has; "
                 "error refuses any gap"),
]

_AREA_METHODS: dict[AreaMethod, areas.Method] = {
    AreaMethod.synth: "synth", AreaMethod.sdid: "sdid", AreaMethod.did: "did"
}

Plot = Annotated[Path | None, typer.Option(help="write the main figure as HTML here")]
Csv = Annotated[Path | None, typer.Option("--csv", help="write the result table here")]
Exclude = Annotated[
    list[str] | None, typer.Option(help="area or unit to keep out of the donors/controls (repeat)")
]
Neighbours = Annotated[
    bool, typer.Option(help="keep areas bordering a treated area out of the comparison group")
]
Placebos = Annotated[bool, typer.Option(help="synth: run in-space placebos for a p-value")]


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


@contextmanager
def design_errors() -> Iterator[None]:
    """Report a design the estimators refuse as invalid input (exit code 1)."""
    from levelscope.evaluate import DesignError

    try:
        yield
    except DesignError as exc:
        errors.print(f"[red]Design problem[/red]: {for_the_command_line(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_INVALID) from None


def _read(path: Path, unit: str) -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(path)
    if unit not in frame.columns:
        raise ValidationError(Problem("column is missing", file=path.name, column=unit))
    frame[unit] = frame[unit].astype(str)
    return frame


def _write(table: pd.DataFrame, figure: go.Figure | None, csv: Path | None, plot: Path | None) -> None:
    if csv is not None:
        write_frame(table, csv)
    if plot is not None and figure is not None:
        figure.write_html(plot)
        console.print(f"wrote figure to {plot}")


def _show(evaluation: AreaEvaluation, csv: Path | None, plot: Path | None) -> None:
    console.print(evaluation.summary(), highlight=False)
    figure = None if evaluation.method == "did" else evaluation.plot()
    _write(evaluation.to_frame(), figure, csv, plot)


def register(app: typer.Typer) -> None:
    """Add the ``evaluate`` commands to ``app``."""
    group = typer.Typer(help="Did the policy cause the change? Synthetic control and DiD.",
                        no_args_is_help=True)
    app.add_typer(group, name="evaluate")

    @group.command("panel")
    @handle_errors
    def panel(
        data: Annotated[Path, typer.Argument(help="long CSV: one row per unit and period", exists=True)],
        treated: Annotated[
            list[str] | None, typer.Option("--treated", "-t", help="treated unit (repeat for several)")
        ] = None,
        start: Annotated[float | None, typer.Option(help="first treated period")] = None,
        unit: Annotated[str, typer.Option(help="unit column")] = "unit",
        time: Annotated[str, typer.Option(help="period column (numeric)")] = "time",
        outcome: Annotated[str, typer.Option(help="outcome column")] = "outcome",
        method: Annotated[
            Method, typer.Option(help="synth, sdid, did (TWFE) or cs (Callaway-Sant'Anna)")
        ] = Method.synth,
        exclude: Exclude = None,
        predictor: Annotated[
            list[str] | None,
            typer.Option(help="synth predictor column, averaged over the pre-period (repeat)"),
        ] = None,
        placebos: Placebos = True,
        balance: BalanceOption = AreaBalance.error,
        cohort: Annotated[
            str | None, typer.Option(help="cs: column with each unit's first treated period")
        ] = None,
        control_group: Annotated[
            str, typer.Option(help="cs: never_treated or not_yet_treated")
        ] = "never_treated",
        bootstrap: Annotated[
            int, typer.Option("--n-resamples", "--bootstrap",
                              help="cs: multiplier bootstrap draws, 0 for analytic standard errors "
                              "(--bootstrap is the old name)")
        ] = 0,
        seed: SeedOption = 0,
        plot: Plot = None,
        csv: Csv = None,
    ) -> None:
        """Estimate the effect of a policy on an outcome from a panel CSV."""
        from levelscope.evaluate import (
            DesignError,
            callaway_santanna,
            placebo_in_space,
            synth_verdict,
            synthetic_control,
            synthetic_did,
            twfe,
        )

        frame = _read(data, unit)
        frame = frame[~frame[unit].isin(exclude or [])]
        units = list(treated or [])
        figure: go.Figure | None
        with design_errors():
            if method is Method.cs:
                if cohort is None:
                    raise DesignError("--cohort is required for method cs")
                if control_group not in ("never_treated", "not_yet_treated"):
                    raise DesignError("--control-group must be never_treated or not_yet_treated")
                effects = callaway_santanna(
                    frame, unit=unit, time=time, outcome=outcome, cohort=cohort,
                    control_group="never_treated" if control_group == "never_treated"
                    else "not_yet_treated",
                )
                with progress_bar("bootstrap") as update:
                    dynamic = effects.aggregate("dynamic", n_resamples=bootstrap, seed=seed,
                                                progress=update if bootstrap else None)
                console.print(effects.aggregate("simple").summary(), highlight=False)
                console.print(effects.pretrend_test().summary(), highlight=False)
                print_frame(dynamic.to_frame(), title="Effect by periods since adoption")
                if bootstrap:
                    print_seed(seed)
                table, figure = dynamic.to_frame(), dynamic.plot()
            else:
                if not units or start is None:
                    raise DesignError("--treated and --start are required for this method")
                if method is Method.synth:
                    if len(units) != 1:
                        raise DesignError("synth takes one --treated unit; use sdid or did for several")
                    fit = synthetic_control(
                        frame, unit=unit, time=time, outcome=outcome, treated=units[0],
                        start=start, predictors=predictor or None, balance=_PANEL_BALANCE[balance],
                    )
                    test = None
                    if placebos:
                        with progress_bar("placebos") as update:
                            test = placebo_in_space(fit, progress=update)
                    console.print(fit.summary().rsplit("\n", 1)[0], highlight=False)
                    if test is not None:
                        console.print(test.summary(), highlight=False)
                    console.print(synth_verdict(fit, test), highlight=False)
                    table, figure = fit.to_frame(), (test.plot() if test else fit.plot())
                elif method is Method.sdid:
                    with progress_bar("placebo standard error") as update:
                        est = synthetic_did(
                            frame, unit=unit, time=time, outcome=outcome, treated=units,
                            start=start, seed=seed, progress=update, balance=_PANEL_BALANCE[balance],
                            se="jackknife" if len(units) > 1 else "placebo",
                        )
                    console.print(est.summary(), highlight=False)
                    if len(units) == 1:  # placebo standard errors draw at random
                        print_seed(seed)
                    table, figure = est.to_frame(), est.plot()
                else:
                    marked = frame.assign(
                        _treated=(frame[unit].isin(units) & (frame[time] >= start)).astype(float)
                    )
                    est_twfe = twfe(marked, unit=unit, time=time, outcome=outcome, treatment="_treated")
                    console.print(est_twfe.summary(), highlight=False)
                    table, figure = est_twfe.to_frame(), None
        _write(table, figure, csv, plot)

    @group.command("area")
    @handle_errors
    def area(
        indicator: Annotated[str, typer.Argument(help="indicator id, e.g. gva_per_hour_worked")],
        treated: Annotated[
            list[str], typer.Option("--treated", "-t", help="treated area, by code or name (repeat)")
        ],
        start: Annotated[str, typer.Option(help="first affected year or period, e.g. 2015 or 2015/16")],
        method: Annotated[AreaMethod, typer.Option(help="synth, sdid or did")] = AreaMethod.synth,
        balance: BalanceOption = AreaBalance.drop_donors,
        level: Annotated[
            str | None,
            typer.Option("--level", "-l", help="level of the treated areas, where a name is shared "
                         "by places at several levels (e.g. lad)", show_default=False),
        ] = None,
        exclude: Exclude = None,
        exclude_neighbours: Neighbours = False,
        placebos: Placebos = True,
        workspace: WorkspaceOption = None,
        plot: Plot = None,
        csv: Csv = None,
    ) -> None:
        """Evaluate an indicator for treated areas against the other areas of their level.

        Areas whose series has gaps in the years the treated areas cover are left out of the
        comparison group and counted in the summary (--balance drop-donors, the default).
        """
        from levelscope.data.area_search import find_area
        from levelscope.evaluate import evaluate_area

        with open_workspace(workspace, read_only=True) as ws, design_errors(), \
                progress_bar("placebos") as update:
            codes = [find_area(ws, name, level).code for name in treated]
            others = [find_area(ws, name, level).code for name in exclude or []]
            evaluation = evaluate_area(
                ws, indicator, codes, start, method=_AREA_METHODS[method], exclude=others,
                exclude_neighbours=exclude_neighbours, balance=_BALANCE[balance],
                placebos=placebos and method is AreaMethod.synth, progress=update,
            )
        _show(evaluation, csv, plot)

    @group.command("programme")
    @handle_errors
    def programme(
        programme_id: Annotated[int, typer.Argument(help="programme id (see `programme list`)")],
        indicator: Annotated[str, typer.Argument(help="indicator id")],
        method: Annotated[AreaMethod, typer.Option(help="synth, sdid or did")] = AreaMethod.synth,
        exclude: Exclude = None,
        exclude_neighbours: Neighbours = False,
        balance: BalanceOption = AreaBalance.drop_donors,
        placebos: Placebos = True,
        db: RecordsUrlOption = None,
        workspace: WorkspaceOption = None,
        plot: Plot = None,
        csv: Csv = None,
    ) -> None:
        """Evaluate a registered programme: its places, treated from its start date."""
        from levelscope.evaluate import evaluate_programme
        from levelscope.records.db import connect, transaction

        with open_workspace(workspace, read_only=True) as ws, \
                transaction(connect(db), f"cli:{getpass.getuser()}") as session, design_errors(), \
                progress_bar("placebos") as update:
            evaluation = evaluate_programme(
                ws, session, programme_id, indicator, method=_AREA_METHODS[method],
                exclude=exclude or [], exclude_neighbours=exclude_neighbours,
                balance=_BALANCE[balance], placebos=placebos and method is AreaMethod.synth,
                progress=update,
            )
        _show(evaluation, csv, plot)
