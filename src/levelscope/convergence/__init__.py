"""Are places catching up? Beta and sigma convergence, distribution dynamics, rank mobility.

Every function takes a panel: a DataFrame with one row per area and one column per period (make
one from tidy rows with :func:`panel_from_long`).
"""

from __future__ import annotations

from levelscope.convergence._wide import panel_from_long
from levelscope.convergence.analysis import (
    ConvergenceReport,
    assess_convergence,
    workspace_convergence,
)
from levelscope.convergence.beta import BetaConvergence, beta_convergence
from levelscope.convergence.markov import (
    ChiSquareTest,
    HomogeneityTest,
    Markov,
    SpatialMarkov,
    chi_square_difference,
    homogeneity_test,
    markov,
    mean_first_passage_times,
    mobility_index,
    quantile_cutoffs,
    spatial_markov,
    steady_state,
)
from levelscope.convergence.mobility import RankMobility, SpatialTau, rank_mobility, spatial_tau
from levelscope.convergence.sigma import SigmaConvergence, sigma_convergence, std_log

__all__ = [
    "BetaConvergence",
    "ChiSquareTest",
    "ConvergenceReport",
    "HomogeneityTest",
    "Markov",
    "RankMobility",
    "SigmaConvergence",
    "SpatialMarkov",
    "SpatialTau",
    "assess_convergence",
    "beta_convergence",
    "chi_square_difference",
    "homogeneity_test",
    "markov",
    "mean_first_passage_times",
    "mobility_index",
    "panel_from_long",
    "quantile_cutoffs",
    "rank_mobility",
    "sigma_convergence",
    "spatial_markov",
    "spatial_tau",
    "std_log",
    "steady_state",
    "workspace_convergence",
]
