"""Splitting inequality into a between-group and a within-group part.

For the generalized entropy family the split is exact (Shorrocks 1980; Cowell 2011, sec. 5.6).
With groups ``g`` holding population share ``P_g``, mean ``mu_g`` and index ``GE_g``::

    GE(alpha) = GE_between + sum_g P_g (mu_g / mu)**alpha * GE_g

where ``GE_between`` is GE(alpha) of the group means weighted by group population. For Theil T
(alpha = 1) the within weights are the income shares ``S_g``; for the mean log deviation
(alpha = 0) they are the population shares.

The Gini coefficient does not split exactly. :func:`decompose` with ``measure="gini"`` gives the
decomposition of Pyatt (1976), read geometrically by Lambert & Aronson (1993)::

    G = G_between + sum_g P_g S_g G_g + overlap

where ``G_between`` is the Gini of the group means (everyone given their group's mean) and the
overlap (Lambert & Aronson's residual ``R``) is zero exactly when the groups' value ranges do
not overlap.

References: Shorrocks, A. F. (1980) "The class of additively decomposable inequality measures",
*Econometrica* 48; Pyatt, G. (1976) "On the interpretation and disaggregation of Gini
coefficients", *Economic Journal* 86; Lambert, P. J. & Aronson, J. R. (1993) "Inequality
decomposition analysis and the Gini coefficient revisited", *Economic Journal* 103.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from levelscope.errors import UndefinedMeasureError
from levelscope.measures._validation import FloatArray, Sample, prepare
from levelscope.measures.inequality import MEASURES, ge_terms
from levelscope.results import Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

DecomposableMeasure = Literal["theil", "mld", "ge", "gini"]


@dataclass(frozen=True, repr=False)
class Decomposition(Result):
    """Total inequality split into between-group, within-group (and for the Gini, overlap) parts.

    ``groups`` has one row per group: ``group``, ``n``, ``population_share``, ``income_share``,
    ``mean``, ``index`` (the measure within the group) and ``contribution`` (its term in the
    within-group part). ``between_share`` is ``between / total``, ``None`` when total is zero.
    """

    measure: str
    alpha: float | None
    total: float
    between: float
    within: float
    overlap: float | None
    between_share: float | None
    groups: pd.DataFrame = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per component (between, within, overlap, total) with its share of the total."""
        parts = {"between": self.between, "within": self.within}
        if self.overlap is not None:
            parts["overlap"] = self.overlap
        parts["total"] = self.total
        frame = pd.DataFrame({"component": list(parts), "value": list(parts.values())})
        frame["share"] = frame["value"] / self.total if self.total > 0 else np.nan
        return frame

    def summary(self) -> str:
        name = self.measure if self.alpha is None else f"{self.measure} (alpha={self.alpha:g})"
        return (
            f"Decomposition of {name} into {len(self.groups)} groups\n"
            f"{self.to_frame().to_string(index=False)}\n\n"
            f"{self.groups.to_string(index=False)}"
        )

    def plot(self) -> go.Figure:
        """The components as a stacked bar, and each group's contribution."""
        from levelscope.measures.plot import decomposition_figure

        return decomposition_figure(self)


