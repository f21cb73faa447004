"""``levelscope programme ...``: the programme register, tracking, appraisal and VfM from a shell.

The records database is ``--records-url`` or ``LEVELSCOPE_RECORDS_URL`` or the default SQLite file (see
:func:`levelscope.records.db.default_url`). Changes are audited as ``cli:<login name>``. Working
locally, programmes belong to the organisation named by ``--org`` (created on first use).

The shell is the administrator's door: ``user-add``, ``token-issue`` and ``token-revoke`` set up
the people and API tokens the REST API and web pages then check.
"""

from __future__ import annotations

import datetime as dt
import getpass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from levelscope.cli.common import (
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    CsvOption,
    JsonOption,
    RecordsUrlOption,
    WorkspaceOption,
    area_codes,
    area_names,
    errors,
    show_table,
)
from levelscope.errors import LevelscopeError, NotFoundError
from levelscope.formatting import area_label, money, with_area_names

if TYPE_CHECKING:
    from levelscope.records.accounts import Organisation
    from levelscope.records.db import RecordsSession

# The records database (SQLAlchemy) and the monitoring code (pandas) are imported inside each
# command, so that --help stays quick.

Db = RecordsUrlOption
Org = Annotated[str, typer.Option("--org", help="organisation name")]
DEFAULT_ORG = "local"
E = TypeVar("E", bound=StrEnum)

console = Console()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _organisation(session: RecordsSession, name: str) -> Organisation:
    from sqlalchemy import select

    from levelscope.records.accounts import Organisation, create_organisation

    found = session.scalar(select(Organisation).where(Organisation.name == name))
    return found or create_organisation(session, name)


