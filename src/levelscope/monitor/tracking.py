"""Tracking a programme's indicators: baselines, targets, trajectories, actuals and status.

An indicator starts from a **baseline** (value at a date) and aims at a **target** (value by a
date). Its **trajectory** is the path expected between them, through optional milestones:

* ``linear`` — straight lines between consecutive points (baseline, milestones, target);
* ``stepwise`` — each point's value holds from its date until the next point's date.

**Actuals** arrive by hand, from a file (:mod:`levelscope.monitor.imports`) or from the
workspace (:func:`actuals_from_observations`). The **status** compares the latest actual with the
trajectory at the same date under a :class:`StatusRule` that is stored with the indicator and
shown to the user. Every change of status is kept in :class:`StatusChange`.

The **projection** at the target date fits a straight line (ordinary least squares) to the
actuals against time and gives the usual prediction interval for a new observation,

.. math:: \\hat y_0 \\pm t_{n-2,\\,(1+c)/2}\\; s \\sqrt{1 + 1/n + (x_0-\\bar x)^2 / S_{xx}},

with :math:`s^2` the residual variance on :math:`n-2` degrees of freedom (e.g. Montgomery, Peck &
Vining, *Introduction to Linear Regression Analysis*, 5th ed., §2.5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats
from sqlalchemy import Enum, Float, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from levelscope.data.periods import PeriodError, parse_period
from levelscope.errors import Problem, UndefinedMeasureError, ValidationError
from levelscope.monitor.additionality import AdditionalityFactors
from levelscope.monitor.programmes import GeographyCheck, Programme, Stage, accept_known_code_forms
from levelscope.records.db import Base, Record, UTCDateTime, utcnow
from levelscope.results import Result

DAYS_PER_YEAR = 365.25


class Trajectory(StrEnum):
    LINEAR = "linear"
    STEPWISE = "stepwise"


class Status(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    NO_DATA = "no data"


# Okabe & Ito (2008) colours, distinguishable under the common colour-blindness types; every
# status is also drawn with its own marker shape and written out, so colour is never the only cue.
STATUS_COLOURS: dict[Status, str] = {
    Status.ON_TRACK: "#009E73",  # bluish green
    Status.AT_RISK: "#E69F00",  # orange
    Status.OFF_TRACK: "#D55E00",  # vermillion
    Status.NO_DATA: "#999999",  # grey
}
STATUS_SYMBOLS: dict[Status, str] = {
    Status.ON_TRACK: "circle",
    Status.AT_RISK: "triangle-down",
    Status.OFF_TRACK: "x",
    Status.NO_DATA: "circle-open",
}


class Origin(StrEnum):
    """How an actual value reached the records."""

    MANUAL = "manual"
    FILE = "file"
    WORKSPACE = "workspace"


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


@dataclass(frozen=True)
class StatusRule:
    """When an indicator counts as on track, at risk or off track.

    The *shortfall* is how far the latest actual lags the trajectory at its date, in the direction
    of improvement, as a fraction of the planned change ``|target - baseline|`` (or of
    ``|baseline|`` when the target is to hold the baseline). On track when the shortfall is at most
    ``on_track_within``; at risk when at most ``at_risk_within``; off track beyond. Being ahead of
    the trajectory is a negative shortfall, so always on track.
    """

    on_track_within: float = 0.05
    at_risk_within: float = 0.15

    def __post_init__(self) -> None:
        if not 0 <= self.on_track_within <= self.at_risk_within:
            raise ValueError(
                "need 0 <= on_track_within <= at_risk_within, got "
                f"{self.on_track_within} and {self.at_risk_within}"
            )

    def describe(self) -> str:
        """The rule in words, for the dashboard."""
        return (
            f"On track if the latest actual is behind the trajectory by no more than "
            f"{self.on_track_within:.0%} of the planned change; at risk up to "
            f"{self.at_risk_within:.0%}; off track beyond that."
        )

    def classify(self, shortfall: float) -> Status:
        if shortfall <= self.on_track_within:
            return Status.ON_TRACK
        if shortfall <= self.at_risk_within:
            return Status.AT_RISK
        return Status.OFF_TRACK


class ProgrammeIndicator(Base, Record):
    """A measured output, outcome or impact of a programme, with its baseline and target.

    ``workspace_indicator_id`` and ``geography_code`` link it to a workspace series, from which
    actuals can be read. The additionality columns (fractions; multiplier >= 1) say how much of a
    gross change the programme can claim (see :mod:`levelscope.monitor.additionality`).
    """

    __tablename__ = "programme_indicators"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    stage: Mapped[Stage] = mapped_column(_enum(Stage))
    unit: Mapped[str] = mapped_column(String(100), default="")
    workspace_indicator_id: Mapped[str | None] = mapped_column(String(100), default=None)
    geography_code: Mapped[str | None] = mapped_column(String(20), default=None)
    baseline_date: Mapped[dt.date]
    baseline_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[dt.date]
    target_value: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool]
    trajectory: Mapped[Trajectory] = mapped_column(_enum(Trajectory), default=Trajectory.LINEAR)
    on_track_within: Mapped[float] = mapped_column(Float, default=0.05)
    at_risk_within: Mapped[float] = mapped_column(Float, default=0.15)
    deadweight: Mapped[float] = mapped_column(Float, default=0.0)
    displacement: Mapped[float] = mapped_column(Float, default=0.0)
    leakage: Mapped[float] = mapped_column(Float, default=0.0)
    substitution: Mapped[float] = mapped_column(Float, default=0.0)
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    note: Mapped[str] = mapped_column(Text, default="")

    milestones: Mapped[list[Milestone]] = relationship(
        primaryjoin="and_(Milestone.indicator_id == ProgrammeIndicator.id, Milestone.deleted_at.is_(None))",
        order_by="Milestone.date",
        lazy="selectin",
        viewonly=True,
    )

    @property
    def rule(self) -> StatusRule:
        return StatusRule(self.on_track_within, self.at_risk_within)

    @property
    def additionality(self) -> AdditionalityFactors:
        return AdditionalityFactors(
            self.deadweight, self.displacement, self.leakage, self.substitution, self.multiplier
        )


class Milestone(Base, Record):
    __tablename__ = "indicator_milestones"

    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicators.id"), index=True)
    date: Mapped[dt.date]
    value: Mapped[float] = mapped_column(Float)


class Actual(Base, Record):
    __tablename__ = "indicator_actuals"
    __table_args__ = (UniqueConstraint("indicator_id", "date", name="uq_actual_indicator_date"),)

    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicators.id"), index=True)
    date: Mapped[dt.date]
    value: Mapped[float] = mapped_column(Float)
    origin: Mapped[Origin] = mapped_column(_enum(Origin), default=Origin.MANUAL)
    note: Mapped[str] = mapped_column(Text, default="")


class StatusChange(Base):
    """The status of an indicator changed (kept for ever; itself the history, so not audited)."""

    __tablename__ = "indicator_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("programme_indicators.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date | None]
    old_status: Mapped[Status | None] = mapped_column(_enum(Status))
    new_status: Mapped[Status] = mapped_column(_enum(Status))
    actual_value: Mapped[float | None] = mapped_column(Float)
    expected_value: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text)


def add_indicator(
    session: Session,
    programme: Programme,
    name: str,
    *,
    stage: Stage | str,
    baseline_date: dt.date,
    baseline_value: float,
    target_date: dt.date,
    target_value: float,
    unit: str = "",
    trajectory: Trajectory | str = Trajectory.LINEAR,
    milestones: Iterable[tuple[dt.date, float]] = (),
    higher_is_better: bool | None = None,
    rule: StatusRule | None = None,
    workspace_indicator_id: str | None = None,
    geography_code: str | None = None,
    additionality: AdditionalityFactors | None = None,
    geography_exists: GeographyCheck = accept_known_code_forms,
) -> ProgrammeIndicator:
    """Add a tracked indicator to ``programme``.

    ``higher_is_better`` defaults to the direction from baseline to target; it must be given when
    the target is to hold the baseline. ``additionality`` (default: none) says how much of the
    gross change the programme may claim, for value for money.

    Raises
    ------
    ValidationError
        Target date not after the baseline date, a milestone outside that span, a non-finite
        value, an unknown geography, or a missing direction.
    """
    milestones = sorted(milestones)
    problems: list[Problem] = []
    if target_date <= baseline_date:
        problems.append(
            Problem(
                column="target_date",
                value=target_date.isoformat(),
                reason=f"must be after the baseline date {baseline_date.isoformat()}",
            )
        )
    for column, value in (("baseline_value", baseline_value), ("target_value", target_value)):
        if not np.isfinite(value):
            problems.append(Problem(column=column, value=value, reason="must be a finite number"))
    for day, value in milestones:
        if not baseline_date < day < target_date:
            problems.append(
                Problem(
                    column="milestones",
                    value=day.isoformat(),
                    reason="must fall between baseline and target dates",
                )
            )
        if not np.isfinite(value):
            problems.append(Problem(column="milestones", value=value, reason="must be a finite number"))
    if geography_code is not None and not geography_exists(geography_code):
        problems.append(
            Problem(column="geography_code", value=geography_code, reason="unknown geography code")
        )
    if higher_is_better is None:
        if target_value == baseline_value:
            problems.append(
                Problem(
                    column="higher_is_better",
                    reason="the target holds the baseline; say whether higher is better",
                )
            )
        higher_is_better = target_value > baseline_value
    if problems:
        raise ValidationError(problems)
    rule = rule or StatusRule()
    factors = additionality or AdditionalityFactors()
    indicator = ProgrammeIndicator(
        programme_id=programme.id,
        name=name,
        stage=Stage(stage),
        unit=unit,
        baseline_date=baseline_date,
        baseline_value=float(baseline_value),
        target_date=target_date,
        target_value=float(target_value),
        higher_is_better=higher_is_better,
        trajectory=Trajectory(trajectory),
        on_track_within=rule.on_track_within,
        at_risk_within=rule.at_risk_within,
        workspace_indicator_id=workspace_indicator_id,
        geography_code=geography_code,
        deadweight=factors.deadweight,
        displacement=factors.displacement,
        leakage=factors.leakage,
        substitution=factors.substitution,
        multiplier=factors.multiplier,
    )
    session.add(indicator)
    session.flush()
    session.add_all([Milestone(indicator_id=indicator.id, date=d, value=float(v)) for d, v in milestones])
    session.flush()
    session.expire(programme, ["indicators"])
    session.expire(indicator, ["milestones"])
    return indicator


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


def _actuals(session: Session, indicator: ProgrammeIndicator, as_of: dt.date | None) -> list[Actual]:
    query = select(Actual).where(Actual.indicator_id == indicator.id).order_by(Actual.date)
    if as_of is not None:
        query = query.where(Actual.date <= as_of)
    return list(session.scalars(query))


def record_actual(
    session: Session,
    indicator: ProgrammeIndicator,
    day: dt.date,
    value: float,
    *,
    origin: Origin | str = Origin.MANUAL,
    note: str = "",
    update_status: bool = True,
) -> Actual:
    """Record the indicator's value on ``day``; a value already there for that day is replaced.

    Recording the same value again changes nothing (so re-imports are idempotent). With
    ``update_status`` the status is re-evaluated and any change is added to the history.
    """
    if not np.isfinite(value):
        raise ValidationError(Problem(column="value", value=value, reason="must be a finite number"))
    actual = session.scalar(
        select(Actual)
        .where(Actual.indicator_id == indicator.id, Actual.date == day)
        .execution_options(include_deleted=True)
    )
    if actual is None:
        actual = Actual(
            indicator_id=indicator.id,
            date=day,
            value=float(value),
            origin=Origin(origin),
            note=note,
        )
        session.add(actual)
    else:
        if actual.deleted_at is not None:
            actual.deleted_at = None
        if actual.value != float(value):
            actual.value = float(value)
            actual.origin = Origin(origin)
            actual.note = note
    session.flush()
    if update_status:
        refresh_status(session, indicator)
    return actual


def actuals_from_observations(
    session: Session, indicator: ProgrammeIndicator, observations: pd.DataFrame
) -> int:
    """Copy the indicator's linked workspace series into its actuals.

    ``observations`` is a tidy frame with columns ``geography_code, indicator_id, period, value``
    (as the workspace store returns). Rows for the indicator's ``workspace_indicator_id`` and
    ``geography_code`` are taken; each period is dated at its last day. Returns the number of
    actuals written or confirmed.
    """
    if indicator.workspace_indicator_id is None or indicator.geography_code is None:
        raise ValidationError(
            Problem(
                column="workspace_indicator_id",
                reason=f"indicator {indicator.name!r} is not linked to a workspace series and place",
            )
        )
    rows = observations[
        (observations["indicator_id"] == indicator.workspace_indicator_id)
        & (observations["geography_code"] == indicator.geography_code)
    ]
    for _, row in rows.iterrows():
        record_actual(
            session,
            indicator,
            parse_period(row["period"]).end,
            float(row["value"]),
            origin=Origin.WORKSPACE,
            note=f"workspace {indicator.workspace_indicator_id} {row['period']}",
            update_status=False,
        )
    refresh_status(session, indicator)
    return len(rows)


@dataclass(frozen=True)
class Projection:
    """The trend of the actuals carried to a date, with a prediction interval."""

    date: dt.date
    value: float
    lower: float
    upper: float
    level: float
    n_actuals: int


def project(
    dates: Iterable[dt.date], values: Iterable[float], at: dt.date, *, level: float = 0.9
) -> Projection:
    """Project a straight-line trend (OLS of value on time) to ``at`` with a prediction interval.

    Parameters
    ----------
    dates, values:
        The actuals; at least three, on at least two different dates.
    at:
        The date to project to (usually the target date).
    level:
        Coverage of the prediction interval, e.g. 0.9 for 90%.

    Examples
    --------
    >>> p = project([dt.date(2020, 1, 1), dt.date(2021, 1, 1), dt.date(2022, 1, 1)], [1, 2, 3.2],
    ...             dt.date(2024, 1, 1))
    >>> round(p.value, 2)
    5.36
    """
    day_numbers = np.array([d.toordinal() for d in dates], dtype=float)
    y = np.asarray(list(values), dtype=float)
    n = len(y)
    if n < 3:
        raise UndefinedMeasureError(f"a trend with an interval needs at least 3 actuals, got {n}")
    x = (day_numbers - day_numbers[0]) / DAYS_PER_YEAR
    x0 = (at.toordinal() - day_numbers[0]) / DAYS_PER_YEAR
    sxx = float(((x - x.mean()) ** 2).sum())
    if sxx == 0:
        raise UndefinedMeasureError("all actuals share one date, so there is no trend")
    slope = float(((x - x.mean()) * (y - y.mean())).sum()) / sxx
    intercept = float(y.mean()) - slope * float(x.mean())
    residuals = y - (intercept + slope * x)
    s = np.sqrt(float((residuals**2).sum()) / (n - 2))
    fitted = intercept + slope * x0
    t = float(stats.t.ppf((1 + level) / 2, n - 2))
    half = t * s * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / sxx)
    return Projection(at, float(fitted), float(fitted - half), float(fitted + half), level, n)


@dataclass(frozen=True)
class IndicatorTrack(Result):
    """Where one indicator stands: trajectory, actuals, status under its rule, and projection."""

    indicator_id: int
    name: str
    stage: str
    unit: str
    baseline_date: dt.date
    baseline_value: float
    target_date: dt.date
    target_value: float
    trajectory: str
    status: Status
    rule: str
    latest_date: dt.date | None
    latest_value: float | None
    expected_at_latest: float | None
    shortfall: float | None
    projection: Projection | None
    projection_note: str
    actuals: pd.DataFrame = field(repr=False)
    path: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Actuals beside the trajectory's value on each actual's date."""
        return self.actuals.copy()

    def summary(self) -> str:
        latest = "no actuals yet"
        if self.latest_value is not None:
            latest = (
                f"latest {self.latest_value:g} on {self.latest_date} against {self.expected_at_latest:g} "
                "expected"
            )
        lines = [
            f"{self.name} ({self.stage}): {self.status.value}",
            f"  baseline {self.baseline_value:g} ({self.baseline_date}); target {self.target_value:g} "
            f"by {self.target_date}; {self.trajectory} trajectory",
            f"  {latest}",
            f"  rule: {self.rule}",
        ]
        if self.projection is not None:
            p = self.projection
            lines.append(
                f"  projected {p.value:g} at {p.date} ({p.level:.0%} interval {p.lower:g} to {p.upper:g})"
            )
        else:
            lines.append(f"  projection: {self.projection_note}")
        return "\n".join(lines)

    def plot(self) -> go.Figure:
        """Trajectory, actuals, the latest actual marked and labelled with its status, projection."""
        figure = go.Figure()
        figure.add_scatter(
            x=self.path["date"],
            y=self.path["expected"],
            mode="lines",
            name="trajectory",
            line={"color": "#000000", "dash": "dash"},
        )
        figure.add_scatter(
            x=self.actuals["date"],
            y=self.actuals["value"],
            mode="markers+lines",
            name="actual",
            line={"color": "#0072B2"},
        )
        if self.projection is not None:
            p = self.projection
            figure.add_scatter(
                x=[p.date, p.date],
                y=[p.lower, p.upper],
                mode="lines",
                line={"width": 6, "color": "#56B4E9"},
                name=f"{p.level:.0%} projection interval",
            )
            figure.add_scatter(
                x=[p.date], y=[p.value], mode="markers", name="projection", marker={"color": "#56B4E9"}
            )
        if self.latest_date is not None:
            figure.add_scatter(
                x=[self.latest_date],
                y=[self.latest_value],
                mode="markers+text",
                text=[self.status.value],
                textposition="top center",
                name=f"latest: {self.status.value}",
                marker={
                    "size": 16,
                    "color": STATUS_COLOURS[self.status],
                    "symbol": STATUS_SYMBOLS[self.status],
                    "line": {"width": 2, "color": STATUS_COLOURS[self.status]},
                },
            )
        figure.update_layout(
            title=f"{self.name}: {self.status.value}",
            yaxis_title=self.unit,
            legend={"orientation": "h"},
        )
        return figure


