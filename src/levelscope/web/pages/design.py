"""Strategy design pages: hold a strategy against the success factors.

* ``/design`` — what the assessment is, the ten factors and the case-study places;
* ``/design/assess`` — the guided questionnaire (GET) and its result (POST): a radar chart of the
  maturity profile, the weakest factors, and for each gap the most relevant case-study practices
  with their citations. A malformed or incomplete submission comes back as the same form with a
  message beside every offending field and every answer already given kept (status 422).

Scoring is a pure computation and needs no sign-in. Scores for monitoring and funding are
evidenced from *published* programme records of the place when there are any; the rest are
self-reported, and the result page says which is which.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from levelscope.design.assessment import Assessment
from levelscope.design.evidence import evidence_from_records, evidence_links
from levelscope.design.questionnaire import CONTEXT_FIELDS, GOVERNANCE_TYPES, parse_submission
from levelscope.errors import NotFoundError, ValidationError
from levelscope.web.api.design import framework, library, scored
from levelscope.web.app import explorer
from levelscope.web.security import Records
from levelscope.web.state import Explorer
from levelscope.web.templating import render

router = APIRouter(include_in_schema=False)
Served = Annotated[Explorer, Depends(explorer)]

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
async def assessment_result(request: Request, session: Records, ex: Served) -> HTMLResponse:
    """Score the submitted questionnaire, or return it with its problems marked (422)."""
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        assessment = _assessment_of(values)
    except ValidationError as error:
        return _form(request, values, _messages(error), status_code=422)
    assessment = evidence_from_records(
        session, assessment, year=assessment.date.year, published_only=True
    )
    assessment, result, recommendations = scored(assessment)
    area_name = _area_name(ex, assessment.place_code)
    links = evidence_links(assessment.place_code) if area_name else []
    figure = result.plot().to_plotly_json()
    return render(
        request,
        "design/result.html",
        result=result,
        recommendations=recommendations,
        framework=framework(),
        area_name=area_name,
        links=links,
        figure=figure,
    )


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
