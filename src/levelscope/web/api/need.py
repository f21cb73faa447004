"""REST endpoints for need indices and funding versus need: ``/api/need``.

Stateless: each request carries an index definition (as an object or YAML text) and the data;
the answer is the result as JSON. Invalid input gives 422 with one entry per problem. The
endpoints only translate between HTTP and :mod:`levelscope.need`.

* ``POST /api/need/definition`` — validate a definition, return it in full;
* ``POST /api/need/index`` — build the index;
* ``POST /api/need/coherence`` — coherence checks;
* ``POST /api/need/uncertainty`` — Monte Carlo rank intervals and Sobol indices;
* ``POST /api/need/funding`` — funding versus need.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from levelscope.errors import Problem, ValidationError
from levelscope.need.allocations import read_allocations
from levelscope.need.definition import IndexDefinition
from levelscope.need.funding import analyse_funding
from levelscope.need.index import build_index, pivot_observations
from levelscope.need.uncertainty import run_uncertainty
from levelscope.web.encoding import records

router = APIRouter(prefix="/api/need", tags=["need"])


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DefinitionIn(_Input):
    definition: dict[str, Any] | str = Field(description="definition object or YAML text")


class IndexIn(DefinitionIn):
    data: list[dict[str, Any]] = Field(
        min_length=2,
        description="rows with 'geography_code' ('area' is read too) and one key per indicator, or "
        "observations with 'geography_code', 'indicator_id', 'value'",
    )


class UncertaintyIn(IndexIn):
    n_resamples: int = Field(default=1000, ge=8, le=100_000, validation_alias=AliasChoices(
        "n_resamples", "n"), description="base sample size N of the Monte Carlo runs ('n' is "
        "the old name, still read)")
    seed: int | None = 0


class FundingIn(_Input):
    allocations: list[dict[str, Any]] = Field(min_length=1)
    need: dict[str, float] = Field(description="need score by area (higher = more need)")
    population: dict[str, float]
    n_groups: int = Field(default=5, ge=2, le=20)
    n_resamples: int = Field(default=2000, ge=100, le=100_000, validation_alias=AliasChoices(
        "n_resamples", "n_boot"), description="bootstrap resamples ('n_boot' is the old name, "
        "still read)")
    seed: int | None = 0


def definition_of(value: dict[str, Any] | str) -> IndexDefinition:
    """A definition from an object or YAML text."""
    if isinstance(value, str):
        return IndexDefinition.from_yaml(value)
    return IndexDefinition.from_dict(value)


def frame_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The wide frame of indicator values from JSON rows (wide or long)."""
    table = pd.DataFrame(rows)
    if {"geography_code", "indicator_id", "value"} <= set(table.columns):
        return pivot_observations(table)
    code = next((c for c in ("geography_code", "area") if c in table.columns), None)
    if code is None:
        raise ValidationError(Problem("each row needs a 'geography_code'", column="data"))
    return table.assign(**{code: table[code].astype(str)}).set_index(code).rename_axis("geography_code")


@router.post("/definition")
def validate_definition(body: DefinitionIn) -> dict[str, Any]:
    """Validate a definition; return it with every default filled in."""
    return definition_of(body.definition).model_dump(mode="json")


@router.post("/index")
def index(body: IndexIn) -> dict[str, Any]:
    """Build the index: scores, ranks, categories, pillar scores, weights and treatments."""
    result = build_index(frame_of(body.data), definition_of(body.definition))
    return {
        "name": result.name,
        "areas": records(result.to_frame()),
        "weights": {str(k): float(v) for k, v in result.weights.items()},
        "pillar_weights": {str(k): float(v) for k, v in result.pillar_weights.items()},
        "excluded": {str(k): float(v) for k, v in result.excluded.items()},
        "treatments": records(result.treatments),
    }


@router.post("/coherence")
def coherence(body: IndexIn) -> dict[str, Any]:
    """Correlations with pillar and index, Cronbach's alpha and first-component shares."""
    report = build_index(frame_of(body.data), definition_of(body.definition)).coherence()
    return {
        "pillars": records(report.pillars.reset_index()),
        "indicators": records(report.to_frame()),
        "weak_indicators": report.weak_indicators(),
    }


@router.post("/uncertainty")
def uncertainty(body: UncertaintyIn) -> dict[str, Any]:
    """Each area's median rank and 90% rank interval, and the Sobol indices."""
    result = run_uncertainty(
        frame_of(body.data), definition_of(body.definition), n_resamples=body.n_resamples, seed=body.seed
    )
    return {
        "n_resamples": result.n_resamples,
        "n": result.n_resamples,  # the old name, for one release
        "seed": result.seed,
        "n_runs": result.n_runs,
        "areas": records(result.to_frame()),
        "sobol": records(result.sobol.reset_index(names="factor")),
    }


@router.post("/funding")
def funding(body: FundingIn) -> dict[str, Any]:
    """Funding per head against need: concentration, need-group shares, finding, rounds."""
    result = analyse_funding(
        read_allocations(pd.DataFrame(body.allocations), name="allocations"),
        pd.Series(body.need, dtype=float),
        pd.Series(body.population, dtype=float),
        n_groups=body.n_groups,
        n_resamples=body.n_resamples,
        seed=body.seed,
    )
    finding = result.finding
    return {
        "finding": finding.text if finding else result.note,
        "ratio": finding.ratio if finding else None,
        "ratio_interval": [finding.ratio_lower, finding.ratio_upper] if finding else None,
        "concentration_index": result.concentration.index,
        "concentration_index_areas": result.concentration_by_area.index,
        "curve": records(result.concentration.curve),
        "groups": records(result.groups.reset_index()),
        "rounds": records(result.rounds),
        "areas": records(result.funding.reset_index()),
    }
