"""The standardised context distance, checked against hand calculations."""

from __future__ import annotations

import math

import pytest

from levelscope.design.context import (
    PlaceContext,
    context_distance,
    context_similarity,
    feature_scales,
)
from levelscope.errors import UndefinedMeasureError

A = PlaceContext(population=1e5, income_index=80, governance="single_authority")
B = PlaceContext(population=1e6, income_index=120, governance="combined_authority")
C = PlaceContext(population=1e4, income_index=100, governance="single_authority")


def test_scales_are_sample_standard_deviations() -> None:
    # size: log10 = 5, 6, 4 -> mean 5, sd = sqrt((0 + 1 + 1) / 2) = 1
    # income: 80, 120, 100 -> mean 100, sd = sqrt((400 + 400 + 0) / 2) = 20
    assert feature_scales([A, B, C]) == pytest.approx({"size": 1.0, "income": 20.0})


def test_distance_by_hand() -> None:
    scales = {"size": 1.0, "income": 20.0}
    # A-B: size (5-6)/1 = -1 -> 1; income (80-120)/20 = -2 -> 4; governance differs -> 1
    #      d = sqrt((1 + 4 + 1) / 3) = sqrt(2)
    assert context_distance(A, B, scales) == pytest.approx(math.sqrt(2))
    assert context_similarity(A, B, scales) == pytest.approx(1 / (1 + math.sqrt(2)))
    # A-C: size 1 -> 1; income (80-100)/20 = -1 -> 1; governance same -> 0; d = sqrt(2/3)
    assert context_distance(A, C, scales) == pytest.approx(math.sqrt(2 / 3))
    assert context_distance(A, A, scales) == 0.0


def test_only_shared_features_count() -> None:
    scales = {"size": 1.0, "income": 20.0}
    only_size = PlaceContext(population=1e7)
    # shared with A: size only, (7 - 5) / 1 = 2 -> d = sqrt(4 / 1) = 2
    assert context_distance(only_size, A, scales) == pytest.approx(2.0)
    assert context_distance(PlaceContext(), A, scales) is None
    assert context_similarity(PlaceContext(governance="combined_authority"), A, scales) == 0.5


def test_unscalable_feature_is_left_out() -> None:
    # industry known for one place only: no spread to scale by
    one = PlaceContext(population=1e5, manufacturing_share=20.0)
    assert "industry" not in feature_scales([one, PlaceContext(population=1e6)])
    assert "size" not in feature_scales([PlaceContext(population=1e5)] * 3)


@pytest.mark.parametrize(
    "kwargs",
    [{"population": 0}, {"income_index": -1}, {"manufacturing_share": 120}, {"governance": "x"}],
)
def test_undefined_inputs_raise(kwargs: dict[str, object]) -> None:
    with pytest.raises(UndefinedMeasureError):
        PlaceContext(**kwargs)  # type: ignore[arg-type]
