"""The radar chart carries the factor scores, and the HTML report is self-contained and escaped."""

from __future__ import annotations

from pathlib import Path

import plotly.offline
import pytest

from levelscope.design import (
    Answer,
    Assessment,
    PlaceContext,
    load_case_studies,
    load_framework,
    radar_chart,
    recommend,
    score,
    write_assessment_html,
)

FW = load_framework()


def result_with(scores: list[int], date: str = "2026-01-01"):  # type: ignore[no-untyped-def]
    answers = tuple(
        Answer(criterion_id=c, score=s, evidence="<script>alert(1)</script>")
        for c, s in zip(FW.criterion_ids, scores, strict=True)
    )
    return score(
        Assessment(strategy="Plan & co", place_code="E1", assessor="T", date=date, answers=answers),
        FW,
    )


def test_radar_has_one_closed_trace_per_assessment() -> None:
    n = len(FW.criterion_ids)
    before, after = result_with([1] * n, "2025-01-01"), result_with([3] * n)
    fig = radar_chart([before, after])
    assert len(fig.data) == 2
    r = list(fig.data[1].r)
    assert r == [75.0] * (len(FW.factors) + 1)  # every factor at 3 of 4, loop closed
    theta = list(fig.data[0].theta)
    assert theta[0] == theta[-1] == FW.factors[0].name
    assert before.plot().data[0].r[0] == pytest.approx(25.0)


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    n = len(FW.criterion_ids)
    result = result_with([i % 5 for i in range(n)])
    recs = recommend(result, load_case_studies(framework=FW), PlaceContext(population=3e5))
    path = write_assessment_html(tmp_path / "r.html", result, recs)
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert plotly.offline.get_plotlyjs()[:300] in html  # library inlined, not fetched
    assert "<script src=" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Plan &amp; co" in html
    assert f"{result.overall:.1f} / 100" in html
    for gap in recs.gaps:
        assert gap.factor_name in html
