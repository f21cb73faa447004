"""REST endpoints for impact evaluation: ``/api/evaluate``.

The endpoints only translate between HTTP and :mod:`levelscope.evaluate`; every number comes from
the same functions the Python API and the CLI call. Invalid input or a design the estimators
refuse gives 422 with the reason; an unknown area or indicator gives 404.

* ``POST /api/evaluate/panel`` — a long panel (one row per unit and period) and a design in, the
  estimate as JSON out: synthetic control (with in-space placebos if asked), synthetic DiD,
  two-way fixed effects, or Callaway–Sant'Anna with its aggregations;
* ``GET /api/evaluate/area`` — an indicator of the served workspace for treated areas from a
  start year, against the other areas of their level;
* ``GET /api/evaluate/programme/{programme_id}`` — the same for a registered programme: its places
  are treated from its start date. It needs the programmes API's authentication and answers
  exactly as it does for a programme the user may not see (401 without a valid token, 403 for
  another organisation's unpublished programme, 404 for no such programme).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from levelscope.errors import Problem, ValidationError
from levelscope.evaluate import (
    AggregatedEffects,
    AreaEvaluation,
    DesignError,
    PlaceboTest,
    SyntheticControl,
    SyntheticDiD,
    TwoWayFixedEffects,
    callaway_santanna,
    evaluate_area,
    evaluate_programme,
    placebo_in_space,
    synth_verdict,
    synthetic_control,
    synthetic_did,
    twfe,
)
from levelscope.evaluate.areas import AreaBalance
from levelscope.evaluate.panel import Balance
from levelscope.evaluate.verdict import estimate_verdict
from levelscope.monitor.access import programme_for
from levelscope.records.accounts import User
from levelscope.web.deps import RecordId, Served
from levelscope.web.encoding import json_value, records
from levelscope.web.security import Records, api_user

router = APIRouter(prefix="/api/evaluate", tags=["evaluate"])


class PanelIn(BaseModel):
    """A long panel and the design to estimate on it."""

    model_config = ConfigDict(extra="forbid")

    data: list[dict[str, Any]] = Field(min_length=4, description="one row per unit and period")
    unit: str = Field(default="unit", description="unit column")
    time: str = Field(default="time", description="period column (numeric)")
    outcome: str = Field(default="outcome", description="outcome column")
    method: Literal["synth", "sdid", "did", "cs"] = "synth"
    treated: list[str] = Field(default_factory=list, max_length=1000,
                               description="treated units (synth: exactly one)")
    start: float | None = Field(default=None, description="first treated period")
    donors: list[str] | None = Field(default=None, description="synth: candidate donors")
    predictors: list[str] | None = Field(
        default=None, description="synth: columns averaged over the pre-period; "
        "default: the outcome in every pre-period"
    )
    placebos: bool = Field(default=False, description="synth: in-space placebos for a p-value")
    cohort: str | None = Field(default=None, description="cs: column of first treated period")
    control_group: Literal["never_treated", "not_yet_treated"] = "never_treated"
    n_resamples: int = Field(default=0, ge=0, le=20_000, validation_alias=AliasChoices(
        "n_resamples", "bootstrap"), description="cs: multiplier bootstrap draws ('bootstrap' is "
        "the old name, still read)")
    seed: int | None = 0
    balance: Balance = "error"


@router.post("/panel")
def panel(body: PanelIn) -> dict[str, Any]:
    """Estimate a policy's effect on a panel; the answer holds the estimate, its uncertainty, a
    plain-language verdict and the result table."""
    frame = pd.DataFrame(body.data)
    absent = [c for c in (body.unit, body.time, body.outcome) if c not in frame.columns]
    if absent:
        raise ValidationError(
            [Problem(f"no row has this column; columns are {list(frame.columns)}",
                     column=c) for c in absent]
        )
    frame[body.unit] = frame[body.unit].astype(str)
    unit, time, outcome = body.unit, body.time, body.outcome
    if body.method == "cs":
        if body.cohort is None:
            raise DesignError("method 'cs' needs 'cohort'")
        effects = callaway_santanna(
            frame, unit=unit, time=time, outcome=outcome, cohort=body.cohort,
            control_group=body.control_group,
        )
        dynamic = effects.aggregate("dynamic", n_resamples=body.n_resamples, seed=body.seed)
        answer = aggregated_json(effects.aggregate("simple"))
        answer.update(
            method="cs",
            dynamic=aggregated_json(dynamic),
            pretrend_p_value=effects.pretrend_test().p_value,
            table=records(effects.to_frame()),
        )
        return answer
    if not body.treated or body.start is None:
        raise DesignError(f"method {body.method!r} needs 'treated' and 'start'")
    if body.method == "synth":
        if len(body.treated) != 1:
            raise DesignError("a synthetic control takes one treated unit; use 'sdid' or 'did'")
        fit = synthetic_control(
            frame, treated=body.treated[0], start=body.start, donors=body.donors,
            predictors=body.predictors, balance=body.balance, unit=unit, time=time,
            outcome=outcome,
        )
        test = placebo_in_space(fit) if body.placebos else None
        return synth_json(fit, test)
    if body.method == "sdid":
        estimate = synthetic_did(
            frame, treated=body.treated, start=body.start, balance=body.balance,
            se="jackknife" if len(body.treated) > 1 else "placebo", seed=body.seed,
            unit=unit, time=time, outcome=outcome,
        )
        return sdid_json(estimate)
    after = pd.to_numeric(frame[time], errors="coerce") >= body.start
    marked = frame.assign(_treated=(frame[unit].isin(body.treated) & after).astype(float))
    return twfe_json(
        twfe(marked, unit=unit, time=time, outcome=outcome, treatment="_treated")
    )


@router.get("/area")
def area(
    served: Served,
    indicator: Annotated[str, Query(max_length=80, description="indicator id")],
    treated: Annotated[list[str], Query(min_length=1, max_length=50, description="treated area code")],
    start: Annotated[str, Query(max_length=40, description="first affected year or period label")],
    method: Literal["synth", "sdid", "did"] = "synth",
    exclude: Annotated[list[str] | None, Query(max_length=500)] = None,
    exclude_neighbours: bool = False,
    placebos: bool = False,
    balance: AreaBalance = "drop_donors",
) -> dict[str, Any]:
    """Evaluate ``indicator`` for the ``treated`` areas from ``start`` against the other areas of
    their level in the served workspace (optionally without their neighbours)."""
    evaluation = evaluate_area(
        served.ws, indicator, treated, start, method=method, exclude=exclude or [],
        exclude_neighbours=exclude_neighbours, placebos=placebos, balance=balance,
    )
    return area_json(evaluation)


@router.get("/programme/{programme_id}")
def programme(
    served: Served,
    programme_id: RecordId,
    user: Annotated[User, Depends(api_user)],
    session: Records,
    indicator: Annotated[str, Query(max_length=80, description="indicator id")],
    method: Literal["synth", "sdid", "did"] = "synth",
    exclude: Annotated[list[str] | None, Query(max_length=500)] = None,
    exclude_neighbours: bool = False,
    exclude_other_programmes: Annotated[bool, Query(
        description="keep the places of every other registered programme out of the comparison "
                    "group, since they were treated too")] = True,
    placebos: bool = False,
    balance: AreaBalance = "drop_donors",
) -> dict[str, Any]:
    """Evaluate ``indicator`` for a registered programme: its places, treated from its start date,
    against the other areas of their level (as ``levelscope evaluate programme``)."""
    programme_for(session, user, programme_id)  # 404 / 403 as the programmes API
    evaluation = evaluate_programme(
        served.ws, session, programme_id, indicator, method=method,
        exclude_other_programmes=exclude_other_programmes, exclude=exclude or [],
        exclude_neighbours=exclude_neighbours, placebos=placebos, balance=balance,
    )
    return area_json(evaluation) | {"programme_id": programme_id}


# -- results as JSON --------------------------------------------------------------------------------
def area_json(evaluation: AreaEvaluation) -> dict[str, Any]:
    estimate = evaluation.estimate
    if isinstance(estimate, SyntheticControl):
        body = synth_json(estimate, evaluation.placebos)
    elif isinstance(estimate, SyntheticDiD):
        body = sdid_json(estimate)
    else:
        body = twfe_json(estimate)
    body.update(
        indicator=evaluation.indicator_id,
        level=evaluation.level,
        treated=list(evaluation.treated),
        start=evaluation.start,
        comparisons=evaluation.comparisons,
        excluded={str(k): str(v) for k, v in evaluation.excluded.items()},
        verdict=evaluation.verdict(),
        summary=evaluation.summary(),
        sources=[str(s) for s in evaluation.provenance.sources],
    )
    return body


def synth_json(fit: SyntheticControl, test: PlaceboTest | None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "method": "synth",
        "treated": str(fit.treated),
        "start": fit.start,
        "effect": json_value(fit.effect),
        "pre_rmspe": json_value(fit.pre_rmspe),
        "post_rmspe": json_value(fit.post_rmspe),
        "weights": {str(k): float(v) for k, v in fit.weights.items() if v >= 1e-6},
        "v": {str(k): float(v) for k, v in fit.v.items()},
        "verdict": synth_verdict(fit, test),
        "table": records(fit.to_frame()),
        "placebos": None,
    }
    if test is not None:
        answer["placebos"] = {
            "p_value": test.p_value,
            "rank": test.rank,
            "units": len(test.ratio),
            "table": records(test.to_frame().assign(unit=lambda f: f["unit"].astype(str))),
        }
    return answer


def sdid_json(estimate: SyntheticDiD) -> dict[str, Any]:
    interval = estimate.conf_int().iloc[0]
    lower, upper = float(interval["lower"]), float(interval["upper"])
    return {
        "method": "sdid",
        "effect": json_value(estimate.effect),
        "std_error": json_value(estimate.std_error),
        "lower": json_value(lower),
        "upper": json_value(upper),
        "p_value": json_value(estimate.p_value),
        "unit_weights": {str(k): float(v) for k, v in estimate.unit_weights.items() if v >= 1e-6},
        "time_weights": {str(k): float(v) for k, v in estimate.time_weights.items() if v >= 1e-6},
        "verdict": estimate_verdict(estimate.effect, lower, upper, estimate.p_value),
        "table": records(estimate.to_frame()),
    }


def twfe_json(estimate: TwoWayFixedEffects) -> dict[str, Any]:
    row = estimate.to_frame().set_index("term").to_dict("index")[estimate.treatment]
    return {
        "method": "did",
        "effect": json_value(estimate.effect),
        "std_error": json_value(float(row["std_error"])),
        "lower": json_value(float(row["lower"])),
        "upper": json_value(float(row["upper"])),
        "p_value": json_value(float(row["p_value"])),
        "observations": estimate.n_obs,
        "clusters": estimate.n_clusters,
        "verdict": estimate.verdict(),
        "table": records(estimate.to_frame()),
    }


def aggregated_json(effects: AggregatedEffects) -> dict[str, Any]:
    return {
        "kind": effects.kind,
        "effect": json_value(effects.overall),
        "std_error": json_value(effects.overall_se),
        "n_resamples": effects.n_resamples,
        "bootstrap": effects.n_resamples,  # the old name, for one release
        "critical_value": json_value(effects.critical_value),
        "summary": effects.summary(),
        "estimates": records(effects.to_frame()),
    }