def track(
    session: Session,
    indicator: ProgrammeIndicator,
    *,
    as_of: dt.date | None = None,
    level: float = 0.9,
) -> IndicatorTrack:
    """The indicator's state: status of the latest actual (up to ``as_of``) and projection."""
    actuals = _actuals(session, indicator, as_of)
    frame = pd.DataFrame(
        {
            "date": [a.date for a in actuals],
            "value": [a.value for a in actuals],
            "expected": [expected_value(indicator, a.date) for a in actuals],
            "origin": [a.origin.value for a in actuals],
        }
    )
    path_dates = sorted({p[0] for p in trajectory_points(indicator)} | set(frame["date"]))
    if indicator.trajectory == Trajectory.STEPWISE:
        # Draw the steps: each point's value again on the day before the next point.
        points = trajectory_points(indicator)
        path_dates = sorted(set(path_dates) | {b[0] - dt.timedelta(days=1) for b in points[1:]})
    path = pd.DataFrame({"date": path_dates, "expected": [expected_value(indicator, d) for d in path_dates]})
    status, latest, gap = Status.NO_DATA, None, None
    if actuals:
        latest = actuals[-1]
        gap = shortfall(indicator, latest.value, expected_value(indicator, latest.date))
        status = indicator.rule.classify(gap)
    projection, note = None, ""
    try:
        projection = project(frame["date"], frame["value"], indicator.target_date, level=level)
    except UndefinedMeasureError as reason:
        note = str(reason)
    return IndicatorTrack(
        indicator_id=indicator.id,
        name=indicator.name,
        stage=indicator.stage.value,
        unit=indicator.unit,
        baseline_date=indicator.baseline_date,
        baseline_value=indicator.baseline_value,
        target_date=indicator.target_date,
        target_value=indicator.target_value,
        trajectory=indicator.trajectory.value,
        status=status,
        rule=indicator.rule.describe(),
        latest_date=latest.date if latest else None,
        latest_value=latest.value if latest else None,
        expected_at_latest=expected_value(indicator, latest.date) if latest else None,
        shortfall=gap,
        projection=projection,
        projection_note=note,
        actuals=frame,
        path=path,
    )


