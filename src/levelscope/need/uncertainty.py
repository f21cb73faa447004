"""Uncertainty and sensitivity analysis of a composite index by Monte Carlo.

Each methodological choice of the definition's ``uncertainty`` section (imputation, outlier
treatment, normalisation, aggregation — each chosen uniformly among its alternatives) and the
weights (each varied uniformly by up to ±``weight_variation`` around its nominal value) is an
input factor. The index is rebuilt for every sampled combination, giving each area a
distribution of ranks: its median and 5th–95th percentile **rank interval** (Saisana, Saltelli
& Tarantola 2005, *J. R. Stat. Soc. A* 168(2)).

**Sobol indices** apportion the variance of an output among the factors. The sampling design
of Saltelli (2002) draws two independent ``N x d`` matrices ``A`` and ``B`` and, for each factor
(or group of columns) ``i``, ``A_B^i``: ``A`` with factor ``i``'s columns taken from ``B``. With
``f`` the model and ``V`` the variance of all outputs,

* first order (Saltelli et al. 2010, *Comput. Phys. Commun.* 181): ``S_i = mean(f(B) (f(A_B^i)
  - f(A))) / V``
* total (Jansen 1999): ``ST_i = mean((f(A) - f(A_B^i))^2) / (2 V)``

— the estimators SALib uses (outputs are centred on their mean first, as there). The output of
the index analysis is the mean absolute shift of the areas' ranks from their nominal ranks;
indices for each area's own rank are given too. ``N (d + 2)`` model runs in total; the rank
intervals use the ``2N`` independent runs of ``A`` and ``B``.

Examples
--------
>>> import numpy as np
>>> result = sobol_analysis(lambda u: u[:, 0] + 0.1 * u[:, 1], 2, n_resamples=4096, seed=1)
>>> bool(result.first_order["x1"] > 0.95)
True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from levelscope.deprecation import RenamedAttribute, renamed_parameters
from levelscope.errors import Problem, ValidationError
from levelscope.need.definition import IndexDefinition, positive_normalisation
from levelscope.need.impute import Imputation
from levelscope.need.index import (
    drop_sparse_areas,
    indicator_values,
    indicator_weights,
    pillar_columns,
    prepare,
    rank_scores,
    score_runs,
)
from levelscope.need.outliers import OutlierTreatment
from levelscope.results import Result, seeded

if TYPE_CHECKING:
    import plotly.graph_objects as go


# --- Sobol indices ---------------------------------------------------------------------------


def saltelli_design(
    n: int, groups: Sequence[Sequence[int]], n_columns: int, rng: np.random.Generator
) -> np.ndarray:
    """Stacked design ``[A; B; A_B^1; ...; A_B^k]`` of uniform numbers in [0, 1).

    ``groups[i]`` lists the columns of factor ``i``; the result has ``n (k + 2)`` rows.
    """
    a = rng.random((n, n_columns))
    b = rng.random((n, n_columns))
    blocks = [a, b]
    for columns in groups:
        mixed = a.copy()
        mixed[:, list(columns)] = b[:, list(columns)]
        blocks.append(mixed)
    return np.vstack(blocks)


def sobol_indices(y_a: np.ndarray, y_b: np.ndarray, y_ab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-order and total Sobol indices from the outputs of a Saltelli design.

    Parameters
    ----------
    y_a, y_b
        ``(N, ...)`` outputs of the rows of ``A`` and ``B`` (trailing axes = several outputs).
    y_ab
        ``(k, N, ...)`` outputs of ``A_B^i`` for each factor ``i``.

    Returns
    -------
    ``(k, ...)`` first-order and total indices. Where an output does not vary at all, both are
    set to 0 (no factor moves it).
    """
    centre = np.mean(np.concatenate([y_a, y_b, *y_ab]), axis=0)
    y_a, y_b, y_ab = y_a - centre, y_b - centre, y_ab - centre
    variance = np.var(np.concatenate([y_a, y_b]), axis=0)
    constant = variance <= 1e-15 * np.maximum(1.0, np.abs(centre) ** 2)
    safe = np.where(constant, 1.0, variance)
    first = np.mean(y_b * (y_ab - y_a), axis=1) / safe
    total = 0.5 * np.mean((y_a - y_ab) ** 2, axis=1) / safe
    return np.where(constant, 0.0, first), np.where(constant, 0.0, total)


@dataclass(frozen=True, repr=False)
class SobolIndices(Result):
    """First-order and total Sobol indices of each factor."""

    first_order: pd.Series
    total: pd.Series
    n_resamples: int
    seed: int | None
    n = RenamedAttribute("n_resamples")

    def to_frame(self) -> pd.DataFrame:
        table = pd.DataFrame({"first_order": self.first_order, "total": self.total})
        table.index.name = "factor"
        return table.reset_index()


