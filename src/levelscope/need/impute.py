"""Missing data: report it, and fill it by mean, median, group mean or regression.

The report comes first (OECD/JRC Handbook 2008, section 4): the share missing per indicator
and the coverage per area. Imputation then returns the filled frame together with a mask of
the cells it filled, so that every imputed value can be shown as such.

Regression imputation is chained linear regression: start from the column means, then, round
after round, regress each incomplete indicator on all the others (using the areas where it is
observed) and predict its missing values, until the filled values stop changing. With
indicators visited from the least to the most incomplete this is the algorithm of
scikit-learn's ``IterativeImputer`` with a linear-regression estimator.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"a": [1.0, None, 3.0], "b": [1.0, 2.0, 3.0]})
>>> impute(frame, "mean").values["a"].tolist()
[1.0, 2.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError
from levelscope.results import Result


@dataclass(frozen=True, repr=False)
class Imputation(Result):
    """Filled values, which cells were filled, and how."""

    values: pd.DataFrame
    imputed: pd.DataFrame
    method: str

    @property
    def n_imputed(self) -> int:
        return int(self.imputed.to_numpy().sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per area and indicator: ``geography_code``, ``indicator_id``, ``value`` and
        whether it was ``imputed``."""
        def long(frame: pd.DataFrame, name: str) -> pd.DataFrame:
            return frame.rename_axis(index="geography_code", columns=None).reset_index().melt(
                id_vars="geography_code", var_name="indicator_id", value_name=name)

        table = long(self.values, "value")
        table["imputed"] = long(self.imputed.reindex_like(self.values), "imputed")["imputed"].astype(bool)
        return table

    def summary(self) -> str:
        cells = self.values.size
        return f"Imputation ({self.method}): {self.n_imputed} of {cells} values filled"


def missing_report(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Share of areas missing each indicator, and share of indicators each area has.

    Parameters
    ----------
    frame
        Areas by indicators, with gaps as missing values.

    Returns
    -------
    tuple of pandas.Series
        ``share_missing`` by indicator and ``coverage`` by area.

    Examples
    --------
    >>> frame = pd.DataFrame({"pay": [500.0, None, 520.0, 610.0], "jobs": [0.7, 0.8, 0.75, 0.9]},
    ...                      index=list("ABCD"))
    >>> by_indicator, by_area = missing_report(frame)
    >>> by_indicator.to_dict(), by_area.to_dict()
    ({'pay': 0.25, 'jobs': 0.0}, {'A': 1.0, 'B': 0.5, 'C': 1.0, 'D': 1.0})
    """
    missing = frame.isna()
    return missing.mean(axis=0).rename("share_missing"), (1 - missing.mean(axis=1)).rename("coverage")


def impute(
    frame: pd.DataFrame,
    method: str,
    *,
    groups: pd.Series | None = None,
    max_iter: int = 20,
    tol: float = 1e-6,
) -> Imputation:
    """Fill missing values.

    Parameters
    ----------
    frame
        Areas by indicators.
    method
        ``"none"`` (leave gaps), ``"mean"``, ``"median"``, ``"group_mean"`` (mean of the
        area's group, e.g. its region; needs ``groups``) or ``"regression"``.
    groups
        Group label of each area, indexed like ``frame``.
    max_iter, tol
        Rounds and stopping rule of regression imputation: stop when the largest change in a
        filled value is below ``tol`` times the largest absolute observed value.

    Raises
    ------
    UndefinedMeasureError
        When an indicator (or, for ``group_mean``, an indicator within a group) has no observed
        value to impute from.
    """
    mask = frame.isna()
    if method == "none" or not mask.to_numpy().any():
        return Imputation(frame.astype(float), mask & False, method)
    empty = list(frame.columns[frame.notna().sum() == 0])
    if empty:
        raise UndefinedMeasureError(f"indicators {empty} have no observed values to impute from")
    if method == "mean":
        filled = frame.fillna(frame.mean())
    elif method == "median":
        filled = frame.fillna(frame.median())
    elif method == "group_mean":
        filled = _group_mean(frame, groups)
    elif method == "regression":
        filled = _chained_regression(frame, max_iter=max_iter, tol=tol)
    else:
        raise ValueError(f"unknown imputation method {method!r}")
    return Imputation(filled.astype(float), mask, method)


def _group_mean(frame: pd.DataFrame, groups: pd.Series | None) -> pd.DataFrame:
    if groups is None:
        raise ValueError("group_mean imputation needs the group of each area")
    labels = groups.reindex(frame.index)
    if labels.isna().any():
        raise UndefinedMeasureError(f"areas without a group: {list(labels.index[labels.isna()][:10])}")
    means = frame.groupby(labels).transform("mean")
    gaps = frame.isna() & means.isna()
    if gaps.to_numpy().any():
        column = gaps.columns[np.asarray(gaps.any())][0]
        group = labels[gaps[column]].iloc[0]
        raise UndefinedMeasureError(f"group {group!r} has no observed value of {column!r} to impute from")
    return frame.fillna(means)


def _chained_regression(frame: pd.DataFrame, *, max_iter: int, tol: float) -> pd.DataFrame:
    observed = frame.to_numpy(dtype=float)
    missing = np.isnan(observed)
    filled = np.where(missing, np.nanmean(observed, axis=0), observed)
    counts = missing.sum(axis=0)
    # Least incomplete first, as scikit-learn's "ascending" order; ties keep column order.
    order = [j for j in np.argsort(counts, kind="stable") if counts[j] > 0]
    threshold = tol * np.nanmax(np.abs(observed))
    for _ in range(max_iter):
        previous = filled.copy()
        for j in order:
            rows = ~missing[:, j]
            design = np.column_stack([np.ones(len(filled)), np.delete(filled, j, axis=1)])
            beta, *_ = np.linalg.lstsq(design[rows], observed[rows, j], rcond=None)
            filled[~rows, j] = design[~rows] @ beta
        if np.max(np.abs(filled - previous)) < threshold:
            break
    return pd.DataFrame(filled, index=frame.index, columns=frame.columns)
