"""The numerical problems of a synthetic control: scaled predictors, the nested fit of ``V`` and
the donor weights ``W``, for one design or many (placebos) at once.

The compiled kernels are in :mod:`levelscope.evaluate._optim`; this module turns a
:class:`~levelscope.evaluate.synth_design.SynthDesign` into their inputs and runs them in
parallel threads (the kernels release the GIL).
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from levelscope.evaluate import _optim
from levelscope.evaluate.panel import DesignError, Panel
from levelscope.evaluate.synth_design import (
    CrossValidation,
    Predictor,
    Progress,
    SynthDesign,
    as_predictor,
)

_MAX_EVALS_PER_PREDICTOR = 400
_MIN_MAX_EVALS = 2000
_REL_TOL = 1e-10


@dataclass(frozen=True)
class _Arrays:
    """One scaled problem: predictors ``x1``/``x0`` and fit-period outcomes ``z1``/``z0``."""

    x1: NDArray[np.float64]
    x0: NDArray[np.float64]
    z1: NDArray[np.float64]
    z0: NDArray[np.float64]
    starts: NDArray[np.float64]


def predictor_values(
    panel: Panel, predictors: Sequence[Predictor], rows: Sequence[int]
) -> NDArray[np.float64]:
    """``(k, len(rows))`` predictor averages, skipping missing values."""
    out = np.empty((len(predictors), len(rows)))
    for i, spec in enumerate(predictors):
        cols = panel.time_positions(spec.periods or (), f"predictor {spec.label()!r}")
        block = panel.variable(spec.variable)[np.ix_(np.asarray(rows, dtype=np.int64), cols)]
        empty = np.isnan(block).all(axis=1)
        if empty.any():
            who = [panel.units[rows[j]] for j in np.flatnonzero(empty)[:5]]
            raise DesignError(
                f"predictor {spec.label()!r} has no value in its periods for {who}"
            )
        out[i] = np.nanmean(block, axis=1)
    return out


def _scaled(
    panel: Panel, predictors: Sequence[Predictor], rows: Sequence[int]
) -> NDArray[np.float64]:
    raw = predictor_values(panel, predictors, rows)
    sd = raw.std(axis=1, ddof=1)
    flat = np.flatnonzero(sd <= 1e-12 * (1.0 + np.abs(raw).max(axis=1)))
    if flat.size:
        names = [predictors[int(i)].label() for i in flat]
        raise DesignError(f"predictors {names} take the same value for every unit; drop them")
    scaled = raw / sd[:, None]
    _check_collinear(scaled, predictors)
    return scaled


def _check_collinear(scaled: NDArray[np.float64], predictors: Sequence[Predictor]) -> None:
    k, n = scaled.shape
    if n <= k + 1:
        return  # more predictors than units: collinearity is unavoidable and harmless to W
    import scipy.linalg

    design = np.column_stack([np.ones(n), scaled.T])
    _, r, order = scipy.linalg.qr(design, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > 1e-9 * diag[0]).sum())
    if rank < k + 1:
        redundant = [predictors[j - 1].label() for j in order[rank:] if j > 0]
        raise DesignError(
            f"predictors are perfectly collinear: {redundant} are exact linear combinations "
            "of the others (plus a constant); drop them"
        )


def problem(
    design: SynthDesign,
    treated: Hashable,
    donors: Sequence[Hashable],
    predictors: Sequence[Predictor] | None = None,
    fit_periods: Sequence[float] | None = None,
) -> _Arrays:
    panel = design.panel
    rows = [panel.unit_index(treated), *(panel.unit_index(d) for d in donors)]
    x = _scaled(panel, design.predictors if predictors is None else predictors, rows)
    cols = panel.time_positions(design.fit_periods if fit_periods is None else fit_periods, "fit")
    z = panel.outcome[np.ix_(np.asarray(rows, dtype=np.int64), cols)].T
    contiguous = np.ascontiguousarray
    return _Arrays(
        contiguous(x[:, 0]), contiguous(x[:, 1:]), contiguous(z[:, 0]), contiguous(z[:, 1:]),
        _starts(x, z),
    )


def _starts(x: NDArray[np.float64], z: NDArray[np.float64]) -> NDArray[np.float64]:
    """Nelder–Mead starting points: equal weights and, where the regression is identified,
    Synth's regression-based start (squared coefficients of the fit-period outcomes on the
    predictors across units)."""
    k, n = x.shape
    equal = np.full(k, 1.0 / k)
    if n <= k + 1:
        return equal[None, :]
    design = np.column_stack([np.ones(n), x.T])
    beta = np.linalg.lstsq(design, z.T, rcond=None)[0][1:]
    strength = (beta**2).sum(axis=1)
    if strength.sum() <= 0:
        return equal[None, :]
    return np.vstack([equal, strength / strength.sum()])


def _resolve_predictors(design: SynthDesign, cv: CrossValidation) -> list[Predictor]:
    return [as_predictor(p, cv.predictor_periods) for p in cv.predictors]


def solve_many(
    design: SynthDesign,
    jobs: Sequence[tuple[Hashable, Sequence[Hashable]]],
    progress: Progress | None = None,
) -> list[tuple[NDArray[np.float64], NDArray[np.float64], float]]:
    """Fit ``(treated, donors)`` problems that share the design's specification.

    Problems with equal shapes are solved in parallel batches; ``progress`` hears after each.
    """
    v_choice = design.v
    main = [problem(design, t, d) for t, d in jobs]
    if isinstance(v_choice, str) or not isinstance(v_choice, CrossValidation):
        if v_choice == "optimize":
            vs = _optimise_v(main, progress)
        else:
            k = len(design.predictors)
            fixed = np.full(k, 1.0 / k) if v_choice == "equal" else np.asarray(v_choice, float)
            vs = [fixed / fixed.sum()] * len(main)
            if progress:
                progress(len(main), len(main))
    else:
        training_specs = _resolve_predictors(design, v_choice)
        training = [
            problem(design, t, d, training_specs, v_choice.fit_periods) for t, d in jobs
        ]
        vs = _optimise_v(training, progress)
    out = []
    for arrays, v in zip(main, vs, strict=True):
        root = np.sqrt(v)
        n = arrays.x0.shape[1]
        w = _optim.simplex_least_squares(
            arrays.x0 * root[:, None], arrays.x1 * root, np.full(n, 1.0 / n)
        )
        gap = arrays.z1 - arrays.z0 @ w
        out.append((v, w, float(gap @ gap) / gap.size))
    return out


def _optimise_v(
    problems: Sequence[_Arrays], progress: Progress | None
) -> list[NDArray[np.float64]]:
    """Nested optimisation for each problem; compiled code releases the GIL, so threads run
    problems in parallel."""
    k = problems[0].x0.shape[0]
    max_evals = max(_MIN_MAX_EVALS, _MAX_EVALS_PER_PREDICTOR * k)

    def solve(p: _Arrays) -> NDArray[np.float64]:
        v, _, _ = _optim.fit_v(p.starts, p.x0, p.x1, p.z0, p.z1, max_evals, _REL_TOL)
        return np.asarray(v)

    if len(problems) == 1:
        out = [solve(problems[0])]
        if progress:
            progress(1, 1)
        return out
    results: list[NDArray[np.float64]] = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for done, v in enumerate(pool.map(solve, problems), 1):
            results.append(v)
            if progress:
                progress(done, len(problems))
    return results
