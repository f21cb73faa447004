"""REST endpoints for programmes: ``/api/programmes``.

Every request is authenticated (see :mod:`levelscope.web.security`): 401 without a valid token,
403 for another organisation's unpublished programme or too low a role, 404 for no such
programme, 409 when an edit's ``version`` is stale, 422 with one entry per problem for invalid
input. Writes commit one transaction per request and land in the audit trail under the user's
email. The endpoints only translate between HTTP and :mod:`levelscope.monitor`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from levelscope.errors import NotFoundError, Problem, UndefinedMeasureError, ValidationError
from levelscope.monitor import appraisal as appraisal_module
from levelscope.monitor import imports, tracking
from levelscope.monitor import programmes as register
from levelscope.monitor.access import programme_for, require_role, visible_programmes
from levelscope.monitor.additionality import AdditionalityFactors
from levelscope.monitor.dashboard import STATUS_COLOURS, ProgrammeDashboard, programme_dashboard
from levelscope.monitor.indicator_records import ProgrammeIndicator
from levelscope.monitor.programmes import GeographyCheck, Programme
from levelscope.monitor.status import StatusRule
from levelscope.monitor.vfm import programme_value_for_money
from levelscope.records.accounts import Role, User
from levelscope.records.audit import audit_trail
from levelscope.records.db import soft_delete
from levelscope.web.deps import RecordId, Records, geography_check, served_explorer
from levelscope.web.encoding import json_value, records
from levelscope.web.security import api_user

router = APIRouter(prefix="/api/programmes", tags=["programmes"])

CurrentUser = Annotated[User, Depends(api_user)]
GeographyExists = Annotated[GeographyCheck, Depends(geography_check)]
#: Largest magnitude a number may have: far beyond any real figure, far from float overflow.
LIMIT = 1e15
# Numbers are strict: JSON true/false or a string is refused, not read as 1, 0 or a number.
Money = Annotated[float, Field(ge=0, le=LIMIT, allow_inf_nan=False, strict=True,
                               description="GBP, not negative")]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False, strict=True)]
Finite = Annotated[float, Field(ge=-LIMIT, le=LIMIT, allow_inf_nan=False, strict=True)]
Flag = Annotated[bool, Field(strict=True)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgrammeIn(_Input):
    name: str = Field(min_length=1, max_length=300)
    description: str = ""
    start_date: dt.date
    end_date: dt.date
    places: list[str] = []
    funders: list[str] = []
    published: Flag = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> ProgrammeIn:
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self


class ProgrammeChange(_Input):
    """The fields to change; a field left out keeps its value (none of them may be null)."""

    version: int = Field(ge=1, le=2**31 - 1, strict=True,
                         description="the version you read; a stale one gets 409")
    name: str | SkipJsonSchema[None] = Field(default=None, min_length=1, max_length=300)
    description: str | SkipJsonSchema[None] = None
    start_date: dt.date | SkipJsonSchema[None] = None
    end_date: dt.date | SkipJsonSchema[None] = None
    published: Flag | SkipJsonSchema[None] = None
    places: list[str] | SkipJsonSchema[None] = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


class SpendIn(_Input):
    year: int = Field(ge=1900, le=2300)
    source: str = Field(min_length=1)
    amount: Money
    kind: Literal["planned", "actual"] = "actual"
    geography_code: str | None = None


class LogicItemIn(_Input):
    stage: Literal["activity", "output", "outcome", "impact"]
    description: str = Field(min_length=1)


class CashFlowIn(_Input):
    year: int = Field(ge=1900, le=2300)
    category: Literal["cost", "benefit"]
    amount: Money
    kind: str = ""
    income_group: str | None = None


class MilestoneIn(_Input):
    date: dt.date
    value: Finite


class IndicatorIn(_Input):
    name: str = Field(min_length=1, max_length=300)
    stage: Literal["output", "outcome", "impact"]
    unit: str = ""
    baseline_date: dt.date
    baseline_value: Finite
    target_date: dt.date
    target_value: Finite
    trajectory: Literal["linear", "stepwise"] = "linear"
    milestones: list[MilestoneIn] = []
    higher_is_better: Flag | None = None
    on_track_within: Annotated[float, Field(ge=0, le=LIMIT, allow_inf_nan=False, strict=True)] = 0.05
    at_risk_within: Annotated[float, Field(ge=0, le=LIMIT, allow_inf_nan=False, strict=True)] = 0.15
    workspace_indicator_id: str | None = None
    geography_code: str | None = None
    deadweight: Fraction = 0.0
    displacement: Fraction = 0.0
    leakage: Fraction = 0.0
    substitution: Fraction = 0.0
    multiplier: Annotated[float, Field(ge=1, le=100, allow_inf_nan=False, strict=True)] = 1.0

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorIn:
        if self.target_date <= self.baseline_date:
            raise ValueError(
                f"target_date {self.target_date} must be after baseline_date {self.baseline_date}"
            )
        if self.at_risk_within < self.on_track_within:
            raise ValueError("at_risk_within must be at least on_track_within")
        return self


class ActualIn(_Input):
    date: dt.date
    value: Finite
    note: str = ""


class ProgrammeOut(BaseModel):
    id: int
    version: int
    organisation_id: int
    name: str
    description: str
    start_date: dt.date
    end_date: dt.date
    published: bool
    places: list[str]
    funders: list[str]


def _out(programme: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        id=programme.id,
        version=programme.version,
        organisation_id=programme.organisation_id,
        name=programme.name,
        description=programme.description,
        start_date=programme.start_date,
        end_date=programme.end_date,
        published=programme.published,
        places=programme.place_codes,
        funders=[f.name for f in programme.funders],
    )


def dashboard_json(board: ProgrammeDashboard) -> dict[str, Any]:
    """The dashboard result as JSON, for scripts and the web page's charts."""
    vfm = board.value_for_money
    appraisal = board.appraisal
    return {
        "programme": {
            "id": board.programme_id,
            "name": board.name,
            "description": board.description,
            "organisation": board.organisation,
            "start_date": board.start_date,
            "end_date": board.end_date,
            "published": board.published,
            "version": board.version,
            "places": list(board.places),
            "funders": list(board.funders),
        },
        "logic_model": records(board.logic_model),
        "spend": records(board.spend),
        "status_counts": board.status_counts,
        "indicators": [
            {
                **{k: json_value(v) for k, v in records(board.to_frame())[i].items()},
                "rule": t.rule,
                "projection": None
                if t.projection is None
                else {
                    "date": t.projection.date,
                    "value": t.projection.value,
                    "lower": t.projection.lower,
                    "upper": t.projection.upper,
                    "level": 1 - t.projection.alpha,
                },
                "projection_note": t.projection_note,
                "actuals": records(t.actuals),
                "trajectory": records(t.path),
            }
            for i, t in enumerate(board.tracks)
        ],
        "status_colours": {s.value: c for s, c in STATUS_COLOURS.items()},
        "value_for_money": {"headlines": records(vfm.to_frame()), "notes": list(vfm.notes)},
        "appraisal": None
        if appraisal is None
        else {
            "pv_costs": appraisal.pv_costs,
            "pv_benefits": appraisal.pv_benefits,
            "npsv": appraisal.npsv,
            "bcr": appraisal.bcr,
            "weighted_npsv": appraisal.weighted_npsv,
            "weighted_bcr": appraisal.weighted_bcr,
        },
        "appraisal_note": board.appraisal_note,
    }