@renamed_parameters(n="n_resamples")
def sobol_analysis(
    model: Callable[[np.ndarray], np.ndarray],
    n_factors: int,
    *,
    n_resamples: int = 1024,
    seed: int | None = 0,
    names: Sequence[str] | None = None,
) -> SobolIndices:
    """Sobol indices of a vectorised ``model`` of ``n_factors`` inputs uniform on [0, 1).

    ``model`` maps an ``(m, n_factors)`` array to ``m`` outputs. It is run
    ``n_resamples (n_factors + 2)`` times (``n_resamples`` is the base sample size ``N`` of the
    Saltelli design). Rescale inputs inside ``model`` for other ranges.

    Parameters
    ----------
    model
        The vectorised model.
    n_factors
        The number of inputs.
    n_resamples
        The base sample size ``N``.
    seed
        Seed of the random draws (fixed by default, so the indices repeat exactly).
    names
        The inputs' names; default ``x1``, ``x2``, ...

    Returns
    -------
    SobolIndices
        First-order and total indices of each input (Saltelli 2010 and Jansen 1999 estimators).

    Examples
    --------
    For ``x1 + 2 x2`` the variances are 1/12 and 4/12, so the indices are 0.2 and 0.8:

    >>> indices = sobol_analysis(lambda x: x[:, 0] + 2 * x[:, 1], 2, n_resamples=512)
    >>> indices.to_frame().round(1).values.tolist()
    [['x1', 0.2, 0.2], ['x2', 0.8, 0.8]]
    """
    n = n_resamples
    rng = np.random.default_rng(seed)
    design = saltelli_design(n, [[i] for i in range(n_factors)], n_factors, rng)
    y = np.asarray(model(design), dtype=float).reshape(n_factors + 2, n)
    first, total = sobol_indices(y[0], y[1], y[2:])
    labels = list(names) if names else [f"x{i + 1}" for i in range(n_factors)]
    return SobolIndices(
        first_order=pd.Series(first, index=labels, name="first_order"),
        total=pd.Series(total, index=labels, name="total"),
        n_resamples=n,
        seed=seed,
        provenance=seeded(seed),
    )


# --- the index analysis ----------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class UncertaintyResult(Result):
    """Rank distributions of the areas and Sobol indices of the methodological choices.

    Attributes
    ----------
    nominal_rank, median_rank, rank_lower, rank_upper
        By area; ``rank_lower``/``rank_upper`` are the 5th and 95th percentiles of the rank.
    sobol
        Factors by ``first_order``/``total``, for the mean absolute rank shift.
    sobol_area_first, sobol_area_total
        Areas by factors: indices for each area's own rank.
    factors
        What each factor varies and its alternatives.
    n_resamples, seed, n_runs
        Base sample size, random seed and the number of index rebuilds.
    """

    nominal_rank: pd.Series
    median_rank: pd.Series
    rank_lower: pd.Series
    rank_upper: pd.Series
    sobol: pd.DataFrame
    sobol_area_first: pd.DataFrame
    sobol_area_total: pd.DataFrame
    factors: pd.DataFrame
    n_resamples: int
    seed: int | None
    n_runs: int
    rank_low = RenamedAttribute("rank_lower")
    rank_high = RenamedAttribute("rank_upper")
    n = RenamedAttribute("n_resamples")

    def to_frame(self) -> pd.DataFrame:
        table = pd.concat(
            [
                self.nominal_rank.rename("nominal_rank"),
                self.median_rank.rename("median_rank"),
                self.rank_lower.rename("rank_lower"),
                self.rank_upper.rename("rank_upper"),
            ],
            axis=1,
        )
        table.index.name = "geography_code"
        return table.sort_values("median_rank").reset_index()

    def summary(self) -> str:
        widest = (self.rank_upper - self.rank_lower).sort_values(ascending=False).head(5)
        return (
            f"UncertaintyResult: {self.n_runs} runs (N = {self.n_resamples}, seed {self.seed})\n"
            f"Sobol indices (mean absolute rank shift):\n{self.sobol.round(3).to_string()}\n"
            f"widest 90% rank intervals: {widest.to_dict()}"
        )

    def plot(self, **kwargs: Any) -> go.Figure:
        from levelscope.need.plot import rank_interval_chart

        return rank_interval_chart(self, **kwargs)


@dataclass(frozen=True, repr=False)
class _Choice:
    name: str
    alternatives: tuple[str, ...]


