"""Scalar inequality measures, each written once as a vectorised kernel.

Every measure takes ``values`` (say GVA per head of each region) and optional frequency
``weights`` (region *i* stands for ``w_i`` people) and returns a float. With integer weights the
result equals the unweighted measure of the data with each value repeated ``w_i`` times. Write
``p_i = w_i / sum(w)`` for population shares, ``mu = sum(p_i y_i)`` for the mean and
``r_i = y_i / mu`` for each value relative to the mean.

Each measure is a :class:`Measure` in the :data:`MEASURES` registry. Its *kernel* evaluates the
measure for many weight vectors at once (rows of a matrix): a bootstrap resample is just a
vector of multiplicities, so :func:`~levelscope.measures.inference.bootstrap` reuses the same
kernel that computes the point estimate.

Weighted quantiles (used by :func:`quantile_ratio`) follow definition 2 of Hyndman & Fan (1996)
applied to the weighted distribution: ``Q(q)`` is the smallest value whose cumulative population
share reaches ``q``; where the cumulative share equals ``q`` exactly (to 1e-12 of the total
weight) it is the average of that value and the next larger one. Unweighted, this is NumPy's
``method="averaged_inverted_cdf"``; with integer weights it equals the quantile of the
replicated data exactly, which no interpolating definition does.

Income shares of the top and bottom of the distribution (:func:`palma`, :func:`share_ratio`) are
read off the Lorenz curve, linear within each observation, so an observation that straddles the
cut-off counts in proportion.

References: Cowell, F. A. (2011) *Measuring Inequality*, 3rd ed., Oxford University Press;
Atkinson, A. B. (1970) "On the measurement of inequality", *Journal of Economic Theory* 2;
Williamson, J. G. (1965) "Regional inequality and the process of national development",
*Economic Development and Cultural Change* 13; Palma, J. G. (2011) "Homogeneous middles vs.
heterogeneous tails", *Development and Change* 42; Hoover, E. M. (1936) "The measurement of
industrial localization", *Review of Economics and Statistics* 18; Hyndman, R. J. & Fan, Y.
(1996) "Sample quantiles in statistical packages", *The American Statistician* 50.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numba
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.special import xlogy

from levelscope.errors import UndefinedMeasureError
from levelscope.measures._sorting import sort_with_weights
from levelscope.measures._validation import FloatArray, Sample, prepare
from levelscope.results import Result

if TYPE_CHECKING:
    import plotly.graph_objects as go

Kernel = Callable[..., FloatArray]

#: Tolerance, relative to the total weight, for "the cumulative share equals q exactly".
QUANTILE_TOLERANCE = 1e-12


# --- kernels: ``y`` has shape (n,) or (B, n), ``w`` has shape (B, n); they return shape (B,) ---


def _shares(w: FloatArray) -> FloatArray:
    return w / w.sum(axis=-1, keepdims=True)


def _relative_to_mean(y: FloatArray, p: FloatArray) -> FloatArray:
    return y / np.sum(p * y, axis=-1, keepdims=True)


def ge_terms(r: FloatArray, alpha: float) -> FloatArray:
    """Per-person terms of GE(alpha) for values relative to the mean; their weighted mean is GE.

    Each term has the tangent line at ``r = 1`` subtracted (its weighted sum is zero), which
    keeps every term non-negative and avoids cancellation when inequality is small.
    """
    if alpha == 1:
        return xlogy(r, r) - r + 1
    if alpha == 0:
        return r - 1 - np.log(r)
    return (np.power(r, alpha) - 1 - alpha * (r - 1)) / (alpha * (alpha - 1))


def _ge_kernel(y: FloatArray, w: FloatArray, *, alpha: float) -> FloatArray:
    p = _shares(w)
    return np.sum(p * ge_terms(_relative_to_mean(y, p), alpha), axis=-1)


def _theil_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    return _ge_kernel(y, w, alpha=1.0)


def _mld_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    return _ge_kernel(y, w, alpha=0.0)


def _weighted_sum(w: FloatArray, x: FloatArray) -> FloatArray:
    """``sum_i w[b, i] x[b, i]`` for each row ``b``; ``x`` of shape (n,) is shared by all rows."""
    if x.ndim == 1:
        return np.asarray(w @ x, dtype=np.float64)
    return np.einsum("ij,ij->i", w, x)


def _atkinson_kernel(y: FloatArray, w: FloatArray, *, epsilon: float) -> FloatArray:
    # In terms of y rather than r = y / mu, so that the power is taken once and the sums are
    # dot products: A = 1 - M / mu with M the power mean of order 1 - epsilon.
    total = w.sum(axis=-1)
    log_mean = np.log(_weighted_sum(w, y) / total)
    if epsilon == 1:
        return -np.expm1(_weighted_sum(w, np.log(y)) / total - log_mean)
    power_mean = (_weighted_sum(w, y ** (1 - epsilon)) / total) ** (1 / (1 - epsilon))
    return -np.expm1(np.log(power_mean) - log_mean)


def _cv_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    p = _shares(w)
    r = _relative_to_mean(y, p)
    return np.sqrt(np.sum(p * (r - 1) ** 2, axis=-1))


def _variance_of_logs_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    p = _shares(w)
    logs = np.log(y)
    mean_log = np.sum(p * logs, axis=-1, keepdims=True)
    return np.sum(p * (logs - mean_log) ** 2, axis=-1)


def _hoover_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    p = _shares(w)
    r = _relative_to_mean(y, p)
    return np.sum(p * np.abs(r - 1), axis=-1) / 2


def _max_min_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    present = w > 0
    highest = np.max(np.where(present, y, -np.inf), axis=-1)
    lowest = np.min(np.where(present, y, np.inf), axis=-1)
    with np.errstate(divide="ignore"):
        return highest / lowest


def _gini_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    # Needs ``y`` sorted ascending. G = 2 cov(r, F), with F the mid-point cumulative population
    # share; centring both factors keeps precision when inequality is small.
    p = _shares(w)
    r = _relative_to_mean(y, p)
    midpoint_rank = np.cumsum(p, axis=-1) - p / 2
    return np.sum(p * (r - 1) * (2 * midpoint_rank - 1), axis=-1)


@numba.njit(cache=True, error_model="numpy")
def _gini_sorted(y: FloatArray, w: FloatArray) -> float:  # pragma: no cover
    # The Gini kernel for one sample sorted ascending, in one fused pass after the totals.
    total = 0.0
    income = 0.0
    for i in range(y.size):
        total += w[i]
        income += w[i] * y[i]
    inverse_mean = total / income
    inverse_total = 1.0 / total
    below = 0.0
    acc = 0.0
    for i in range(y.size):
        # 2 F_i - 1, with F_i the mid-point cumulative population share.
        centred_rank = (2.0 * below + w[i]) * inverse_total - 1.0
        below += w[i]
        acc += w[i] * (y[i] * inverse_mean - 1.0) * centred_rank
    return acc * inverse_total


@numba.njit(cache=True, fastmath={"reassoc", "contract"})
def _gini_sorted_unweighted(y: FloatArray) -> float:  # pragma: no cover
    # The Gini kernel for one sorted sample with equal weights: midpoint ranks (k + 1/2) / n.
    # Both factors stay centred; reassociation lets the sum run in SIMD lanes.
    n = y.size
    inverse_mean = n / y.sum()
    acc = 0.0
    for k in range(n):
        acc += (y[k] * inverse_mean - 1) * ((2 * k + 1) / n - 1)
    return acc / n


@numba.njit(cache=True, error_model="numpy")
def _theil_weighted(y: FloatArray, w: FloatArray) -> float:  # pragma: no cover
    # Theil T of one sample in any order, in one pass after the totals: the weighted mean of
    # r ln r - r + 1 (the kernel's per-person terms). A zero weight contributes nothing, so a
    # bootstrap resample can pass its multiplicities times the weights as they are.
    total = 0.0
    income = 0.0
    for i in range(y.size):
        total += w[i]
        income += w[i] * y[i]
    inverse_mean = total / income
    acc = 0.0
    for i in range(y.size):
        r = y[i] * inverse_mean
        acc += w[i] * ((r * np.log(r) if r > 0.0 else 0.0) - r + 1.0)
    return acc / total


@numba.njit(cache=True, error_model="numpy")
def _cv_weighted(y: FloatArray, w: FloatArray) -> float:  # pragma: no cover
    # The (weighted) coefficient of variation of one sample in any order: the root of the
    # weighted mean of (r - 1)**2, as the kernel computes it.
    total = 0.0
    income = 0.0
    for i in range(y.size):
        total += w[i]
        income += w[i] * y[i]
    inverse_mean = total / income
    acc = 0.0
    for i in range(y.size):
        deviation = y[i] * inverse_mean - 1.0
        acc += w[i] * deviation * deviation
    return float(np.sqrt(acc / total))


def _theil_single(y: FloatArray, w: FloatArray | None) -> float:
    return float(_theil_weighted(y, np.ones_like(y) if w is None else w))


def _cv_single(y: FloatArray, w: FloatArray | None) -> float:
    return float(_cv_weighted(y, np.ones_like(y) if w is None else w))


def _gini_single(y: FloatArray, w: FloatArray | None) -> float:
    # Ties may come in any order: the midpoint-rank formula gives the same sum for every order.
    if w is None or w[0] == w.min() == w.max():
        # Equal weights: sorting the values alone is cheaper than sorting an index to them.
        return float(_gini_sorted_unweighted(np.sort(y)))
    return float(_gini_sorted(*sort_with_weights(y, w)))


@numba.njit(cache=True, inline="always")
def _root_or_reciprocal(x: float, exponent: float) -> float:  # pragma: no cover
    return float(np.sqrt(x)) if exponent == 0.5 else 1.0 / x


@numba.njit(cache=True, fastmath={"reassoc", "contract"})
def _power_sums(
    y: FloatArray, w: FloatArray, exponent: float
) -> tuple[float, float, float]:  # pragma: no cover
    # sum(w), sum(w y) and sum(w y**exponent) in one pass for exponent 1/2 or -1 (epsilon 1/2
    # or 2), an empty ``w`` standing for equal weights. Reassociation lets the sums run in SIMD
    # lanes, and no temporary array is written.
    income = 0.0
    powered = 0.0
    if w.size == 0:
        for i in range(y.size):
            income += y[i]
            powered += _root_or_reciprocal(y[i], exponent)
        return float(y.size), income, powered
    total = 0.0
    for i in range(y.size):
        total += w[i]
        income += w[i] * y[i]
        powered += w[i] * _root_or_reciprocal(y[i], exponent)
    return total, income, powered


_MANTISSA = np.uint64(0x000FFFFFFFFFFFFF)
_HALF = np.uint64(0x3FE0000000000000)  # the exponent bits of 0.5
_LOG_BLOCK = 512  # 512 factors in [1/2, 1) multiply to at least 2**-512: no underflow


@numba.njit(cache=True, fastmath={"reassoc", "contract"})
def _sum_of_logs(y: FloatArray) -> float:  # pragma: no cover
    # sum(log y) for positive y as the logs of products: each value splits into its binary
    # exponent (summed exactly as an integer) and its mantissa in [1/2, 1); the mantissas of a
    # block multiply with a relative error of at most 512 ulp, and one log per block replaces
    # one per value. NaN asks the caller to use plain logs (a subnormal value has no such split).
    bits = y.view(np.uint64)
    buffer = np.empty(_LOG_BLOCK, dtype=np.uint64)
    mantissas = buffer.view(np.float64)
    exponent_sum = 0
    log_sum = 0.0
    for start in range(0, y.size, _LOG_BLOCK):
        size = min(_LOG_BLOCK, y.size - start)
        for k in range(size):
            b = bits[start + k]
            exponent = int(b >> np.uint64(52))
            if exponent == 0:
                return np.nan
            exponent_sum += exponent - 1022
            buffer[k] = (b & _MANTISSA) | _HALF
        product = 1.0
        for k in range(size):
            product *= mantissas[k]
        log_sum += np.log(product)
    return log_sum + exponent_sum * np.log(2.0)


def _atkinson_single(y: FloatArray, w: FloatArray | None, *, epsilon: float) -> float:
    # The batched kernel's formula, A = 1 - M / mu, from three sums. For epsilon 1/2 (the
    # default) and 2 they come from one compiled pass, and for epsilon 1 with equal weights the
    # sum of logs comes from products; otherwise NumPy's vectorised log and power do better
    # than a compiled loop calling them one value at a time.
    exponent = 1 - epsilon
    if exponent in (0.5, -1.0):
        total, income, powered = _power_sums(y, np.empty(0) if w is None else w, exponent)
    elif exponent == 0 and w is None and not np.isnan(logs := _sum_of_logs(y)):
        total, income, powered = float(y.size), float(y.sum()), logs
    else:
        terms = np.log(y) if exponent == 0 else y**exponent
        if w is None:
            total, income, powered = float(y.size), float(y.sum()), float(terms.sum())
        else:
            total, income, powered = float(w.sum()), float(w @ y), float(w @ terms)
    log_mean = np.log(income / total)
    if exponent == 0:
        return float(-np.expm1(powered / total - log_mean))
    return float(-np.expm1(np.log(powered / total) / exponent - log_mean))


def weighted_quantile_sorted(y: FloatArray, w: FloatArray, q: float) -> FloatArray:
    """Quantile ``q`` of sorted ``y`` (shape (n,)) under each row of ``w`` (see module notes)."""
    rows = np.arange(w.shape[0])
    total = w.sum(axis=-1)
    cumulative = np.cumsum(w, axis=-1)
    reach = (q - QUANTILE_TOLERANCE) * total
    first = np.argmax(cumulative >= reach[:, None], axis=-1)
    exact = cumulative[rows, first] <= (q + QUANTILE_TOLERANCE) * total
    after = ((cumulative - w) >= reach[:, None]) & (w > 0)
    has_next = after.any(axis=-1)
    following = np.where(has_next, y[np.argmax(after, axis=-1)], y[first])
    return np.where(exact, (y[first] + following) / 2, y[first])


def lorenz_ordinate_sorted(y: FloatArray, w: FloatArray, q: float) -> FloatArray:
    """Share of income held by the poorest ``q`` of the population, for sorted ``y``."""
    rows = np.arange(w.shape[0])
    total = w.sum(axis=-1)
    cumulative = np.cumsum(w, axis=-1)
    cumulative_income = np.cumsum(w * y, axis=-1)
    cut = q * total
    first = np.argmax(cumulative >= cut[:, None], axis=-1)
    # Remove the part of the straddling observation that lies above the cut.
    below = cumulative_income[rows, first] - (cumulative[rows, first] - cut) * y[first]
    return below / cumulative_income[:, -1]


def _quantile_ratio_kernel(y: FloatArray, w: FloatArray, *, upper: float, lower: float) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return weighted_quantile_sorted(y, w, upper) / weighted_quantile_sorted(y, w, lower)


def _share_ratio_kernel(y: FloatArray, w: FloatArray, *, share: float) -> FloatArray:
    top = 1 - lorenz_ordinate_sorted(y, w, 1 - share)
    with np.errstate(divide="ignore", invalid="ignore"):
        return top / lorenz_ordinate_sorted(y, w, share)


def _palma_kernel(y: FloatArray, w: FloatArray) -> FloatArray:
    top_tenth = 1 - lorenz_ordinate_sorted(y, w, 0.9)
    with np.errstate(divide="ignore", invalid="ignore"):
        return top_tenth / lorenz_ordinate_sorted(y, w, 0.4)


# --- the registry ---


def _no_logs(params: Mapping[str, float]) -> bool:
    return False


def _always_logs(params: Mapping[str, float]) -> bool:
    return True


@dataclass(frozen=True)
class Measure:
    """One inequality measure: its kernel, parameters and domain.

    Calling a ``Measure`` validates the input and returns the measure as a float, so
    ``MEASURES["gini"](values, weights)`` equals ``gini(values, weights)``.
    """

    name: str
    title: str
    kernel: Kernel
    defaults: Mapping[str, float] = field(default_factory=dict)
    needs_sorted: bool = False
    takes_logs: Callable[[Mapping[str, float]], bool] = _no_logs
    undefined_when: str = "the input is degenerate"
    check_params: Callable[[Mapping[str, float]], None] | None = None
    #: Optional fused version of the kernel for one unsorted sample (point estimates), when the
    #: batched kernel is much slower on a single large sample. It is called as
    #: ``single(values, weights, **params)`` with ``weights=None`` for equal weights.
    single: Callable[..., float] | None = None

    def resolve(self, **params: float) -> dict[str, float]:
        """The full parameter set: defaults overridden by ``params``, validated."""
        unknown = set(params) - set(self.defaults)
        if unknown:
            allowed = ", ".join(self.defaults) or "none"
            raise ValueError(f"{self.name} has no parameter {sorted(unknown)}; allowed: {allowed}")
        resolved = {**self.defaults, **{k: float(v) for k, v in params.items()}}
        for key, value in resolved.items():
            if not np.isfinite(value):
                raise ValueError(f"{self.name}: {key} must be finite, got {value}")
        if self.check_params is not None:
            self.check_params(resolved)
        return resolved

    def prepare(self, values: ArrayLike, weights: ArrayLike | None, params: Mapping[str, float]) -> Sample:
        """Validate the input for this measure (see :mod:`levelscope.measures._validation`)."""
        return prepare(values, weights, measure=self.name, positive=self.takes_logs(params))

    def evaluate(self, sample: Sample, params: Mapping[str, float]) -> float:
        """The measure of an already validated sample."""
        if self.single is not None:
            weights = None if sample.equal_weights else sample.weights
            return self.check_result(np.array([self.single(sample.values, weights, **params)]))[0].item()
        y, w = sample.values, sample.weights
        if self.needs_sorted:
            # Ties may come in any order: every sorted measure here is invariant to it.
            y, w = sort_with_weights(y, w)
        return self.check_result(self.kernel(y, w[None, :], **params))[0].item()

    def check_result(self, result: FloatArray) -> FloatArray:
        """Raise rather than return NaN or infinity."""
        if not np.all(np.isfinite(result)):
            raise UndefinedMeasureError(f"{self.name} is undefined here: {self.undefined_when}")
        return result

    def __call__(self, values: ArrayLike, weights: ArrayLike | None = None, **params: float) -> float:
        resolved = self.resolve(**params)
        return self.evaluate(self.prepare(values, weights, resolved), resolved)


def _check_epsilon(params: Mapping[str, float]) -> None:
    if params["epsilon"] < 0:
        raise ValueError(f"atkinson: epsilon must be non-negative, got {params['epsilon']}")


def _check_quantiles(params: Mapping[str, float]) -> None:
    lower, upper = params["lower"], params["upper"]
    if not 0 < lower < upper < 1:
        raise ValueError(f"quantile_ratio needs 0 < lower < upper < 1, got {lower=}, {upper=}")


def _check_share(params: Mapping[str, float]) -> None:
    if not 0 < params["share"] <= 0.5:
        raise ValueError(f"share_ratio needs 0 < share <= 0.5, got {params['share']}")


_REGISTRY: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("gini", "Gini coefficient", _gini_kernel, needs_sorted=True, single=_gini_single),
        Measure("theil", "Theil T index, GE(1)", _theil_kernel, single=_theil_single),
        Measure("mld", "Mean log deviation, GE(0)", _mld_kernel, takes_logs=_always_logs),
        Measure(
            "ge",
            "Generalized entropy index",
            _ge_kernel,
            defaults={"alpha": 2.0},
            takes_logs=lambda p: p["alpha"] <= 0,
        ),
        Measure(
            "atkinson",
            "Atkinson index",
            _atkinson_kernel,
            defaults={"epsilon": 0.5},
            single=_atkinson_single,
            takes_logs=lambda p: p["epsilon"] >= 1,
            check_params=_check_epsilon,
        ),
        Measure("cv", "Coefficient of variation (weighted: Williamson index)", _cv_kernel,
                single=_cv_single),
        Measure(
            "variance_of_logs",
            "Variance of logarithms",
            _variance_of_logs_kernel,
            takes_logs=_always_logs,
        ),
        Measure(
            "palma",
            "Palma ratio (top 10% / bottom 40% income share)",
            _palma_kernel,
            needs_sorted=True,
            undefined_when="the bottom 40% hold no income",
        ),
        Measure(
            "quantile_ratio",
            "Quantile ratio (e.g. P90/P10)",
            _quantile_ratio_kernel,
            defaults={"upper": 0.9, "lower": 0.1},
            needs_sorted=True,
            undefined_when="the lower quantile is zero",
            check_params=_check_quantiles,
        ),
        Measure(
            "share_ratio",
            "Income share ratio (e.g. top 20% / bottom 20%)",
            _share_ratio_kernel,
            defaults={"share": 0.2},
            needs_sorted=True,
            undefined_when="the bottom group holds no income",
            check_params=_check_share,
        ),
        Measure("hoover", "Hoover index", _hoover_kernel),
        Measure(
            "max_min_ratio",
            "Ratio of the largest to the smallest value",
            _max_min_kernel,
            undefined_when="the smallest value is zero",
        ),
    )
}

#: Every measure by name. ``MEASURES[name](values, weights, **params)`` returns a float.
MEASURES: Mapping[str, Measure] = MappingProxyType(_REGISTRY)


@dataclass(frozen=True)
class MeasureSpec:
    """A measure with its parameters, as written in ``"atkinson(epsilon=1)"``."""

    measure: Measure
    params: Mapping[str, float]
    label: str


_SPEC = re.compile(r"^\s*([a-z_0-9]+)\s*(?:\((.*)\))?\s*$")


def parse_measure(spec: str | MeasureSpec) -> MeasureSpec:
    """Read ``"gini"``, ``"ge(2)"``, ``"atkinson(epsilon=1)"`` or ``"quantile_ratio(0.8, 0.2)"``.

    Positional arguments fill the parameters in the order of ``Measure.defaults``. The label is
    the name alone when no parameter is given, else ``name(key=value, ...)``.

    Parameters
    ----------
    spec
        A measure's name with optional parameters, or a spec already read.

    Returns
    -------
    MeasureSpec
        The measure, its parameters (defaults filled in) and its label.

    Raises
    ------
    ValueError
        An unknown measure (naming the known ones) or a parameter it does not take.

    Examples
    --------
    >>> spec = parse_measure("atkinson(epsilon=1)")
    >>> spec.label, dict(spec.params)
    ('atkinson(epsilon=1)', {'epsilon': 1.0})
    """
    if isinstance(spec, MeasureSpec):
        return spec
    match = _SPEC.match(spec)
    if not match or match.group(1) not in MEASURES:
        known = ", ".join(MEASURES)
        raise ValueError(f"unknown measure {spec!r}; known measures: {known}")
    measure = MEASURES[match.group(1)]
    given: dict[str, float] = {}
    arguments = [a.strip() for a in (match.group(2) or "").split(",") if a.strip()]
    names = list(measure.defaults)
    for position, argument in enumerate(arguments):
        key, _, text = argument.rpartition("=")
        key = key.strip() or (names[position] if position < len(names) else "")
        if not key:
            raise ValueError(f"{spec!r}: too many arguments for {measure.name}")
        try:
            given[key] = float(text)
        except ValueError as exc:
            raise ValueError(f"{spec!r}: {text!r} is not a number") from exc
    params = measure.resolve(**given)
    label = measure.name
    if given:
        label += "(" + ", ".join(f"{k}={v:g}" for k, v in given.items()) + ")"
    return MeasureSpec(measure, MappingProxyType(params), label)


# --- the public functions ---


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Gini coefficient: half the mean absolute difference relative to the mean.

    ``G = sum_i sum_j p_i p_j |y_i - y_j| / (2 mu)``, computed in O(n log n) as
    ``G = sum_i p_i (r_i - 1)(2 F_i - 1)`` over values sorted ascending, with
    ``F_i = p_1 + ... + p_(i-1) + p_i / 2`` (Cowell 2011, ch. 3). This is the population form
    (``n**2`` in the denominator), as in PySAL ``inequality.gini.Gini``.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The Gini coefficient, from 0 (all equal) towards 1 (one area holds everything).

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, negative
        values or a zero total).

    Examples
    --------
    >>> round(gini([1, 2, 3, 4]), 6)
    0.25
    """
    return MEASURES["gini"](values, weights)


