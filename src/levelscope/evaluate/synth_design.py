"""What a synthetic control is asked to do: predictors, the choice of ``V``, and the design.

A :class:`SynthDesign` holds everything needed to fit a synthetic control and to refit it for
placebos; :func:`levelscope.evaluate.synth.make_design` checks one against its panel.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from levelscope.evaluate.panel import Panel

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a long run (placebos, bootstrap) proceeds."""

#: The fewest donors a synthetic control can weight.
MIN_DONORS = 2


@dataclass(frozen=True)
class Predictor:
    """A variable averaged over some periods (a "special predictor" in Synth's terms).

    ``periods=None`` means the design's default predictor periods. Missing values are skipped
    in the average, as in Synth; a unit with no value at all in those periods is an error.
    """

    variable: str
    periods: tuple[float, ...] | None = None

    @classmethod
    def of(cls, variable: str, periods: Sequence[float] | range | None = None) -> Predictor:
        """Build from any sequence of periods, e.g. ``Predictor.of("gdpcap", range(1960, 1970))``."""
        return cls(variable, None if periods is None else tuple(float(p) for p in periods))

    def label(self) -> str:
        if not self.periods:
            return self.variable
        first, last = fmt_period(min(self.periods)), fmt_period(max(self.periods))
        return f"{self.variable} ({first})" if first == last else f"{self.variable} ({first}-{last})"


@dataclass(frozen=True)
class CrossValidation:
    """Choose ``V`` out of sample (Abadie, Diamond & Hainmueller 2015, section 4).

    ``V`` is fitted on a *training* window — ``predictors`` measured in ``predictor_periods`` —
    to reproduce the outcome over a later *validation* window ``fit_periods``; the donor weights
    are then computed from the main predictors with that ``V``. ``predictors`` must line up
    one-to-one with the design's predictors.
    """

    predictors: tuple[str | Predictor, ...]
    predictor_periods: tuple[float, ...]
    fit_periods: tuple[float, ...]

    @classmethod
    def of(
        cls,
        predictors: Sequence[str | Predictor],
        predictor_periods: Sequence[float] | range,
        fit_periods: Sequence[float] | range,
    ) -> CrossValidation:
        return cls(
            tuple(predictors),
            tuple(float(p) for p in predictor_periods),
            tuple(float(p) for p in fit_periods),
        )


VChoice = Literal["optimize", "equal"] | Sequence[float] | CrossValidation


@dataclass(frozen=True)
class SynthDesign:
    """Everything needed to fit a synthetic control, and to refit it for placebos."""

    panel: Panel
    treated: Hashable
    donors: tuple[Hashable, ...]
    start: float
    predictors: tuple[Predictor, ...]
    fit_periods: tuple[float, ...]
    v: VChoice = "optimize"

    @property
    def pre_times(self) -> NDArray[np.float64]:
        return self.panel.times[self.panel.times < self.start]


def as_predictor(spec: str | Predictor, default_periods: tuple[float, ...]) -> Predictor:
    """A predictor with its periods: ``default_periods`` where none were given."""
    if isinstance(spec, str):
        return Predictor(spec, default_periods)
    if spec.periods is None:
        return Predictor(spec.variable, default_periods)
    return spec


def fmt_period(value: float) -> str:
    """A period as written: 1970, not 1970.0."""
    return str(int(value)) if float(value).is_integer() else str(value)
