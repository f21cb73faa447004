"""Tracking a programme's indicators: baselines, targets, trajectories, actuals and status.

An indicator starts from a **baseline** (value at a date) and aims at a **target** (value by a
date). Its **trajectory** is the path expected between them, through optional milestones:

* ``linear`` — straight lines between consecutive points (baseline, milestones, target);
* ``stepwise`` — each point's value holds from its date until the next point's date.

**Actuals** arrive by hand, from a file (:mod:`levelscope.monitor.imports`) or from the
workspace (:func:`actuals_from_observations`). The **status** compares the latest actual with the
trajectory at the same date under a :class:`StatusRule` that is stored with the indicator and
shown to the user. Every change of status is kept in :class:`StatusChange`.

The **projection** at the target date is a straight-line trend of the actuals with a prediction
interval (:mod:`levelscope.monitor.projection`).

This module holds the steps (add an indicator, record actuals, track, keep the status history);
the tables are in :mod:`~levelscope.monitor.indicator_records`, the trajectory in
:mod:`~levelscope.monitor.trajectory`, the status rule in :mod:`~levelscope.monitor.status` and
the result in :mod:`~levelscope.monitor.indicator_track`.

Examples
--------
A skills programme aims to train 1,000 learners in four years; a year in, 230 have been trained,
2% of the planned change behind the straight-line trajectory (249.8 expected), so on track
under the default rule (within 5%):

>>> import datetime as dt, pathlib, tempfile
>>> from levelscope.records.db import connect, transaction
>>> from levelscope.records.accounts import create_organisation
>>> from levelscope.monitor.programmes import create_programme
>>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
>>> with transaction(factory, actor="analyst@example.org") as session:
...     leeds = create_organisation(session, "Leeds City Council")
...     skills = create_programme(session, leeds.id, "Skills programme", places=["E08000035"],
...                               start_date=dt.date(2022, 4, 1), end_date=dt.date(2026, 3, 31))
...     learners = add_indicator(session, skills, "Learners trained", stage="output",
...                              baseline_date=dt.date(2022, 4, 1), baseline_value=0,
...                              target_date=dt.date(2026, 4, 1), target_value=1000)
...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 230)
...     state = track(session, learners)
...     history = status_history(session, learners)
>>> state.status.value, round(state.expected_at_latest, 1), round(state.shortfall, 3)
('on track', 249.8, 0.02)
>>> history[["old_status", "new_status"]].to_dict("records")
[{'old_status': None, 'new_status': 'on track'}]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from levelscope.data.periods import PeriodError, parse_period
from levelscope.deprecation import renamed_parameters
from levelscope.errors import Problem, UndefinedMeasureError, ValidationError
from levelscope.monitor.additionality import AdditionalityFactors
from levelscope.monitor.indicator_records import (
    Actual,
    Milestone,
    Origin,
    ProgrammeIndicator,
    StatusChange,
    Trajectory,
)
from levelscope.monitor.indicator_track import IndicatorTrack
from levelscope.monitor.programmes import GeographyCheck, Programme, Stage, accept_known_code_forms
from levelscope.monitor.projection import project
from levelscope.monitor.status import Status, StatusRule
from levelscope.monitor.trajectory import expected_value, shortfall, trajectory_points
from levelscope.records.db import utcnow


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

    Parameters
    ----------
    session
        An open session of the records database (:func:`levelscope.records.db.transaction`).
    programme
        The programme it measures.
    name, stage, unit
        What it is, its column of the logic model (``output``, ``outcome``, ...) and its unit.
    baseline_date, baseline_value, target_date, target_value
        Where it starts and where it aims to be by when.
    trajectory
        ``linear`` or ``stepwise`` path between baseline, milestones and target.
    milestones
        ``(date, value)`` points on the way.
    higher_is_better
        The direction of improvement.
    rule
        The status rule; default :class:`~levelscope.monitor.status.StatusRule` ().
    workspace_indicator_id, geography_code
        The workspace series its actuals may come from (:func:`actuals_from_observations`).
    additionality
        The share of the gross change the programme may claim.
    geography_exists
        Decides whether ``geography_code`` is known.

    Returns
    -------
    ProgrammeIndicator
        The new indicator, flushed.

    Raises
    ------
    ValidationError
        Target date not after the baseline date, a milestone outside that span, a non-finite
        value, an unknown geography, or a missing direction.

    Examples
    --------
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     shown = learners.name, learners.higher_is_better, learners.trajectory.value
    >>> shown
    ('Learners trained', True, 'linear')
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

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        The indicator measured.
    day, value
        When, and what it was (a finite number).
    origin
        Where the value came from: ``manual``, ``import`` or ``workspace``.
    note
        A note kept with it.
    update_status
        Re-evaluate the status afterwards.

    Returns
    -------
    Actual
        The actual, flushed.

    Raises
    ------
    ValidationError
        For a value that is not a finite number.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     actual = record_actual(session, learners, dt.date(2023, 4, 1), 230, note="first year")
    ...     shown = actual.value, actual.origin.value, current_status(session, learners).value
    >>> shown
    (230.0, 'manual', 'on track')
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
    ``geography_code`` are taken; each period is dated at its last day.

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        An indicator linked to a workspace series (``workspace_indicator_id`` and
        ``geography_code`` set by :func:`add_indicator`).
    observations
        The tidy frame.

    Returns
    -------
    int
        The number of actuals written or confirmed.

    Raises
    ------
    ValidationError
        When the indicator is not linked to a series, or the frame has none of its figures.

    Examples
    --------
    >>> import datetime as dt, pathlib, tempfile
    >>> import pandas as pd
    >>> from levelscope.records.db import connect, transaction
    >>> from levelscope.records.accounts import create_organisation
    >>> from levelscope.monitor.programmes import create_programme
    >>> figures = pd.DataFrame({"geography_code": "E08000035", "indicator_id": "employment_rate",
    ...                         "period": ["2022", "2023"], "value": [72.1, 73.0]})
    >>> factory = connect(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'records.sqlite'}")
    >>> with transaction(factory, actor="analyst@example.org") as session:
    ...     leeds = create_organisation(session, "Leeds City Council")
    ...     jobs = create_programme(session, leeds.id, "Jobs programme", places=["E08000035"],
    ...                             start_date=dt.date(2022, 1, 1), end_date=dt.date(2026, 12, 31))
    ...     rate = add_indicator(session, jobs, "Employment rate", stage="outcome", unit="%",
    ...                          baseline_date=dt.date(2021, 12, 31), baseline_value=71.5,
    ...                          target_date=dt.date(2026, 12, 31), target_value=75,
    ...                          workspace_indicator_id="employment_rate", geography_code="E08000035")
    ...     written = actuals_from_observations(session, rate, figures)
    ...     latest = track(session, rate).latest_date
    >>> written, latest
    (2, datetime.date(2023, 12, 31))
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


@renamed_parameters(level=("alpha", lambda level: 1 - level))
def track(
    session: Session,
    indicator: ProgrammeIndicator,
    *,
    as_of: dt.date | None = None,
    alpha: float = 0.1,
) -> IndicatorTrack:
    """The indicator's state: status of the latest actual (up to ``as_of``) and the projection to
    the target date with its interval of coverage ``1 - alpha``.

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        The indicator.
    as_of
        Only actuals up to this date count; all when None.
    alpha
        The projection's prediction interval has coverage ``1 - alpha``.

    Returns
    -------
    IndicatorTrack
        Status, latest actual, expected value and shortfall, the actuals against the trajectory,
        and the projection (None with fewer than three actuals).

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     for day, value in ((dt.date(2022, 10, 1), 100), (dt.date(2023, 4, 1), 230),
    ...                        (dt.date(2023, 10, 1), 370)):
    ...         _ = record_actual(session, learners, day, value)
    ...     state = track(session, learners)
    >>> state.status.value, round(state.projection.value)  # about 270 a year, 2.5 more years
    ('on track', 1044)
    """
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
        projection = project(frame["date"], frame["value"], indicator.target_date, alpha=alpha)
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
    """The last status recorded in the history, or None before any.

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        The indicator.

    Returns
    -------
    Status or None
        The status, or None before the first actual.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     before = current_status(session, learners)
    ...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 150)
    ...     after = current_status(session, learners).value
    >>> before, after  # 150 of the 249.8 expected: 10% of the planned change behind, at risk
    (None, 'at risk')
    """
    return session.scalar(
        select(StatusChange.new_status)
        .where(StatusChange.indicator_id == indicator.id)
        .order_by(StatusChange.id.desc())
        .limit(1)
    )


def refresh_status(session: Session, indicator: ProgrammeIndicator) -> Status:
    """Evaluate the status now and add a history row if it differs from the last one recorded.

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        The indicator.

    Returns
    -------
    Status
        The status now.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 230, update_status=False)
    ...     status = refresh_status(session, learners).value
    ...     changes = len(status_history(session, learners))
    >>> status, changes
    ('on track', 1)
    """
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
    """Change the indicator's status rule and re-evaluate its status under it.

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        The indicator.
    rule
        The new rule.

    Returns
    -------
    Status
        The status under the new rule.

    Examples
    --------
    230 learners a year in is 2% behind the trajectory: on track within 5%, at risk within 1%.

    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 230)
    ...     stricter = set_rule(session, learners, StatusRule(on_track_within=0.01, at_risk_within=0.1))
    >>> stricter.value
    'at risk'
    """
    indicator.on_track_within = rule.on_track_within
    indicator.at_risk_within = rule.at_risk_within
    session.flush()
    return refresh_status(session, indicator)


def status_history(session: Session, indicator: ProgrammeIndicator) -> pd.DataFrame:
    """Every status change of the indicator, oldest first.

    Parameters
    ----------
    session
        An open session of the records database.
    indicator
        The indicator.

    Returns
    -------
    pandas.DataFrame
        One row per change: ``at``, ``actor``, ``as_of``, ``old_status``, ``new_status``,
        ``actual_value``, ``expected_value`` and ``rule``.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     learners = example_indicator(session, skills)
    ...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 150)
    ...     _ = record_actual(session, learners, dt.date(2023, 10, 1), 380)
    ...     history = status_history(session, learners)
    >>> history["new_status"].tolist(), history["actor"].iloc[-1]
    (['at risk', 'on track'], 'analyst@example.org')
    """
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