def theil(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil T index, GE(1): ``T = sum_i p_i r_i ln r_i``.

    Zero values are allowed and contribute ``0 ln 0 = 0``.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        Theil T, 0 when all are equal; at most ``ln n``.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, negative
        values or a zero total).

    Examples
    --------
    >>> round(theil([1, 1, 2]), 6)
    0.058892
    """
    return MEASURES["theil"](values, weights)


def mld(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Mean log deviation (Theil L), GE(0): ``L = -sum_i p_i ln r_i``. Needs positive values.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The mean log deviation, 0 when all are equal.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, values
        that are not positive).

    Examples
    --------
    >>> round(mld([1, 1, 2]), 6)
    0.056633
    """
    return MEASURES["mld"](values, weights)


def generalized_entropy(values: ArrayLike, weights: ArrayLike | None = None, alpha: float = 2.0) -> float:
    """Generalized entropy index GE(alpha) (Cowell 2011, eq. 3.8).

    ``GE(alpha) = sum_i p_i (r_i**alpha - 1) / (alpha (alpha - 1))``; GE(1) is the Theil T
    index, GE(0) the mean log deviation, GE(2) half the squared coefficient of variation.
    ``alpha <= 0`` needs positive values.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.
    alpha
        Sensitivity: larger ``alpha`` weighs differences at the top more (the measure's own
        parameter, not a significance level).

    Returns
    -------
    float
        GE(alpha), 0 when all are equal.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, values
        that are not positive when ``alpha <= 0``).

    Examples
    --------
    >>> round(generalized_entropy([1, 2, 3], alpha=2), 6)
    0.083333
    """
    return MEASURES["ge"](values, weights, alpha=alpha)


