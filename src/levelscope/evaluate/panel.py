"""A validated panel: one outcome (and optional covariates) for every unit in every period.

Every estimator in :mod:`levelscope.evaluate` starts from a long table with one row per unit and
period. :func:`long_panel` checks it once — columns present, times numeric, no duplicate rows, an
outcome for every unit in every period (or an explicit rule for gaps) — and returns a
:class:`Panel` of wide matrices the estimators index by position.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from levelscope.errors import LevelscopeError, Problem, ValidationError

Balance = Literal["error", "drop_units", "drop_periods"]


class DesignError(LevelscopeError, ValueError):
    """The evaluation design cannot identify an effect (no pre-period, too few donors, ...)."""


@dataclass(frozen=True)
class Panel:
    """A balanced panel in wide form.

    Attributes
    ----------
    units:
        Unit labels, in row order of :attr:`outcome`.
    times:
        Sorted periods (numbers), in column order of :attr:`outcome`.
    outcome:
        ``(n_units, n_times)`` outcome values, no missing values.
    covariates:
        Name to ``(n_units, n_times)`` values; missing values allowed (``NaN``).
    """

    units: tuple[Hashable, ...]
    times: NDArray[np.float64]
    outcome: NDArray[np.float64]
    covariates: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    unit_name: str = "unit"
    time_name: str = "time"
    outcome_name: str = "outcome"

    def unit_index(self, unit: Hashable) -> int:
        """Row of ``unit``; :class:`DesignError` naming the unit if it is absent."""
        try:
            return self.units.index(unit)
        except ValueError:
            shown = ", ".join(map(str, self.units[:10]))
            raise DesignError(
                f"unit {unit!r} is not in the panel (units include {shown})"
            ) from None

    def variable(self, name: str) -> NDArray[np.float64]:
        """The outcome or a covariate as an ``(n_units, n_times)`` matrix."""
        if name == self.outcome_name:
            return self.outcome
        if name not in self.covariates:
            known = [self.outcome_name, *self.covariates]
            raise DesignError(f"variable {name!r} is not in the panel; it has {known}")
        return self.covariates[name]

    def time_positions(self, periods: Iterable[float], purpose: str) -> NDArray[np.int64]:
        """Columns of ``periods``; :class:`DesignError` if any is outside the panel."""
        wanted = np.asarray(list(periods), dtype=float)
        missing = wanted[~np.isin(wanted, self.times)]
        if missing.size:
            raise DesignError(
                f"{purpose} periods {_fmt(missing)} are not in the panel "
                f"({_fmt(self.times[:1])}..{_fmt(self.times[-1:])})"
            )
        return np.searchsorted(self.times, wanted)

    def to_frame(self) -> pd.DataFrame:
        """Back to long form: one row per unit and period."""
        rows = pd.MultiIndex.from_product(
            [list(self.units), self.times], names=[self.unit_name, self.time_name]
        )
        data = {self.outcome_name: self.outcome.ravel()}
        data.update({k: v.ravel() for k, v in self.covariates.items()})
        return pd.DataFrame(data, index=rows).reset_index()


def _fmt(values: NDArray[np.float64]) -> str:
    return ", ".join(str(int(v)) if float(v).is_integer() else str(v) for v in values)


def long_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    covariates: Sequence[str] = (),
    balance: Balance = "error",
) -> Panel:
    """Validate a long table and return it as a balanced :class:`Panel`.

    Parameters
    ----------
    data:
        One row per unit and period.
    unit, time, outcome:
        Column names. ``time`` must be numeric (years, or any evenly meaningful number).
    covariates:
        Further numeric columns carried along (for predictors); they may have gaps.
    balance:
        What to do when some unit lacks an outcome in some period: ``"error"`` (default) refuses
        and lists the gaps; ``"drop_units"`` drops units with any gap; ``"drop_periods"`` drops
        periods in which any unit has a gap.

    Returns
    -------
    Panel

    Raises
    ------
    ValidationError
        Missing columns, non-numeric values, or duplicate unit-period rows, each located by row.
    DesignError
        An unbalanced panel under ``balance="error"``, or fewer than two units or periods.

    Examples
    --------
    >>> df = pd.DataFrame({"u": ["a", "a", "b", "b"], "t": [1, 2, 1, 2], "y": [1.0, 2, 3, 4]})
    >>> long_panel(df, unit="u", time="t", outcome="y").outcome
    array([[1., 2.],
           [3., 4.]])
    """
    needed = [unit, time, outcome, *covariates]
    absent = [c for c in needed if c not in data.columns]
    if absent:
        raise ValidationError(
            [Problem(f"column is missing; columns are {list(data.columns)}", column=c) for c in absent]
        )
    frame = data[needed].copy()
    problems: list[Problem] = []
    for column in [time, outcome, *covariates]:
        numeric = pd.to_numeric(frame[column], errors="coerce")
        bad = numeric.isna() & frame[column].notna()
        problems += [
            Problem("is not a number", row=int(i) + 2, column=column, value=frame[column].iloc[i])
            for i in np.flatnonzero(bad.to_numpy())[:20]
        ]
        frame[column] = numeric.astype(float)
    no_time = frame[time].isna() | frame[unit].isna()
    problems += [
        Problem("unit or time is missing", row=int(i) + 2) for i in np.flatnonzero(no_time)[:20]
    ]
    duplicated = frame.duplicated([unit, time], keep="first") & ~no_time
    problems += [
        Problem(
            "duplicates an earlier row for the same unit and period",
            row=int(i) + 2,
            value=(frame[unit].iloc[i], frame[time].iloc[i]),
        )
        for i in np.flatnonzero(duplicated.to_numpy())[:20]
    ]
    if problems:
        raise ValidationError(problems)
    frame = frame[~frame[outcome].isna()]
    wide = frame.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    wide = _balance(wide, balance, unit, time)
    units = tuple(wide.index)
    times = wide.columns.to_numpy(dtype=float)
    if len(units) < 2 or len(times) < 2:
        raise DesignError(
            f"a panel needs at least two units and two periods; found {len(units)} and {len(times)}"
        )
    covs = {
        c: frame.pivot(index=unit, columns=time, values=c)
        .reindex(index=list(units), columns=times)
        .to_numpy(dtype=float)
        for c in covariates
    }
    return Panel(
        units=units,
        times=times,
        outcome=wide.to_numpy(dtype=float),
        covariates=covs,
        unit_name=unit,
        time_name=time,
        outcome_name=outcome,
    )


def _balance(wide: pd.DataFrame, rule: Balance, unit: str, time: str) -> pd.DataFrame:
    gaps = wide.isna()
    if not gaps.to_numpy().any():
        return wide
    if rule == "drop_units":
        return wide[~gaps.any(axis=1)]
    if rule == "drop_periods":
        return wide.loc[:, ~gaps.any(axis=0)]
    if rule != "error":
        raise ValueError(f"balance must be 'error', 'drop_units' or 'drop_periods', not {rule!r}")
    stacked = gaps.stack()
    pairs = stacked.index[stacked.to_numpy(dtype=bool)]
    shown = ", ".join(f"({u}, {_fmt(np.array([t]))})" for u, t in pairs[:8])
    more = f" and {len(pairs) - 8} more" if len(pairs) > 8 else ""
    raise DesignError(
        f"the panel is unbalanced: no outcome for ({unit}, {time}) {shown}{more}. "
        "Fill the gaps, or pass balance='drop_units' or balance='drop_periods'."
    )