def _indicator(programme: Programme, indicator_id: int) -> ProgrammeIndicator:
    for indicator in programme.indicators:
        if indicator.id == indicator_id:
            return indicator
    raise NotFoundError(f"programme {programme.id} has no indicator {indicator_id}")


@router.get("", response_model=list[ProgrammeOut])
def list_visible(user: CurrentUser, session: Records) -> list[ProgrammeOut]:
    """Programmes of your organisation and published programmes of others."""
    return [_out(p) for p in visible_programmes(session, user)]


@router.post("", response_model=ProgrammeOut, status_code=status.HTTP_201_CREATED)
def create(body: ProgrammeIn, user: CurrentUser, session: Records, exists: GeographyExists) -> ProgrammeOut:
    """Register a programme for your organisation (editor or admin)."""
    require_role(user, Role.EDITOR)
    programme = register.create_programme(
        session, user.organisation_id, geography_exists=exists, **body.model_dump()
    )
    return _out(programme)


@router.get("/{programme_id}", response_model=ProgrammeOut)
def show(programme_id: RecordId, user: CurrentUser, session: Records) -> ProgrammeOut:
    return _out(programme_for(session, user, programme_id))


@router.patch("/{programme_id}", response_model=ProgrammeOut)
def change(
    programme_id: RecordId,
    body: ProgrammeChange,
    user: CurrentUser,
    session: Records,
    exists: GeographyExists,
) -> ProgrammeOut:
    """Change fields; send the ``version`` you read so concurrent edits are detected (409)."""
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    register.update_programme(
        session, programme, changes, expected_version=body.version, geography_exists=exists
    )
    return _out(programme)


