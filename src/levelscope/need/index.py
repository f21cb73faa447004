"""Build a composite index from a definition: the steps of the OECD/JRC Handbook in order.

``build_index(frame, definition)`` takes a wide frame (index = area code, one column per
indicator; further columns, such as a region used for group-mean imputation, are allowed) and
runs

1. **coverage** — areas with less than ``missing.min_coverage`` of the indicators are dropped;
2. **imputation** of the remaining gaps (or none: aggregate over what each area has);
3. **outlier treatment** of indicators with extreme skew and kurtosis;
4. **normalisation**, turning indicators with polarity -1 round;
5. **weighting** within each pillar (equal, user, PCA or factor-analysis based);
6. **aggregation** of indicators into pillars and pillars into the index;
7. **ranking** (1 = highest score) and **categories**.

Every treatment applied is listed in :attr:`CompositeIndex.treatments`. The same preparation and
scoring functions serve the Monte Carlo uncertainty analysis, so the nominal index is exactly
one run of it.

Examples
--------
>>> import pandas as pd
>>> from levelscope.need.definition import IndexDefinition
>>> data = pd.DataFrame({"jobless": [2.0, 4.0, 6.0], "pay": [600.0, 500.0, 550.0]},
...                     index=["A", "B", "C"])
>>> definition = IndexDefinition.from_dict({"name": "need", "indicators": [
...     {"id": "jobless", "polarity": 1}, {"id": "pay", "polarity": -1}]})
>>> build_index(data, definition).scores.round(1).tolist()
[0.0, 75.0, 75.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from levelscope.deprecation import renamed_parameters
from levelscope.errors import Problem, UndefinedMeasureError, ValidationError
from levelscope.need.aggregate import aggregate_runs
from levelscope.need.definition import IndexDefinition
from levelscope.need.impute import Imputation, impute, missing_report
from levelscope.need.normalise import normalise
from levelscope.need.outliers import OutlierTreatment, treat_outliers
from levelscope.need.weights import equal_weights, factor_weights, pca_weights, scale_weights
from levelscope.results import USER_DATA, Provenance, Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.need.coherence import CoherenceReport
    from levelscope.need.uncertainty import UncertaintyResult


# --- input -----------------------------------------------------------------------------------


def pivot_observations(observations: pd.DataFrame, *, period: str | None = None) -> pd.DataFrame:
    """Turn the workspace's long observations into the wide frame the index builder takes.

    ``observations`` has columns ``geography_code``, ``indicator_id`` and ``value`` (and
    optionally ``period``). With ``period`` given only that period is used; otherwise, where an
    area has several periods of an indicator, the latest is taken.

    Parameters
    ----------
    observations
        Long rows, e.g. ``ws.observations(level="lad")``.
    period
        Keep only this period.

    Returns
    -------
    pandas.DataFrame
        One row per area (index ``geography_code``), one column per indicator.

    Examples
    --------
    >>> long = pd.DataFrame({"geography_code": ["A", "A", "B"], "indicator_id": ["pay", "jobs", "pay"],
    ...                      "period": "2021", "value": [1.0, 2.0, 3.0]})
    >>> pivot_observations(long)
                    jobs  pay
    geography_code
    A                2.0  1.0
    B                NaN  3.0
    """
    required = ["geography_code", "indicator_id", "value"]
    absent = [c for c in required if c not in observations.columns]
    if absent:
        raise ValidationError([Problem("column missing from the observations", column=c) for c in absent])
    rows = observations
    if "period" in rows.columns:
        if period is not None:
            rows = rows[rows["period"].astype(str) == str(period)]
        rows = rows.sort_values("period").drop_duplicates(["geography_code", "indicator_id"], keep="last")
    repeated = rows.duplicated(["geography_code", "indicator_id"])
    if repeated.any():
        first = rows[repeated].iloc[0]
        raise ValidationError(
            Problem(
                f"{int(repeated.sum())} repeated area-indicator pairs and no period column",
                column="indicator_id",
                value=f"{first['geography_code']}/{first['indicator_id']}",
            )
        )
    wide = rows.pivot(index="geography_code", columns="indicator_id", values="value")
    wide.columns.name = None
    return wide.astype(float)


def indicator_values(frame: pd.DataFrame, definition: IndexDefinition) -> pd.DataFrame:
    """The definition's indicator columns of ``frame`` as floats, after checking them.

    Raises :class:`ValidationError` listing every absent column, repeated area and cell that is
    not a finite number (row numbers count the header as row 1, as in the CSV file).
    """
    problems: list[Problem] = []
    ids = definition.indicator_ids()
    for column in ids:
        if column not in frame.columns:
            problems.append(Problem("indicator of the definition is not in the data", column=column))
    repeated = frame.index[frame.index.duplicated()]
    problems.extend(Problem("area appears more than once", value=area) for area in repeated[:10])
    present = [c for c in ids if c in frame.columns]
    numbers = frame[present].apply(pd.to_numeric, errors="coerce").astype(float)
    bad = (numbers.isna() & frame[present].notna()) | np.isinf(numbers)
    for position, column in zip(*np.nonzero(bad.to_numpy()), strict=True):
        problems.append(
            Problem(
                f"not a finite number (area {frame.index[position]})",
                row=int(position) + 2,
                column=present[column],
                value=frame[present].iat[position, column],
            )
        )
    if problems:
        raise ValidationError(problems)
    return numbers


# --- preparation: coverage, imputation, outliers, normalisation --------------------------------


@dataclass(frozen=True, repr=False)
class Prepared:
    """Indicator values after each preparation step, for one set of methodological choices."""

    raw: pd.DataFrame
    imputation: Imputation
    outliers: OutlierTreatment
    normalised: pd.DataFrame


def drop_sparse_areas(values: pd.DataFrame, min_coverage: float) -> tuple[pd.DataFrame, pd.Series]:
    """Keep areas with at least ``min_coverage`` of the indicators; return the dropped ones'
    coverage."""
    _, coverage = missing_report(values)
    keep = coverage >= min_coverage - 1e-12
    return values[keep], coverage[~keep]


def prepare(
    values: pd.DataFrame,
    definition: IndexDefinition,
    *,
    groups: pd.Series | None = None,
    imputation: str | None = None,
    outliers: str | None = None,
    normalisation: str | None = None,
    cache: dict[tuple[str, str], tuple[Imputation, OutlierTreatment]] | None = None,
) -> Prepared:
    """Impute, treat outliers and normalise, with the definition's methods unless overridden.

    ``cache`` keeps the imputed and treated values by (imputation, outliers) so that runs which
    differ only in normalisation do not redo them.
    """
    specs = {i.id: i for i in definition.indicators}
    o = definition.outliers
    key = (imputation or definition.missing.method, outliers or o.method)
    if cache is not None and key in cache:
        filled, treated = cache[key]
    else:
        filled = impute(values, key[0], groups=groups)
        treated = treat_outliers(
            filled.values,
            key[1],
            skew_threshold=o.skew_threshold,
            kurtosis_threshold=o.kurtosis_threshold,
            max_winsorised=o.max_winsorised,
        )
        if cache is not None:
            cache[key] = (filled, treated)
    n = definition.normalisation
    method = normalisation or n.method
    targets = {k: s.target for k, s in specs.items() if s.target is not None}
    posts = {k: s.goalposts for k, s in specs.items() if s.goalposts is not None}
    normalised = normalise(
        treated.values,
        method,
        {k: s.polarity for k, s in specs.items()},
        low=n.low,
        high=n.high,
        targets=targets if method == "distance_to_target" else None,
        posts=posts if method == "goalposts" else None,
    )
    return Prepared(values, filled, treated, normalised)


# --- weights and scoring ---------------------------------------------------------------------


def pillar_columns(definition: IndexDefinition) -> dict[str, list[str]]:
    """Indicator ids of each pillar, in the definition's order."""
    return {p: [i.id for i in definition.indicators if i.pillar == p] for p in definition.pillar_ids()}


