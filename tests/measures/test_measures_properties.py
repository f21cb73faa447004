"""Axioms every measure should satisfy, checked on random inputs with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelscope.measures import MEASURES, decompose, parse_measure

SPECS = [
    "gini",
    "theil",
    "mld",
    "ge(2)",
    "ge(-1)",
    "ge(0.5)",
    "atkinson(0.5)",
    "atkinson(1)",
    "atkinson(2)",
    "cv",
    "variance_of_logs",
    "palma",
    "quantile_ratio",
    "quantile_ratio(0.75, 0.25)",
    "share_ratio",
    "hoover",
    "max_min_ratio",
]
# The variance of logarithms violates the transfer principle at high incomes, and quantiles
# can move either way when a transfer carries someone across them (Cowell 2011, ch. 3).
TRANSFER_SPECS = [s for s in SPECS if not s.startswith(("variance_of_logs", "quantile_ratio"))]

values = st.lists(
    st.floats(min_value=0.5, max_value=1e4, allow_nan=False).map(lambda v: round(v, 2)),
    min_size=2,
    max_size=30,
)
weighted = st.lists(
    st.tuples(
        st.floats(min_value=0.5, max_value=1e4).map(lambda v: round(v, 1)),
        st.integers(min_value=0, max_value=6),
    ),
    min_size=2,
    max_size=20,
).filter(lambda rows: sum(1 for _, w in rows if w > 0) >= 2)


def _close(a: float, b: float) -> bool:
    return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12))


@pytest.mark.parametrize("spec", SPECS)
@settings(max_examples=30, deadline=None)
@given(rows=weighted)
def test_weighted_equals_replicated(spec: str, rows: list[tuple[float, int]]) -> None:
    parsed = parse_measure(spec)
    y = np.array([v for v, _ in rows])
    w = np.array([n for _, n in rows], dtype=float)
    replicated = np.repeat(y, w.astype(int))
    assert _close(parsed.measure(y, w, **parsed.params), parsed.measure(replicated, **parsed.params))


@pytest.mark.parametrize("spec", SPECS)
@settings(max_examples=20, deadline=None)
@given(y=values, factor=st.sampled_from([0.001, 0.5, 3.0, 1000.0]), seed=st.integers(0, 99))
def test_scale_replication_and_symmetry(spec: str, y: list[float], factor: float, seed: int) -> None:
    parsed = parse_measure(spec)
    array = np.array(y)

    def value(data: np.ndarray) -> float:
        return parsed.measure(data, **parsed.params)

    base = value(array)
    assert _close(value(array * factor), base)  # scale invariance
    assert _close(value(np.tile(array, 3)), base)  # population replication
    assert _close(value(np.random.default_rng(seed).permutation(array)), base)  # symmetry


@pytest.mark.parametrize("spec", TRANSFER_SPECS)
@settings(max_examples=30, deadline=None)
@given(y=values, pick=st.tuples(st.integers(0, 29), st.integers(0, 29)), part=st.floats(0, 0.5))
def test_pigou_dalton_transfer(spec: str, y: list[float], pick: tuple[int, int], part: float) -> None:
    parsed = parse_measure(spec)
    array = np.array(y)
    rich, poor = pick[0] % array.size, pick[1] % array.size
    if array[rich] < array[poor]:
        rich, poor = poor, rich
    moved = array.copy()
    amount = part * (array[rich] - array[poor])  # at most half the gap: the pair keeps its order
    moved[rich] -= amount
    moved[poor] += amount
    before = parsed.measure(array, **parsed.params)
    after = parsed.measure(moved, **parsed.params)
    assert after <= before + 1e-12 * max(1.0, abs(before))


@pytest.mark.parametrize(
    "measure,alpha", [("theil", None), ("mld", None), ("ge", 2.0), ("ge", -0.5), ("ge", 0.5), ("gini", None)]
)
@settings(max_examples=30, deadline=None)
@given(rows=weighted, labels=st.lists(st.sampled_from("abcd"), min_size=20, max_size=20))
def test_decomposition_identity(
    measure: str, alpha: float | None, rows: list[tuple[float, int]], labels: list[str]
) -> None:
    y = np.array([v for v, _ in rows])
    w = np.array([n for _, n in rows], dtype=float)
    groups = labels[: y.size]
    result = decompose(y, groups, w, measure=measure, alpha=alpha)  # type: ignore[arg-type]
    parts = result.between + result.within + (result.overlap or 0.0)
    assert abs(parts - result.total) <= 1e-12
    assert result.between >= -1e-15 and result.within >= -1e-15
    if measure == "gini":
        assert result.overlap is not None and result.overlap >= -1e-12
    # The total is the measure of the undivided data.
    name = {"theil": "theil", "mld": "mld", "ge": "ge", "gini": "gini"}[measure]
    params = {} if alpha is None else {"alpha": alpha}
    assert _close(result.total, MEASURES[name](y, w, **params))
