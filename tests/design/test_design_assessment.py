"""Scoring, weighting, gaps, practice ranking and comparison, with hand-computed expectations."""

from __future__ import annotations

import math

import pytest
from design_helpers import case, tiny_framework, tiny_library

from levelscope.design import (
    Answer,
    Assessment,
    PlaceContext,
    compare,
    load_case_studies,
    load_framework,
    recommend,
    score,
)
from levelscope.design.assessment import factor_relevance
from levelscope.errors import ValidationError


def assessment(
    scores: dict[str, int], place: str = "E00000001", date: str = "2026-01-01"
) -> Assessment:
    answers = tuple(Answer(criterion_id=c, score=s) for c, s in scores.items())
    return Assessment(strategy="S", place_code=place, assessor="T", date=date, answers=answers)


def test_weighted_factor_and_overall_scores_by_hand() -> None:
    fw = tiny_framework()
    result = score(assessment({"a.x": 4, "a.y": 2, "b.x": 1, "b.y": 0}), fw)
    # factor a: (1*4 + 3*2) / (1 + 3) = 2.5 of 4 -> 62.5 ; factor b: (1 + 0) / 2 = 0.5 -> 12.5
    # overall: (2 * 62.5 + 1 * 12.5) / (2 + 1) = 137.5 / 3
    assert result.factor("a").score == pytest.approx(62.5)
    assert result.factor("b").score == pytest.approx(12.5)
    assert result.overall == pytest.approx(137.5 / 3)
    # maturity: floor(62.5 / 25) = 2 Developing; floor(12.5 / 25) = 0 Absent
    assert (result.factor("a").maturity, result.factor("b").maturity) == ("Developing", "Absent")
    frame = result.to_frame()
    assert list(frame["score"]) == pytest.approx([62.5, 12.5])


def test_shipped_framework_extremes() -> None:
    fw = load_framework()
    top = score(assessment(dict.fromkeys(fw.criterion_ids, 4)), fw)
    bottom = score(assessment(dict.fromkeys(fw.criterion_ids, 0)), fw)
    assert (top.overall, bottom.overall) == (100.0, 0.0)
    assert {f.maturity for f in top.factors} == {"Leading"}


def test_incomplete_or_unknown_answers_are_rejected_by_name() -> None:
    fw = tiny_framework()
    with pytest.raises(ValidationError) as err:
        score(assessment({"a.x": 1, "a.y": 1, "b.x": 1, "zz.top": 2}), fw)
    text = str(err.value)
    assert "'b.y'" in text and "no answer" in text
    assert "'zz.top'" in text and "unknown criterion" in text


def test_answer_score_out_of_range_is_rejected() -> None:
    with pytest.raises(ValueError):
        Answer(criterion_id="a.x", score=5)
    with pytest.raises(ValueError):
        Answer(criterion_id="a.x", score=2.5)


def test_framework_version_mismatch_is_rejected() -> None:
    a = assessment({"a.x": 1, "a.y": 1, "b.x": 1, "b.y": 1}).model_copy(
        update={"framework_version": "9.9.9"}
    )
    with pytest.raises(ValidationError, match=r"framework 9\.9\.9"):
        score(a, tiny_framework())


def test_weakest_breaks_ties_by_weight() -> None:
    # both factors at 50: factor a has weight 2, so it is listed first
    result = score(assessment({"a.x": 2, "a.y": 2, "b.x": 2, "b.y": 2}), tiny_framework())
    assert [f.factor_id for f in result.weakest(2)] == ["a", "b"]
    assert [f.factor_id for f in result.gaps(50.0)] == []
    assert [f.factor_id for f in result.gaps(50.1)] == ["a", "b"]


def test_factor_relevance_is_reciprocal_position() -> None:
    assert factor_relevance("b", ["b"]) == 1.0
    assert factor_relevance("b", ["a", "b"]) == 0.5
    assert factor_relevance("b", ["a", "c", "b"]) == pytest.approx(1 / 3)
    assert factor_relevance("b", ["a"]) == 0.0


def _gap_in_b() -> tuple[object, object]:
    fw = tiny_framework()
    result = score(assessment({"a.x": 4, "a.y": 4, "b.x": 0, "b.y": 1}), fw)
    library = tiny_library(
        [
            case("far", 1e7, "combined_authority", [("p", ["b"])]),
            case("both", 1e5, "single_authority", [("p", ["a", "b"])]),
            case("near", 1e5, "single_authority", [("p", ["b"]), ("q", ["a"])]),
        ]
    )
    return result, library


