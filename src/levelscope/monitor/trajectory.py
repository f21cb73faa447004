"""The path an indicator is expected to follow from its baseline to its target.

* ``linear`` — straight lines between consecutive points (baseline, milestones, target);
* ``stepwise`` — each point's value holds from its date until the next point's date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from levelscope.errors import UndefinedMeasureError
from levelscope.monitor.indicator_records import ProgrammeIndicator, Trajectory


def trajectory_points(indicator: ProgrammeIndicator) -> list[tuple[dt.date, float]]:
    """Baseline, milestones and target in date order: the points the trajectory passes through."""
    return [
        (indicator.baseline_date, indicator.baseline_value),
        *((m.date, m.value) for m in indicator.milestones),
        (indicator.target_date, indicator.target_value),
    ]


def expected_value(indicator: ProgrammeIndicator, day: dt.date) -> float:
    """The trajectory's value on ``day`` (the baseline before it starts, the target after it ends)."""
    points = trajectory_points(indicator)
    days = np.array([p[0].toordinal() for p in points], dtype=float)
    values = np.array([p[1] for p in points])
    x = float(day.toordinal())
    if indicator.trajectory == Trajectory.STEPWISE:
        reached = np.searchsorted(days, x, side="right") - 1
        return float(values[max(int(reached), 0)])
    return float(np.interp(x, days, values))


def shortfall(indicator: ProgrammeIndicator, actual: float, expected: float) -> float:
    """How far ``actual`` lags ``expected`` toward improvement, as a fraction of the planned change."""
    scale = abs(indicator.target_value - indicator.baseline_value) or abs(indicator.baseline_value)
    if scale == 0:
        raise UndefinedMeasureError(
            f"indicator {indicator.name!r}: baseline and target are both zero, so no scale for the tolerance"
        )
    sign = 1.0 if indicator.higher_is_better else -1.0
    return sign * (expected - actual) / scale
