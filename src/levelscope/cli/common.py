"""What every command shares: the workspace option, error handling with exit codes, tables."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from levelscope.errors import (
    FetchError,
    LevelscopeError,
    MirrorMissing,
    NotFoundError,
    ValidationError,
    WorkspaceError,
)

if TYPE_CHECKING:
    import pandas as pd

    from levelscope.data.store import Workspace

console = Console()
errors = Console(stderr=True)

EXIT_INVALID, EXIT_NOT_FOUND, EXIT_WORKSPACE, EXIT_NO_MIRROR, EXIT_FETCH = 1, 3, 4, 5, 6

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace file (default: $LEVELSCOPE_WORKSPACE or "
        "~/.local/share/levelscope/levelscope.duckdb).",
        envvar="LEVELSCOPE_WORKSPACE",
        show_default=False,
    ),
]

#: Advice the analyses give in Python terms, and the same advice on the command line. Every
#: message a command prints goes through :func:`for_the_command_line`, so an error never suggests
#: a parameter the user cannot type; ``tests/test_cli_messages.py`` checks that each flag exists.
CLI_ADVICE = {
    "pass balance='drop_units' or balance='drop_periods'":
        "use --balance drop-donors or --balance drop-periods",
    "explicitly with missing_weights='drop'": "explicitly with --drop-unweighted",
    "use method='sdid' or 'did' for several": "use --method sdid or --method did for several",
    "use method='sdid'": "use --method sdid",
    "in-space placebos are for method='synth'": "in-space placebos are for --method synth",
    "use control_group='not_yet_treated'": "use --control-group not_yet_treated",
    "use se='placebo'": "give one --treated area (its standard error then comes from placebos)",
}


def for_the_command_line(message: str) -> str:
    """``message`` with advice in Python terms rewritten as the command-line options."""
    for python, cli in CLI_ADVICE.items():
        message = message.replace(python, cli)
    return message


RecordsUrlOption = Annotated[
    str | None,
    typer.Option(
        "--records-url",
        "--db",
        help="Records database (programmes, users, saved assessments): a SQLAlchemy URL such as "
        "postgresql+psycopg://user@host/levelscope (default: $LEVELSCOPE_RECORDS_URL, else "
        "levelscope-records.sqlite beside the workspace). --db is the old name.",
        envvar="LEVELSCOPE_RECORDS_URL",
        show_default=False,
    ),
]

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn levelscope's errors into a clear message and a meaningful exit code."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ValidationError as exc:
            errors.print(f"[red]Invalid input[/red]: {for_the_command_line(str(exc))}", markup=True,
                         highlight=False)
            raise typer.Exit(EXIT_INVALID) from None
        except NotFoundError as exc:
            errors.print(f"[red]Not found[/red]: {for_the_command_line(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_NOT_FOUND) from None
        except WorkspaceError as exc:
            errors.print(f"[red]Workspace problem[/red]: {for_the_command_line(str(exc))}",
                         highlight=False)
            raise typer.Exit(EXIT_WORKSPACE) from None
        except FetchError as exc:
            errors.print(f"[red]Fetch failed[/red]: {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_FETCH) from None
        except MirrorMissing as exc:
            errors.print(f"[red]Demo data not found[/red]: {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_NO_MIRROR) from None

    return run


@contextmanager
def analysis_errors() -> Iterator[None]:
    """An analysis the data cannot support, or a bad parameter, is invalid input: exit 1 saying why.

    A missing indicator, area or level and a workspace problem pass on to :func:`handle_errors`,
    which gives them their own exit codes.
    """
    try:
        yield
    except (NotFoundError, WorkspaceError, ValidationError):
        raise
    except (LevelscopeError, ValueError) as exc:
        errors.print(f"[red]Cannot compute[/red]: {for_the_command_line(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_INVALID) from None


@contextmanager
def open_workspace(path: Path | None, *, read_only: bool = False) -> Iterator[Workspace]:
    from levelscope.data.store import Workspace

    ws = Workspace.open(path, read_only=read_only)
    try:
        yield ws
    finally:
        ws.close()


CsvOption = Annotated[
    Path | None,
    typer.Option("--csv", help="Write the table as CSV to this file ('-' for standard output).",
                 show_default=False),
]
JsonOption = Annotated[
    Path | None,
    typer.Option("--json", help="Write the table as JSON records to this file ('-' for standard "
                 "output).", show_default=False),
]

SeedOption = Annotated[
    int,
    typer.Option("--seed", help="Random seed: 0 by default, so the same command gives the same "
                 "answer; another integer gives another, equally valid, set of draws."),
]

CellFormat = Callable[[Any], str]


def print_seed(seed: int | None) -> None:
    """Say which seed the random draws used, and how to change it."""
    if seed is None:
        console.print("random draws: fresh (not reproducible)", highlight=False)
    else:
        console.print(f"random draws: seed {seed} (--seed changes it)", highlight=False)


def area_names(workspace: Path | None) -> dict[str, str]:
    """Every place's name by code, from the workspace if there is one (else nothing).

    For commands that work from the records database alone (programmes, assessments): they name
    places when a workspace is at hand, and show codes otherwise.
    """
    from levelscope.data.store import Workspace, default_workspace_path

    path = workspace or default_workspace_path()
    if not path.exists():
        return {}
    try:
        with Workspace.open(path, read_only=True) as ws:
            places = ws.geographies()
    except WorkspaceError:
        return {}
    return dict(zip(places["code"].astype(str), places["name"].astype(str), strict=True))


def area_codes(workspace: Path | None, areas: Sequence[str]) -> list[str]:
    """Codes for areas given by name or code.

    Names are looked up in the workspace (:func:`~levelscope.data.area_search.find_area`); codes
    are taken as given when there is no workspace or it does not hold them.
    """
    from levelscope.data.area_search import find_area
    from levelscope.data.store import Workspace, default_workspace_path

    path = workspace or default_workspace_path()
    if not areas or not path.exists():
        return list(areas)
    def is_code(area: str) -> bool:
        return re.fullmatch(r"[A-Z][A-Z0-9]+", area.strip()) is not None

    try:
        opened = Workspace.open(path, read_only=True)
    except WorkspaceError:
        if all(is_code(area) for area in areas):
            return [area.strip() for area in areas]
        raise
    codes = []
    with opened as ws:
        for area in areas:
            try:
                codes.append(find_area(ws, area).code)
            except NotFoundError:
                # a code the workspace does not hold yet is taken as given; a name must match
                if not is_code(area):
                    raise
                codes.append(area.strip())
    return codes


def print_frame(
    frame: pd.DataFrame,
    title: str | None = None,
    limit: int = 200,
    formats: dict[str, CellFormat] | None = None,
) -> None:
    """Show a frame as a table: numbers right-aligned and written by :mod:`levelscope.formatting`.

    Nothing is cut: long cells (codes, ids, names) wrap within their column instead of ending in
    an ellipsis. At most ``limit`` rows are shown; ``--csv`` / ``--json`` give them all.
    ``formats`` maps a column to the function that writes its cells (default: :func:`cell`).
    """
    import pandas as pd
    from rich.table import Table

    formats = formats or {}
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        )
        # codes and ids stay whole on one line; other text wraps (and folds, never "…")
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold",
                         no_wrap=_is_identifier(str(column)))
    writers = [formats.get(str(column)) or _writer(frame[column]) for column in frame.columns]
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*[write(v) for write, v in zip(writers, row, strict=True)])
    console.print(table)
    if len(frame) > limit:
        console.print(f"… {len(frame) - limit:,} more rows (use --csv or --json to get them all)")


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    """:func:`print_frame` for plain rows: the same table, for a listing that loads no pandas."""
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for position, column in enumerate(columns):
        values = [row[position] for row in rows if row[position] is not None]
        numeric = bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                       for v in values)
        table.add_column(column, justify="right" if numeric else "left", overflow="fold",
                         no_wrap=_is_identifier(column))
    for row in rows:
        table.add_row(*[cell(value) for value in row])
    console.print(table)


def _is_identifier(name: str) -> bool:
    return name in ("id", "code") or name.endswith(("_id", "_code"))


def _writer(column: pd.Series) -> CellFormat:
    """Whole numbers get thousands separators, except in columns of ids and years."""
    import pandas as pd

    name = str(column.name).lower()
    plain = name in ("id", "year", "revision") or name.endswith(("_id", "year"))
    if pd.api.types.is_integer_dtype(column) and plain:
        return lambda v: "" if v is None else str(v)
    return cell


def cell(value: Any) -> str:
    """One table cell: blank when missing, numbers, dates and lists as a person writes them."""
    import datetime as dt
    import numbers

    from levelscope import formatting

    if hasattr(value, "ndim") and value.ndim > 0:  # an array, e.g. a place's parents
        value = value.tolist()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if formatting.is_missing(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        # statistics keep four significant figures; large figures are written whole
        return formatting.significant(value) if abs(float(value)) < 1000 else formatting.number(value)
    if isinstance(value, dt.date):
        return formatting.date(value)
    return str(value)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame by suffix: CSV (``-`` writes CSV to standard output), JSON or Parquet."""
    if str(path) == "-":
        sys.stdout.write(frame.to_csv(index=False))
        return
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".json":
        frame.to_json(path, orient="records", date_format="iso", indent=1, double_precision=15)
    else:
        frame.to_csv(path, index=False)
    console.print(f"wrote {len(frame):,} rows to {path}")


def write_json(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as a JSON list of records (``-`` for standard output)."""
    text = frame.to_json(orient="records", date_format="iso", indent=1, double_precision=15)
    if str(path) == "-":
        sys.stdout.write(text + "\n")
        return
    path.write_text(text + "\n", encoding="utf-8")
    console.print(f"wrote {len(frame):,} rows to {path}")


def show_table(
    frame: pd.DataFrame,
    title: str | None = None,
    *,
    csv: Path | None = None,
    json: Path | None = None,
    limit: int = 200,
    formats: dict[str, CellFormat] | None = None,
) -> None:
    """A listing: printed as a table, or written whole with ``--csv`` and / or ``--json``."""
    if csv is not None:
        write_frame(frame, csv)
    if json is not None:
        write_json(frame, json)
    if csv is None and json is None:
        print_frame(frame, title, limit=limit, formats=formats)


def is_interactive() -> bool:
    return sys.stdout.isatty()