def _date(text: str) -> dt.date:
    from levelscope.monitor import tracking

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
        help="Programmes: register, targets, tracking, appraisal, value for money, users, tokens.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="programme")
    register_editing(group)
    register_accounts(group)

    @group.command("create")
    def create(
        name: str,
        start: Annotated[str, typer.Option(help="start date, e.g. 2024-04-01")],
        end: Annotated[str, typer.Option(help="end date")],
        place: Annotated[
            list[str] | None, typer.Option(help="place, by name or code; repeat for more")
        ] = None,
        funder: Annotated[list[str] | None, typer.Option(help="funder; repeat for more")] = None,
        description: str = "",
        org: Org = DEFAULT_ORG,
        db: Db = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Register a programme."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            place = area_codes(workspace, place or [])
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
    def list_(
        org: Annotated[str | None, typer.Option("--org", help="only this organisation's")] = None,
        db: Db = None,
        workspace: WorkspaceOption = None,
        csv: CsvOption = None,
        json: JsonOption = None,
    ) -> None:
        """List programmes."""
        import pandas as pd

        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        names = area_names(workspace)
        with transaction(connect(db), _actor()) as session:
            organisation_id = _organisation(session, org).id if org else None
            rows = [
                {"id": p.id, "name": p.name, "start": p.start_date, "end": p.end_date,
                 "places": ", ".join(area_label(code, names) for code in p.place_codes),
                 "place_codes": ";".join(p.place_codes)}
                for p in programmes.list_programmes(session, organisation_id)
            ]
        frame = pd.DataFrame(rows, columns=["id", "name", "start", "end", "places", "place_codes"])
        shown = frame if csv or json else frame.drop(columns="place_codes")
        show_table(shown, f"Programmes ({len(frame)})", csv=csv, json=json)

    @group.command("show")
    def show(programme_id: int, db: Db = None, workspace: WorkspaceOption = None) -> None:
        """Show a programme's dashboard: logic model, spend, indicator status, appraisal."""
        from levelscope.monitor import programmes
        from levelscope.monitor.dashboard import programme_dashboard
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                board = programme_dashboard(session, programmes.get_programme(session, programme_id))
                console.print(with_area_names(board.summary(), area_names(workspace)),
                              highlight=False)
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
        from levelscope.monitor import programmes, tracking
        from levelscope.records.db import connect, transaction

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
        from levelscope.monitor import tracking
        from levelscope.records.db import connect, transaction

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
        from levelscope.monitor import programmes
        from levelscope.monitor.imports import import_actuals
        from levelscope.records.db import connect, transaction

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
        from levelscope.monitor import programmes, tracking
        from levelscope.records.db import connect, transaction

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
        import pandas as pd

        from levelscope.monitor import appraisal, programmes
        from levelscope.records.db import connect, transaction

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
            str | None,
            typer.Option(help="need of the comparison set of places, for equity: an index "
                         "definition (.yaml, built from the workspace), a table of scores "
                         "(geography_code and value, score or need), or an indicator id",
                         show_default=False),
        ] = None,
        population: Annotated[
            str | None,
            typer.Option(help="population: an indicator id of the workspace (default population) "
                         "or a table; a --need table with a population column is read for it",
                         show_default=False),
        ] = None,
        level: Annotated[str, typer.Option("--level", "-l", help="level of the places")] = "lad",
        db: Db = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Value for money: economy, efficiency, effectiveness and equity."""
        from levelscope.cli.sources import area_figures, maybe_workspace, need_scores, needs_workspace
        from levelscope.monitor import programmes
        from levelscope.monitor.vfm import programme_value_for_money
        from levelscope.records.db import connect, transaction

        try:
            need_map = people = None
            if need is not None:
                people_source = population or _population_column(need) or "population"
                with maybe_workspace(workspace, needs_workspace(need, people_source)) as ws:
                    scores = need_scores(need, ws, level)
                    sizes = area_figures(people_source, ws, level, names=("value", "population"),
                                         indicator="population")
                shared = scores.index.intersection(sizes.index)
                need_map = {str(k): float(v) for k, v in scores[shared].items()}
                people = {str(k): float(v) for k, v in sizes[shared].items()}
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                result = programme_value_for_money(session, programme, need=need_map, population=people)
                console.print(with_area_names(result.summary(), area_names(workspace)), highlight=False)
        except LevelscopeError as error:
            raise _fail(error) from None


def _population_column(source: str) -> str | None:
    """``source`` itself when it is a table with a ``population`` column (the older need file)."""
    path = Path(source)
    if path.suffix.lower() != ".csv" or not path.exists():
        return None
    header = path.read_text(encoding="utf-8").splitlines()[:1]
    return source if header and "population" in header[0].lower().split(",") else None


def register_editing(group: typer.Typer) -> None:
    """Commands that fill in a programme: spend, logic model, appraisal flows, publishing."""

    @group.command("add-spend")
    def add_spend(
        programme_id: int,
        year: int,
        source: str,
        amount: float,
        planned: Annotated[bool, typer.Option(help="planned rather than actual spend")] = False,
        place: Annotated[
            str | None, typer.Option(help="the place the money went to, by name or code")
        ] = None,
        db: Db = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Record an input: money from a source in a year (actual unless --planned)."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            if place is not None:
                place = area_codes(workspace, [place])[0]
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                spend = programmes.add_spend(
                    session,
                    programme,
                    year,
                    source,
                    amount,
                    kind="planned" if planned else "actual",
                    geography_code=place,
                )
                console.print(f"added spend {spend.id}: {spend.kind.value} {money(spend.amount)} in {year}")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("add-logic-item")
    def add_logic_item(
        programme_id: int,
        stage: Annotated[str, typer.Argument(help="activity, output, outcome or impact")],
        description: str,
        db: Db = None,
    ) -> None:
        """Describe an activity, output, outcome or impact of the logic model."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                item = programmes.add_logic_item(
                    session, programme, _choice(programmes.Stage, stage), description
                )
                console.print(f"added {item.stage.value} {item.id}")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("add-cash-flow")
    def add_cash_flow(
        programme_id: int,
        year: int,
        category: Annotated[str, typer.Argument(help="cost or benefit")],
        amount: Annotated[float, typer.Argument(help="real prices of the base year")],
        kind: Annotated[str, typer.Option(help="e.g. capital, operating")] = "",
        income_group: Annotated[str | None, typer.Option(help="who receives a benefit")] = None,
        db: Db = None,
    ) -> None:
        """Record a cost or benefit for the Green Book appraisal."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                flow = programmes.add_cash_flow(
                    session,
                    programme,
                    year,
                    _choice(programmes.FlowCategory, category),
                    amount,
                    kind=kind,
                    income_group=income_group,
                )
                console.print(f"added {flow.category.value} {flow.id}: {money(flow.amount)} in {year}")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("publish")
    def publish(
        programme_id: int,
        withdraw: Annotated[bool, typer.Option(help="make it private to its organisation again")] = False,
        db: Db = None,
    ) -> None:
        """Let every signed-in user see the programme (or, with --withdraw, only its organisation)."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.get_programme(session, programme_id)
                programmes.update_programme(session, programme, {"published": not withdraw})
                console.print(f"programme {programme_id} is {'private' if withdraw else 'published'}")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("delete")
    def delete(programme_id: int, db: Db = None) -> None:
        """Soft-delete a programme; ``restore`` brings it back."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                programmes.delete_programme(session, programmes.get_programme(session, programme_id))
                console.print(f"deleted programme {programme_id} (recoverable with restore)")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("restore")
    def restore(programme_id: int, db: Db = None) -> None:
        """Bring back a deleted programme."""
        from levelscope.monitor import programmes
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                programme = programmes.restore_programme(session, programme_id)
                console.print(f"restored programme {programme.id}: {programme.name}")
        except LevelscopeError as error:
            raise _fail(error) from None


def _read_password() -> str:
    """A new password from the terminal (hidden, asked twice) or one line of standard input."""
    import sys

    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


def register_accounts(group: typer.Typer) -> None:
    """Commands that manage users and API tokens."""

    @group.command("user-add")
    def user_add(
        email: str,
        org: Org = DEFAULT_ORG,
        role: Annotated[str, typer.Option(help="viewer, editor or admin")] = "viewer",
        name: str = "",
        password: Annotated[
            bool,
            typer.Option(
                "--password",
                help="give the user a password for the web pages: asked for at a terminal (hidden, "
                     "twice), else read as one line from standard input, never from the command "
                     "line; without it the user signs in by token only",
            ),
        ] = False,
        db: Db = None,
    ) -> None:
        """Add a user to an organisation with a role."""
        from levelscope.records import accounts
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                user = accounts.create_user(
                    session,
                    _organisation(session, org),
                    email,
                    _choice(accounts.Role, role),
                    name=name,
                    password=_read_password() if password else None,
                )
                console.print(f"added user {user.id}: {user.email} ({user.role.value} of {org})")
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("token-issue")
    def token_issue(
        email: str,
        label: str = "",
        days: Annotated[int | None, typer.Option(help="expires after")] = None,
        db: Db = None,
    ) -> None:
        """Issue an API token for a user. The secret is printed once and cannot be shown again."""
        from levelscope.records import accounts
        from levelscope.records.db import connect, transaction, utcnow

        try:
            with transaction(connect(db), _actor()) as session:
                user = accounts.find_user(session, email)
                expires = None if days is None else utcnow() + dt.timedelta(days=days)
                token, secret = accounts.issue_token(session, user, label, expires_at=expires)
                console.print(f"token {token.id} for {user.email}: {secret}", highlight=False, soft_wrap=True)
        except LevelscopeError as error:
            raise _fail(error) from None

    @group.command("token-revoke")
    def token_revoke(token_id: int, db: Db = None) -> None:
        """Revoke an API token at once."""
        from levelscope.records import accounts
        from levelscope.records.db import connect, transaction

        try:
            with transaction(connect(db), _actor()) as session:
                accounts.revoke_token(session, token_id)
                console.print(f"revoked token {token_id}")
        except LevelscopeError as error:
            raise _fail(error) from None


def _choice(kind: type[E], text: str) -> E:
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise LevelscopeError(f"{text!r} is not one of {allowed}") from None