@renamed_parameters(n="n_resamples")
def run_uncertainty(
    frame: pd.DataFrame,
    definition: IndexDefinition,
    *,
    n_resamples: int = 1000,
    seed: int | None = 0,
    groups: pd.Series | None = None,
) -> UncertaintyResult:
    """Monte Carlo over the choices in ``definition.uncertainty`` (see the module docstring).

    Parameters
    ----------
    frame
        As for :func:`~levelscope.need.index.build_index`.
    definition
        The nominal definition and, in its ``uncertainty`` section, the alternatives.
    n_resamples
        Base sample size ``N``; the index is rebuilt ``N (d + 2)`` times for ``d`` factors.
    seed
        Seed of the random numbers; the same seed gives the same result (fixed by default).
    groups
        Group of each area, for group-mean imputation.

    Returns
    -------
    UncertaintyResult
        Each area's nominal and median rank with its 5th–95th percentile rank interval
        (``rank_lower``, ``rank_upper``), and the Sobol indices of the choices varied.

    Raises
    ------
    ValidationError
        When there is nothing to vary, or when an alternative aggregation needs positive
        values that an alternative normalisation does not give.

    Examples
    --------
    >>> frame = pd.DataFrame({"unemployment": [7.5, 6.0, 5.2, 4.1, 3.0],
    ...                       "pay": [480.0, 510.0, 560.0, 600.0, 690.0],
    ...                       "bad_health": [8.1, 6.2, 6.8, 5.2, 4.9]}, index=list("ABCDE"))
    >>> from levelscope.need.definition import IndexDefinition
    >>> definition = IndexDefinition.from_dict({"name": "Need", "indicators": [
    ...     {"id": "unemployment"}, {"id": "pay", "polarity": -1}, {"id": "bad_health"}],
    ...     "uncertainty": {"normalisation": ["min_max", "z_score"]}})
    >>> result = run_uncertainty(frame, definition, n_resamples=64)
    >>> result.to_frame()[["geography_code", "rank_lower", "rank_upper"]].values.tolist()
    [['A', 1.0, 1.0], ['B', 2.0, 2.0], ['C', 3.0, 3.0], ['D', 4.0, 4.0], ['E', 5.0, 5.0]]
    """
    n = n_resamples
    spec = definition.uncertainty
    nominal = {
        "imputation": definition.missing.method,
        "outliers": definition.outliers.method,
        "normalisation": definition.normalisation.method,
        "aggregation": definition.aggregation.indicators,
    }
    choices = [
        _Choice(name, tuple(getattr(spec, name)) or (nominal[name],))
        for name in ("imputation", "outliers", "normalisation", "aggregation")
    ]
    _check_alternatives(definition, choices)
    values = indicator_values(frame, definition)
    kept, _ = drop_sparse_areas(values, definition.missing.min_coverage)
    if groups is None and definition.missing.group_column in frame.columns:
        groups = frame[definition.missing.group_column]
    group_labels = groups.reindex(kept.index) if groups is not None else None
    ids = definition.indicator_ids()
    columns = pillar_columns(definition)
    positions = [np.array([ids.index(c) for c in cols]) for cols in columns.values()]
    nominal_pillar_w = np.array(list(definition.pillar_weights().values()))

    # Factor layout: one column per varied choice, then a column per weight.
    factor_names: list[str] = []
    factor_columns: list[list[int]] = []
    varied = [c for c in choices if len(c.alternatives) > 1]
    for position, choice in enumerate(varied):
        factor_names.append(choice.name)
        factor_columns.append([position])
    width = len(varied)
    weight_cols = pillar_cols = None
    if spec.weight_variation > 0:
        weight_cols = list(range(width, width + len(ids)))
        factor_names.append("indicator weights")
        factor_columns.append(weight_cols)
        width += len(ids)
    if spec.pillar_weight_variation > 0 and len(positions) > 1:
        pillar_cols = list(range(width, width + len(positions)))
        factor_names.append("pillar weights")
        factor_columns.append(pillar_cols)
        width += len(positions)
    if not factor_names:
        raise ValidationError(
            Problem("nothing to vary: give alternatives or weight variation", column="uncertainty")
        )

    rng = np.random.default_rng(seed)
    design = saltelli_design(n, factor_columns, width, rng)
    n_runs = len(design)
    picks = {c.name: np.zeros(n_runs, dtype=int) for c in choices}
    for position, choice in enumerate(varied):
        picks[choice.name] = np.minimum(
            (design[:, position] * len(choice.alternatives)).astype(int),
            len(choice.alternatives) - 1,
        )
    weight_scale = (
        1 - spec.weight_variation + 2 * spec.weight_variation * design[:, weight_cols]
        if weight_cols
        else np.ones((n_runs, len(ids)))
    )
    pillar_w = nominal_pillar_w * (
        1 - spec.pillar_weight_variation + 2 * spec.pillar_weight_variation * design[:, pillar_cols]
        if pillar_cols
        else np.ones((n_runs, len(positions)))
    )

    scores = np.empty((len(kept), n_runs))
    nominal_methods = (definition.aggregation.indicators, definition.aggregation.pillars)
    treated_cache: dict[tuple[str, str], tuple[Imputation, OutlierTreatment]] = {}
    alternatives = {c.name: c.alternatives for c in choices}
    for combo in itertools.product(*(range(len(c.alternatives)) for c in choices[:3])):
        in_combo = np.ones(n_runs, dtype=bool)
        for choice, pick in zip(choices[:3], combo, strict=True):
            in_combo &= picks[choice.name] == pick
        if not in_combo.any():
            continue
        prepared = prepare(
            kept,
            definition,
            groups=group_labels,
            imputation=alternatives["imputation"][combo[0]],
            outliers=alternatives["outliers"][combo[1]],
            normalisation=alternatives["normalisation"][combo[2]],
            cache=treated_cache,
        )
        base_w = indicator_weights(definition, prepared.normalised)[ids].to_numpy()
        normalised = prepared.normalised[ids].to_numpy()
        for a_index, method in enumerate(alternatives["aggregation"]):
            runs = in_combo & (picks["aggregation"] == a_index)
            if runs.any():
                # A sampled aggregation applies at both levels; otherwise keep the nominal pair.
                methods = (method, method) if spec.aggregation else nominal_methods
                scores[:, runs], _ = score_runs(
                    normalised,
                    positions,
                    base_w * weight_scale[runs],
                    pillar_w[runs],
                    methods,
                    with_pillars=False,
                )

    ranks = rank_scores(scores).astype(float)
    nominal_rank = _nominal_ranks(kept, definition, group_labels, positions)
    shift = np.mean(np.abs(ranks - nominal_rank[:, None]), axis=0)
    k = len(factor_names)
    blocks = shift.reshape(k + 2, n)
    first, total = sobol_indices(blocks[0], blocks[1], blocks[2:])
    area_blocks = ranks.T.reshape(k + 2, n, len(kept))
    area_first, area_total = sobol_indices(area_blocks[0], area_blocks[1], area_blocks[2:])
    independent = ranks[:, : 2 * n]
    low, median, high = np.percentile(independent, [5, 50, 95], axis=1)
    index = kept.index
    return UncertaintyResult(
        nominal_rank=pd.Series(nominal_rank, index=index, name="nominal_rank"),
        median_rank=pd.Series(median, index=index, name="median_rank"),
        rank_lower=pd.Series(low, index=index, name="rank_lower"),
        rank_upper=pd.Series(high, index=index, name="rank_upper"),
        sobol=pd.DataFrame({"first_order": first, "total": total}, index=factor_names),
        sobol_area_first=pd.DataFrame(area_first.T, index=index, columns=factor_names),
        sobol_area_total=pd.DataFrame(area_total.T, index=index, columns=factor_names),
        factors=_factor_table(choices, spec.weight_variation, spec.pillar_weight_variation, factor_names),
        n_resamples=n,
        seed=seed,
        n_runs=n_runs,
        provenance=seeded(seed),
    )


