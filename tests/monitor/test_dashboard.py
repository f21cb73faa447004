"""The programme dashboard gathers what the page shows from the same functions as everything else."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import learners, skills_programme

from levelscope.monitor import programmes, tracking
from levelscope.monitor.appraisal import appraise
from levelscope.monitor.dashboard import STATUS_COLOURS, programme_dashboard
from levelscope.records.db import transaction


def test_dashboard_shows_register_logic_model_spend_tracks_and_appraisal(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        programme = skills_programme(session)
        programmes.add_logic_item(session, programme, "activity", "Run evening courses")
        programmes.add_spend(session, programme, 2022, "UKSPF", 100.0, kind="planned")
        programmes.add_spend(session, programme, 2022, "UKSPF", 80.0)
        programmes.add_spend(session, programme, 2023, "Council", 50.0, kind="planned")
        indicator = learners(session, programme)
        tracking.record_actual(session, indicator, dt.date(2024, 4, 1), 100.0)  # far behind
        programmes.add_cash_flow(session, programme, 2022, "cost", 100.0)
        programmes.add_cash_flow(session, programme, 2023, "benefit", 207.0)
        board = programme_dashboard(session, programme)
    assert board.places == ("E08000035",) and board.funders == ("UK Shared Prosperity Fund",)
    assert board.logic_model["stage"].tolist() == ["input", "input", "activity", "output"]
    assert board.logic_model["status"].iloc[-1] == "off track"
    spend = board.spend.set_index(["year", "source"])
    assert spend.loc[(2022, "UKSPF"), "planned"] == 100.0 and spend.loc[(2022, "UKSPF"), "actual"] == 80.0
    assert spend.loc[(2023, "Council"), "actual"] == 0.0
    assert board.status_counts["off track"] == 1
    assert board.to_frame()["colour"].tolist() == [STATUS_COLOURS[tracking.Status.OFF_TRACK]]
    reference = appraise(
        pd.DataFrame({"year": [2022, 2023], "category": ["cost", "benefit"], "amount": [100.0, 207.0]})
    )
    assert board.appraisal is not None and board.appraisal.npsv == pytest.approx(reference.npsv)
    assert board.appraisal.npsv == pytest.approx(207 / 1.035 - 100)
    assert board.value_for_money.spend == 80.0
    assert not board.recent_changes.empty
    assert "Skills programme" in board.summary()
