"""``levelscope programme ...``: the programme register, tracking, appraisal and VfM from a shell.

The records database is ``--db`` or ``LEVELSCOPE_RECORDS_URL`` or the default SQLite file (see
:func:`levelscope.records.db.default_url`). Changes are audited as ``cli:<login name>``. Working
locally, programmes belong to the organisation named by ``--org`` (created on first use).
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from levelscope.cli.common import EXIT_INVALID, EXIT_NOT_FOUND, errors
from levelscope.errors import LevelscopeError, NotFoundError
from levelscope.monitor import appraisal, programmes, tracking
from levelscope.monitor.dashboard import programme_dashboard
from levelscope.monitor.imports import import_actuals
from levelscope.monitor.vfm import programme_value_for_money
from levelscope.records.accounts import Organisation, create_organisation
from levelscope.records.db import RecordsSession, connect, transaction

Db = Annotated[str | None, typer.Option("--db", help="records database URL")]
Org = Annotated[str, typer.Option("--org", help="organisation name")]
DEFAULT_ORG = "local"

console = Console()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _organisation(session: RecordsSession, name: str) -> Organisation:
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    return found or create_organisation(session, name)


def _date(text: str) -> dt.date:
    try:
        return tracking.parse_date(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _fail(error: LevelscopeError) -> typer.Exit:
    """Report ``error`` and exit with the CLI's codes: 3 for not found, 1 for anything invalid."""
    if isinstance(error, NotFoundError):
        errors.print(f"[red]Not found[/red]: {error}", highlight=False)
        return typer.Exit(EXIT_NOT_FOUND)
    errors.print(f"[red]Invalid input[/red]: {error}", highlight=False)
    return typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    """Add the ``programme`` command group to ``app``."""
    group = typer.Typer(
        help="Programmes: register, targets, tracking, appraisal, value for money.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="programme")

    @group.command("create")
    def create(
        name: str,
        start: Annotated[str, typer.Option(help="start date, e.g. 2024-04-01")],
        end: Annotated[str, typer.Option(help="end date")],
        place: Annotated[list[str] | None, typer.Option(help="geography code; repeat for more")] = None,
        funder: Annotated[list[str] | None, typer.Option(help="funder; repeat for more")] = None,
        description: str = "",
        org: Org = DEFAULT_ORG,
        db: Db = None,
    ) -> None:
        """Register a programme."""
        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.create_programme(
                    session,
                    _organisation(session, org).id,
                    name,
                    start_date=_date(start),
                    end_date=_date(end),
                    places=place or [],
                    funders=funder or [],
                    description=description,
                )
                console.print(f"created programme {programme.id}: {programme.name}")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("list")
    def list_(org: Annotated[str | None, typer.Option("--org")] = None, db: Db = None) -> None:
        """List programmes."""
        with transaction(connect(db), _actor()) as session:
            organisation_id = _organisation(session, org).id if org else None
            table = Table("id", "name", "start", "end", "places")
            for p in programmes.list_programmes(session, organisation_id):
                table.add_row(str(p.id), p.name, str(p.start_date), str(p.end_date), ", ".join(p.place_codes))
            console.print(table)

    @group.command("show")
    def show(programme_id: int, db: Db = None) -> None:
        """Show a programme's dashboard: logic model, spend, indicator status, appraisal."""
        try:
            with transaction(connect(db), _actor()) as session:
                board = programme_dashboard(session, programmes.get_programme(session, programme_id))
                console.print(board.summary())
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("add-indicator")
    def add_indicator(
        programme_id: int,
        name: str,
        stage: Annotated[str, typer.Option(help="output, outcome or impact")],
        baseline_date: Annotated[str, typer.Option()],
        baseline: Annotated[float, typer.Option(help="baseline value")],
        target_date: Annotated[str, typer.Option()],
        target: Annotated[float, typer.Option(help="target value")],
        unit: str = "",
        stepwise: Annotated[bool, typer.Option(help="stepwise rather than linear trajectory")] = False,
        on_track_within: float = 0.05,
        at_risk_within: float = 0.15,
        db: Db = None,
    ) -> None:
        """Add a tracked indicator with baseline and target."""
        try:
            with transaction(connect(db), _actor()) as session:
                indicator = tracking.add_indicator(
                    session,
                    programmes.get_programme(session, programme_id),
                    name,
                    stage=stage,
                    unit=unit,
                    baseline_date=_date(baseline_date),
                    baseline_value=baseline,
                    target_date=_date(target_date),
                    target_value=target,
                    trajectory="stepwise" if stepwise else "linear",
                    rule=tracking.StatusRule(on_track_within, at_risk_within),
                )
                console.print(f"added indicator {indicator.id}: {indicator.name}")
        except (LevelscopeError, ValueError) as error:
            raise _fail(LevelscopeError(str(error))) from None

    @group.command("record-actual")
    def record_actual(indicator_id: int, date: str, value: float, note: str = "", db: Db = None) -> None:
        """Record an indicator's value on a date."""
        try:
            with transaction(connect(db), _actor()) as session:
                indicator = session.get(tracking.ProgrammeIndicator, indicator_id)
                if indicator is None or indicator.is_deleted:
                    raise NotFoundError(f"no indicator with id {indicator_id}")
                tracking.record_actual(session, indicator, _date(date), value, note=note)
                console.print(f"recorded; status now {tracking.current_status(session, indicator)}")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("import-actuals")
    def import_(programme_id: int, file: Path, db: Db = None) -> None:
        """Import actuals from a CSV (indicator, date, value[, note]); all rows or none."""
        try:
            with transaction(connect(db), _actor()) as session:
                summary = import_actuals(session, file, programmes.get_programme(session, programme_id))
                console.print(
                    f"imported {summary.rows} rows for {summary.indicators} indicators from {summary.file}"
                )
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("status")
    def status(programme_id: int, db: Db = None) -> None:
        """Each indicator's status, the rule behind it, and the projection at its target date."""
        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                for indicator in programme.indicators:
                    console.print(tracking.track(session, indicator).summary())
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("appraise")
    def appraise(
        programme_id: int,
        optimism_bias: Annotated[float, typer.Option(help="uplift on costs, e.g. 0.24")] = 0.0,
        health: Annotated[bool, typer.Option(help="use the health discount schedule")] = False,
        db: Db = None,
    ) -> None:
        """Green Book appraisal of the programme's recorded costs and benefits."""
        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                flows = pd.DataFrame(
                    [
                        {
                            "year": f.year,
                            "category": f.category.value,
                            "amount": f.amount,
                            "kind": f.kind,
                        }
                        for f in programme.cash_flows
                    ],
                    columns=["year", "category", "amount", "kind"],
                )
            schedule = appraisal.HEALTH_SCHEDULE if health else appraisal.STPR_SCHEDULE
            result = appraisal.appraise(flows, optimism_bias=optimism_bias, schedule=schedule)
            console.print(result.summary())
            console.print(appraisal.switching_values(result).summary())
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("vfm")
    def vfm(
        programme_id: int,
        need: Annotated[
            Path | None,
            typer.Option(help="CSV with geography_code, need, population for the comparison set"),
        ] = None,
        db: Db = None,
    ) -> None:
        """Value for money: economy, efficiency, effectiveness and equity."""
        try:
            need_map = population = None
            if need is not None:
                frame = pd.read_csv(need, dtype={"geography_code": str})
                need_map = dict(zip(frame["geography_code"], frame["need"], strict=True))
                population = dict(zip(frame["geography_code"], frame["population"], strict=True))
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                result = programme_value_for_money(session, programme, need=need_map, population=population)
                console.print(result.summary())
        except LevelscopeError as error:
            raise _fail(error) from None