def test_practices_rank_by_relevance_then_similarity() -> None:
    result, library = _gap_in_b()
    place = PlaceContext(population=1e5, governance="single_authority")
    recs = recommend(result, library, place, scales={"size": 1.0})  # type: ignore[arg-type]
    (gap,) = recs.gaps
    assert gap.factor_id == "b" and gap.score == pytest.approx(12.5)
    # near: distance 0 -> similarity 1, relevance 1
    # far: size (5-7)/1 -> 4, governance differs -> 1; d = sqrt(5/2); similarity 1/(1+d);
    #      relevance 1
    # both: relevance 1/2, so last despite similarity 1
    assert [p.case_id for p in gap.practices] == ["near", "far", "both"]
    far = gap.practices[1]
    assert far.similarity == pytest.approx(1 / (1 + math.sqrt(2.5)))
    assert [p.relevance for p in gap.practices] == [1.0, 1.0, 0.5]


def test_default_scales_come_from_library_and_place() -> None:
    result, library = _gap_in_b()
    place = PlaceContext(population=1e6, governance="single_authority")
    # log10 sizes 7, 5, 5 (cases) and 6 (place): mean 5.75,
    # sd = sqrt((1.5625 + 0.5625 + 0.5625 + 0.0625) / 3) = sqrt(2.75 / 3)
    sd = math.sqrt(2.75 / 3)
    recs = recommend(result, library, place)  # type: ignore[arg-type]
    by_case = {p.case_id: p for p in recs.gaps[0].practices}
    d_near = math.sqrt(((6 - 5) / sd) ** 2 / 2)  # governance matches -> 0
    assert by_case["near"].similarity == pytest.approx(1 / (1 + d_near))


def test_without_context_practices_rank_by_relevance_only() -> None:
    result, library = _gap_in_b()
    recs = recommend(result, library, None)  # type: ignore[arg-type]
    practices = recs.gaps[0].practices
    assert [p.practice_id for p in practices] == ["far.p", "near.p", "both.p"]
    assert all(p.similarity is None for p in practices)


def test_shipped_library_answers_a_monitoring_gap() -> None:
    fw = load_framework()
    scores = dict.fromkeys(fw.criterion_ids, 4)
    scores |= {c: 0 for c in fw.criterion_ids if c.startswith("monitoring_evaluation.")}
    result = score(assessment(scores), fw)
    recs = recommend(result, load_case_studies(framework=fw), PlaceContext(population=3e5))
    (gap,) = recs.gaps
    assert gap.factor_id == "monitoring_evaluation"
    assert [p.practice_id for p in gap.practices] == ["enfield.needs_mapping"]
    assert not recs.to_frame().empty


def test_compare_over_time() -> None:
    fw = tiny_framework()
    before = score(assessment({"a.x": 1, "a.y": 1, "b.x": 2, "b.y": 2}, date="2025-01-01"), fw)
    after = score(assessment({"a.x": 2, "a.y": 3, "b.x": 2, "b.y": 1}, date="2026-01-01"), fw)
    comparison = compare(before, after)
    # a: 25 -> (2 + 9) / 4 = 2.75 -> 68.75 ; b: 50 -> 37.5
    # overall: (2*25 + 50) / 3 = 33.33 -> (2*68.75 + 37.5) / 3 = 58.33
    changes = {f.factor_id: f.change for f in comparison.factors}
    assert changes == pytest.approx({"a": 43.75, "b": -12.5})
    assert comparison.overall_change == pytest.approx(175 / 3 - 100 / 3)
    assert comparison.improved
    assert not compare(after, before).improved


def test_compare_refuses_different_places() -> None:
    fw = tiny_framework()
    one = score(assessment(dict.fromkeys(["a.x", "a.y", "b.x", "b.y"], 1), place="E1"), fw)
    two = score(assessment(dict.fromkeys(["a.x", "a.y", "b.x", "b.y"], 1), place="E2"), fw)
    with pytest.raises(ValidationError, match="different places"):
        compare(one, two)


def test_a_place_is_not_offered_its_own_practices() -> None:
    fw = load_framework()
    scores = dict.fromkeys(fw.criterion_ids, 4)
    scores |= {c: 0 for c in fw.criterion_ids if c.startswith("monitoring_evaluation.")}
    enfield = score(assessment(scores, place="E09000010"), fw)  # the only M&E practice is Enfield's
    recs = recommend(enfield, load_case_studies(framework=fw))
    assert recs.gaps[0].practices == ()
