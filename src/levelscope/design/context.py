"""How alike two places are: a standardised distance over size, income, industry and governance.

A place's context is four figures: population (size), an income index relative to its national
average (= 100; e.g. GVA or GDHI per head), the manufacturing share of jobs or output in per cent
(industrial base), and its governance type (one authority, or several combined under one body).
Figures a source does not give stay ``None``.

Distance
--------
Each numeric feature is first put on a comparable scale:

* size ``x = log10(population)``: a place twice as large is the same step away at any size;
* income ``x = income_index``; industry ``x = manufacturing_share``.

For two places *a*, *b* and the features *K* both of them have,

    δ_k = (x_ak − x_bk) / s_k          for numeric k, where s_k is the scale of feature k
    δ_k = 0 if equal else 1            for governance (a categorical mismatch counts one unit)
    d(a, b) = sqrt( Σ_{k∈K} δ_k² / |K| )

The scale ``s_k`` is the sample standard deviation (n − 1) of feature k over a reference set of
places (by default the case-study library plus the assessed place), so one unit of distance is
"one typical spread between the places we compare"; features with fewer than two known values or
no spread cannot be scaled and are left out. Averaging over the shared features (Gower's idea for
mixed and incomplete data) keeps distances comparable when places report different figures.
Similarity is ``1 / (1 + d)``: 1 for identical contexts, falling towards 0. When two places share
no feature the distance is undefined and ``None`` is returned rather than a guess.

Reference: Gower, J. C. (1971), *A general coefficient of similarity and some of its
properties*, Biometrics 27(4), 857–871.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from levelscope.errors import UndefinedMeasureError

GovernanceType = Literal["single_authority", "combined_authority"]
NUMERIC_FEATURES = ("size", "income", "industry")


@dataclass(frozen=True)
class PlaceContext:
    """The context figures of a place; any may be ``None`` when unknown.

    Examples
    --------
    >>> PlaceContext(population=1e6, governance="combined_authority").features()
    {'size': 6.0, 'governance': 'combined_authority'}
    """

    population: float | None = None
    income_index: float | None = None
    manufacturing_share: float | None = None
    governance: GovernanceType | None = None

    def __post_init__(self) -> None:
        if self.population is not None and not self.population > 0:
            raise UndefinedMeasureError(f"population must be positive, got {self.population!r}")
        if self.income_index is not None and not self.income_index > 0:
            raise UndefinedMeasureError(f"income_index must be positive, got {self.income_index!r}")
        share = self.manufacturing_share
        if share is not None and not 0 <= share <= 100:
            raise UndefinedMeasureError(
                f"manufacturing_share must be 0–100 per cent, got {share!r}"
            )
        if self.governance not in (None, "single_authority", "combined_authority"):
            raise UndefinedMeasureError(f"unknown governance type {self.governance!r}")

    def features(self) -> dict[str, float | str]:
        """The transformed features that are known (size is log10 population)."""
        raw: dict[str, float | str | None] = {
            "size": math.log10(self.population) if self.population is not None else None,
            "income": self.income_index,
            "industry": self.manufacturing_share,
            "governance": self.governance,
        }
        return {k: v for k, v in raw.items() if v is not None}


def feature_scales(contexts: Iterable[PlaceContext]) -> dict[str, float]:
    """Sample standard deviation (n − 1) of each numeric feature over ``contexts``.

    Features with fewer than two known values or zero spread are omitted: they cannot be scaled.

    Parameters
    ----------
    contexts
        The reference places.

    Returns
    -------
    dict
        The scale of each feature that can be scaled (``size``, ``income``, ``industry``).

    Examples
    --------
    >>> from levelscope.design.context import PlaceContext
    >>> a = PlaceContext(population=1e6, income_index=100.0, governance="combined_authority")
    >>> b = PlaceContext(population=1e5, income_index=90.0, governance="combined_authority")
    >>> c = PlaceContext(population=3e5, income_index=110.0, governance="single_authority")
    >>> scales = feature_scales([a, b, c])
    >>> {k: round(v, 3) for k, v in scales.items()}  # sd of log10 population and of the index
    {'size': 0.5, 'income': 10.0}
    """
    features = [c.features() for c in contexts]
    scales: dict[str, float] = {}
    for name in NUMERIC_FEATURES:
        values = np.array([float(f[name]) for f in features if name in f])
        if values.size >= 2:
            spread = float(np.std(values, ddof=1))
            if spread > 0:
                scales[name] = spread
    return scales


def context_distance(a: PlaceContext, b: PlaceContext, scales: Mapping[str, float]) -> float | None:
    """Standardised root-mean-square distance between two contexts (see module docstring).

    Returns ``None`` when the two places share no usable feature.

    Parameters
    ----------
    a, b
        The two places' contexts.
    scales
        Each numeric feature's scale, e.g. from :func:`feature_scales`.

    Returns
    -------
    float or None
        The distance.

    Examples
    --------
    >>> from levelscope.design.context import PlaceContext
    >>> a = PlaceContext(population=1e6, income_index=100.0, governance="combined_authority")
    >>> b = PlaceContext(population=1e5, income_index=90.0, governance="combined_authority")
    >>> c = PlaceContext(population=3e5, income_index=110.0, governance="single_authority")
    >>> scales = feature_scales([a, b, c])
    >>> round(context_distance(a, b, scales), 4)  # sqrt(((1 / 0.5002)² + (10 / 10)² + 0²) / 3)
    1.2906
    """
    fa, fb = a.features(), b.features()
    squared: list[float] = []
    for name in NUMERIC_FEATURES:
        if name in fa and name in fb and name in scales:
            squared.append(((float(fa[name]) - float(fb[name])) / scales[name]) ** 2)
    if "governance" in fa and "governance" in fb:
        squared.append(0.0 if fa["governance"] == fb["governance"] else 1.0)
    if not squared:
        return None
    return math.sqrt(sum(squared) / len(squared))


def context_similarity(
    a: PlaceContext, b: PlaceContext, scales: Mapping[str, float]
) -> float | None:
    """``1 / (1 + d)`` for the distance ``d`` of :func:`context_distance`; ``None`` if undefined.

    Parameters
    ----------
    a, b
        The two places' contexts.
    scales
        Each numeric feature's scale, e.g. from :func:`feature_scales`.

    Returns
    -------
    float or None
        The similarity, in (0, 1].

    Examples
    --------
    >>> from levelscope.design.context import PlaceContext
    >>> a = PlaceContext(population=1e6, income_index=100.0, governance="combined_authority")
    >>> b = PlaceContext(population=1e5, income_index=90.0, governance="combined_authority")
    >>> c = PlaceContext(population=3e5, income_index=110.0, governance="single_authority")
    >>> scales = feature_scales([a, b, c])
    >>> round(context_similarity(a, b, scales), 4)  # 1 / (1 + 1.2906)
    0.4366
    """
    distance = context_distance(a, b, scales)
    return None if distance is None else 1.0 / (1.0 + distance)
