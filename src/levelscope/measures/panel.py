"""Inequality measures for every group of a panel in one engine query.

:func:`summarize` turns the chosen measures into one Ibis expression (window functions, then a
grouped aggregate), so the work happens inside the engine: DuckDB by default, or Spark when the
input is a table on an Ibis PySpark connection. The SQL forms are the same formulas as the
NumPy kernels in :mod:`levelscope.measures.inequality`, in a shape an engine can run:

* group totals ``W = sum w`` and ``Y = sum w y`` come from windows over each group, so that
  ``r = y / mu`` is available per row and sums stay centred (no cancellation);
* the Gini, quantiles and income shares use one running sum, ``cw``, the cumulative weight in
  order of value within each group (the costly step: the engine sorts every group). Ties may
  come in any order: the formulas give the same result for every order;
* a quantile ``Q(q)`` is the smallest value whose ``cw`` reaches ``q W``, averaged with the next
  value when ``cw`` equals ``q W`` to 1e-12 of ``W``; the poorest ``q``'s income is that of the
  rows with ``cw <= q W`` plus the part of the next row that lies below the cut.

The same query also counts what would make a group's measures undefined (missing values,
negatives, zeros under logarithms, bad weights, fewer than two observations); such a group
raises :class:`~levelscope.errors.UndefinedMeasureError` naming it, after the query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.measures.inequality import QUANTILE_TOLERANCE, MeasureSpec, parse_measure

DEFAULT_MEASURES = ("gini", "theil", "mld", "cv")

_SORTED = ("gini", "palma", "quantile_ratio", "share_ratio")


def summarize(
    frame: pd.DataFrame | ir.Table,
    value: str,
    weight: str | None = None,
    by: Sequence[str] = (),
    measures: Sequence[str | MeasureSpec] = DEFAULT_MEASURES,
) -> pd.DataFrame:
    """Compute ``measures`` of ``value`` (weighted by ``weight``) for every group of ``by``.

    Parameters
    ----------
    frame
        A pandas DataFrame (run on DuckDB) or an Ibis table on any backend (DuckDB, PySpark).
    value, weight
        Column names; ``weight`` holds frequency weights (e.g. population). Rows with weight 0
        are ignored, as in the scalar measures.
    by
        Grouping columns (e.g. ``["indicator_id", "period", "level"]``); empty for one group.
    measures
        Names or specs understood by :func:`~levelscope.measures.inequality.parse_measure`.

    Returns
    -------
    pandas.DataFrame
        Tidy: the ``by`` columns, ``measure`` (its label), ``value``, ``n`` (observations with
        positive weight) and ``total_weight``; sorted by ``by`` then the order of ``measures``.

    Example
    -------
    >>> frame = pd.DataFrame({"year": [1, 1, 2, 2], "gva": [1.0, 3.0, 2.0, 2.0]})
    >>> summarize(frame, "gva", by=["year"], measures=["cv"])["value"].round(6).tolist()
    [0.5, 0.0]
    """
    specs = [parse_measure(m) for m in measures]
    labels = [s.label for s in specs]
    if not specs or len(set(labels)) != len(labels):
        raise ValueError(f"measures must be a non-empty list without repeats, got {labels}")
    keys = list(by)
    table = ibis.memtable(frame) if isinstance(frame, pd.DataFrame) else frame
    missing = [c for c in [*keys, value, *([weight] if weight else [])] if c not in table.columns]
    if missing:
        raise ValueError(f"columns not found: {missing}; the table has {list(table.columns)}")

    rows = _enrich(table, value, weight, keys, specs)
    metrics: dict[str, ir.Value] = {
        f"_m{i}": _EXPRESSIONS[s.measure.name](rows, s.params) for i, s in enumerate(specs)
    }
    metrics.update(_diagnostics(rows))
    query = rows.group_by(keys).aggregate(**metrics) if keys else rows.aggregate(**metrics)
    result = query.to_pandas()
    if keys:
        result = result.sort_values(keys, kind="stable").reset_index(drop=True)
    _check(result, keys, specs)
    return _tidy(result, keys, labels)


def inequality_table(
    observations: pd.DataFrame,
    by: list[str],
    measures: list[str],
    weight: pd.Series | None = None,
    value: str = "value",
) -> pd.DataFrame:
    """A wide table for people: one row per group of ``by``, one column per measure, and ``n``.

    ``observations`` are tidy rows with a ``value`` column (as the workspace stores them);
    ``weight``, when given, is aligned with them (e.g. the population of each row's area).
    """
    frame = observations.copy()
    weight_column = None
    if weight is not None:
        if len(weight) != len(frame):
            raise ValueError("weight must have one entry per observation")
        weight_column = "__weight"
        frame[weight_column] = np.asarray(weight, dtype=np.float64)
    tidy = summarize(frame, value=value, weight=weight_column, by=by, measures=measures)
    order = [parse_measure(m).label for m in measures]
    index = [*by, "n"] if by else ["n"]
    wide = tidy.pivot_table(index=index, columns="measure", values="value", sort=False)
    return wide.reindex(columns=order).reset_index().rename_axis(columns=None)


# --- the query ---


def _enrich(
    table: ir.Table, value: str, weight: str | None, keys: list[str], specs: list[MeasureSpec]
) -> ir.Table:
    raw_weight = table[weight].cast("float64") if weight else ibis.literal(1.0)
    base = table.select(*keys, _v=table[value].cast("float64"), _rw=raw_weight)
    # Zero-weight rows drop out: weight 0 and value NULL, which every aggregate skips.
    base = base.mutate(_w=ibis.ifelse(base._rw > 0, base._rw, 0.0))
    base = base.mutate(_y=ibis.ifelse(base._w > 0, base._v, ibis.null("float64")))
    names = {s.measure.name for s in specs}
    # Group totals by aggregate-and-join: engines run that far faster than a window per group.
    sums: dict[str, ir.Value] = {"_wtot": base._w.sum(), "_ytot": (base._w * base._y).sum()}
    if "variance_of_logs" in names:
        sums["_mly"] = (base._w * _ln(base._y)).sum() / base._w.sum()
    if keys:
        totals = base.group_by(keys).aggregate(**sums)
        # Null-safe key equality, so that a group whose key is NULL is kept.
        condition = [base[k].identical_to(totals[k]) for k in keys]
        rows = base.join(totals, condition).select(base, *[totals[c] for c in sums])
    else:
        rows = base.cross_join(base.aggregate(**sums))
    rows = rows.mutate(_p=rows._w / rows._wtot, _r=rows._y / (rows._ytot / rows._wtot))
    if names & set(_SORTED):
        running = ibis.window(group_by=keys, order_by=rows._y, rows=(None, 0))
        rows = rows.mutate(_cw=rows._w.sum().over(running))
    return rows


def _ln(x: ir.NumericValue) -> ir.NumericValue:
    """Natural log that yields NULL instead of failing on zero or negative input."""
    return ibis.ifelse(x > 0, x, ibis.null("float64")).ln()


def _nonnegative(x: ir.NumericValue) -> ir.NumericValue:
    return ibis.ifelse(x >= 0, x, ibis.null("float64"))


def _ge(t: ir.Table, p: Mapping[str, float]) -> ir.Value:
    alpha, r = p["alpha"], t._r
    if alpha == 1:
        terms = ibis.ifelse(r > 0, r * _ln(r), 0.0) - r + 1
    elif alpha == 0:
        terms = r - 1 - _ln(r)
    else:
        base = _nonnegative(r) if alpha > 0 else ibis.ifelse(r > 0, r, ibis.null("float64"))
        terms = (base.pow(alpha) - 1 - alpha * (r - 1)) / (alpha * (alpha - 1))
    return (t._p * terms).sum()


def _atkinson(t: ir.Table, p: Mapping[str, float]) -> ir.Value:
    epsilon = p["epsilon"]
    if epsilon == 1:
        return 1 - (t._p * _ln(t._r)).sum().exp()
    power_sum = (t._p * _nonnegative(t._r).pow(1 - epsilon)).sum()
    return 1 - power_sum.pow(1 / (1 - epsilon))


def _gini(t: ir.Table, p: Mapping[str, float]) -> ir.Value:
    midpoint_rank = (t._cw - t._w / 2) / t._wtot
    return (t._p * (t._r - 1) * (2 * midpoint_rank - 1)).sum()


def _quantile(t: ir.Table, q: float) -> ir.Value:
    reach = (q - QUANTILE_TOLERANCE) * t._wtot
    first = t._y.min(where=(t._cw >= reach) & (t._w > 0))
    exact = t._cw.min(where=t._cw >= reach) <= ((q + QUANTILE_TOLERANCE) * t._wtot).max()
    following = t._y.min(where=((t._cw - t._w) >= reach) & (t._w > 0))
    return ibis.ifelse(exact, (first + following.coalesce(first)) / 2, first)


def _lorenz(t: ir.Table, q: float) -> ir.Value:
    cut = q * t._wtot
    # Income of the rows wholly below the cut, plus the part of the row straddling it.
    below = (t._w * t._y).sum(where=t._cw <= cut).coalesce(0.0)
    reached = t._cw.max(where=t._cw <= cut).coalesce(0.0)
    straddling = t._y.min(where=(t._cw > cut) & (t._w > 0))
    return (below + (cut.max() - reached) * straddling) / t._ytot.max()


def _nonzero(x: ir.Value) -> ir.Value:
    return ibis.ifelse(x != 0, x, ibis.null("float64"))


_Expression = Callable[[ir.Table, Mapping[str, float]], ir.Value]

_EXPRESSIONS: dict[str, _Expression] = {
    "gini": _gini,
    "theil": lambda t, p: _ge(t, {"alpha": 1.0}),
    "mld": lambda t, p: _ge(t, {"alpha": 0.0}),
    "ge": _ge,
    "atkinson": _atkinson,
    "cv": lambda t, p: (t._p * (t._r - 1) ** 2).sum().sqrt(),
    "variance_of_logs": lambda t, p: (t._p * (_ln(t._y) - t._mly) ** 2).sum(),
    "hoover": lambda t, p: (t._p * (t._r - 1).abs()).sum() / 2,
    "max_min_ratio": lambda t, p: t._y.max(where=t._w > 0) / _nonzero(t._y.min(where=t._w > 0)),
    "palma": lambda t, p: (1 - _lorenz(t, 0.9)) / _nonzero(_lorenz(t, 0.4)),
    "share_ratio": lambda t, p: (1 - _lorenz(t, 1 - p["share"])) / _nonzero(_lorenz(t, p["share"])),
    "quantile_ratio": lambda t, p: _quantile(t, p["upper"]) / _nonzero(_quantile(t, p["lower"])),
}


def _diagnostics(t: ir.Table) -> dict[str, ir.Value]:
    used = t._rw > 0
    return {
        "_n": used.sum(),
        "_total_weight": t._w.sum(),
        "_bad_weight": (t._rw.isnull() | t._rw.isnan() | (t._rw < 0)).sum(),
        "_bad_value": (used & (t._v.isnull() | t._v.isnan() | t._v.isinf())).sum(),
        "_negative": (used & (t._v < 0)).sum(),
        "_zero": (used & (t._v == 0)).sum(),
        "_income": (t._w * t._y).sum().coalesce(0.0),
    }


# --- after the query ---


def _check(result: pd.DataFrame, keys: list[str], specs: list[MeasureSpec]) -> None:
    def fail(mask: pd.Series, reason: str) -> None:
        if mask.any():
            groups = _describe_groups(result.loc[mask, keys]) if keys else "the data"
            raise UndefinedMeasureError(f"{reason}: {groups}")

    fail(result["_bad_weight"] > 0, "weights must be finite and non-negative in")
    fail(result["_bad_value"] > 0, "values must be finite (found missing, NaN or infinity) in")
    fail(result["_n"] < 2, "need at least two observations with positive weight in")
    fail(result["_negative"] > 0, "values must be non-negative in")
    fail(result["_income"] <= 0, "the mean is zero in")
    for i, spec in enumerate(specs):
        if spec.measure.takes_logs(spec.params):
            fail(result["_zero"] > 0, f"{spec.label} takes logarithms; zero values in")
        column = pd.to_numeric(result[f"_m{i}"], errors="coerce")
        fail(~np.isfinite(column), f"{spec.label} is undefined ({spec.measure.undefined_when}) in")


def _describe_groups(groups: pd.DataFrame, limit: int = 5) -> str:
    shown = [", ".join(f"{k}={v!r}" for k, v in row.items()) for row in groups.head(limit).to_dict("records")]
    more = f" and {len(groups) - limit} more" if len(groups) > limit else ""
    return "; ".join(f"({s})" for s in shown) + more


def _tidy(result: pd.DataFrame, keys: list[str], labels: list[str]) -> pd.DataFrame:
    columns = {f"_m{i}": label for i, label in enumerate(labels)}
    wide = result[[*keys, *columns, "_n", "_total_weight"]].rename(
        columns={**columns, "_n": "n", "_total_weight": "total_weight"}
    )
    wide["_group"] = np.arange(len(wide))
    tidy = wide.melt(id_vars=[*keys, "_group", "n", "total_weight"], var_name="measure", value_name="value")
    tidy["_order"] = tidy["measure"].map({label: i for i, label in enumerate(labels)})
    tidy = tidy.sort_values(["_group", "_order"], kind="stable")
    tidy["value"] = tidy["value"].astype(np.float64)
    tidy["n"] = tidy["n"].astype(np.int64)
    tidy["total_weight"] = tidy["total_weight"].astype(np.float64)
    return tidy[[*keys, "measure", "value", "n", "total_weight"]].reset_index(drop=True)
