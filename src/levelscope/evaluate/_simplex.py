"""Ridge-penalised least squares on the probability simplex by accelerated projected gradient.

Used where the penalty makes solutions dense (synthetic difference-in-differences), so the
active-set solver in :mod:`levelscope.evaluate._optim` would have to add weights one by one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def project_to_simplex(v: FloatArray) -> FloatArray:
    """Euclidean projection onto ``{w >= 0, sum(w) = 1}`` (Duchi et al. 2008, figure 1)."""
    u = np.sort(v)[::-1]
    cumulative = np.cumsum(u) - 1.0
    ks = np.arange(1, v.size + 1)
    rho = np.nonzero(u - cumulative / ks > 0)[0][-1]
    return np.maximum(v - cumulative[rho] / (rho + 1), 0.0)


def ridge_simplex(
    a: FloatArray, b: FloatArray, penalty: float, tol: float = 1e-12, max_iter: int = 100_000
) -> FloatArray:
    """``argmin_w ||a w - b||² + penalty ||w||²`` over the simplex (FISTA with restarts).

    Stops when an iteration moves no weight by more than ``tol``.
    """
    n = a.shape[1]
    gram = a.T @ a
    linear = a.T @ b
    lipschitz = 2.0 * (np.linalg.eigvalsh(gram)[-1] + penalty)
    w = np.full(n, 1.0 / n)
    y, momentum = w.copy(), 1.0
    for _ in range(max_iter):
        gradient = 2.0 * (gram @ y - linear + penalty * y)
        w_next = project_to_simplex(y - gradient / lipschitz)
        if np.abs(w_next - w).max() < tol:
            return w_next
        next_momentum = (1 + np.sqrt(1 + 4 * momentum**2)) / 2
        if (y - w_next) @ (w_next - w) > 0:  # restart when the step goes uphill
            next_momentum, y = 1.0, w_next.copy()
        else:
            y = w_next + (momentum - 1) / next_momentum * (w_next - w)
        w, momentum = w_next, next_momentum
    return w