def decompose(
    values: ArrayLike,
    groups: ArrayLike,
    weights: ArrayLike | None = None,
    measure: DecomposableMeasure = "theil",
    alpha: float | None = None,
) -> Decomposition:
    """Decompose inequality of ``values`` into between and within ``groups``.

    Parameters
    ----------
    values, weights
        As for the scalar measures (frequency weights, validated the same way).
    groups
        A label per value (e.g. the ITL1 region of each ITL3 region). Missing labels are an error.
    measure
        ``"theil"`` (GE(1)), ``"mld"`` (GE(0)), ``"ge"`` (GE(``alpha``), default alpha 2) or
        ``"gini"`` (Pyatt / Lambert–Aronson, with an overlap term).

    Returns
    -------
    Decomposition
        ``between + within (+ overlap) == total`` up to rounding.

    Examples
    --------
    >>> d = decompose([1, 2, 4, 8], ["a", "a", "b", "b"], measure="theil")
    >>> round(d.between + d.within - d.total, 12)
    0.0
    """
    if measure == "gini":
        if alpha is not None:
            raise ValueError("alpha applies to the generalized entropy family, not the Gini")
        sample, codes, labels = grouped_sample("gini", values, groups, weights, positive=False)
        return _decompose_gini(sample, codes, labels)
    if measure not in ("theil", "mld", "ge"):
        raise ValueError(f"measure must be 'theil', 'mld', 'ge' or 'gini', got {measure!r}")
    exponent = {"theil": 1.0, "mld": 0.0}.get(measure, 2.0 if alpha is None else float(alpha))
    if measure != "ge" and alpha is not None and alpha != exponent:
        raise ValueError(f"{measure} fixes alpha = {exponent:g}; use measure='ge' for other values")
    resolved = MEASURES["ge"].resolve(alpha=exponent)
    positive = MEASURES["ge"].takes_logs(resolved)
    sample, codes, labels = grouped_sample(measure, values, groups, weights, positive=positive)
    return _decompose_ge(measure, exponent, sample, codes, labels)


def grouped_sample(
    measure: str,
    values: ArrayLike,
    groups: ArrayLike,
    weights: ArrayLike | None,
    *,
    positive: bool,
) -> tuple[Sample, NDArray[np.intp], pd.Index]:
    """Validated values and weights with integer group codes (``labels[code]`` is the group)."""
    sample = prepare(values, weights, measure=measure, positive=positive)
    labels_in = pd.Series(groups).reset_index(drop=True)
    if len(labels_in) != len(np.asarray(values)):
        raise ValueError(f"{measure}: values and groups differ in length")
    kept = labels_in.iloc[sample.positions]
    if kept.isna().any():
        position = int(sample.positions[np.flatnonzero(kept.isna().to_numpy())[0]])
        raise UndefinedMeasureError(f"{measure}: group label missing at position {position}")
    codes, labels = pd.factorize(kept, sort=True)
    return sample, codes.astype(np.intp), pd.Index(labels)


