"""Inequality measures for every group of a panel in one engine query.

:func:`summarize` turns the chosen measures into one Ibis expression, so the work happens
inside the engine: DuckDB by default, or Spark when the input is a table on an Ibis PySpark
connection. The SQL forms are the same formulas as the NumPy kernels in
:mod:`levelscope.measures.inequality`, in a shape an engine can run:

* one grouped aggregate gives each group's totals ``W = sum w`` and ``Y = sum w y`` and the
  counts that decide whether its measures are defined (missing values, negatives, zeros under
  logarithms, bad weights, fewer than two observations); joined back to the rows, the totals
  give ``r = y / mu`` per row, so that sums stay centred (no cancellation);
* the Gini, quantiles and income shares use one running sum, ``cw``, the cumulative weight in
  order of value within each group. That window is the costly step (the engine sorts every
  group), so it runs once, over only the group keys, values and weights of the rows with
  positive weight. Ties may come in any order: the formulas give the same result for every
  order;
* a quantile ``Q(q)`` is the smallest value whose ``cw`` reaches ``q W``, averaged with the next
  value when ``cw`` equals ``q W`` to 1e-12 of ``W``; the poorest ``q``'s income is that of the
  rows with ``cw <= q W`` plus the part of the next row that lies below the cut;
* a second grouped aggregate computes the measures, and the totals are joined to it.

A group whose measures are undefined raises :class:`~levelscope.errors.UndefinedMeasureError`
naming it, after the query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import duckdb
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

    Examples
    --------
    >>> frame = pd.DataFrame({"year": [1, 1, 2, 2], "gva": [1.0, 3.0, 2.0, 2.0]})
    >>> summarize(frame, "gva", by=["year"], measures=["cv"])["value"].round(6).tolist()
    [0.5, 0.0]
    """
    specs = [parse_measure(m) for m in measures]
    labels = [s.label for s in specs]
    if not specs or len(set(labels)) != len(labels):
        raise ValueError(f"measures must be a non-empty list without repeats, got {labels}")
    keys = list(by)
    table = _duckdb_table(frame) if isinstance(frame, pd.DataFrame) else frame
    missing = [c for c in [*keys, value, *([weight] if weight else [])] if c not in table.columns]
    if missing:
        raise ValueError(f"columns not found: {missing}; the table has {list(table.columns)}")

    base = _base(table, value, weight, keys)
    totals = _group_totals(base, keys, specs)
    rows = _measured_rows(base, totals, keys, specs)
    metrics = {f"_m{i}": _EXPRESSIONS[s.measure.name](rows, s.params) for i, s in enumerate(specs)}
    measured = rows.group_by(keys).aggregate(**metrics) if keys else rows.aggregate(**metrics)
    result = _attach(totals, measured, keys).to_pandas()
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

    Parameters
    ----------
    observations
        Tidy rows with a ``value`` column, as the workspace stores them.
    by
        Grouping columns, e.g. ``["period"]``.
    measures
        Names or specs read by :func:`~levelscope.measures.inequality.parse_measure`.
    weight
        Frequency weights aligned with the rows (e.g. the population of each row's area).
    value
        The column measured.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n`` and one column per measure label.

    Examples
    --------
    >>> obs = pd.DataFrame({"period": ["2020"] * 4, "value": [1.0, 2.0, 3.0, 4.0]})
    >>> inequality_table(obs, by=["period"], measures=["gini", "theil"]).round(5).to_dict("records")
    [{'period': '2020', 'n': 4, 'gini': 0.25, 'theil': 0.10644}]
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


def _duckdb_table(frame: pd.DataFrame) -> ir.Table:
    """The frame copied into a private in-memory DuckDB database.

    The query reads its input twice (totals, then rows); a DuckDB table is scanned several times
    faster than a pandas frame, and copying costs one scan.
    """
    connection = duckdb.connect()
    connection.register("frame_view", frame)
    connection.execute("CREATE TABLE panel AS SELECT * FROM frame_view")
    connection.unregister("frame_view")
    return ibis.duckdb.from_connection(connection).table("panel")


def _base(table: ir.Table, value: str, weight: str | None, keys: list[str]) -> ir.Table:
    raw_weight = table[weight].cast("float64") if weight else ibis.literal(1.0)
    return table.select(*keys, _v=table[value].cast("float64"), _rw=raw_weight)


def _group_totals(base: ir.Table, keys: list[str], specs: list[MeasureSpec]) -> ir.Table:
    """One row per group: the totals the measures are centred on and the diagnostics."""
    # Zero-weight rows drop out: weight 0 and value NULL, which every aggregate skips.
    w = ibis.ifelse(base._rw > 0, base._rw, 0.0)
    y = ibis.ifelse(w > 0, base._v, ibis.null("float64"))
    used = base._rw > 0
    sums: dict[str, ir.Value] = {
        "_wtot": w.sum(),
        "_ytot": (w * y).sum(),
        "_n": used.sum(),
        "_bad_weight": (base._rw.isnull() | base._rw.isnan() | (base._rw < 0)).sum(),
        "_bad_value": (used & (base._v.isnull() | base._v.isnan() | base._v.isinf())).sum(),
        "_negative": (used & (base._v < 0)).sum(),
        "_zero": (used & (base._v == 0)).sum(),
    }
    if any(s.measure.name == "variance_of_logs" for s in specs):
        sums["_mly"] = (w * _ln(y)).sum() / w.sum()
    return base.group_by(keys).aggregate(**sums) if keys else base.aggregate(**sums)


def _measured_rows(base: ir.Table, totals: ir.Table, keys: list[str], specs: list[MeasureSpec]) -> ir.Table:
    """The rows with positive weight, each with its group's totals, ``p``, ``r`` and ``cw``."""
    rows = base.filter(base._rw > 0).select(*keys, _y=base._v, _w=base._rw)
    if any(s.measure.name in _SORTED for s in specs):
        # The one ordered window, run before the join so that it sorts as few columns as possible.
        running = ibis.window(group_by=keys, order_by=rows._y, rows=(None, 0))
        rows = rows.mutate(_cw=rows._w.sum().over(running))
    shared = [c for c in ("_wtot", "_ytot", "_mly") if c in totals.columns]
    if keys:
        # Null-safe key equality, so that a group whose key is NULL is kept.
        condition = [rows[k].identical_to(totals[k]) for k in keys]
        rows = rows.join(totals, condition).select(rows, *[totals[c] for c in shared])
    else:
        rows = rows.cross_join(totals.select(*shared))
    return rows.mutate(_p=rows._w / rows._wtot, _r=rows._y / (rows._ytot / rows._wtot))


def _attach(totals: ir.Table, measured: ir.Table, keys: list[str]) -> ir.Table:
    """The totals and diagnostics of every group beside its measures (NULL where none)."""
    values = [c for c in measured.columns if c.startswith("_m")]
    if not keys:
        return totals.cross_join(measured.select(*values))
    condition = [totals[k].identical_to(measured[k]) for k in keys]
    return totals.left_join(measured, condition).select(totals, *[measured[c] for c in values])


def _ln(x: ir.NumericValue) -> ir.NumericValue:
    """Natural log that yields NULL instead of failing on zero or negative input."""
    return ibis.ifelse(x > 0, x, ibis.null("float64")).ln()


def _nonnegative(x: ir.NumericValue) -> ir.NumericValue:
    return ibis.ifelse(x >= 0, x, ibis.null("float64"))


def _power(x: ir.NumericValue, exponent: float) -> ir.NumericValue:
    # Engines call a general pow() for every row; a square root is several times cheaper.
    return x.sqrt() if exponent == 0.5 else x.pow(exponent)


def _where(condition: ir.BooleanValue, x: ir.Value) -> ir.Value:
    # A CASE inside the aggregate rather than a FILTER clause: DuckDB runs it faster.
    return ibis.ifelse(condition, x, ibis.null("float64"))


def _ge(t: ir.Table, p: Mapping[str, float]) -> ir.Value:
    alpha, r = p["alpha"], t._r
    if alpha == 1:
        terms = ibis.ifelse(r > 0, r * _ln(r), 0.0) - r + 1
    elif alpha == 0:
        terms = r - 1 - _ln(r)
    elif alpha == 2:
        terms = _squared_deviation(r, 1) / 2
    else:
        base = _nonnegative(r) if alpha > 0 else ibis.ifelse(r > 0, r, ibis.null("float64"))
        terms = (_power(base, alpha) - 1 - alpha * (r - 1)) / (alpha * (alpha - 1))
    return (t._p * terms).sum()


def _atkinson(t: ir.Table, p: Mapping[str, float]) -> ir.Value:
    epsilon = p["epsilon"]
    if epsilon == 1:
        return 1 - (t._p * _ln(t._r)).sum().exp()
    power_sum = (t._p * _power(_nonnegative(t._r), 1 - epsilon)).sum()
    return 1 - power_sum.pow(1 / (1 - epsilon))


def _gini(t: ir.Table, p: Mapping[str, float]) -> ir.Value:
    midpoint_rank = (t._cw - t._w / 2) / t._wtot
    return (t._p * (t._r - 1) * (2 * midpoint_rank - 1)).sum()


def _quantile(t: ir.Table, q: float) -> ir.Value:
    reach = (q - QUANTILE_TOLERANCE) * t._wtot
    first = _where(t._cw >= reach, t._y).min()
    exact = _where(t._cw >= reach, t._cw).min() <= (q + QUANTILE_TOLERANCE) * t._wtot.max()
    following = _where(t._cw - t._w >= reach, t._y).min()
    return ibis.ifelse(exact, (first + following.coalesce(first)) / 2, first)


def _lorenz(t: ir.Table, q: float) -> ir.Value:
    cut = q * t._wtot
    # Income of the rows wholly below the cut, plus the part of the row straddling it.
    below = ibis.ifelse(t._cw <= cut, t._w * t._y, 0.0).sum()
    reached = ibis.ifelse(t._cw <= cut, t._cw, 0.0).max()
    straddling = _where(t._cw > cut, t._y).min()
    return (below + (q * t._wtot.max() - reached) * straddling) / t._ytot.max()


def _nonzero(x: ir.Value) -> ir.Value:
    return ibis.ifelse(x != 0, x, ibis.null("float64"))


def _squared_deviation(x: ir.NumericValue, centre: ir.NumericValue | float) -> ir.NumericValue:
    deviation = x - centre
    return deviation * deviation


_Expression = Callable[[ir.Table, Mapping[str, float]], ir.Value]

_EXPRESSIONS: dict[str, _Expression] = {
    "gini": _gini,
    "theil": lambda t, p: _ge(t, {"alpha": 1.0}),
    "mld": lambda t, p: _ge(t, {"alpha": 0.0}),
    "ge": _ge,
    "atkinson": _atkinson,
    "cv": lambda t, p: (t._p * _squared_deviation(t._r, 1)).sum().sqrt(),
    "variance_of_logs": lambda t, p: (t._p * _squared_deviation(_ln(t._y), t._mly)).sum(),
    "hoover": lambda t, p: (t._p * (t._r - 1).abs()).sum() / 2,
    "max_min_ratio": lambda t, p: t._y.max() / _nonzero(t._y.min()),
    "palma": lambda t, p: (1 - _lorenz(t, 0.9)) / _nonzero(_lorenz(t, 0.4)),
    "share_ratio": lambda t, p: (1 - _lorenz(t, 1 - p["share"])) / _nonzero(_lorenz(t, p["share"])),
    "quantile_ratio": lambda t, p: _quantile(t, p["upper"]) / _nonzero(_quantile(t, p["lower"])),
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
    fail(result["_ytot"].fillna(0.0) <= 0, "the mean is zero in")
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
    wide = result[[*keys, *columns, "_n", "_wtot"]].rename(
        columns={**columns, "_n": "n", "_wtot": "total_weight"}
    )
    wide["_group"] = np.arange(len(wide))
    tidy = wide.melt(id_vars=[*keys, "_group", "n", "total_weight"], var_name="measure", value_name="value")
    tidy["_order"] = tidy["measure"].map({label: i for i, label in enumerate(labels)})
    tidy = tidy.sort_values(["_group", "_order"], kind="stable")
    tidy["value"] = tidy["value"].astype(np.float64)
    tidy["n"] = tidy["n"].astype(np.int64)
    tidy["total_weight"] = tidy["total_weight"].astype(np.float64)
    return tidy[[*keys, "measure", "value", "n", "total_weight"]].reset_index(drop=True)
