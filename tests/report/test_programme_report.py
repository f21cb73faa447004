"""The programme monitoring report says what the programme dashboard's result says: the status
counts, spend against plan, the four Es and the Green Book appraisal with its switching values
(checked against a hand calculation); a programme without actuals, spend or cash flows renders
with "not available" where those would be."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from levelscope.monitor import programmes, tracking
from levelscope.records import accounts
from levelscope.records.db import connect, transaction
from levelscope.report import programme_report
from report_charts import chart_texts, charts_missing

pypdf = pytest.importorskip("pypdf")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture()
def session(tmp_path: Path) -> Iterator[Session]:
    with transaction(connect(f"sqlite:///{tmp_path / 'records.sqlite'}"), "tester") as opened:
        yield opened


def skills(session: Session) -> programmes.Programme:
    council = accounts.create_organisation(session, "Leeds City Council")
    return programmes.create_programme(
        session, council.id, "Skills programme", start_date=dt.date(2022, 4, 1),
        end_date=dt.date(2026, 3, 31), places=["E08000035"], funders=["UK Shared Prosperity Fund"],
    )


def learners(session: Session, programme: programmes.Programme) -> Any:
    return tracking.add_indicator(
        session, programme, "Learners trained", stage="output", baseline_date=dt.date(2022, 4, 1),
        baseline_value=0.0, target_date=dt.date(2026, 4, 1), target_value=1000.0,
    )


def test_report_figures_equal_the_dashboard_and_a_hand_calculation(session: Session) -> None:
    programme = skills(session)
    programmes.add_logic_item(session, programme, "activity", "Run evening courses")
    programmes.add_spend(session, programme, 2022, "UKSPF", 100.0, kind="planned")
    programmes.add_spend(session, programme, 2022, "UKSPF", 80.0)
    programmes.add_spend(session, programme, 2023, "Council", 50.0, kind="planned")
    tracking.record_actual(session, learners(session, programme), dt.date(2024, 4, 1), 100.0)
    programmes.add_cash_flow(session, programme, 2022, "cost", 100.0)
    programmes.add_cash_flow(session, programme, 2023, "benefit", 207.0)
    report = programme_report(session, programme, names={"E08000035": "Leeds"})
    board = report.content["board"]
    # hand calculation: benefits of 207 a year later are worth 207 / 1.035 = 200 now
    assert board.appraisal.npsv == pytest.approx(100.0) and board.appraisal.bcr == pytest.approx(2.0)
    printed = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf())).pages)
    assert chart_texts(report.html()) and charts_missing(report.html(), printed) == []
    text = squeeze(printed)
    assert squeeze("Of its 1 indicator, 0 are on track, 0 at risk and 1 off track") in text
    assert squeeze("Spend so far is £80 of £150 planned (53.3% of plan)") in text
    assert squeeze("net present social value of £100 and a benefit–cost ratio of 2.00") in text
    assert squeeze("Benefits would have to fall by 50.0% for it to break even") in text
    assert squeeze("Leeds (E08000035)") in text
    assert squeeze(board.tracks[0].rule) in text
    for row in board.value_for_money.to_frame().itertuples():
        assert squeeze(str(row.meaning)) in text
    for source in report.sources:
        assert squeeze(f"{source.publisher}, {source.dataset}") in text
    assert any(s.publisher == "HM Treasury" for s in report.sources)


def test_programme_without_actuals_spend_or_flows_says_not_available(session: Session) -> None:
    programme = skills(session)
    learners(session, programme)
    html = programme_report(session, programme).html()
    assert "Not available: no actuals recorded yet" in html
    assert "<strong>Not available:</strong> actuals (no indicator has an actual recorded yet" in html
    assert "<strong>Not available:</strong> spend (no planned or actual spend recorded)" in html
    assert "<strong>Not available:</strong> an appraisal (no costs and benefits recorded" in html
    assert "Appraisal not available: no costs and benefits recorded for appraisal." in html
    assert "Of its 1 indicator, 0 are on track, 0 at risk and 0 off track; 1 has no actuals yet." in html


def test_programme_without_indicators(session: Session) -> None:
    html = programme_report(session, skills(session)).html()
    assert "It has no indicators yet." in html
    assert "<strong>Not available:</strong> indicators (none added to the programme yet)" in html
