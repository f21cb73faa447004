"""The workspace as a Python user holds it: the store, plus shortcuts to the analyses over it.

:class:`levelscope.data.store.Workspace` stores and queries and imports nothing above the data
layer. This subclass, which ``levelscope.Workspace`` names, adds one method per analysis that
reads a whole indicator from the workspace. Each method only forwards to the analysis function
it names, so the command line, the web layer and a notebook all run the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from levelscope.data import store
from levelscope.data.model import Level
from levelscope.deprecation import renamed_parameters

if TYPE_CHECKING:
    from levelscope.convergence.analysis import ConvergenceReport
    from levelscope.convergence.sigma import Measure
    from levelscope.measures.over_time import InequalityOverTime
    from levelscope.spatial._common import Alternative
    from levelscope.spatial.clusters import ClusterAnalysis
    from levelscope.spatial.weights import Neighbours

__all__ = ["Workspace"]


class Workspace(store.Workspace):
    """A levelscope workspace with its analyses one method away.

    Everything :class:`levelscope.data.store.Workspace` does (opening, queries, imports), plus
    :meth:`inequality`, :meth:`clusters` and :meth:`convergence`.

    Examples
    --------
    >>> import levelscope
    >>> ws = levelscope.Workspace.open(":memory:")
    >>> ws.counts()["observation"]
    0
    """

    def inequality(
        self,
        indicator: str,
        level: Level | str,
        periods: str | Sequence[str] | None = None,
        weight: str | None = None,
        measures: Sequence[str] | None = None,
        as_of: store.DateLike | None = None,
        missing_weights: Literal["error", "drop"] = "error",
    ) -> InequalityOverTime:
        """Inequality of an indicator across the areas of a level, period by period.

        Forwards to :func:`levelscope.measures.over_time.inequality_over_time`, which documents the
        parameters.
        """
        from levelscope.measures.engine import DEFAULT_MEASURES
        from levelscope.measures.over_time import inequality_over_time

        return inequality_over_time(self, indicator, str(Level(level)), periods, weight,
                                    measures or DEFAULT_MEASURES, as_of, missing_weights)

    @renamed_parameters(permutations="n_resamples")
    def clusters(
        self,
        indicator: str,
        level: Level | str,
        period: str | None = None,
        *,
        neighbours: Neighbours = "fuzzy",
        k: int = 6,
        threshold: float | None = None,
        n_resamples: int = 999,
        alpha: float = 0.05,
        fdr: bool = False,
        seed: int | None = 0,
        alternative: Alternative = "two-sided",
    ) -> ClusterAnalysis:
        """Global Moran's I and LISA clusters of an indicator across the areas of a level.

        Forwards to :func:`levelscope.spatial.workspace_clusters`, which documents the
        parameters (``period`` defaults to the latest).
        """
        from levelscope.spatial.clusters import workspace_clusters

        return workspace_clusters(
            self, indicator, str(Level(level)), period, neighbours=neighbours, k=k,
            threshold=threshold, n_resamples=n_resamples, alpha=alpha, fdr=fdr, seed=seed,
            alternative=alternative,
        )

    def convergence(
        self,
        indicator: str,
        level: Level | str,
        start: str | None = None,
        end: str | None = None,
        *,
        measure: Measure = "std_log",
        k: int = 5,
        spatial: bool = True,
        neighbours: Neighbours = "fuzzy",
    ) -> ConvergenceReport:
        """Beta and sigma convergence, Markov chains and rank mobility of an indicator.

        Forwards to :func:`levelscope.convergence.workspace_convergence`, which documents the
        parameters.
        """
        from levelscope.convergence.analysis import workspace_convergence

        return workspace_convergence(self, indicator, str(Level(level)), start, end, measure=measure,
                                     k=k, spatial=spatial, neighbours=neighbours)