def atkinson(values: ArrayLike, weights: ArrayLike | None = None, epsilon: float = 0.5) -> float:
    """Atkinson index with inequality aversion ``epsilon >= 0`` (Atkinson 1970).

    ``A = 1 - (sum_i p_i r_i**(1 - epsilon))**(1 / (1 - epsilon))``, and for ``epsilon = 1``
    ``A = 1 - exp(sum_i p_i ln r_i)`` (one minus the geometric over the arithmetic mean).
    ``epsilon >= 1`` needs positive values.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.
    epsilon
        Inequality aversion, 0 or more: the larger, the more weight on the lowest values.

    Returns
    -------
    float
        The Atkinson index in [0, 1): the share of the total that could be given up, shared out
        equally, without loss of welfare.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, values
        that are not positive when ``epsilon >= 1``).

    Examples
    --------
    >>> round(atkinson([10, 20, 30, 40, 50], epsilon=0.5), 5)
    0.06315
    """
    return MEASURES["atkinson"](values, weights, epsilon=epsilon)


def coefficient_of_variation(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Coefficient of variation ``sqrt(sum_i p_i (y_i - mu)**2) / mu``.

    Uses the population standard deviation (divisor ``sum w``, not ``n - 1``). Weighted by
    population it is the Williamson (1965) index of regional inequality.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The standard deviation over the mean.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, a mean of
        zero).

    Examples
    --------
    >>> round(coefficient_of_variation([1, 3]), 6)
    0.5
    """
    return MEASURES["cv"](values, weights)


def variance_of_logs(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Variance of logarithms ``sum_i p_i (ln y_i - m)**2`` with ``m = sum_i p_i ln y_i``.

    The spread around the log of the geometric mean (Cowell 2011's ``v_1``). Needs positive
    values.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The variance of the logarithms, 0 when all are equal.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, values
        that are not positive).

    Examples
    --------
    >>> round(variance_of_logs([1, 100]), 6)
    5.301898
    """
    return MEASURES["variance_of_logs"](values, weights)