def current_status(session: Session, indicator: ProgrammeIndicator) -> Status | None:
    """The last status recorded in the history, or None before any."""
    return session.scalar(
        select(StatusChange.new_status)
        .where(StatusChange.indicator_id == indicator.id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    )


def refresh_status(session: Session, indicator: ProgrammeIndicator) -> Status:
    """Evaluate the status now and add a history row if it differs from the last one recorded."""
    state = track(session, indicator)
    previous = current_status(session, indicator)
    if previous != state.status:
        session.add(
            StatusChange(
                indicator_id=indicator.id,
                at=utcnow(),
                actor=session.info.get("actor", "unattributed"),
                as_of=state.latest_date,
                old_status=previous,
                new_status=state.status,
                actual_value=state.latest_value,
                expected_value=state.expected_at_latest,
                rule=state.rule,
            )
        )
        session.flush()
    return state.status


def set_rule(session: Session, indicator: ProgrammeIndicator, rule: StatusRule) -> Status:
    """Change the indicator's status rule and re-evaluate its status under it."""
    indicator.on_track_within = rule.on_track_within
    indicator.at_risk_within = rule.at_risk_within
    session.flush()
    return refresh_status(session, indicator)


def status_history(session: Session, indicator: ProgrammeIndicator) -> pd.DataFrame:
    """Every status change of the indicator, oldest first."""
    rows = session.scalars(
        select(StatusChange).where(StatusChange.indicator_id == indicator.id).order_by(StatusChange.id)
    )
    columns = [
        "at",
        "actor",
        "as_of",
        "old_status",
        "new_status",
        "actual_value",
        "expected_value",
        "rule",
    ]
    data = [
        [
            r.at,
            r.actor,
            r.as_of,
            r.old_status.value if r.old_status else None,
            r.new_status.value,
            r.actual_value,
            r.expected_value,
            r.rule,
        ]
        for r in rows
    ]
    return pd.DataFrame(data, columns=columns)


def parse_date(text: object) -> dt.date:
    """A date from an ISO date or any period label (dated at the period's last day)."""
    if isinstance(text, dt.date):
        return text
    try:
        return parse_period(str(text).strip()).end
    except PeriodError as error:
        raise ValueError(f"not a date or period: {error}") from None
