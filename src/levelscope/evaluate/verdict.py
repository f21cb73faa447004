"""Plain-language verdicts that say what an estimate means and how sure it is.

A verdict never says more than the numbers do: an interval that crosses zero is "no clear
effect", not "no effect"; a synthetic control whose pre-period fit is poor is flagged before
its gap is read as an effect; a placebo p-value is put beside the smallest one the number of
donors allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from levelscope.deprecation import renamed_parameters
from levelscope.formatting import significant

if TYPE_CHECKING:
    from levelscope.evaluate.synth import PlaceboTest, SyntheticControl

POOR_FIT_SHARE = 0.1  # pre-period RMSPE above 10% of the outcome's typical size


def _g(value: float) -> str:
    return significant(value, 3)


@renamed_parameters(level=("alpha", lambda level: 1 - level))
def estimate_verdict(
    effect: float, lower: float, upper: float, p_value: float, alpha: float = 0.05
) -> str:
    """One or two sentences on an estimate with its confidence interval and p-value.

    Parameters
    ----------
    effect
        The estimate.
    lower, upper
        Its confidence interval.
    p_value
        Its p-value.
    alpha
        The interval has coverage ``1 - alpha``.

    Returns
    -------
    str
        Whether the interval excludes zero, in words, with the figures.

    Examples
    --------
    >>> estimate_verdict(2.0, 1.0, 3.0, 0.001)[:40]
    'The policy raised the outcome by an esti'
    """
    interval = f"{1 - alpha:.0%} interval {_g(lower)} to {_g(upper)}, p = {p_value:.3f}"
    if lower > 0 or upper < 0:
        direction = "raised" if effect > 0 else "lowered"
        return (
            f"The policy {direction} the outcome by an estimated {_g(abs(effect))} ({interval}); "
            "the interval excludes zero, so chance alone is an unlikely explanation, though the "
            "estimate rests on the design's assumptions (parallel trends or a good comparison)."
        )
    return (
        f"No clear effect: the estimate is {_g(effect)} but the {interval} includes zero, so the "
        "data cannot rule out no effect (nor an effect of either sign as large as the interval)."
    )


def synth_verdict(result: SyntheticControl, placebos: PlaceboTest | None = None) -> str:
    """What a synthetic control shows, with the fit and (if run) the placebo evidence.

    Parameters
    ----------
    result
        The fitted synthetic control.
    placebos
        Its in-space placebo test, if run.

    Returns
    -------
    str
        A warning if the pre-period fit is poor, the average gap, and what the placebos say.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from levelscope.evaluate import placebo_in_space, synthetic_control
    >>> t = np.arange(10.0)
    >>> paths = {"B": 10 + t, "C": 12 + t / 2, "D": 8 + 1.5 * t + t**2 / 10, "E": 11 + 0.8 * t}
    >>> paths["A"] = (paths["B"] + paths["D"]) / 2 + 3.0 * (t >= 6)  # 3 more from 2016 on
    >>> data = pd.DataFrame([(u, 2010 + i, y) for u, path in paths.items() for i, y in enumerate(path)],
    ...                     columns=["unit", "time", "outcome"])
    >>> sc = synthetic_control(data, treated="A", start=2016)
    >>> print(synth_verdict(sc, placebo_in_space(sc)))
    After 2016, A was on average 3 above its synthetic control (outcome). 0 of 4 placebo units
    show a post/pre RMSPE ratio at least as large (p = 0.200): ...
    """
    scale = float(abs(result.actual[result.actual.index < result.start]).mean())
    parts = []
    if scale > 0 and result.pre_rmspe > POOR_FIT_SHARE * scale:
        parts.append(
            f"Caution: the synthetic control tracks {result.treated} poorly before "
            f"{result.start:g} (RMSPE {_g(result.pre_rmspe)}), so later gaps may not be effects."
        )
    gap = _g(abs(result.effect))
    where = ("level with" if gap == "0" else
             f"{gap} {'above' if result.effect > 0 else 'below'}")
    parts.append(f"After {result.start:g}, {result.treated} was on average {where} its synthetic "
                 f"control ({result.outcome}).")
    if placebos is None:
        parts.append(
            "Without in-space placebos nothing says yet whether a gap this size could be chance "
            "(run them: --placebos on the command line, placebo_in_space() in Python)."
        )
    else:
        n = len(placebos.ratio)
        if placebos.p_value <= 0.1:
            parts.append(
                f"Only {placebos.rank - 1} of {n - 1} placebo units show a larger post/pre RMSPE "
                f"ratio (p = {placebos.p_value:.3f}): a gap this size is unusual among "
                "untreated units."
            )
        else:
            parts.append(
                f"{placebos.rank - 1} of {n - 1} placebo units show a post/pre RMSPE ratio at "
                f"least as large (p = {placebos.p_value:.3f}): the gap is not unusual among "
                "untreated units, so the evidence for an effect is weak."
            )
        if 1 / n > 0.05:
            parts.append(f"With {n} units the smallest possible p-value is {1 / n:.3f}.")
    return " ".join(parts)
