"""The strategy assessment report: scores worked out by hand (every criterion answered 2 of 4
gives 50 on every factor and overall; 1 of 4 gives 25), matched practices and the change since
the previous assessment in the PDF; without a previous assessment or recommendations it says
"not available"."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest

from levelscope.design import Answer, Assessment, load_case_studies, load_framework, recommend, score
from levelscope.design.assessment import AssessmentResult
from levelscope.report import strategy_report
from report_charts import chart_texts, charts_missing

pypdf = pytest.importorskip("pypdf")
FW = load_framework()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def assessed(level: int, date: str) -> AssessmentResult:
    answers = tuple(Answer(criterion_id=c, score=level, evidence="") for c in FW.criterion_ids)
    return score(Assessment(strategy="Inclusive growth", place_code="E08000025", assessor="Analyst",
                            date=date, answers=answers), FW)


def test_report_shows_profile_practices_and_change() -> None:
    before, after = assessed(1, "2025-01-01"), assessed(2, "2026-01-01")
    assert after.overall == pytest.approx(50.0) and before.overall == pytest.approx(25.0)
    assert all(f.score == pytest.approx(50.0) for f in after.factors)
    practices = recommend(after, load_case_studies(framework=FW), None, threshold=75.0)
    report = strategy_report(after, practices, before, place_name="Birmingham")
    printed = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.pdf())).pages)
    assert chart_texts(report.html()) and charts_missing(report.html(), printed) == []
    text = squeeze(printed)
    n = len(FW.factors)
    assert squeeze(f"Inclusive growth for Birmingham (E08000025) scores 50.0 out of 100 against the {n} "
                   "success factors") in text
    assert squeeze("Since the assessment of 2025-01-01 the overall score rose from 25.0 to 50.0 "
                   "(+25.0).") in text
    for factor in after.factors:
        assert squeeze(factor.name) in text
    first = practices.gaps[0].practices[0]
    assert squeeze(f"{first.case_name}: {first.title}") in text
    for source in report.sources:
        assert squeeze(f"{source.publisher}, {source.dataset}") in text


def test_first_assessment_without_practices_says_not_available() -> None:
    html = strategy_report(assessed(3, "2026-01-01")).html()
    assert "Change since a previous assessment: not available (this is the first)." in html
    assert "<strong>Not available:</strong> a change (there is no previous assessment" in html
    assert "<strong>Not available:</strong> practices from the case studies" in html
