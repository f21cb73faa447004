"""Exceptions raised by levelscope.

Every error a user can cause says *what* is wrong and *where*: the file, row, column and value for
bad input, the argument and its value for a bad call. Callers catch :class:`LevelscopeError` to
handle anything levelscope raises on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from levelscope.formatting import plain


class LevelscopeError(Exception):
    """Base class of every error levelscope raises on purpose."""


class UndefinedMeasureError(LevelscopeError, ValueError):
    """A measure is undefined for the input (zeros in a log measure, zero total weight, ...)."""


class NotFoundError(LevelscopeError, LookupError):
    """An area, indicator, programme or other named thing does not exist."""


class WorkspaceError(LevelscopeError):
    """The workspace file is missing, locked, or at a schema version this release cannot read."""


class MirrorMissing(LevelscopeError):
    """The demo's mirror folder is not set or lacks files the demo needs."""


@dataclass(frozen=True)
class Problem:
    """One reason an input was rejected, located as precisely as the input allows.

    ``row`` counts from 1 as a spreadsheet program shows it (the header is row 1 of a plain CSV),
    so a user can go straight to the cell.
    """

    reason: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        place = ", ".join(where)
        value = "" if self.value is None else f" value {plain(self.value)}:"
        return f"{place}:{value} {self.reason}" if place else f"{value} {self.reason}".strip()


class ValidationError(LevelscopeError, ValueError):
    """Input failed validation; nothing was written. ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem] | Problem, *, limit: int = 20) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = len(self.problems) - limit
        tail = f"\n  ... and {more} more" if more > 0 else ""
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{len(self.problems)} {noun}; nothing was written:\n{shown}{tail}")


class FetchError(LevelscopeError):
    """A dataset could not be fetched from its publisher (no network, refused, busy, cut short,
    or its structure changed); nothing was written to the workspace."""
