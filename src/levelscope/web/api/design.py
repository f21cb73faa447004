"""REST endpoints for strategy design: ``/api/design``.

* ``GET  /api/design/framework`` — the success factors, criteria, rubrics and weights;
* ``GET  /api/design/case-studies`` and ``/api/design/case-studies/{case_id}`` — the cited
  case-study library;
* ``POST /api/design/score`` — score a submission (the questionnaire's fields as JSON) and rank
  case-study practices for its gaps; 422 with one entry per problem for a bad submission;
* ``GET  /api/design/assessments`` — saved assessments (authenticated);
* ``POST /api/design/assessments`` — score and save a submission as the next revision
  (authenticated; 201);
* ``GET  /api/design/assessments/{before_id}/compare/{after_id}`` — per-factor change.

Scoring is a pure computation and open to anyone; saved assessments need a signed-in user or an
API token. The endpoints only translate between HTTP and :mod:`levelscope.design`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, status

from levelscope.design import (
    AssessmentComparison,
    AssessmentResult,
    CaseLibrary,
    Framework,
    Recommendations,
    load_case_studies,
    load_framework,
    parse_submission,
    recommend,
    score,
)
from levelscope.design import saved as saved_assessments
from levelscope.design.assessment import DEFAULT_GAP_THRESHOLD, Assessment
from levelscope.design.evidence import evidence_from_records, evidence_links
from levelscope.records.accounts import User
from levelscope.web.deps import RecordId
from levelscope.web.security import Records, api_user

router = APIRouter(prefix="/api/design", tags=["design"])

CurrentUser = Annotated[User, Depends(api_user)]
Submission = Annotated[
    dict[str, Any],
    Body(
        description="strategy, place_code, assessor, date, optional context, and answers keyed by "
        "criterion id, each {score: 0-4, evidence: text, source: self-reported|evidenced}",
    ),
]
Threshold = Annotated[float, Query(ge=0, le=100, description="factors below this are gaps")]
PerGap = Annotated[int, Query(ge=1, le=20, description="practices shown for each gap")]


@lru_cache(maxsize=1)
def framework() -> Framework:
    """The shipped framework, read once."""
    return load_framework()


@lru_cache(maxsize=1)
def library() -> CaseLibrary:
    """The shipped case-study library, read once and checked against the framework."""
    return load_case_studies(framework=framework())


def assess(
    data: Any,
    *,
    threshold: float = DEFAULT_GAP_THRESHOLD,
    per_gap: int = 3,
) -> tuple[Assessment, AssessmentResult, Recommendations]:
    """Validate a submission, score it and rank practices for its gaps (shared with the pages)."""
    assessment = parse_submission(data, framework())
    return scored(assessment, threshold=threshold, per_gap=per_gap)


def scored(
    assessment: Assessment, *, threshold: float = DEFAULT_GAP_THRESHOLD, per_gap: int = 3
) -> tuple[Assessment, AssessmentResult, Recommendations]:
    result = score(assessment, framework())
    recommendations = recommend(
        result, library(), assessment.context, threshold=threshold, per_gap=per_gap
    )
    return assessment, result, recommendations


def result_json(result: AssessmentResult, recommendations: Recommendations) -> dict[str, Any]:
    """The scored assessment as JSON: scores, weakest factors, gaps with practices, answers."""
    return {
        "strategy": result.strategy,
        "place_code": result.place_code,
        "assessor": result.assessor,
        "date": result.date.isoformat(),
        "framework_version": result.framework_version,
        "overall": result.overall,
        "evidenced_share": result.evidenced_share,
        "factors": [vars(f) for f in result.factors],
        "weakest": [f.factor_id for f in result.weakest()],
        "gap_threshold": recommendations.threshold,
        "gaps": [
            {
                "factor_id": g.factor_id,
                "factor_name": g.factor_name,
                "score": g.score,
                "practices": [vars(p) | {"citations": list(p.citations)} for p in g.practices],
            }
            for g in recommendations.gaps
        ],
        "answers": [a.model_dump() for a in result.answers],
        "evidence_links": [vars(link) for link in evidence_links(result.place_code)],
        "provenance": str(result.provenance),
    }


def comparison_json(comparison: AssessmentComparison) -> dict[str, Any]:
    return {
        "place_code": comparison.place_code,
        "before_date": comparison.before_date.isoformat(),
        "after_date": comparison.after_date.isoformat(),
        "overall_before": comparison.overall_before,
        "overall_after": comparison.overall_after,
        "overall_change": comparison.overall_change,
        "improved": comparison.improved,
        "factors": [
            {"factor_id": f.factor_id, "name": f.name, "before": f.before, "after": f.after,
             "change": f.change}
            for f in comparison.factors
        ],
    }


@router.get("/framework")
def get_framework() -> dict[str, Any]:
    """The success-factor framework: factors, criteria with their 0–4 rubrics, weights."""
    return framework().model_dump(mode="json")


@router.get("/case-studies")
def get_case_studies() -> dict[str, Any]:
    """The case-study library: every place's cited facts, programmes and practices."""
    return library().model_dump(mode="json")


@router.get("/case-studies/{case_id}")
def get_case_study(case_id: str) -> dict[str, Any]:
    """One case-study place (404 if unknown)."""
    return library().case(case_id).model_dump(mode="json")


@router.post("/score")
def score_submission(
    submission: Submission,
    threshold: Threshold = DEFAULT_GAP_THRESHOLD,
    per_gap: PerGap = 3,
) -> dict[str, Any]:
    """Score a submission; 422 listing every problem if it is malformed or incomplete."""
    _, result, recommendations = assess(submission, threshold=threshold, per_gap=per_gap)
    return result_json(result, recommendations)


@router.get("/assessments")
def list_assessments(
    session: Records,
    user: CurrentUser,
    place_code: str | None = None,
    strategy: str | None = None,
) -> list[dict[str, Any]]:
    """Your organisation's saved assessments, oldest first (optionally of one place or strategy)."""
    rows = saved_assessments.organisation_history(session, user.organisation_id)
    chosen = [
        r for r in rows
        if (place_code is None or r.place_code == place_code) and (strategy is None or r.strategy == strategy)
    ]
    return saved_assessments.history_rows(chosen)


@router.post("/assessments", status_code=status.HTTP_201_CREATED)
def save_submission(
    submission: Submission,
    session: Records,
    user: CurrentUser,
    evidence: Annotated[
        bool,
        Query(description="evidence monitoring and funding scores from published programmes"),
    ] = False,
) -> dict[str, Any]:
    """Score and save a submission as the next revision of its strategy for its place."""
    assessment = parse_submission(submission, framework())
    if evidence:
        assessment = evidence_from_records(
            session, assessment, year=assessment.date.year, published_only=True
        )
    saved = saved_assessments.save_assessment(session, assessment, framework())
    return saved_assessments.history_rows([saved])[0]


@router.get("/assessments/{before_id}/compare/{after_id}")
def compare_assessments(
    before_id: RecordId, after_id: RecordId, session: Records, user: CurrentUser
) -> dict[str, Any]:
    """Per-factor change from one saved assessment to another of the same place."""
    # Another organisation's ids are "not found": they reveal nothing.
    for saved_id in (before_id, after_id):
        saved_assessments.get_organisation_saved(session, saved_id, user.organisation_id)
    comparison = saved_assessments.compare_saved(session, before_id, after_id, framework())
    return comparison_json(comparison)
