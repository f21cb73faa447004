"""Strategy design pages: hold a strategy against the success factors.

* ``/design`` — what the assessment is, the ten factors and the case-study places;
* ``/design/assess`` — the guided questionnaire (GET) and its result (POST): a radar chart of the
  maturity profile, the weakest factors, and for each gap the most relevant case-study practices
  with their citations. A malformed or incomplete submission comes back as the same form with a
  message beside every offending field and every answer already given kept (status 422);
* ``POST /design/saved`` — save the result shown as the next revision (signed in, CSRF token);
* ``/design/saved`` — the assessments your organisation saved, each linking to its result;
* ``/design/saved/{id}`` — a saved assessment's result;
* ``/design/saved/{before}/compare/{after}`` — the change, factor by factor, between two saves
  of the same place: a table of signed changes and both profiles on one radar chart.

Scoring is a pure computation and needs no sign-in; saving and the saved pages do, and show only
what members of the user's own organisation saved. Scores for monitoring and funding are
evidenced from *published* programme records of the place when there are any; the rest are
self-reported, and the result page says which is which.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from levelscope.design import saved as saved_assessments
from levelscope.design.assessment import Assessment, AssessmentResult
from levelscope.design.evidence import evidence_from_records, evidence_links
from levelscope.design.plot import radar_chart
from levelscope.design.questionnaire import CONTEXT_FIELDS, GOVERNANCE_TYPES, parse_submission
from levelscope.errors import LevelscopeError, NotFoundError, ValidationError
from levelscope.records.accounts import User
from levelscope.records.db import ConflictError
from levelscope.web.api.design import framework, library, scored
from levelscope.web.deps import RecordId, Served, SubmittedForm
from levelscope.web.security import LOGIN_PATH, Records, page_user, signed_in, to_login
from levelscope.web.state import Explorer
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)
SignedInUser = Annotated[User, Depends(page_user)]

HEADER_FIELDS = ("strategy", "place_code", "assessor", "date")
NUMBER_FIELDS = CONTEXT_FIELDS[:3]


@router.get("/design", response_class=HTMLResponse)
def design_home(request: Request) -> HTMLResponse:
    """The framework at a glance and the way into the questionnaire."""
    return render(request, "design/home.html", framework=framework(), library=library())


@router.get("/design/assess", response_class=HTMLResponse)
def assessment_form(request: Request) -> HTMLResponse:
    """The empty questionnaire, dated today."""
    return _form(request, {"date": dt.date.today().isoformat()}, {})


@router.post("/design/assess", response_class=HTMLResponse)
def assessment_result(request: Request, session: Records, ex: Served, form: SubmittedForm) -> HTMLResponse:
    """Score the submitted questionnaire, or return it with its problems marked (422)."""
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        assessment = _assessment_of(values)
    except ValidationError as error:
        return _form(request, values, _messages(error), status_code=422)
    login = signed_in(request, session)
    return _result_page(
        request,
        ex,
        _with_evidence(session, assessment),
        save_values=values,
        csrf_token=login.csrf_token if login else None,
    )


@router.post("/design/saved", response_model=None)
def save_result(request: Request, session: Records, user: SignedInUser, form: SubmittedForm) -> Response:
    """Save the result page's submission as the next revision, then show it (303)."""
    values = {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
    try:
        assessment = _with_evidence(session, _assessment_of(values))
        saved = saved_assessments.save_assessment(session, assessment, framework())
    except ValidationError as error:
        session.rollback()
        return _form(request, values, _messages(error), status_code=422)
    except LevelscopeError as error:
        session.rollback()
        return _problem(request, error, "The assessment was not saved")
    return RedirectResponse(f"/design/saved/{saved.id}", status_code=303)


@router.get("/design/saved", response_model=None)
def saved_list(request: Request, session: Records) -> Response:
    """The assessments members of the user's organisation saved, by place and strategy."""
    login = signed_in(request, session)
    if login is None:
        return to_login(request)
    saved = saved_assessments.organisation_history(session, login.user.organisation_id)
    return render(request, "design/saved.html", user=login.user, rows=saved_assessments.history_rows(saved))


@router.get("/design/saved/{saved_id}", response_model=None)
def saved_result(saved_id: RecordId, request: Request, session: Records, ex: Served) -> Response:
    """A saved assessment's result, scored again as it was saved."""
    login = signed_in(request, session)
    if login is None:
        return to_login(request)
    try:
        saved = saved_assessments.get_organisation_saved(session, saved_id, login.user.organisation_id)
    except NotFoundError as error:
        return _problem(request, error, "Saved assessment not found")
    earlier = [
        s.id
        for s in saved_assessments.organisation_history(session, login.user.organisation_id)
        if (s.place_code, s.strategy) == (saved.place_code, saved.strategy) and s.revision < saved.revision
    ]
    return _result_page(
        request, ex, saved.to_assessment(), saved=saved, previous_id=earlier[-1] if earlier else None
    )


@router.get("/design/saved/{before_id}/compare/{after_id}", response_model=None)
def saved_comparison(before_id: RecordId, after_id: RecordId, request: Request, session: Records) -> Response:
    """Factor-by-factor change between two saved assessments of the same place."""
    login = signed_in(request, session)
    if login is None:
        return to_login(request)
    fw = framework()
    try:
        before = saved_assessments.get_organisation_saved(session, before_id, login.user.organisation_id)
        after = saved_assessments.get_organisation_saved(session, after_id, login.user.organisation_id)
        comparison = saved_assessments.compare_saved(session, before.id, after.id, fw)
    except LevelscopeError as error:
        return _problem(request, error, "These assessments cannot be compared")
    both = [saved_assessments.score_saved(before, fw), saved_assessments.score_saved(after, fw)]
    return render(
        request,
        "design/compare.html",
        before=before,
        after=after,
        comparison=comparison,
        sentence=overall_sentence(comparison.overall_before, comparison.overall_after),
        figure=_revisions_chart(both, [before, after]),
    )


def _revisions_chart(
    results: list[AssessmentResult], saved: list[saved_assessments.SavedAssessment]
) -> dict[str, Any]:
    """Both profiles on one radar chart, each trace named by its revision (dates may coincide)."""
    figure = radar_chart(results)
    for trace, revision in zip(figure.data, saved, strict=True):
        trace.name = f"Revision {revision.revision} ({revision.assessed_on})"
    return figure.to_plotly_json()


def overall_sentence(before: float, after: float) -> str:
    """The overall change in words, with scores to one decimal place as the table shows them."""
    shown_before, shown_after = f"{before:.1f}", f"{after:.1f}"
    if shown_before == shown_after:
        return f"The overall score stayed at {shown_after}."
    verb = "rose" if after > before else "fell"
    return f"The overall score {verb} from {shown_before} to {shown_after}."


def _with_evidence(session: Records, assessment: Assessment) -> Assessment:
    """Monitoring and funding scores evidenced from the place's published programme records."""
    return evidence_from_records(session, assessment, year=assessment.date.year, published_only=True)


def _result_page(
    request: Request,
    ex: Explorer,
    assessment: Assessment,
    *,
    save_values: dict[str, str] | None = None,
    csrf_token: str | None = None,
    saved: saved_assessments.SavedAssessment | None = None,
    previous_id: int | None = None,
) -> HTMLResponse:
    assessment, result, recommendations = scored(assessment)
    area_name = _area_name(ex, assessment.place_code)
    links = evidence_links(assessment.place_code) if area_name else []
    return render(
        request,
        "design/result.html",
        result=result,
        recommendations=recommendations,
        framework=framework(),
        area_name=area_name,
        links=links,
        figure=result.plot().to_plotly_json(),
        save_values=save_values,
        csrf_token=csrf_token,
        saved=saved,
        previous_id=previous_id,
        login_url=f"{LOGIN_PATH}?next={quote('/design/saved')}",
    )


def _problem(request: Request, error: LevelscopeError, title: str) -> HTMLResponse:
    code = 404 if isinstance(error, NotFoundError) else 409 if isinstance(error, ConflictError) else 422
    return render(request, "design/problem.html", status_code=code, title=title, message=str(error))


def _assessment_of(values: dict[str, str]) -> Assessment:
    """Turn the form's text fields into a submission and validate it (ValidationError if bad)."""
    fw = framework()
    answers: dict[str, Any] = {}
    for criterion_id in fw.criterion_ids:
        raw = values.get(f"score.{criterion_id}", "").strip()
        answers[criterion_id] = {
            "score": int(raw) if raw.isdigit() else (raw or None),
            "evidence": values.get(f"evidence.{criterion_id}", "").strip(),
        }
    context: dict[str, Any] = {name: _number(values.get(name, "")) for name in NUMBER_FIELDS}
    context["governance"] = values.get("governance", "").strip() or None
    submission = {
        "strategy": values.get("strategy", ""),
        "place_code": values.get("place_code", "").strip(),
        "assessor": values.get("assessor", ""),
        "date": values.get("date", "").strip() or None,
        "context": context if any(v is not None for v in context.values()) else None,
        "answers": answers,
    }
    return parse_submission(submission, fw)


def _number(text: str) -> float | str | None:
    """A number typed into a field; text that is not one is passed on to be reported."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _messages(error: ValidationError) -> dict[str, str]:
    """One message per form field (context fields lose their ``context.`` prefix)."""
    messages: dict[str, str] = {}
    for problem in error.problems:
        field = (problem.column or "form").removeprefix("context.")
        reason = problem.reason
        if reason.startswith("score is missing") or reason == "criterion not answered":
            reason = "Choose a level from 0 to 4."
        elif field == "date":
            reason = "Give the date of the assessment, like 2026-03-31."
        elif reason == "required text is missing":
            reason = "This is required."
        messages.setdefault(field, reason[0].upper() + reason[1:])
    return messages


def _form(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    fw = framework()
    order = [*HEADER_FIELDS, *CONTEXT_FIELDS, *fw.criterion_ids]
    ordered_errors = sorted(errors.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else -1)
    return render(
        request,
        "design/assess.html",
        status_code=status_code,
        framework=fw,
        values=values,
        errors=dict(ordered_errors),
        governance_types=GOVERNANCE_TYPES,
        labels=_field_labels(),
    )


def _field_labels() -> dict[str, str]:
    """How the error summary names each field."""
    fw = framework()
    labels = {
        "strategy": "Strategy name",
        "place_code": "Place code",
        "assessor": "Assessed by",
        "date": "Date of assessment",
        "population": "Population",
        "income_index": "Income index",
        "manufacturing_share": "Manufacturing share",
        "governance": "Governance",
    }
    for factor in fw.factors:
        for number, criterion in enumerate(factor.criteria, start=1):
            labels[criterion.id] = f"{factor.name}, question {number}"
    return labels


def _area_name(ex: Explorer, code: str) -> str | None:
    """The area's name if the served workspace knows it (then its profile can be linked)."""
    try:
        return str(ex.ws.geography(code).name)
    except NotFoundError:
        return None
