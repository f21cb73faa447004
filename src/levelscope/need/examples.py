"""A shipped example: a need index over the demo workspace's local-authority indicators.

:data:`EXAMPLE_DEFINITION` is a definition in the declarative YAML form, built from indicators
of the ONS *Subnational indicators* that the demo workspace holds at local-authority (LAD)
level: economy, skills, and health and well-being. :func:`workspace_indicators` reads any
definition's indicators from a workspace as the wide frame :func:`~levelscope.need.build_index`
takes. :func:`example_allocations` makes illustrative allocations (not real awards) for trying
the funding-versus-need analysis on the demo, and :func:`example_fund` is a fund over ten areas
small enough to follow by hand, which the analysis's examples start from.

>>> definition = example_definition()
>>> definition.pillar_ids()
['economy', 'skills', 'health']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.need.allocations import read_allocations
from levelscope.need.definition import IndexDefinition
from levelscope.need.index import pivot_observations

if TYPE_CHECKING:
    from levelscope.data.store import Workspace

#: The level the example index is built at.
EXAMPLE_LEVEL = "lad"

EXAMPLE_DEFINITION = """\
name: Local need (example)
description: >
  Illustrative need index of local authority districts from the ONS subnational indicators:
  higher scores mean more need. For each indicator, the period covering most areas.
indicators:
  - {id: gva_per_hour_worked, polarity: -1, pillar: economy}
  - {id: weekly_pay, polarity: -1, pillar: economy}
  - {id: gdhi_per_head, polarity: -1, pillar: economy}
  - {id: employment_rate, polarity: -1, pillar: economy}
  - {id: unemployment_rate, polarity: 1, pillar: economy}
  - {id: level3_qualifications, polarity: -1, pillar: skills}
  - {id: gcse_english_maths_19, polarity: -1, pillar: skills}
  - {id: smoking_prevalence, polarity: 1, pillar: health}
  - {id: obesity_adult, polarity: 1, pillar: health}
  - {id: life_satisfaction, polarity: -1, pillar: health}
  - {id: under75_preventable_circulatory_mortality, polarity: 1, pillar: health}
pillars:
  - {id: economy, name: Economy}
  - {id: skills, name: Skills}
  - {id: health, name: Health and well-being}
missing: {method: mean, min_coverage: 0.7}
outliers: {method: winsorise}
normalisation: {method: min_max}
weights: {method: equal}
aggregation: {indicators: arithmetic, pillars: arithmetic}
categories:
  method: quantile
  labels: [Priority 1, Priority 2, Priority 3]
uncertainty:
  imputation: [mean, median]
  outliers: [none, winsorise]
  normalisation: [min_max, z_score, rank]
  weight_variation: 0.25
  pillar_weight_variation: 0.25
"""


def example_definition() -> IndexDefinition:
    """The example need index definition (see :data:`EXAMPLE_DEFINITION`)."""
    return IndexDefinition.from_yaml(EXAMPLE_DEFINITION)


def workspace_indicators(
    ws: Workspace, definition: IndexDefinition, level: str = EXAMPLE_LEVEL
) -> pd.DataFrame:
    """The definition's indicators at ``level`` as a wide frame: areas by indicators.

    Each indicator contributes one period: the one covering the most areas, the latest among
    equals (areas missing from it stay missing, for the definition's missing-data treatment).
    Raises ``NotFoundError`` for an indicator the workspace does not hold and
    ``UndefinedMeasureError`` when the level has none of them.
    """
    ids = definition.indicator_ids()
    observations = ws.observations(indicator=ids, level=level)
    if observations.empty:
        raise UndefinedMeasureError(f"the workspace has none of the indicators at level {level!r}")
    coverage = observations.groupby(["indicator_id", "period_end"]).size().rename("areas").reset_index()
    best = coverage.sort_values(["areas", "period_end"]).drop_duplicates("indicator_id", keep="last")
    chosen = observations.merge(best[["indicator_id", "period_end"]], on=["indicator_id", "period_end"])
    return pivot_observations(chosen.drop(columns="period"))


def example_allocations(need: pd.Series, seed: int = 0) -> pd.DataFrame:
    """Illustrative bids and awards over two rounds (not real awards).

    Every area bids in each round; the chance of success and the size of an award rise
    mildly with need, so the analysis has something to find. Columns: programme, round,
    geography_code, amount, date, outcome (unsuccessful bids have amount 0).
    """
    rng = np.random.default_rng(seed)
    rank = need.rank(pct=True).to_numpy()
    rows = []
    for number, date in ((1, "2021-10-27"), (2, "2023-01-19")):
        success = rng.random(need.size) < 0.25 + 0.3 * rank
        amount = np.where(success, np.round(rng.uniform(5, 20, need.size) * (0.7 + 0.6 * rank), 1), 0.0)
        rows.append(
            pd.DataFrame(
                {
                    "programme": "Example fund",
                    "round": f"Round {number}",
                    "geography_code": need.index.astype(str),
                    "amount": amount * 1_000_000,
                    "date": date,
                    "outcome": np.where(success, "successful", "unsuccessful"),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


class ExampleFund(NamedTuple):
    """The ten areas of :func:`example_fund`, their need and population, and the fund's awards."""

    areas: list[str]
    need: pd.Series
    population: pd.Series
    allocations: pd.DataFrame


def example_fund() -> ExampleFund:
    """A fund over ten areas, small enough to follow by hand (not real awards).

    Areas ``A`` to ``J`` have need 10 (``A``, the most needy) down to 1 (``J``) and 1,000 people
    each. The Towns Fund's round 1 (2021-03-03) awarded A, B and C 3,000, 2,000 and 1,000; its
    round 2 (2021-10-27) awarded J 500. The allocations are read by
    :func:`~levelscope.need.read_allocations`, as a file would be.

    Returns
    -------
    ExampleFund
        ``areas``, ``need`` and ``population`` (Series by area) and ``allocations``.

    Examples
    --------
    >>> areas, need, population, allocations = example_fund()
    >>> float(allocations["amount"].sum()), int(population.sum()), bool(need["A"] > need["J"])
    (6500.0, 10000, True)
    """
    areas = list("ABCDEFGHIJ")
    allocations = read_allocations(pd.DataFrame({
        "programme": "Towns Fund", "round": ["1", "1", "1", "2"],
        "geography_code": ["A", "B", "C", "J"], "amount": [3000, 2000, 1000, 500],
        "date": ["2021-03-03", "2021-03-03", "2021-03-03", "2021-10-27"],
    }))
    return ExampleFund(areas=areas, need=pd.Series(np.arange(10.0, 0, -1), index=areas),
                       population=pd.Series(1000.0, index=areas), allocations=allocations)


def workspace_population(ws: Workspace, level: str = EXAMPLE_LEVEL) -> pd.Series:
    """Each area's latest population estimate at ``level`` (indicator ``population``)."""
    rows = ws.observations(indicator="population", level=level)
    latest = rows.sort_values("period_end").drop_duplicates("geography_code", keep="last")
    return latest.set_index("geography_code")["value"].astype(float).rename("population")