def palma(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Palma ratio: the income share of the top 10% over that of the bottom 40% (Palma 2011).

    Shares are read off the Lorenz curve (see the module notes).

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The top 10%'s share over the bottom 40%'s (0.25 when all are equal).

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, a bottom
        40% that holds nothing).

    Examples
    --------
    >>> round(palma([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 12)
    0.25
    """
    return MEASURES["palma"](values, weights)


def quantile_ratio(
    values: ArrayLike, weights: ArrayLike | None = None, upper: float = 0.9, lower: float = 0.1
) -> float:
    """Ratio of two quantiles, ``Q(upper) / Q(lower)``; P90/P10 by default.

    Quantiles follow the weighted definition in the module notes (Hyndman & Fan type 2).

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.
    upper, lower
        The quantiles compared, as fractions (0.9 and 0.1: P90/P10).

    Returns
    -------
    float
        ``Q(upper) / Q(lower)``.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, a lower
        quantile of zero).

    Examples
    --------
    >>> quantile_ratio(list(range(1, 11)))
    6.333333333333333
    """
    return MEASURES["quantile_ratio"](values, weights, upper=upper, lower=lower)


def share_ratio(values: ArrayLike, weights: ArrayLike | None = None, share: float = 0.2) -> float:
    """Income share of the richest ``share`` of the population over that of the poorest.

    With ``share=0.2`` this is the S80/S20 ratio the OECD reports.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.
    share
        The fraction of the population at each end (0.2: S80/S20).

    Returns
    -------
    float
        The top ``share``'s income over the bottom ``share``'s.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, a bottom
        share that holds nothing).

    Examples
    --------
    >>> round(share_ratio([1, 2, 3, 4, 5]), 12)
    5.0
    """
    return MEASURES["share_ratio"](values, weights, share=share)


def hoover(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Hoover index: the share of income that would have to move for every person to have the
    mean, ``H = sum_i p_i |r_i - 1| / 2`` (Hoover 1936); the largest vertical gap between the
    Lorenz curve and the diagonal (the Schutz distance).

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The Hoover index in [0, 1).

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, a zero total).

    Examples
    --------
    >>> hoover([1000, 2000, 1500, 3000, 2500])
    0.15
    """
    return MEASURES["hoover"](values, weights)


