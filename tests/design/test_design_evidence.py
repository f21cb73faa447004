"""Evidenced scores from programme records, with the mapping rules checked at their boundaries."""

from __future__ import annotations

import pytest

from levelscope.design import Answer, Assessment, load_framework, score
from levelscope.design.evidence import (
    MULTI_YEAR,
    ProgrammeSummary,
    apply_evidence,
    evidenced_answers,
    share_level,
    years_level,
)
from levelscope.errors import UndefinedMeasureError


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (0, 0),
        (0.01, 1),
        (0.2499, 1),
        (0.25, 2),
        (0.4999, 2),
        (0.5, 3),
        (0.7499, 3),
        (0.75, 4),
        (1, 4),
    ],
)
def test_share_levels(share: float, level: int) -> None:
    assert share_level(share) == level


@pytest.mark.parametrize(
    ("years", "level"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (12, 4)]
)
def test_years_levels(years: int, level: int) -> None:
    assert years_level(years) == level


def test_evidenced_answers_by_hand() -> None:
    summary = ProgrammeSummary.from_counts(
        n_programmes=8,
        with_baselines=6,
        with_targets=5,
        with_tracked_indicators=2,
        years_of_committed_spend=3,
    )
    answers = {a.criterion_id: a for a in evidenced_answers(summary)}
    # both baseline and target: min(6, 5) = 5 of 8 = 0.625 -> level 3
    # tracked: 2 of 8 = 0.25 -> level 2 ; 3 years -> level 3
    assert answers["monitoring_evaluation.baselines_targets"].score == 3
    assert answers["monitoring_evaluation.tracking"].score == 2
    assert answers[MULTI_YEAR].score == 3
    assert {a.source for a in answers.values()} == {"evidenced"}
    assert "5 of 8" in answers["monitoring_evaluation.baselines_targets"].evidence
    fw = load_framework()
    assert set(answers) <= set(fw.criterion_ids)


def test_no_programmes_cannot_be_evidenced() -> None:
    with pytest.raises(UndefinedMeasureError, match="no programmes"):
        evidenced_answers(ProgrammeSummary(0, 0, 0, 2))
    with pytest.raises(UndefinedMeasureError, match="between 0 and n_programmes"):
        ProgrammeSummary(3, 4, 0, 1)


def test_apply_evidence_changes_scores_as_computed_by_hand() -> None:
    fw = load_framework()
    answers = tuple(Answer(criterion_id=c, score=2) for c in fw.criterion_ids)
    base = Assessment(
        strategy="S", place_code="E1", assessor="T", date="2026-01-01", answers=answers
    )
    updated = apply_evidence(base, ProgrammeSummary(8, 5, 2, 3))
    result = score(updated, fw)
    # monitoring: (3 + 2 + 2) / 3 = 7/3 of 4 -> 58.33; funding: (3 + 2 + 2) / 3 -> 58.33
    # overall (10 equal weights): (8 * 50 + 2 * 175/3) / 10
    assert result.factor("monitoring_evaluation").score == pytest.approx(175 / 3)
    assert result.factor("funding").score == pytest.approx(175 / 3)
    assert result.overall == pytest.approx((400 + 350 / 3) / 10)
    assert result.factor("funding").n_evidenced == 1
    assert result.evidenced_share == pytest.approx(3 / len(fw.criterion_ids))
    assert len(updated.answers) == len(base.answers)
