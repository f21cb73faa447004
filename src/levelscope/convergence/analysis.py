"""All convergence evidence for one indicator at once: beta, sigma, Markov and rank mobility.

This is the function the workspace, the command line and the web pages call.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import pandas as pd

from levelscope.convergence._wide import checked_panel, panel_from_long
from levelscope.convergence.beta import BetaConvergence, beta_convergence
from levelscope.convergence.markov import Markov, SpatialMarkov, markov, spatial_markov
from levelscope.convergence.mobility import RankMobility, rank_mobility
from levelscope.convergence.sigma import Measure, SigmaConvergence, sigma_convergence
from levelscope.deprecation import RenamedAttribute
from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result
from levelscope.spatial.weights import Neighbours, Weights

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.data.store import Workspace


@dataclass(frozen=True, repr=False, eq=False)
class ConvergenceReport(Result):
    """Beta and sigma convergence, the Markov chain of classes and rank mobility.

    The Markov chains classify each area's value relative to that period's mean across areas
    (as Rey 2001), so general growth or inflation does not read as upward mobility.
    ``dropped`` lists areas left out for gaps in the window.
    """

    beta: BetaConvergence
    sigma: SigmaConvergence
    markov: Markov
    mobility: RankMobility
    spatial_markov: SpatialMarkov | None = None
    indicator_id: str | None = None
    level: str | None = None
    dropped: tuple[str, ...] = ()
    indicator = RenamedAttribute("indicator_id")

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
        if self.indicator_id is not None:
            head = f"Convergence of {self.indicator_id} across {self.level} areas"
            if self.dropped:
                head += f" ({len(self.dropped)} areas with gaps left out)"
            parts.insert(0, head)
        return "\n\n".join(parts)

    def plot(self, kind: Literal["sigma", "transitions"] = "sigma") -> go.Figure:
        """The dispersion over time with its trend (``"sigma"``), or the heat map of the Markov
        chain's transition probabilities (``"transitions"``)."""
        what = f" of {self.indicator} across {self.level} areas" if self.indicator else ""
        if kind == "transitions":
            return self.markov.plot(title=f"Transitions{what}")
        return self.sigma.plot(title=f"Dispersion{what}")


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

    ``start`` and ``end`` bound the periods used by all of them. The Markov chain uses ``k``
    pooled quantile classes of the values relative to each period's mean. With spatial
    ``weights`` (row-standardised here) the spatial Markov chain and its homogeneity tests are
    added.

    Parameters
    ----------
    panel
        Areas × periods of a positive level (e.g. GVA per head), columns in time order; at least
        three periods between ``start`` and ``end``.
    start, end
        The first and last period used (default: all of them).
    measure
        The dispersion of sigma convergence (see :func:`levelscope.convergence.sigma_convergence`).
    k
        Number of classes of the Markov chain.
    weights
        Spatial weights between the areas, for the spatial Markov chain.

    Returns
    -------
    ConvergenceReport
        With ``beta``, ``sigma``, ``markov`` and ``mobility`` (and ``spatial_markov`` with
        weights).

    Examples
    --------
    >>> panel = pd.DataFrame({2000: [1.0, 2.0, 4.0, 3.0], 2005: [1.5, 2.4, 4.2, 3.1],
    ...                       2010: [2.0, 3.0, 5.0, 3.5]}, index=list("abcd"))
    >>> report = assess_convergence(panel, k=2)
    >>> round(report.beta.beta, 4), round(float(report.sigma.to_frame()["std_log"].iloc[-1]), 4)
    (-0.0381, 0.3287)
    """
    wide = checked_panel(panel)
    first = wide.columns[0] if start is None else start
    last = wide.columns[-1] if end is None else end
    for label, period in (("start", first), ("end", last)):
        if period not in wide.columns:
            raise ValueError(f"{label} period {period!r} not in the panel's periods")
    window = wide.loc[:, first:last]
    if window.shape[1] < 3:
        raise UndefinedMeasureError("convergence needs at least three periods between start and end")
    relative = window / window.mean(axis=0)
    spatial = None
    if weights is not None:
        spatial = spatial_markov(relative, weights.row_standardised(), k=k)
    return ConvergenceReport(
        beta=beta_convergence(window),
        sigma=sigma_convergence(window, measure),
        markov=markov(relative, k=k),
        mobility=rank_mobility(window),
        spatial_markov=spatial,
    )


def workspace_convergence(
    ws: Workspace,
    indicator: str,
    level: str,
    start: str | None = None,
    end: str | None = None,
    *,
    measure: Measure = "std_log",
    k: int = 5,
    spatial: bool = True,
    neighbours: Neighbours = "fuzzy",
) -> ConvergenceReport:
    """:func:`assess_convergence` for an indicator at one level of a workspace.

    Areas missing a value in any period of the window are left out (listed in ``dropped``).
    With ``spatial=True`` and boundaries stored for the level, the spatial Markov chain uses
    ``neighbours`` weights between the areas that have both data and a boundary (the other
    analyses use every area with data). The command line (``levelscope convergence``) and the
    REST API call this function; ``ws.convergence(...)`` forwards to it.

    Parameters
    ----------
    ws
        The workspace.
    indicator, level
        E.g. ``"gva_per_hour_worked"``, ``"itl3"``.
    start, end
        The first and last periods of the window; the earliest and latest by default.
    measure
        Dispersion for sigma convergence: ``"std_log"`` or a measure name, e.g. ``"gini"``.
    k
        Classes of the Markov chains.
    spatial
        Add the spatial Markov chain where the level has boundaries.
    neighbours
        How areas are linked for the spatial Markov chain.

    Returns
    -------
    ConvergenceReport
        Beta and sigma convergence, the Markov chain, rank mobility and (if asked and possible)
        the spatial Markov chain, with the areas dropped for gaps and the figures' provenance.

    Examples
    --------
    >>> report = workspace_convergence(ws, "gva_per_hour_worked", "itl3", start="2005", end="2020")
    >>> bool(report.beta.beta < 0), report.dropped    # lagging areas grew faster; none had gaps
    (True, ())
    """
    observations = ws.observations(indicator, level)
    if observations.empty:
        raise UndefinedMeasureError(f"no observations of {indicator!r} at level {level!r}")
    panel = panel_from_long(observations, area="geography_code", period="period")
    panel.columns = [str(c) for c in panel.columns]
    first = panel.columns[0] if start is None else str(start)
    last = panel.columns[-1] if end is None else str(end)
    for label, period in (("start", first), ("end", last)):
        if period not in panel.columns:
            raise UndefinedMeasureError(
                f"no observations of {indicator!r} in {label} period {period!r}; "
                f"periods: {list(panel.columns)}"
            )
    window = panel.loc[:, first:last]
    complete = window.notna().all(axis=1)
    if complete.sum() < 2:
        # Say how many areas each period has, so that a window with enough of them can be chosen.
        counts = ", ".join(f"{p} ({n})" for p, n in panel.notna().sum().items())
        raise UndefinedMeasureError(
            f"only {int(complete.sum())} area(s) have a value of {indicator!r} at level "
            f"{level!r} in every period from {first} to {last}; choose a start and end among "
            f"periods with more areas (areas with a value: {counts})"
        )
    dropped = tuple(str(c) for c in window.index[~complete])
    window = window[complete]
    weights = None
    if spatial:
        codes, _, _ = ws.geometries(level)
        stored = set(codes)
        with_shape = [c for c in window.index if c in stored]
        if len(with_shape) >= 4:
            weights = Weights.from_workspace(ws, level, neighbours, codes=with_shape)
    result = assess_convergence(window, measure=measure, k=k, weights=weights)
    return ConvergenceReport(
        beta=result.beta,
        sigma=result.sigma,
        markov=result.markov,
        mobility=result.mobility,
        spatial_markov=result.spatial_markov,
        indicator_id=indicator,
        level=level,
        dropped=dropped,
        provenance=ws.provenance(indicator),
    )
