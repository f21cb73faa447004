"""Statistical coherence of an index: do its indicators measure one thing per pillar?

Three checks from the OECD/JRC *Handbook on Constructing Composite Indicators* (2008),
section 4:

* **correlations** between indicators, and of each indicator with its pillar and the index
  (a negative or near-zero correlation with its own pillar marks an indicator that pulls
  against the others);
* **Cronbach's alpha** of each pillar,
  ``alpha = k / (k - 1) * (1 - sum_j var(x_j) / var(sum_j x_j))``
  (Cronbach 1951), with ``k`` indicators; 0.7 or more is the usual bar for internal
  consistency;
* **principal components** of each pillar: the share of variance of the first component (one
  dominant component supports aggregating the pillar into one number).

Examples
--------
>>> import pandas as pd
>>> items = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 3, 3, 5]})
>>> round(cronbach_alpha(items), 4)
0.96
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.need.weights import principal_components
from levelscope.results import Result

if TYPE_CHECKING:
    from levelscope.need.index import CompositeIndex


def cronbach_alpha(frame: pd.DataFrame) -> float:
    """Cronbach's alpha of the columns of ``frame`` over the rows with every value observed.

    ``alpha = k / (k - 1) (1 - sum of the columns' variances / variance of their sum)`` for ``k``
    columns (Cronbach 1951); values near 1 mean the columns measure one thing.

    Parameters
    ----------
    frame
        Areas by indicators, on comparable scales (e.g. z-scores) and the same polarity.

    Returns
    -------
    float
        Cronbach's alpha.

    Examples
    --------
    >>> items = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, 3.0, 4.0]})
    >>> cronbach_alpha(items)  # two identical items: 2 (1 - 2 var / 4 var) = 1
    1.0
    """
    complete = frame.dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        raise UndefinedMeasureError("Cronbach's alpha needs at least two items and two rows")
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        raise UndefinedMeasureError("Cronbach's alpha is undefined: the row totals do not vary")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_variance))


@dataclass(frozen=True, repr=False)
class PrincipalComponents(Result):
    """Eigenvalues, explained shares and loadings of a correlation matrix."""

    eigenvalues: pd.Series
    explained: pd.Series
    loadings: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"eigenvalue": self.eigenvalues, "explained": self.explained})


def principal_component_summary(frame: pd.DataFrame) -> PrincipalComponents:
    """Principal components of the indicators' correlation matrix (complete rows only).

    Loadings are eigenvectors times the square root of their eigenvalues, i.e. the correlation
    of each indicator with each component.

    Parameters
    ----------
    frame
        Areas by indicators.

    Returns
    -------
    PrincipalComponents
        Eigenvalues, the share of variance each explains, and the loadings.

    Examples
    --------
    >>> frame = pd.DataFrame({"unemployment": [7.5, 6.0, 5.2, 4.1, 3.0],
    ...                       "pay": [480.0, 510.0, 560.0, 600.0, 690.0],
    ...                       "bad_health": [8.1, 6.2, 6.8, 5.2, 4.9]}, index=list("ABCDE"))
    >>> components = principal_component_summary(frame)
    >>> [round(float(share), 3) for share in components.explained]
    [0.947, 0.05, 0.004]
    """
    values, vectors = principal_components(frame)
    names = [f"PC{i + 1}" for i in range(len(values))]
    loadings = vectors * np.sqrt(np.clip(values, 0, None))
    return PrincipalComponents(
        eigenvalues=pd.Series(values, index=names, name="eigenvalue"),
        explained=pd.Series(values / values.sum(), index=names, name="explained"),
        loadings=pd.DataFrame(loadings, index=frame.columns, columns=names),
    )


@dataclass(frozen=True, repr=False)
class CoherenceReport(Result):
    """Coherence checks of a composite index.

    Attributes
    ----------
    correlations
        Indicator by indicator correlations (of the normalised values).
    indicator_pillar, indicator_index
        Each indicator's correlation with its own pillar and with the index.
    pillars
        Per pillar: number of indicators, Cronbach's alpha and the first principal component's
        share of variance (NaN for a pillar of one indicator, where neither is defined).
    method
        ``"pearson"`` or ``"spearman"``.
    """

    correlations: pd.DataFrame
    indicator_pillar: pd.Series
    indicator_index: pd.Series
    pillars: pd.DataFrame
    method: str

    def to_frame(self) -> pd.DataFrame:
        table = pd.concat([self.indicator_pillar, self.indicator_index], axis=1)
        table.index.name = "indicator"
        return table.reset_index()

    def weak_indicators(self, threshold: float = 0.3) -> list[str]:
        """Indicators whose correlation with their own pillar is below ``threshold``."""
        return list(self.indicator_pillar.index[self.indicator_pillar < threshold])

    def summary(self) -> str:
        weak = self.weak_indicators()
        return (
            f"CoherenceReport ({self.method})\n{self.pillars.to_string()}\n"
            f"indicators weakly correlated with their pillar: {weak or 'none'}"
        )


def check_coherence(
    index: CompositeIndex, *, method: Literal["pearson", "spearman"] = "pearson"
) -> CoherenceReport:
    """Correlations, Cronbach's alpha and principal components of a built index.

    Parameters
    ----------
    index
        From :func:`~levelscope.need.index.build_index`.
    method
        The correlation: ``"pearson"`` or ``"spearman"``.

    Returns
    -------
    CoherenceReport
        Correlations between indicators and with their pillar and the index, Cronbach's alpha
        and the first component's share per pillar, and the weakly correlated indicators.

    Examples
    --------
    >>> frame = pd.DataFrame({"unemployment": [7.5, 6.0, 5.2, 4.1, 3.0],
    ...                       "pay": [480.0, 510.0, 560.0, 600.0, 690.0],
    ...                       "bad_health": [8.1, 6.2, 6.8, 5.2, 4.9]}, index=list("ABCDE"))
    >>> from levelscope.need.definition import IndexDefinition
    >>> definition = IndexDefinition.from_dict({"name": "Need", "indicators": [
    ...     {"id": "unemployment"}, {"id": "pay", "polarity": -1}, {"id": "bad_health"}]})
    >>> from levelscope.need import build_index
    >>> report = check_coherence(build_index(frame, definition))
    >>> report.weak_indicators()
    []
    """
    if method not in ("pearson", "spearman"):
        raise ValueError("method must be 'pearson' or 'spearman'")
    normalised = index.normalised
    pillar_of = {i.id: i.pillar for i in index.definition.indicators}
    with_pillar = {
        ind: normalised[ind].corr(index.pillar_scores[pillar_of[ind]], method=method)
        for ind in normalised.columns
    }
    with_index = {ind: normalised[ind].corr(index.scores, method=method) for ind in normalised}
    rows = []
    for pillar in index.pillar_scores.columns:
        columns = [c for c in normalised.columns if pillar_of[c] == pillar]
        alpha = first_share = float("nan")
        if len(columns) > 1:
            alpha = cronbach_alpha(normalised[columns])
            first_share = float(principal_component_summary(normalised[columns]).explained.iloc[0])
        rows.append(
            {
                "pillar": pillar,
                "n_indicators": len(columns),
                "cronbach_alpha": alpha,
                "first_component_share": first_share,
            }
        )
    return CoherenceReport(
        correlations=normalised.corr(method=method),
        indicator_pillar=pd.Series(with_pillar, name="corr_with_pillar"),
        indicator_index=pd.Series(with_index, name="corr_with_index"),
        pillars=pd.DataFrame(rows).set_index("pillar"),
        method=method,
        provenance=index.provenance,
    )