def indicator_weights(definition: IndexDefinition, normalised: pd.DataFrame) -> pd.Series:
    """Nominal indicator weights, scaled to sum to one within each pillar."""
    method = definition.weights.method
    user = {i.id: i.weight for i in definition.indicators}
    parts = []
    for columns in pillar_columns(definition).values():
        if method == "equal":
            parts.append(equal_weights(columns))
        elif method == "user":
            parts.append(scale_weights({c: user[c] for c in columns}))
        elif method == "pca":
            parts.append(pca_weights(normalised[columns]))
        else:
            parts.append(factor_weights(normalised[columns]))
    return pd.concat(parts).rename("weight")


def score_runs(
    values: np.ndarray,
    pillars: list[np.ndarray],
    weights: np.ndarray,
    pillar_weights: np.ndarray,
    methods: tuple[str, str],
    *,
    with_pillars: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Index and pillar scores for many runs at once.

    Parameters
    ----------
    values
        ``(n_areas, k)`` normalised indicators (NaN = missing).
    pillars
        Column positions of each pillar's indicators.
    weights, pillar_weights
        ``(n_runs, k)`` indicator weights and ``(n_runs, n_pillars)`` pillar weights.
    methods
        Aggregation of indicators into pillars and of pillars into the index.
    with_pillars
        Also return the pillar scores. Without them, and with no gaps and one method at both
        levels, the two levels collapse into one mean with weights ``w_j * p_pillar(j)`` (a
        mean of means of the same kind), computed in a single matrix product.

    Returns
    -------
    ``(n_areas, n_runs)`` index scores and ``(n_pillars, n_areas, n_runs)`` pillar scores
    (None when not asked for).
    """
    if not with_pillars and methods[0] == methods[1] and not np.isnan(values).any():
        combined = np.empty_like(weights, dtype=float)
        pillar_share = pillar_weights / pillar_weights.sum(axis=1, keepdims=True)
        for p, cols in enumerate(pillars):
            within = weights[:, cols] / weights[:, cols].sum(axis=1, keepdims=True)
            combined[:, cols] = within * pillar_share[:, [p]]
        return aggregate_runs(values, combined, methods[0]), None
    pillar_scores = np.stack(
        [aggregate_runs(values[:, cols], weights[:, cols], methods[0]) for cols in pillars]
    )
    if len(pillars) == 1:
        return pillar_scores[0], pillar_scores
    return _combine_pillars(pillar_scores, pillar_weights, methods[1]), pillar_scores


def _combine_pillars(scores: np.ndarray, weights: np.ndarray, method: str) -> np.ndarray:
    """Aggregate ``(P, n, R)`` pillar scores with ``(R, P)`` weights, one weight row per run."""
    observed = ~np.isnan(scores)
    if method != "arithmetic" and np.any(scores[observed] <= 0):
        raise UndefinedMeasureError(f"{method} aggregation of pillars needs positive scores")
    if observed.all():
        share = weights / weights.sum(axis=1, keepdims=True)
        if method == "arithmetic":
            return np.einsum("pnr,rp->nr", scores, share)
        if method == "geometric":
            return np.exp(np.einsum("pnr,rp->nr", np.log(scores), share))
        return 1.0 / np.einsum("pnr,rp->nr", 1.0 / scores, share)
    w = np.where(observed, weights.T[:, None, :], 0.0)
    total = w.sum(axis=0)
    safe = np.where(observed, scores, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "arithmetic":
            result = (w * np.where(observed, scores, 0.0)).sum(axis=0) / total
        elif method == "geometric":
            result = np.exp((w * np.log(safe)).sum(axis=0) / total)
        elif method == "harmonic":
            result = total / (w / safe).sum(axis=0)
        else:
            raise ValueError(f"unknown aggregation {method!r}")
    return np.where(total > 0, result, np.nan)


def rank_scores(scores: np.ndarray) -> np.ndarray:
    """Ranks down axis 0, 1 for the highest score; ties share the best rank among them.

    Scores within a relative 1e-10 of each other count as tied, so that equal scores reached
    by sums in a different order (which differ in the last bits) share a rank.
    """
    # One row per run: sorting along the contiguous axis is several times faster.
    rows = np.ascontiguousarray(-scores.T)
    order = np.argsort(rows, axis=1)
    sorted_rows = np.take_along_axis(rows, order, axis=1)
    positions = np.broadcast_to(np.arange(1, rows.shape[1] + 1), rows.shape)
    tied = np.zeros(rows.shape, dtype=bool)
    tied[:, 1:] = np.isclose(sorted_rows[:, 1:], sorted_rows[:, :-1], rtol=1e-10, atol=1e-12)
    best = np.maximum.accumulate(np.where(tied, 0, positions), axis=1) if tied.any() else positions
    ranks = np.empty(rows.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, best, axis=1)
    return ranks.T


def categorise(scores: pd.Series, definition: IndexDefinition) -> pd.Series:
    """Category of each area (labels run from the highest score down).

    An area whose score equals a cut-off goes to the higher-score category.
    """
    spec = definition.categories
    k = len(spec.labels)
    if spec.method == "quantile":
        probabilities = spec.breaks or tuple(i / k for i in range(1, k))
        cuts = np.quantile(scores.to_numpy(), probabilities)
    else:
        cuts = np.asarray(spec.breaks, dtype=float)
    bins = np.searchsorted(cuts, scores.to_numpy(), side="right")
    labels = [spec.labels[k - 1 - b] for b in bins]
    return pd.Series(
        pd.Categorical(labels, categories=list(spec.labels)), index=scores.index, name="category"
    )


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class CompositeIndex(Result):
    """A built composite index: scores, ranks, categories and every intermediate table.

    Attributes
    ----------
    scores, ranks, categories
        By area; rank 1 is the highest score.
    pillar_scores
        Areas by pillars.
    raw, treated, normalised
        Indicator values as given, after imputation and outlier treatment, and normalised.
    imputed
        True for each cell that was imputed.
    weights, pillar_weights
        Indicator weights (summing to one within each pillar) and pillar weights.
    excluded
        Areas dropped for low coverage, with their coverage.
    treatments
        One row per treatment applied: step, item, detail.
    """

    name: str
    scores: pd.Series
    ranks: pd.Series
    categories: pd.Series
    pillar_scores: pd.DataFrame
    raw: pd.DataFrame
    treated: pd.DataFrame
    normalised: pd.DataFrame
    imputed: pd.DataFrame
    weights: pd.Series
    pillar_weights: pd.Series
    excluded: pd.Series
    treatments: pd.DataFrame
    definition: IndexDefinition = field(repr=False)
    groups: pd.Series | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row per area: score, rank, category and pillar scores, highest score first."""
        table = pd.concat(
            [
                self.scores.rename("score"),
                self.ranks.rename("rank"),
                self.categories,
                self.pillar_scores.add_prefix("pillar_"),
            ],
            axis=1,
        )
        table.index.name = "geography_code"
        return table.sort_values("rank").reset_index()

    def summary(self) -> str:
        top = self.to_frame().head(10)[["geography_code", "score", "rank", "category"]]
        counts = self.categories.value_counts().reindex(self.categories.cat.categories)
        return (
            f"CompositeIndex {self.name!r}: {len(self.scores)} areas, "
            f"{self.raw.shape[1]} indicators in {self.pillar_scores.shape[1]} pillars, "
            f"{len(self.excluded)} areas excluded\n"
            f"categories: {counts.to_dict()}\n{top.to_string(index=False)}"
        )

    def coherence(self, *, method: Literal["pearson", "spearman"] = "pearson") -> CoherenceReport:
        """Correlations, Cronbach's alpha and principal components of this index."""
        from levelscope.need.coherence import check_coherence

        return check_coherence(self, method=method)

    @renamed_parameters(n="n_resamples")
    def uncertainty(self, *, n_resamples: int = 1000, seed: int | None = 0) -> UncertaintyResult:
        """Monte Carlo uncertainty and Sobol sensitivity analysis of this index (see
        :func:`~levelscope.need.uncertainty.run_uncertainty`)."""
        from levelscope.need.uncertainty import run_uncertainty

        return run_uncertainty(self.raw, self.definition, n_resamples=n_resamples, seed=seed,
                               groups=self.groups)

    def plot(self, **kwargs: Any) -> go.Figure:
        """Bar chart of the index scores, highest first, coloured by category."""
        from levelscope.need.plot import index_bar_chart

        return index_bar_chart(self, **kwargs)


def build_index(
    frame: pd.DataFrame,
    definition: IndexDefinition,
    *,
    groups: pd.Series | None = None,
    provenance: Provenance = USER_DATA,
) -> CompositeIndex:
    """Build the composite index that ``definition`` describes from ``frame``.

    Parameters
    ----------
    frame
        Index = area code, one column per indicator id (extra columns are ignored, except the
        one named by ``missing.group_column``). Use :func:`pivot_observations` for long data.
    definition
        The index definition.
    groups
        Group of each area for group-mean imputation, if not a column of ``frame``.
    provenance
        Sources of the indicator values, carried onto the result.

    Raises
    ------
    ValidationError
        When an indicator is absent or a value is not a number.
    UndefinedMeasureError
        When a step is undefined for the data (a constant indicator under min-max, ...).

    Returns
    -------
    CompositeIndex
        Each area's score, rank and category, with every intermediate step (treated,
        normalised and weighted values, pillar scores) for inspection.

    Examples
    --------
    >>> frame = pd.DataFrame({"unemployment": [7.5, 6.0, 5.2, 4.1, 3.0],
    ...                       "pay": [480.0, 510.0, 560.0, 600.0, 690.0],
    ...                       "bad_health": [8.1, 6.2, 6.8, 5.2, 4.9]}, index=list("ABCDE"))
    >>> from levelscope.need.definition import IndexDefinition
    >>> definition = IndexDefinition.from_dict({"name": "Need", "indicators": [
    ...     {"id": "unemployment"}, {"id": "pay", "polarity": -1}, {"id": "bad_health"}]})
    >>> index = build_index(frame, definition)
    >>> index.to_frame()[["geography_code", "rank"]].values.tolist()
    [['A', 1], ['B', 2], ['C', 3], ['D', 4], ['E', 5]]
    """
    values = indicator_values(frame, definition)
    groups = _groups(frame, definition, groups)
    kept, dropped = drop_sparse_areas(values, definition.missing.min_coverage)
    if len(kept) < 2:
        raise UndefinedMeasureError(
            f"only {len(kept)} areas have enough indicators (min_coverage "
            f"{definition.missing.min_coverage}); an index needs at least two"
        )
    group_labels = groups.reindex(kept.index) if groups is not None else None
    prepared = prepare(kept, definition, groups=group_labels)
    weights = indicator_weights(definition, prepared.normalised)
    pillar_w = pd.Series(definition.pillar_weights(), name="weight")
    columns = pillar_columns(definition)
    ids = definition.indicator_ids()
    positions = [np.array([ids.index(c) for c in cols]) for cols in columns.values()]
    methods = (definition.aggregation.indicators, definition.aggregation.pillars)
    scores, pillar_scores = score_runs(
        prepared.normalised[ids].to_numpy(),
        positions,
        weights[ids].to_numpy()[None, :],
        pillar_w.to_numpy()[None, :],
        methods,
    )
    assert pillar_scores is not None  # asked for by default
    score = pd.Series(scores[:, 0], index=kept.index, name="score")
    ranks = pd.Series(rank_scores(scores)[:, 0], index=kept.index, name="rank")
    return CompositeIndex(
        name=definition.name,
        scores=score,
        ranks=ranks,
        categories=categorise(score, definition),
        pillar_scores=pd.DataFrame(pillar_scores[:, :, 0].T, index=kept.index, columns=list(columns)),
        raw=kept,
        treated=prepared.outliers.values,
        normalised=prepared.normalised,
        imputed=prepared.imputation.imputed,
        weights=weights,
        pillar_weights=pillar_w,
        excluded=dropped,
        treatments=_treatments(values, prepared, dropped, weights, definition),
        definition=definition,
        groups=group_labels,
        provenance=provenance,
    )


def _groups(frame: pd.DataFrame, definition: IndexDefinition, groups: pd.Series | None) -> pd.Series | None:
    column = definition.missing.group_column
    if groups is not None or column is None:
        return groups
    if column not in frame.columns:
        raise ValidationError(Problem("missing.group_column is not a column of the data", column=column))
    return frame[column]


def _treatments(
    values: pd.DataFrame,
    prepared: Prepared,
    dropped: pd.Series,
    weights: pd.Series,
    definition: IndexDefinition,
) -> pd.DataFrame:
    rows: list[tuple[str, str, str]] = []
    share_missing, _ = missing_report(values)
    for indicator, share in share_missing[share_missing > 0].items():
        rows.append(("missing", str(indicator), f"{share:.1%} of areas missing"))
    for area, coverage in dropped.items():
        rows.append(("coverage", str(area), f"dropped: has {coverage:.0%} of the indicators"))
    counts = prepared.imputation.imputed.sum()
    for indicator, count in counts[counts > 0].items():
        rows.append(
            (
                "imputation",
                str(indicator),
                f"{int(count)} values imputed by {prepared.imputation.method}",
            )
        )
    if prepared.imputation.method == "none" and prepared.imputation.values.isna().any().any():
        rows.append(("imputation", "", "none: areas aggregated over the indicators they have"))
    for indicator, row in prepared.outliers.report.iterrows():
        if row["action"] != "none":
            detail = f"skew {row['skew_before']:.2f}, kurtosis {row['kurtosis_before']:.2f}: "
            detail += (
                f"winsorised {row['n_winsorised']} values"
                if row["action"] == "winsorised"
                else "log-transformed"
            )
            rows.append(("outliers", str(indicator), detail))
    n = definition.normalisation
    rows.append(("normalisation", "", f"{n.method} (low {n.low}, high {n.high})"))
    for indicator, w in weights.items():
        rows.append(("weights", str(indicator), f"{definition.weights.method}: {w:.4f}"))
    a = definition.aggregation
    rows.append(("aggregation", "", f"indicators {a.indicators}, pillars {a.pillars}"))
    c = definition.categories
    rows.append(("categories", "", f"{c.method}: {', '.join(c.labels)}"))
    return pd.DataFrame(rows, columns=["step", "item", "detail"])