def max_min_ratio(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Largest value over smallest value (observations with zero weight are ignored).

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    float
        The largest value over the smallest.

    Raises
    ------
    UndefinedMeasureError
        When the measure is undefined on the values (fewer than two, a missing value, a smallest
        value of zero).

    Examples
    --------
    >>> max_min_ratio([2, 5, 8])
    4.0
    """
    return MEASURES["max_min_ratio"](values, weights)


# --- the Lorenz curve ---


@dataclass(frozen=True, repr=False)
class LorenzCurve(Result):
    """Cumulative population share against cumulative income share, poorest first.

    Both arrays start at 0 and end at 1; the curve is linear between their points.
    """

    population_share: FloatArray = field(repr=False)
    income_share: FloatArray = field(repr=False)
    gini: float

    def at(self, population_share: float) -> float:
        """Share of income held by the poorest ``population_share`` of the population."""
        return float(np.interp(population_share, self.population_share, self.income_share))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"population_share": self.population_share, "income_share": self.income_share})

    def summary(self) -> str:
        points = len(self.population_share) - 1
        return (
            f"LorenzCurve over {points} observations; Gini {self.gini:.6g}; "
            f"bottom 40% hold {self.at(0.4):.2%}, top 10% hold {1 - self.at(0.9):.2%}"
        )

    def plot(self) -> go.Figure:
        """The curve and the line of equality, as a Plotly figure."""
        from levelscope.measures.plot import lorenz_figure

        return lorenz_figure(self)


def lorenz(values: ArrayLike, weights: ArrayLike | None = None) -> LorenzCurve:
    """The Lorenz curve of ``values`` under frequency ``weights``.

    Parameters
    ----------
    values
        One value per area (or person), e.g. GVA per head; a sequence, array or Series.
    weights
        Frequency weights, one per value (e.g. population); equal weights when omitted.

    Returns
    -------
    LorenzCurve
        Cumulative population and income shares, poorest first, and the Gini coefficient.

    Examples
    --------
    >>> lorenz([1, 3]).income_share.tolist()
    [0.0, 0.25, 1.0]
    """
    measure = MEASURES["gini"]
    sample = measure.prepare(values, weights, {})
    if sample.equal_weights:
        # With equal weights tied values are interchangeable, so sorting the values suffices.
        y = np.sort(sample.values)
        population = np.linspace(0.0, 1.0, y.size + 1)
        income = np.zeros(y.size + 1)
        np.cumsum(y, out=income[1:])
        gini_value = _gini_sorted_unweighted(y)
    else:
        y, w = sort_with_weights(sample.values, sample.weights)
        population = np.concatenate([[0.0], np.cumsum(w)]) / w.sum()
        income = np.concatenate([[0.0], np.cumsum(w * y)])
        gini_value = _gini_sorted(y, w)
    income /= income[-1]
    population[-1] = income[-1] = 1.0
    return LorenzCurve(population, income, float(measure.check_result(np.array([gini_value]))[0]))