@router.delete("/{programme_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(programme_id: RecordId, user: CurrentUser, session: Records) -> None:
    """Soft-delete (admin); ``POST .../restore`` brings it back."""
    soft_delete(session, programme_for(session, user, programme_id, Role.ADMIN))


@router.post("/{programme_id}/restore", response_model=ProgrammeOut)
def undelete(programme_id: RecordId, user: CurrentUser, session: Records) -> ProgrammeOut:
    programme = programme_for(session, user, programme_id, Role.ADMIN, include_deleted=True)
    programme = register.restore_programme(session, programme.id)
    return _out(programme)


@router.post("/{programme_id}/spend", status_code=status.HTTP_201_CREATED)
def add_spend(
    programme_id: RecordId, body: SpendIn, user: CurrentUser, session: Records, exists: GeographyExists
) -> dict[str, Any]:
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    spend = register.add_spend(session, programme, geography_exists=exists, **body.model_dump())
    return {"id": spend.id, **body.model_dump()}


@router.post("/{programme_id}/logic-items", status_code=status.HTTP_201_CREATED)
def add_logic_item(
    programme_id: RecordId, body: LogicItemIn, user: CurrentUser, session: Records
) -> dict[str, Any]:
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    item = register.add_logic_item(session, programme, body.stage, body.description)
    return {"id": item.id, **body.model_dump()}


@router.post("/{programme_id}/cash-flows", status_code=status.HTTP_201_CREATED)
def add_cash_flow(
    programme_id: RecordId, body: CashFlowIn, user: CurrentUser, session: Records
) -> dict[str, Any]:
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    data = body.model_dump()
    flow = register.add_cash_flow(
        session, programme, data.pop("year"), data.pop("category"), data.pop("amount"), **data
    )
    return {"id": flow.id, **body.model_dump()}


@router.post("/{programme_id}/indicators", status_code=status.HTTP_201_CREATED)
def add_indicator(
    programme_id: RecordId,
    body: IndicatorIn,
    user: CurrentUser,
    session: Records,
    exists: GeographyExists,
) -> dict[str, Any]:
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    data = body.model_dump()
    factors = AdditionalityFactors(
        **{
            k: data.pop(k)
            for k in ("deadweight", "displacement", "leakage", "substitution", "multiplier")
        }
    )
    rule = StatusRule(data.pop("on_track_within"), data.pop("at_risk_within"))
    milestones = [(m["date"], m["value"]) for m in data.pop("milestones")]
    indicator = tracking.add_indicator(
        session,
        programme,
        data.pop("name"),
        rule=rule,
        milestones=milestones,
        additionality=factors,
        geography_exists=exists,
        **data,
    )
    return {"id": indicator.id, **body.model_dump()}


@router.post("/{programme_id}/indicators/{indicator_id}/actuals", status_code=status.HTTP_201_CREATED)
def record_actual(
    programme_id: RecordId, indicator_id: RecordId, body: ActualIn, user: CurrentUser, session: Records
) -> dict[str, Any]:
    """Record (or correct) the indicator's value on a date; returns the status after it."""
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    indicator = _indicator(programme, indicator_id)
    actual = tracking.record_actual(session, indicator, body.date, body.value, note=body.note)
    state = tracking.current_status(session, indicator)
    return {"id": actual.id, "status": state.value if state else None, **body.model_dump()}


@router.post("/{programme_id}/actuals/import", status_code=status.HTTP_201_CREATED)
def import_actuals(
    programme_id: RecordId, file: UploadFile, user: CurrentUser, session: Records
) -> dict[str, Any]:
    """Import actuals from an uploaded CSV (``indicator, date, value[, note]``): every row or none.

    Any invalid row gets 422 listing every problem by row and column, and nothing is written.
    Uploading the same file again changes nothing.
    """
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    summary = imports.import_actuals(session, file.file, programme, name=file.filename or "upload")
    return {"file": summary.file, "rows": summary.rows, "indicators": summary.indicators}


@router.post(
    "/{programme_id}/indicators/{indicator_id}/actuals/from-workspace",
    status_code=status.HTTP_201_CREATED,
)
def actuals_from_workspace(
    programme_id: RecordId, indicator_id: RecordId, request: Request, user: CurrentUser, session: Records
) -> dict[str, Any]:
    """Copy the indicator's linked series (``workspace_indicator_id`` at ``geography_code``) from
    the served workspace into its actuals; returns how many and the status after."""
    programme = programme_for(session, user, programme_id, Role.EDITOR)
    indicator = _indicator(programme, indicator_id)
    explorer = served_explorer(request.app)
    if explorer is None:
        raise UndefinedMeasureError("this server has no workspace to read actuals from")
    if indicator.workspace_indicator_id is None or indicator.geography_code is None:
        raise ValidationError(
            Problem(
                column="workspace_indicator_id",
                reason=f"indicator {indicator.name!r} is not linked to a workspace series and place",
            )
        )
    observations = explorer.ws.observations(
        indicator.workspace_indicator_id, geographies=[indicator.geography_code]
    )
    count = tracking.actuals_from_observations(session, indicator, observations)
    state = tracking.current_status(session, indicator)
    return {"actuals": count, "status": state.value if state else None}


@router.get("/{programme_id}/status")
def statuses(programme_id: RecordId, user: CurrentUser, session: Records) -> list[dict[str, Any]]:
    """Each indicator's status under its rule (the rule included), latest actual and projection."""
    programme = programme_for(session, user, programme_id)
    board = programme_dashboard(session, programme)
    return dashboard_json(board)["indicators"]


@router.get("/{programme_id}/indicators/{indicator_id}/history")
def history(
    programme_id: RecordId, indicator_id: RecordId, user: CurrentUser, session: Records
) -> list[dict[str, Any]]:
    """Every status change of the indicator."""
    programme = programme_for(session, user, programme_id)
    return records(tracking.status_history(session, _indicator(programme, indicator_id)))


@router.get("/{programme_id}/dashboard")
def dashboard(programme_id: RecordId, user: CurrentUser, session: Records) -> dict[str, Any]:
    return dashboard_json(programme_dashboard(session, programme_for(session, user, programme_id)))


@router.get("/{programme_id}/appraisal")
def appraisal(
    programme_id: RecordId,
    user: CurrentUser,
    session: Records,
    optimism_bias: Annotated[float, Query(ge=0, le=5)] = 0.0,
) -> dict[str, Any]:
    """Green Book appraisal of the programme's recorded costs and benefits."""
    programme = programme_for(session, user, programme_id)
    flows = pd.DataFrame(
        [
            {"year": f.year, "category": f.category.value, "amount": f.amount, "kind": f.kind}
            for f in programme.cash_flows
        ],
        columns=["year", "category", "amount", "kind"],
    )
    result = appraisal_module.appraise(flows, optimism_bias=optimism_bias)
    return {
        "pv_costs": result.pv_costs,
        "pv_optimism_bias": result.pv_optimism_bias,
        "pv_benefits": result.pv_benefits,
        "npsv": result.npsv,
        "bcr": result.bcr,
        "by_year": records(result.by_year),
        "switching_values": records(appraisal_module.switching_values(result).table),
    }


@router.get("/{programme_id}/vfm")
def value_for_money(programme_id: RecordId, user: CurrentUser, session: Records) -> dict[str, Any]:
    programme = programme_for(session, user, programme_id)
    result = programme_value_for_money(session, programme)
    return {"headlines": records(result.to_frame()), "notes": list(result.notes)}


@router.get("/{programme_id}/audit")
def audit(programme_id: RecordId, user: CurrentUser, session: Records) -> list[dict[str, Any]]:
    """The programme record's audit trail (who, when, field, old → new)."""
    programme = programme_for(session, user, programme_id)
    return records(audit_trail(session, "programmes", [programme.id]))
