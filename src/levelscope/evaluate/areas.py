"""Evaluate an indicator for treated areas, with the other areas as donors or controls.

The workspace keeps observations in one long layout (``geography_code``, ``indicator_id``,
``year``, ``value``); :func:`evaluate_areas` turns a slice of it into the right design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import pandas as pd

from levelscope.data.periods import Period, parse_period
from levelscope.evaluate.did import TwoWayFixedEffects, twfe
from levelscope.evaluate.panel import Balance, DesignError
from levelscope.evaluate.sdid import SyntheticDiD, synthetic_did
from levelscope.evaluate.synth import Progress, SyntheticControl, synthetic_control
from levelscope.results import Provenance

Method = Literal["synth", "did", "sdid"]
COLUMNS = ("geography_code", "indicator_id", "year", "value")


def start_year(start: int | str | Period) -> int:
    """The year a period is plotted at (the year it ends), as the workspace stores ``year``."""
    if isinstance(start, Period):
        return start.year
    return parse_period(start).year


def evaluate_areas(
    observations: pd.DataFrame,
    treated: Sequence[str],
    start: int | str | Period,
    method: Method = "synth",
    exclude: Sequence[str] = (),
    *,
    indicator: str | None = None,
    balance: Balance = "error",
    provenance: Provenance | None = None,
    progress: Progress | None = None,
) -> SyntheticControl | TwoWayFixedEffects | SyntheticDiD:
    """Evaluate whether an indicator changed in ``treated`` areas from ``start``.

    Parameters
    ----------
    observations:
        Rows ``geography_code``, ``indicator_id``, ``year`` (int), ``value`` for the candidate
        areas (normally all areas at the treated areas' level).
    treated:
        Codes of the treated areas.
    start:
        First affected period: a year or any period label ``parse_period`` reads ("2015/16"
        becomes 2016, the year it ends).
    method:
        ``"synth"`` (synthetic control; one treated area), ``"sdid"`` (synthetic DiD; one or
        more) or ``"did"`` (two-way fixed effects, errors clustered by area).
    exclude:
        Areas to keep out of the donors/controls (neighbours that spill-overs may reach,
        places treated by similar policies).
    indicator:
        Which ``indicator_id`` to use; needed when ``observations`` holds several.
    balance:
        Rule for missing years, see :func:`~levelscope.evaluate.panel.long_panel`.
    provenance:
        Attached to the result.
    progress:
        Passed on to placebo draws (``sdid``).

    Returns
    -------
    SyntheticControl | TwoWayFixedEffects | SyntheticDiD
    """
    missing = [c for c in COLUMNS if c not in observations.columns]
    if missing:
        raise DesignError(f"observations lack columns {missing}; expected {list(COLUMNS)}")
    frame = observations
    indicators = frame["indicator_id"].unique()
    if indicator is None:
        if len(indicators) != 1:
            raise DesignError(f"observations hold indicators {list(indicators)}; pass indicator=")
        indicator = str(indicators[0])
    frame = frame[frame["indicator_id"] == indicator]
    treated = list(treated)
    if not treated:
        raise DesignError("no treated areas given")
    clash = sorted(set(treated) & set(exclude))
    if clash:
        raise DesignError(f"areas {clash} are both treated and excluded")
    frame = frame[~frame["geography_code"].isin(exclude)]
    absent = sorted(set(treated) - set(frame["geography_code"]))
    if absent:
        raise DesignError(f"treated areas {absent} have no {indicator!r} observations")
    year = start_year(start)
    columns = {"unit": "geography_code", "time": "year", "outcome": "value"}
    result: SyntheticControl | TwoWayFixedEffects | SyntheticDiD
    if method == "synth":
        if len(treated) != 1:
            raise DesignError(
                "a synthetic control takes one treated area; use method='sdid' or 'did' for several"
            )
        result = synthetic_control(frame, treated=treated[0], start=year, balance=balance, **columns)
    elif method == "sdid":
        result = synthetic_did(
            frame, treated=treated, start=year, balance=balance, progress=progress, **columns
        )
    elif method == "did":
        panel_frame = frame.assign(treated=(frame["geography_code"].isin(treated) & (frame["year"] >= year)).astype(float))
        result = twfe(panel_frame, unit="geography_code", time="year", outcome="value", treatment="treated")
    else:
        raise DesignError(f"method must be 'synth', 'did' or 'sdid'; got {method!r}")
    if provenance is not None:
        result = replace(result, provenance=provenance)
    return result
