"""All convergence evidence for one indicator at once: beta, sigma, Markov and rank mobility.

This is the function the workspace, the command line and the web pages call.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import pandas as pd

from levelscope.convergence._panel import checked_panel
from levelscope.convergence.beta import BetaConvergence, beta_convergence
from levelscope.convergence.markov import Markov, SpatialMarkov, markov, spatial_markov
from levelscope.convergence.mobility import RankMobility, rank_mobility
from levelscope.convergence.sigma import Measure, SigmaConvergence, sigma_convergence
from levelscope.results import Result
from levelscope.spatial.weights import Weights


@dataclass(frozen=True, repr=False, eq=False)
class ConvergenceReport(Result):
    """Beta and sigma convergence, the Markov chain of classes and rank mobility."""

    beta: BetaConvergence
    sigma: SigmaConvergence
    markov: Markov
    mobility: RankMobility
    spatial_markov: SpatialMarkov | None = None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "beta": self.beta.beta,
                    "beta_p_value": self.beta.p_value,
                    "speed": self.beta.speed,
                    "half_life": self.beta.half_life,
                    "sigma_measure": self.sigma.measure,
                    "sigma_slope": self.sigma.slope,
                    "sigma_p_value": self.sigma.p_value,
                    "shorrocks_mobility": self.markov.mobility("P"),
                    "tau_first_last": float(self.mobility.table["tau"].iloc[-1]),
                }
            ]
        )

    def summary(self) -> str:
        parts = [self.beta.summary(), self.sigma.summary(), self.markov.summary(),
                 self.mobility.summary()]
        if self.spatial_markov is not None:
            parts.append(self.spatial_markov.summary())
        return "\n\n".join(parts)


def assess_convergence(
    panel: pd.DataFrame,
    *,
    start: Hashable | None = None,
    end: Hashable | None = None,
    measure: Measure = "std_log",
    k: int = 5,
    weights: Weights | None = None,
) -> ConvergenceReport:
    """Run beta, sigma, Markov and rank-mobility analyses on one panel (areas × periods).

    ``start`` and ``end`` bound the periods used by all of them. With spatial ``weights`` the
    spatial Markov chain and its homogeneity tests are added.
    """
    wide = checked_panel(panel)
    first = wide.columns[0] if start is None else start
    last = wide.columns[-1] if end is None else end
    window = wide.loc[:, first:last]  # type: ignore[misc]
    spatial = None
    if weights is not None:
        spatial = spatial_markov(window, weights.row_standardised(), k=k)
    return ConvergenceReport(
        beta=beta_convergence(window),
        sigma=sigma_convergence(window, measure),
        markov=markov(window, k=k),
        mobility=rank_mobility(window),
        spatial_markov=spatial,
    )
