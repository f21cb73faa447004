"""Additionality: how much of a gross change a programme can claim as its own.

Following the UK additionality guidance (Homes and Communities Agency, *Additionality Guide*,
4th edition, 2014; English Partnerships 2008 before it), the net additional effect of a programme
is its gross effect adjusted for:

* **leakage** — the share of benefits going to people or places outside the target area;
* **displacement** — the share of the effect taken from other activity within the area;
* **substitution** — the share where a firm or person swaps one activity for a similar one to
  take advantage of support;
* **multiplier** — further local activity from extra income and supply-chain spending (>= 1);
* **deadweight** — the share that would have happened anyway (the reference case).

The reference case is adjusted in the same way as the intervention, so subtracting it scales the
result by ``1 - deadweight``::

    net = gross × (1 - leakage) × (1 - displacement) × (1 - substitution) × multiplier
          × (1 - deadweight)
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from levelscope.errors import Problem, ValidationError
from levelscope.results import Result


@dataclass(frozen=True)
class AdditionalityFactors:
    """The adjustments, each a fraction in [0, 1] except the multiplier (>= 1)."""

    deadweight: float = 0.0
    displacement: float = 0.0
    leakage: float = 0.0
    substitution: float = 0.0
    multiplier: float = 1.0

    def __post_init__(self) -> None:
        problems = [
            Problem(column=name, value=value, reason="must be a fraction between 0 and 1")
            for name, value in (
                ("deadweight", self.deadweight),
                ("displacement", self.displacement),
                ("leakage", self.leakage),
                ("substitution", self.substitution),
            )
            if not 0 <= value <= 1
        ]
        if not self.multiplier >= 1:
            problems.append(Problem(column="multiplier", value=self.multiplier, reason="must be at least 1"))
        if problems:
            raise ValidationError(problems)

    @property
    def additionality(self) -> float:
        """The share of a gross effect that is net additional."""
        return (
            (1 - self.leakage)
            * (1 - self.displacement)
            * (1 - self.substitution)
            * self.multiplier
            * (1 - self.deadweight)
        )


@dataclass(frozen=True, repr=False)
class NetAdditional(Result):
    """A gross effect taken step by step to its net additional effect."""

    gross: float
    net: float
    additionality: float
    steps: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per step: ``step``, ``factor``, ``change``, ``running`` total."""
        return self.steps.copy()

    def summary(self) -> str:
        return (
            f"Net additional {self.net:,.4g} of gross {self.gross:,.4g} "
            f"(additionality {self.additionality:.1%})\n{self.steps.to_string(index=False)}"
        )

    def plot(self) -> go.Figure:
        measures = ["absolute"] + ["relative"] * (len(self.steps) - 1) + ["total"]
        return go.Figure(
            go.Waterfall(
                x=[*self.steps["step"], "net additional"],
                y=[*self.steps["change"], self.net],
                measure=measures,
            ),
            layout={"title": "From gross to net additional"},
        )


def net_additional(gross: float, factors: AdditionalityFactors) -> NetAdditional:
    """The net additional effect of a gross effect, with each adjustment shown.

    ``net = gross × (1 - leakage) × (1 - displacement) × (1 - substitution) × multiplier ×
    (1 - deadweight)`` (HM Treasury / Homes and Communities Agency, *Additionality Guide*, 2014).

    Parameters
    ----------
    gross
        The gross effect (jobs, learners, ...).
    factors
        The shares to take off and the multiplier.

    Returns
    -------
    NetAdditional
        The net effect, the additionality ``net / gross`` and each step.

    Examples
    --------
    >>> f = AdditionalityFactors(deadweight=0.2, displacement=0.25, leakage=0.1, multiplier=1.2)
    >>> round(net_additional(100, f).net, 2)   # 100 × 0.9 × 0.75 × 1.2 × 0.8
    64.8
    """
    running = float(gross)
    rows = [{"step": "gross", "factor": 1.0, "change": running, "running": running}]
    for step, factor in (
        ("less leakage", 1 - factors.leakage),
        ("less displacement", 1 - factors.displacement),
        ("less substitution", 1 - factors.substitution),
        ("multiplier", factors.multiplier),
        ("less deadweight", 1 - factors.deadweight),
    ):
        after = running * factor
        rows.append({"step": step, "factor": factor, "change": after - running, "running": after})
        running = after
    return NetAdditional(
        gross=float(gross),
        net=running,
        additionality=factors.additionality,
        steps=pd.DataFrame(rows),
    )