def _group_table(
    sample: Sample, codes: NDArray[np.intp], labels: pd.Index
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    y, w = sample.values, sample.weights
    k = len(labels)
    group_weight = np.bincount(codes, weights=w, minlength=k).astype(np.float64)
    group_income = np.bincount(codes, weights=w * y, minlength=k)
    group_mean = group_income / group_weight
    if np.any(group_mean <= 0):
        empty = labels[int(np.argmin(group_mean > 0))]
        raise UndefinedMeasureError(f"group {empty!r} has zero mean; its inequality is undefined")
    table = pd.DataFrame(
        {
            "group": labels,
            "n": np.bincount(codes, minlength=k),
            "population_share": group_weight / group_weight.sum(),
            "income_share": group_income / group_income.sum(),
            "mean": group_mean,
        }
    )
    return table, group_weight, group_mean


def _decompose_ge(
    measure: str, alpha: float, sample: Sample, codes: NDArray[np.intp], labels: pd.Index
) -> Decomposition:
    table, group_weight, group_mean = _group_table(sample, codes, labels)
    y, w = sample.values, sample.weights
    kernel = MEASURES["ge"].kernel
    total = float(kernel(y, w[None, :], alpha=alpha)[0])
    between = float(kernel(group_mean, group_weight[None, :], alpha=alpha)[0])
    terms = ge_terms(y / group_mean[codes], alpha)
    table["index"] = np.bincount(codes, weights=w * terms, minlength=len(labels)) / group_weight
    mean = float(np.dot(w, y) / w.sum())
    within_weight = table["population_share"] * (group_mean / mean) ** alpha
    table["contribution"] = within_weight * table["index"]
    within = float(table["contribution"].sum())
    return Decomposition(
        measure=measure,
        alpha=None if measure != "ge" else alpha,
        total=total,
        between=between,
        within=within,
        overlap=None,
        between_share=between / total if total > 0 else None,
        groups=table,
    )


def _decompose_gini(sample: Sample, codes: NDArray[np.intp], labels: pd.Index) -> Decomposition:
    table, group_weight, group_mean = _group_table(sample, codes, labels)
    gini = MEASURES["gini"]
    total = gini.evaluate(sample, {})
    by_mean = np.argsort(group_mean, kind="stable")
    between = float(gini.kernel(group_mean[by_mean], group_weight[by_mean][None, :])[0])

    # Gini within every group at once: sort by (group, value) and restart the ranks per group.
    order = np.lexsort((sample.values, codes))
    y, w, g = sample.values[order], sample.weights[order], codes[order]
    group_start = np.cumsum(group_weight) - group_weight
    rank = (np.cumsum(w) - group_start[g] - w / 2) / group_weight[g]
    share = w / group_weight[g]
    terms = share * (y / group_mean[g] - 1) * (2 * rank - 1)
    table["index"] = np.bincount(g, weights=terms, minlength=len(labels))
    table["contribution"] = table["population_share"] * table["income_share"] * table["index"]
    within = float(table["contribution"].sum())
    return Decomposition(
        measure="gini",
        alpha=None,
        total=total,
        between=between,
        within=within,
        overlap=total - between - within,
        between_share=between / total if total > 0 else None,
        groups=table,
    )


@dataclass(frozen=True, repr=False)
class DecompositionPanel(Result):
    """Decompositions for each period (or other ``by`` key), one row each in ``table``."""

    measure: str
    by: tuple[str, ...]
    table: pd.DataFrame = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        heading = f"Decomposition of {self.measure} by {', '.join(self.by)}"
        return f"{heading}\n{self.table.to_string(index=False)}"

    def plot(self) -> go.Figure:
        """Between and within (and overlap) parts over the first ``by`` key, stacked."""
        from levelscope.measures.plot import decomposition_over_time_figure

        return decomposition_over_time_figure(self)


def decompose_by(
    frame: pd.DataFrame,
    value: str,
    groups: str,
    by: str | list[str],
    weight: str | None = None,
    measure: DecomposableMeasure = "theil",
    alpha: float | None = None,
) -> DecompositionPanel:
    """:func:`decompose` for every combination of the ``by`` columns (e.g. each year).

    Parameters
    ----------
    frame
        Tidy rows, one per area and group of ``by``.
    value, groups, weight
        Column names: the values, each row's group (e.g. its ITL1 region), frequency weights.
    by
        Column(s) to decompose within, e.g. ``"year"``.
    measure, alpha
        As :func:`decompose`.

    Returns
    -------
    DecompositionPanel
        One row per group of ``by``: total, between, within, overlap and the between share.

    Examples
    --------
    >>> frame = pd.DataFrame({"year": [1, 1, 1, 1], "gva": [1, 2, 4, 8],
    ...                       "itl1": ["a", "a", "b", "b"]})
    >>> decompose_by(frame, "gva", "itl1", by="year").table.columns.tolist()
    ['year', 'total', 'between', 'within', 'overlap', 'between_share']
    """
    keys = [by] if isinstance(by, str) else list(by)
    rows = []
    for key, part in frame.groupby(keys, sort=True, dropna=False):
        weights = None if weight is None else part[weight].to_numpy()
        result = decompose(part[value].to_numpy(), part[groups], weights, measure, alpha)
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "total": result.total,
                "between": result.between,
                "within": result.within,
                "overlap": result.overlap,
                "between_share": result.between_share,
            }
        )
    return DecompositionPanel(measure=measure, by=tuple(keys), table=pd.DataFrame(rows))
