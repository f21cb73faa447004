"""Trajectories, status under a configurable rule, status history, and projection."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from helpers import learners, skills_programme

from levelscope.errors import UndefinedMeasureError, ValidationError
from levelscope.monitor import tracking
from levelscope.monitor.status import STATUS_COLOURS, Status, StatusRule
from levelscope.records.db import transaction


def test_linear_trajectory_by_hand(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        indicator = learners(session, skills_programme(session))
        # 1 April 2024 is 731 of the 1,461 days: 1000 × 731 / 1461 = 500.34.
        assert tracking.expected_value(indicator, dt.date(2024, 4, 1)) == pytest.approx(1000 * 731 / 1461)
        assert tracking.expected_value(indicator, dt.date(2021, 1, 1)) == 0.0
        assert tracking.expected_value(indicator, dt.date(2030, 1, 1)) == 1000.0


def test_trajectory_through_milestones_linear_and_stepwise(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        programme = skills_programme(session)
        milestones = [(dt.date(2023, 4, 1), 100.0), (dt.date(2024, 4, 1), 400.0)]
        linear = learners(session, programme, milestones=milestones)
        stepwise = learners(session, programme, milestones=milestones, trajectory="stepwise")
        # Halfway (by days) between the two milestones: 2023-04-01 + 183 of 366 days.
        day = dt.date(2023, 4, 1) + dt.timedelta(days=183)
        assert tracking.expected_value(linear, day) == pytest.approx(100 + 300 * 183 / 366)
        # Stepwise holds the last point reached.
        assert tracking.expected_value(stepwise, day) == 100.0
        assert tracking.expected_value(stepwise, dt.date(2024, 3, 31)) == 100.0
        assert tracking.expected_value(stepwise, dt.date(2024, 4, 1)) == 400.0
        assert tracking.expected_value(stepwise, dt.date(2026, 3, 31)) == 400.0
        assert tracking.expected_value(stepwise, dt.date(2026, 4, 1)) == 1000.0


def test_status_rule_tolerance_and_history(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        indicator = learners(session, skills_programme(session), rule=StatusRule(0.05, 0.15))
        day = dt.date(2024, 4, 1)
        expected = 1000 * 731 / 1461
        # Shortfall as a share of the planned change of 1,000: 4% on track, 10% at risk, 20% off.
        tracking.record_actual(session, indicator, day, expected - 40)
        assert tracking.current_status(session, indicator) == Status.ON_TRACK
        tracking.record_actual(session, indicator, day, expected - 100)
        assert tracking.current_status(session, indicator) == Status.AT_RISK
        tracking.record_actual(session, indicator, day, expected - 200)
        assert tracking.current_status(session, indicator) == Status.OFF_TRACK
        tracking.record_actual(session, indicator, day, expected + 50)  # ahead
        assert tracking.current_status(session, indicator) == Status.ON_TRACK
        # A looser rule turns 20% behind into "at risk"; the rule shown says so.
        tracking.record_actual(session, indicator, day, expected - 200)
        assert tracking.set_rule(session, indicator, StatusRule(0.1, 0.25)) == Status.AT_RISK
        state = tracking.track(session, indicator)
        assert "10% of the planned change" in state.rule and "25%" in state.rule
        history = tracking.status_history(session, indicator)
        assert history["new_status"].tolist() == [
            "on track",
            "at risk",
            "off track",
            "on track",
            "off track",
            "at risk",
        ]
        assert history["old_status"].isna().iloc[0] and history["old_status"].iloc[1] == "on track"
        assert set(history["actor"]) == {"alice"}


def test_lower_is_better_indicator(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        claimants = tracking.add_indicator(
            session,
            skills_programme(session),
            "Claimant rate",
            stage="outcome",
            baseline_date=dt.date(2022, 1, 1),
            baseline_value=6.0,
            target_date=dt.date(2026, 1, 1),
            target_value=4.0,
        )
        assert claimants.higher_is_better is False
        # Expected 5.0 half way; 5.5 is 0.5 of a planned fall of 2 behind: 25% -> off track.
        tracking.record_actual(session, claimants, dt.date(2024, 1, 1), 5.0 + 0.25 * 2 * (1 - 1 / 1461))
        assert tracking.current_status(session, claimants) == Status.OFF_TRACK
        tracking.record_actual(session, claimants, dt.date(2024, 1, 1), 4.9)
        assert tracking.current_status(session, claimants) == Status.ON_TRACK


def test_projection_matches_statsmodels_prediction_interval() -> None:
    dates = [
        dt.date(2022, 4, 1),
        dt.date(2023, 1, 15),
        dt.date(2023, 9, 30),
        dt.date(2024, 6, 1),
        dt.date(2025, 3, 1),
    ]
    values = [0.0, 170.0, 330.0, 520.0, 640.0]
    target = dt.date(2026, 4, 1)
    projection = tracking.project(dates, values, target, alpha=0.1)
    x = np.array([(d - dates[0]).days / 365.25 for d in dates])
    fit = sm.OLS(values, sm.add_constant(x)).fit()
    x0 = (target - dates[0]).days / 365.25
    frame = fit.get_prediction(np.array([[1.0, x0]])).summary_frame(alpha=0.1)
    assert projection.value == pytest.approx(frame["mean"].iloc[0])
    assert projection.lower == pytest.approx(frame["obs_ci_lower"].iloc[0])
    assert projection.upper == pytest.approx(frame["obs_ci_upper"].iloc[0])
    with pytest.raises(UndefinedMeasureError, match="at least 3"):
        tracking.project(dates[:2], values[:2], target)


def test_track_shows_projection_or_why_not(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        indicator = learners(session, skills_programme(session))
        tracking.record_actual(session, indicator, dt.date(2023, 4, 1), 240.0)
        state = tracking.track(session, indicator)
        assert state.projection is None and "at least 3" in state.projection_note
        tracking.record_actual(session, indicator, dt.date(2024, 4, 1), 480.0)
        tracking.record_actual(session, indicator, dt.date(2025, 4, 1), 750.0)
        state = tracking.track(session, indicator)
        assert state.projection is not None
        assert state.projection.lower < state.projection.value < state.projection.upper
        assert "projected" in state.summary()
        figure = state.plot()
        assert len(figure.data) == 5
        latest = figure.data[-1]
        assert latest.text == (state.status.value,) and latest.marker.color == STATUS_COLOURS[state.status]


def test_invalid_indicators_are_refused(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        programme = skills_programme(session)
        with pytest.raises(ValidationError, match="must be after the baseline date") as caught:
            learners(session, programme, target_date=dt.date(2021, 1, 1))
        assert caught.value.problems[0].column == "target_date"
        with pytest.raises(ValidationError, match="unknown geography"):
            learners(session, programme, geography_code="NOT-A-CODE")
        with pytest.raises(ValidationError, match="say whether higher is better"):
            learners(session, programme, target_value=0.0)


def test_recording_the_same_actual_twice_changes_nothing(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        indicator = learners(session, skills_programme(session))
        first = tracking.record_actual(session, indicator, dt.date(2023, 4, 1), 240.0)
        version = first.version
        again = tracking.record_actual(session, indicator, dt.date(2023, 4, 1), 240.0)
        assert again.id == first.id and again.version == version
        assert len(tracking.track(session, indicator).actuals) == 1


def test_actuals_from_workspace_observations(factory) -> None:  # type: ignore[no-untyped-def]
    observations = pd.DataFrame(
        {
            "geography_code": ["E08000035", "E08000035", "E08000036"],
            "indicator_id": ["employment_rate"] * 3,
            "period": ["2022", "2023/24", "2023"],
            "value": [72.1, 73.0, 70.0],
        }
    )
    with transaction(factory, "alice") as session:
        indicator = tracking.add_indicator(
            session,
            skills_programme(session),
            "Employment rate",
            stage="outcome",
            baseline_date=dt.date(2021, 12, 31),
            baseline_value=71.5,
            target_date=dt.date(2026, 3, 31),
            target_value=75.0,
            workspace_indicator_id="employment_rate",
            geography_code="E08000035",
        )
        assert tracking.actuals_from_observations(session, indicator, observations) == 2
        actuals = tracking.track(session, indicator).actuals
        assert actuals["date"].tolist() == [dt.date(2022, 12, 31), dt.date(2024, 3, 31)]
        assert actuals["value"].tolist() == [72.1, 73.0]
        assert set(actuals["origin"]) == {"workspace"}


def test_summary_writes_large_counts_in_full(factory) -> None:  # type: ignore[no-untyped-def]
    # a population target: the summary once read "baseline 5.70934e+06"
    with transaction(factory, "alice") as session:
        indicator = learners(session, skills_programme(session), baseline_value=5_709_343.0,
                             target_value=5_800_000.0, unit="people")
        tracking.record_actual(session, indicator, dt.date(2023, 4, 1), 5_731_000.0)
        text = tracking.track(session, indicator).summary()
    assert "baseline 5,709,343 people (2022-04-01); target 5,800,000 people" in text
    assert "latest 5,731,000 people on 2023-04-01" in text
    assert "e+0" not in text