def _nominal_ranks(
    kept: pd.DataFrame,
    definition: IndexDefinition,
    groups: pd.Series | None,
    positions: list[np.ndarray],
) -> np.ndarray:
    ids = definition.indicator_ids()
    prepared = prepare(kept, definition, groups=groups)
    weights = indicator_weights(definition, prepared.normalised)[ids].to_numpy()[None, :]
    pillar_w = np.array(list(definition.pillar_weights().values()))[None, :]
    methods = (definition.aggregation.indicators, definition.aggregation.pillars)
    scores, _ = score_runs(prepared.normalised[ids].to_numpy(), positions, weights, pillar_w, methods)
    return rank_scores(scores)[:, 0].astype(float)


def _check_alternatives(definition: IndexDefinition, choices: list[_Choice]) -> None:
    by_name = {c.name: c.alternatives for c in choices}
    aggregations = set(by_name["aggregation"]) | {definition.aggregation.pillars}
    if aggregations == {"arithmetic"}:
        return
    problems = [
        Problem(
            f"normalisation {method!r} can give values <= 0, which "
            f"{sorted(aggregations - {'arithmetic'})} aggregation cannot take",
            column="uncertainty.normalisation",
            value=method,
        )
        for method in by_name["normalisation"]
        if not positive_normalisation(definition.normalisation, method)
    ]
    if problems:
        raise ValidationError(problems)


def _factor_table(
    choices: list[_Choice],
    weight_variation: float,
    pillar_variation: float,
    names: list[str],
) -> pd.DataFrame:
    rows = [{"factor": c.name, "alternatives": ", ".join(c.alternatives)} for c in choices if c.name in names]
    if "indicator weights" in names:
        rows.append({"factor": "indicator weights", "alternatives": f"±{weight_variation:.0%}"})
    if "pillar weights" in names:
        rows.append({"factor": "pillar weights", "alternatives": f"±{pillar_variation:.0%}"})
    return pd.DataFrame(rows).set_index("factor")
