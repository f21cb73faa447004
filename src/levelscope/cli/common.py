"""What every command shares: the workspace option, error handling with exit codes, tables."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from levelscope.errors import (
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

EXIT_INVALID, EXIT_NOT_FOUND, EXIT_WORKSPACE, EXIT_NO_MIRROR = 1, 3, 4, 5

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

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn levelscope's errors into a clear message and a meaningful exit code."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ValidationError as exc:
            errors.print(f"[red]Invalid input[/red]: {exc}", markup=True, highlight=False)
            raise typer.Exit(EXIT_INVALID) from None
        except NotFoundError as exc:
            errors.print(f"[red]Not found[/red]: {exc}", highlight=False)
            raise typer.Exit(EXIT_NOT_FOUND) from None
        except WorkspaceError as exc:
            errors.print(f"[red]Workspace problem[/red]: {exc}", highlight=False)
            raise typer.Exit(EXIT_WORKSPACE) from None
        except MirrorMissing as exc:
            errors.print(f"[red]Demo data not found[/red]: {exc}", highlight=False)
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
        errors.print(f"[red]Cannot compute[/red]: {exc}", highlight=False)
        raise typer.Exit(EXIT_INVALID) from None


@contextmanager
def open_workspace(path: Path | None, *, read_only: bool = False) -> Iterator[Workspace]:
    from levelscope.data.store import Workspace

    ws = Workspace.open(path, read_only=read_only)
    try:
        yield ws
    finally:
        ws.close()


def print_frame(frame: pd.DataFrame, title: str | None = None, limit: int = 200) -> None:
    """Show a frame as a rich table (numbers right-aligned, at most ``limit`` rows)."""
    import pandas as pd
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*[_cell(v) for v in row])
    console.print(table)
    if len(frame) > limit:
        console.print(f"… {len(frame) - limit} more rows (use --csv to get them all)")


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as CSV or Parquet by suffix."""
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    console.print(f"wrote {len(frame)} rows to {path}")


def is_interactive() -> bool:
    return sys.stdout.isatty()
