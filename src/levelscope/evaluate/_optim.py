"""Compiled solvers behind the synthetic-control estimators.

Two problems recur thousands of times in a synthetic control with placebos, so they are compiled
with numba and run without Python in the loop:

* the *inner* problem — donor weights on the simplex that best reproduce the treated unit,
  ``min_w ||A w - b||²  s.t.  w >= 0, sum(w) = 1`` — solved exactly by a primal active-set
  method (Lawson & Hanson's NNLS with the sum-to-one constraint eliminated on the passive set).
  The solution has at most ``k + 1`` positive weights for ``k`` rows of ``A``, so each step is a
  tiny least-squares solve however many donors there are, and a warm start from the previous
  solution usually finishes in one or two steps;
* the *outer* problem — predictor weights ``V`` chosen to minimise the pre-period outcome error
  of the weights they imply — by Nelder–Mead over ``V = |x| / sum|x|``, as R's Synth does.

Reference: Lawson, C. L. & Hanson, R. J. (1974), *Solving Least Squares Problems*, ch. 23.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@numba.njit(cache=True, nogil=True)
def _least_squares(a: FloatArray, y: FloatArray) -> FloatArray:
    """Least squares by Householder QR with column pivoting (a basic solution if rank-deficient).

    Hand-written rather than ``np.linalg.lstsq`` because the problems are tiny (at most one
    column per predictor) and this compiles in a fraction of the time.
    """
    k, p = a.shape
    r = a.copy()
    q = y.copy()
    perm = np.arange(p)
    rank = 0
    largest = 0.0
    for j in range(min(k, p)):
        best, best_norm = j, -1.0
        for c in range(j, p):
            norm = 0.0
            for i in range(j, k):
                norm += r[i, c] ** 2
            if norm > best_norm:
                best, best_norm = c, norm
        if j == 0:
            largest = np.sqrt(best_norm)
        if np.sqrt(best_norm) <= 1e-12 * largest or best_norm == 0.0:
            break
        if best != j:
            for i in range(k):
                r[i, j], r[i, best] = r[i, best], r[i, j]
            perm[j], perm[best] = perm[best], perm[j]
        x = r[j:, j].copy()
        alpha = -np.sqrt(best_norm) if x[0] >= 0 else np.sqrt(best_norm)
        x[0] -= alpha
        x_norm = np.sqrt((x**2).sum())
        if x_norm > 0.0:
            x /= x_norm
            for c in range(j, p):
                r[j:, c] -= 2.0 * x * (x @ r[j:, c])
            q[j:] -= 2.0 * x * (x @ q[j:])
        rank += 1
    coef = np.zeros(p)
    for i in range(rank - 1, -1, -1):
        acc = q[i]
        for c in range(i + 1, rank):
            acc -= r[i, c] * coef[c]
        coef[i] = acc / r[i, i]
    out = np.zeros(p)
    for i in range(p):
        out[perm[i]] = coef[i]
    return out


@numba.njit(cache=True, nogil=True)
def _equality_ls(a: FloatArray, b: FloatArray, passive: NDArray[np.int64]) -> FloatArray:
    """Least squares on the passive columns with their weights summing to one.

    Substituting the last weight as one minus the others turns the constrained problem into an
    ordinary least-squares problem in the remaining weights (minimum-norm if degenerate).
    """
    m = passive.shape[0]
    z = np.empty(m)
    last = a[:, passive[m - 1]].copy()  # contiguous, for fast products below
    if m == 1:
        z[0] = 1.0
        return z
    design = np.empty((a.shape[0], m - 1))
    for i in range(m - 1):
        design[:, i] = a[:, passive[i]] - last
    coef = _least_squares(design, b - last)
    z[: m - 1] = coef
    z[m - 1] = 1.0 - coef.sum()
    return z


@numba.njit(cache=True, nogil=True)
def simplex_least_squares(
    a: FloatArray, b: FloatArray, start: FloatArray, max_iter: int = 500
) -> FloatArray:
    """Exact minimiser of ``||a @ w - b||²`` over the probability simplex.

    ``start`` must be a point of the simplex (a warm start); its support is the first passive set
    unless it has more than ``k + 1`` positive weights (no optimum needs more), in which case the
    method starts from the single best donor.
    """
    k, n = a.shape
    w = start.copy()
    in_passive = w > 0.0
    if in_passive.sum() > k + 1:
        best = np.argmin(((a - b.reshape(k, 1)) ** 2).sum(axis=0))
        in_passive[:] = False
        in_passive[best] = True
        w[:] = 0.0
        w[best] = 1.0
    scale = 1.0 + np.abs(a).max() ** 2 + np.abs(b).max() ** 2
    tol = 1e-11 * scale
    for _ in range(max_iter):
        # Solve on the passive set, stepping back to feasibility while any weight goes negative.
        for _inner in range(n + 1):
            passive = np.nonzero(in_passive)[0]
            z = _equality_ls(a, b, passive)
            if z.min() > 0.0:
                w[:] = 0.0
                w[passive] = z
                break
            alpha = 1.0
            for i in range(passive.shape[0]):
                if z[i] <= 0.0:
                    wi = w[passive[i]]
                    step = wi / (wi - z[i])
                    alpha = min(alpha, step)
            for i in range(passive.shape[0]):
                j = passive[i]
                w[j] = w[j] + alpha * (z[i] - w[j])
                if w[j] <= 1e-14 or (z[i] <= 0.0 and w[j] <= 1e-12):
                    w[j] = 0.0
                    in_passive[j] = False
            if not in_passive.any():
                # Numerical corner: restart from the best single donor.
                best = np.argmin(((a - b.reshape(k, 1)) ** 2).sum(axis=0))
                in_passive[best] = True
                w[:] = 0.0
                w[best] = 1.0
            w /= w.sum()
        # Optimality: every inactive donor's gradient at least the passive set's common value.
        gradient = a.T @ (a @ w - b)
        level = 0.0
        count = 0
        for j in range(n):
            if in_passive[j]:
                level += gradient[j]
                count += 1
        level /= count
        best_j = -1
        best_drop = -tol
        for j in range(n):
            if not in_passive[j] and gradient[j] - level < best_drop:
                best_drop = gradient[j] - level
                best_j = j
        if best_j < 0:
            return w
        in_passive[best_j] = True
    return w


@numba.njit(cache=True, nogil=True)
def _weights_for_v(
    x: FloatArray, x0: FloatArray, x1: FloatArray, w: FloatArray
) -> FloatArray:
    root = np.sqrt(np.abs(x) / np.abs(x).sum())
    a = x0 * root.reshape(-1, 1)
    return simplex_least_squares(a, x1 * root, w)


@numba.njit(cache=True, nogil=True)
def _v_loss(
    x: FloatArray, x0: FloatArray, x1: FloatArray, z0: FloatArray, z1: FloatArray, w: FloatArray
) -> float:
    """Mean squared outcome error over the fit periods of the weights implied by ``V(x)``.

    ``w`` is updated in place so the next call starts warm.
    """
    if np.abs(x).sum() == 0.0:
        return np.inf
    w[:] = _weights_for_v(x, x0, x1, w)
    gap = z1 - z0 @ w
    return float(gap @ gap) / gap.shape[0]


@numba.njit(cache=True, nogil=True)
def _sort_simplex(pts: FloatArray, vals: FloatArray) -> None:
    """Order vertices by loss in place (insertion sort: the simplex is small and nearly sorted)."""
    for i in range(1, vals.shape[0]):
        j = i
        while j > 0 and vals[j - 1] > vals[j]:
            vals[j - 1], vals[j] = vals[j], vals[j - 1]
            row = pts[j - 1].copy()
            pts[j - 1] = pts[j]
            pts[j] = row
            j -= 1


@numba.njit(cache=True, nogil=True)
def _nelder_mead(
    start: FloatArray,
    x0: FloatArray,
    x1: FloatArray,
    z0: FloatArray,
    z1: FloatArray,
    w: FloatArray,
    max_evals: int,
    rel_tol: float,
) -> tuple[FloatArray, float]:
    """Nelder–Mead with the usual coefficients (reflect 1, expand 2, contract ½, shrink ½).

    Stops when the simplex's loss values agree to ``rel_tol`` (R's ``optim`` rule) or after
    ``max_evals`` evaluations.
    """
    d = start.shape[0]
    pts = np.empty((d + 1, d))
    vals = np.empty(d + 1)
    pts[0] = start
    for i in range(d):
        p = start.copy()
        p[i] = p[i] * 1.05 if p[i] != 0.0 else 0.00025
        pts[i + 1] = p
    for i in range(d + 1):
        vals[i] = _v_loss(pts[i], x0, x1, z0, z1, w)
    evals = d + 1
    while evals < max_evals:
        _sort_simplex(pts, vals)
        if vals[d] - vals[0] <= rel_tol * (abs(vals[0]) + rel_tol):
            break
        centre = pts[:d].sum(axis=0) / d
        reflected = centre + (centre - pts[d])
        f_r = _v_loss(reflected, x0, x1, z0, z1, w)
        evals += 1
        if f_r < vals[0]:
            expanded = centre + 2.0 * (centre - pts[d])
            f_e = _v_loss(expanded, x0, x1, z0, z1, w)
            evals += 1
            if f_e < f_r:
                pts[d], vals[d] = expanded, f_e
            else:
                pts[d], vals[d] = reflected, f_r
            continue
        if f_r < vals[d - 1]:
            pts[d], vals[d] = reflected, f_r
            continue
        if f_r < vals[d]:
            contracted = centre + 0.5 * (reflected - centre)
        else:
            contracted = centre + 0.5 * (pts[d] - centre)
        f_c = _v_loss(contracted, x0, x1, z0, z1, w)
        evals += 1
        if f_c < f_r and f_c < vals[d]:
            pts[d], vals[d] = contracted, f_c
            continue
        for i in range(1, d + 1):
            pts[i] = pts[0] + 0.5 * (pts[i] - pts[0])
            vals[i] = _v_loss(pts[i], x0, x1, z0, z1, w)
        evals += d
    best = np.argmin(vals)
    return pts[best].copy(), vals[best]


@numba.njit(cache=True, nogil=True)
def fit_v(
    starts: FloatArray,
    x0: FloatArray,
    x1: FloatArray,
    z0: FloatArray,
    z1: FloatArray,
    max_evals: int,
    rel_tol: float,
) -> tuple[FloatArray, FloatArray, float]:
    """Nested optimisation: the ``V`` (normalised to sum 1) with the lowest outcome error.

    Each row of ``starts`` seeds one Nelder–Mead run, which is restarted once from its own
    optimum (Nelder–Mead can stall on a degenerate simplex); the best result over all runs wins.
    Returns ``(v, w, loss)``.
    """
    n = x0.shape[1]
    best_loss = np.inf
    best_x = starts[0].copy()
    for s in range(starts.shape[0]):
        w = np.full(n, 1.0 / n)
        x, loss = _nelder_mead(starts[s], x0, x1, z0, z1, w, max_evals, rel_tol)
        x, loss = _nelder_mead(x, x0, x1, z0, z1, w, max_evals, rel_tol)
        if loss < best_loss:
            best_loss, best_x = loss, x
    v = np.abs(best_x) / np.abs(best_x).sum()
    w = _weights_for_v(v, x0, x1, np.full(n, 1.0 / n))
    gap = z1 - z0 @ w
    return v, w, float(gap @ gap) / gap.shape[0]
