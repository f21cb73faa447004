"""Weights: equal, set by the user, or derived from the correlation structure of the data.

``pca_weights`` uses the first principal component of the indicators' correlation matrix: the
weight of indicator j is its squared loading scaled to unity sum, which for the first component
is simply the squared entry of its eigenvector.

``factor_weights`` is the procedure of the OECD/JRC *Handbook on Constructing Composite
Indicators* (2008), section 6.1:

1. principal components of the correlation matrix;
2. keep the components with eigenvalue above 1 that each explain more than 10 % of the
   variance (at least one);
3. rotate their loadings ``L = V sqrt(lambda)`` by varimax (with Kaiser normalisation);
4. square the rotated loadings and scale them to unity sum within each factor;
5. give each indicator to the factor on which its scaled squared loading is largest;
6. weight each factor by its share of the variance the rotated factors explain, an indicator by
   its factor's weight times its scaled squared loading, and rescale all weights to sum to one.

Examples
--------
>>> equal_weights(["a", "b", "c", "d"]).tolist()
[0.25, 0.25, 0.25, 0.25]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from levelscope.errors import UndefinedMeasureError


def equal_weights(ids: Iterable[str]) -> pd.Series:
    """Weight ``1/k`` for each of ``k`` indicators."""
    ids = list(ids)
    if not ids:
        raise UndefinedMeasureError("no indicators to weight")
    return pd.Series(1.0 / len(ids), index=ids, name="weight")


def scale_weights(weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """User weights rescaled to sum to one; negative or all-zero weights are an error."""
    series = pd.Series(weights, dtype=float, name="weight")
    if (series < 0).any() or series.isna().any():
        raise UndefinedMeasureError(f"weights must be non-negative numbers: {series.to_dict()}")
    total = series.sum()
    if total <= 0:
        raise UndefinedMeasureError("weights sum to zero")
    return series / total


def principal_components(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors (columns) of the correlation matrix.

    Uses the areas with every indicator observed. Each eigenvector's sign is fixed so that its
    largest entry in absolute value is positive.
    """
    complete = frame.dropna()
    if len(complete) < 3:
        raise UndefinedMeasureError(
            "principal components need at least three areas with every indicator observed"
        )
    if (complete.std() == 0).any():
        raise UndefinedMeasureError("an indicator takes a single value; correlations undefined")
    correlation = np.corrcoef(complete.to_numpy(dtype=float), rowvar=False)
    values, vectors = np.linalg.eigh(np.atleast_2d(correlation))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])])
    return values, vectors * signs


def pca_weights(frame: pd.DataFrame) -> pd.Series:
    """Squared loadings on the first principal component, scaled to sum to one.

    Parameters
    ----------
    frame
        Areas by indicators; rows with a gap are left out.

    Returns
    -------
    pandas.Series
        One weight per indicator, summing to one.

    Examples
    --------
    >>> frame = pd.DataFrame({"unemployment": [7.5, 6.0, 5.2, 4.1, 3.0],
    ...                       "pay": [480.0, 510.0, 560.0, 600.0, 690.0],
    ...                       "bad_health": [8.1, 6.2, 6.8, 5.2, 4.9]}, index=list("ABCDE"))
    >>> pca_weights(frame).round(2).to_dict()
    {'unemployment': 0.35, 'pay': 0.33, 'bad_health': 0.32}
    """
    if frame.shape[1] == 1:
        return equal_weights(frame.columns)
    _, vectors = principal_components(frame)
    return pd.Series(vectors[:, 0] ** 2, index=frame.columns, name="weight")


def varimax(
    loadings: np.ndarray, *, normalize: bool = True, max_iter: int = 1000, tol: float = 1e-5
) -> np.ndarray:
    """Varimax rotation of a loadings matrix (indicators by factors).

    Kaiser's criterion, maximised by the iterative SVD algorithm also used by R's
    ``stats::varimax``; with ``normalize`` the rows are scaled to unit length first.
    """
    loadings = np.asarray(loadings, dtype=float)
    n_rows, n_factors = loadings.shape
    if n_factors < 2:
        return loadings.copy()
    norms = np.sqrt((loadings**2).sum(axis=1, keepdims=True)) if normalize else 1.0
    x = loadings / norms
    rotation = np.eye(n_factors)
    criterion = 0.0
    for _ in range(max_iter):
        z = x @ rotation
        target = z**3 - z @ np.diag((z**2).sum(axis=0)) / n_rows
        u, s, vt = np.linalg.svd(x.T @ target)
        rotation = u @ vt
        previous, criterion = criterion, s.sum()
        if criterion < previous * (1 + tol):
            break
    return (x @ rotation) * norms


def factor_weights(frame: pd.DataFrame, *, n_factors: int | None = None) -> pd.Series:
    """Weights by the Handbook's rotated-factor procedure (see the module docstring).

    Parameters
    ----------
    frame
        Areas by (normalised) indicators; areas with a gap are left out.
    n_factors
        Factors to keep; by default those with eigenvalue > 1 and > 10 % of the variance.

    Returns
    -------
    pandas.Series
        One weight per indicator, summing to one.

    Examples
    --------
    >>> frame = pd.DataFrame({"unemployment": [7.5, 6.0, 5.2, 4.1, 3.0],
    ...                       "pay": [480.0, 510.0, 560.0, 600.0, 690.0],
    ...                       "bad_health": [8.1, 6.2, 6.8, 5.2, 4.9]}, index=list("ABCDE"))
    >>> factor_weights(frame).round(2).to_dict()  # one factor here, so as pca_weights
    {'unemployment': 0.35, 'pay': 0.33, 'bad_health': 0.32}
    """
    if frame.shape[1] == 1:
        return equal_weights(frame.columns)
    values, vectors = principal_components(frame)
    if n_factors is None:
        share = values / values.sum()
        n_factors = max(1, int(np.sum((values > 1) & (share > 0.10))))
    loadings = vectors[:, :n_factors] * np.sqrt(np.clip(values[:n_factors], 0, None))
    rotated = varimax(loadings)
    squared = rotated**2
    explained = squared.sum(axis=0)
    scaled = squared / explained
    factor_of = scaled.argmax(axis=1)
    factor_weight = explained / explained.sum()
    raw = factor_weight[factor_of] * scaled[np.arange(len(scaled)), factor_of]
    return pd.Series(raw / raw.sum(), index=frame.columns, name="weight")
