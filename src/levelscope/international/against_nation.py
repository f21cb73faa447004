"""A place against its nation: its figure indexed to the country's (country = 100) over time.

For a place ``p`` in country ``c`` and year ``t`` the index is ``I_t = 100 y_pt / b_ct``, with
``b_ct`` the national benchmark (:mod:`levelscope.international.benchmark`), and the gap is
``G_t = I_t - 100`` in index points. Its trend is the least-squares line
``G_t = c + b (t - T)``, with ``T`` the last year, so ``c`` is the fitted gap now and ``b`` its
change a year. The gap is *closing* when it moves towards zero (``b`` and ``c`` of opposite
signs): the rate of closing is ``|b|`` points a year, and at that pace parity comes
``-c / b`` years after ``T``.

The interval for the years to parity is Fieller's (1954) for a ratio of two estimates: the set
of ``θ`` for which ``c + θ b = 0`` is not rejected at level ``alpha`` by the t-test with
``n - 2`` degrees of freedom, i.e. the ``θ`` solving

    (c + θ b)² <= q² (Var c + 2 θ Cov(c, b) + θ² Var b),   q = t(1 - alpha/2, n - 2).

When the slope is not significantly different from zero the set is unbounded: at the pace seen,
the data cannot rule out that parity never comes, and the result says so.

References: Fieller, E. C. (1954) "Some problems in interval estimation", *Journal of the Royal
Statistical Society B* 16.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from levelscope.international.benchmark import national_benchmark
from levelscope.international.cases import Place, resolve_place
from levelscope.international.comparable import check_comparable, check_one_currency
from levelscope.international.regions import GDP_PER_HEAD, POPULATION, country_names, regional_panel
from levelscope.results import Result, check_alpha

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from levelscope.data.store import Workspace
    from levelscope.international.cases import CaseTimeline


@dataclass(frozen=True, repr=False)
class GapTrend(Result):
    """The least-squares trend of the gap to the national benchmark."""

    slope: float  # index points a year
    std_error: float
    gap_now: float  # fitted gap in the last year
    gap_now_std_error: float
    covariance: float  # Cov(gap_now, slope)
    p_value: float
    n_years: int

    def summary(self) -> str:
        return (f"The gap moves {self.slope:+.3g} index points a year (standard error "
                f"{self.std_error:.3g}, p = {self.p_value:.3g}; {self.n_years} years); "
                f"fitted gap now {self.gap_now:+.3g}")


@dataclass(frozen=True, repr=False)
class PlaceAgainstNation(Result):
    """A place's figure indexed to its nation's, with the gap's trend and the years to parity.

    ``table`` has one row per year: ``value`` (the place), ``benchmark`` (the nation),
    ``benchmark_source``, ``index`` (nation = 100) and ``gap`` (index - 100).
    ``years_to_parity`` is ``None`` unless the gap is closing; ``parity_lower`` and
    ``parity_upper`` bound it (``None`` where the interval is unbounded).
    """

    place: str
    place_name: str
    units: tuple[str, ...]
    unit_note: str
    country: str
    country_name: str
    indicator_id: str
    alpha: float
    table: pd.DataFrame = field(compare=False)
    trend: GapTrend = field(compare=False)
    closing: bool
    closing_rate: float | None
    years_to_parity: float | None
    parity_lower: float | None
    parity_upper: float | None
    case_id: str | None = None

    @property
    def latest_index(self) -> float:
        return float(self.table["index"].iloc[-1])

    @property
    def start(self) -> int:
        return int(self.table["year"].iloc[0])

    @property
    def end(self) -> int:
        return int(self.table["year"].iloc[-1])

    def to_frame(self) -> pd.DataFrame:
        return self.table.assign(geography_code=self.place, indicator_id=self.indicator_id)[
            ["geography_code", "indicator_id", *self.table.columns]]

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """Intervals for the gap's slope (points a year) and the years to parity."""
        alpha = self.alpha if alpha is None else alpha
        check_alpha(alpha)
        q = stats.t.ppf(1 - alpha / 2, self.trend.n_years - 2)
        slope = (self.trend.slope - q * self.trend.std_error, self.trend.slope + q * self.trend.std_error)
        parity = fieller(self.trend, alpha) if self.closing else (None, None)
        return pd.DataFrame({"lower": [slope[0], parity[0]], "upper": [slope[1], parity[1]]},
                            index=pd.Index(["slope", "years_to_parity"], name="estimate"))

    def statement(self) -> str:
        """What the figures say, in a sentence or two."""
        behind = self.trend.gap_now < 0
        position = (f"{abs(self.latest_index - 100):.0f}% {'below' if behind else 'above'} "
                    f"{self.country_name}" if abs(self.latest_index - 100) >= 0.5
                    else f"level with {self.country_name}")
        text = (f"In {self.end} {self.place_name} stood at {self.latest_index:.0f} "
                f"({self.country_name} = 100), {position}.")
        if not self.closing:
            direction = "widening" if abs(self.trend.slope) > 0 else "unchanged"
            return f"{text} Since {self.start} the gap has been {direction} by " \
                   f"{abs(self.trend.slope):.2f} points a year."
        text += f" Since {self.start} it has closed by {self.closing_rate:.2f} points a year"
        if self.years_to_parity is not None:
            text += f"; at that pace parity would come in about {self.years_to_parity:.0f} years"
            if self.parity_upper is None:
                text += (f" (the {100 * (1 - self.alpha):.0f}% interval is unbounded: the data "
                         "cannot rule out that it never comes)")
            else:
                text += (f" ({100 * (1 - self.alpha):.0f}% interval {self.parity_lower:.0f} to "
                         f"{self.parity_upper:.0f} years)")
        return text + "."

    def summary(self) -> str:
        sources = sorted(set(self.table["benchmark_source"]))
        return "\n".join([
            f"{self.place_name} against {self.country_name}: {self.indicator_id}, "
            f"{self.start}–{self.end} ({self.unit_note or ', '.join(self.units)})",
            self.statement(),
            f"national benchmark: {'; '.join(sources)}",
        ])

    def plot(self, timeline: CaseTimeline | None = None) -> go.Figure:
        """The index over time against the nation's 100, with the timeline's items marked."""
        from levelscope.international.plot import trajectory_figure

        return trajectory_figure(self, timeline)


def place_against_nation(
    ws: Workspace,
    place: str | list[str],
    indicator: str = GDP_PER_HEAD,
    *,
    benchmark: str | None = None,
    weight: str = POPULATION,
    start: int | None = None,
    end: int | None = None,
    alpha: float = 0.05,
) -> PlaceAgainstNation:
    """Index a place's figure to its nation's and measure how fast the gap closes.

    Parameters
    ----------
    ws:
        The workspace.
    place:
        A case-study id (``"leipzig"``), an OECD region code (``"UKE32"``), a functional urban
        area code (``"UK010M"``), a region's name, or several codes (combined by population).
    indicator:
        The figure compared; a figure per head is combined across several units by population.
    benchmark:
        The indicator the nation's figure is read from (default: the same indicator). It must
        be in the same unit, currency and prices.
    weight:
        Population, to combine units and to build the national figure from the regions.
    start, end:
        The years of the trend (default: every year both place and nation have).
    alpha:
        The intervals have coverage ``1 - alpha``.

    Returns
    -------
    PlaceAgainstNation

    Raises
    ------
    levelscope.international.IncomparableError
        If ``benchmark`` is in another unit, currency or price basis than ``indicator``.

    Examples
    --------
    >>> result = place_against_nation(ws, "leipzig")
    >>> result.units, result.country, result.start, result.end
    (('DE008M',), 'DEU', 2000, 2020)
    """
    check_alpha(alpha)
    where = resolve_place(ws, place)
    definition = ws.indicator(indicator)
    national = benchmark or indicator
    check_comparable(definition, ws.indicator(national))
    check_one_currency(ws, definition, [where.country])
    values = _place_values(ws, where, indicator, weight)
    nation = national_benchmark(ws, where.country, national, weight=weight).table
    table = values.merge(nation[["year", "benchmark", "benchmark_source"]], on="year")
    if start is not None:
        table = table[table["year"] >= start]
    if end is not None:
        table = table[table["year"] <= end]
    table = table.dropna(subset=["value", "benchmark"]).sort_values("year").reset_index(drop=True)
    if len(table) < 3:
        raise ValueError(f"{where.name} and {where.country} share {len(table)} years of {indicator}; "
                         "a trend needs at least 3")
    table["index"] = 100 * table["value"] / table["benchmark"]
    table["gap"] = table["index"] - 100
    trend = gap_trend(table["year"].to_numpy(float), table["gap"].to_numpy(float))
    closing = trend.gap_now != 0 and np.sign(trend.slope) == -np.sign(trend.gap_now)
    years = -trend.gap_now / trend.slope if closing else None
    lower, upper = fieller(trend, alpha) if closing else (None, None)
    return PlaceAgainstNation(
        place=where.label, place_name=where.name, units=where.units, unit_note=where.note,
        country=where.country, country_name=country_names(ws)[where.country],
        indicator_id=indicator, alpha=alpha, table=table, trend=trend, closing=bool(closing),
        closing_rate=abs(trend.slope) if closing else None, years_to_parity=years,
        parity_lower=lower, parity_upper=upper, case_id=where.case_id,
        provenance=ws.provenance([indicator, weight]),
    )


def _place_values(ws: Workspace, where: Place, indicator: str, weight: str) -> pd.DataFrame:
    if len(where.units) == 1:
        frame = ws.observations(indicator, geographies=list(where.units))
        return frame[["year", "value"]]
    frame = regional_panel(ws, indicator, "tl3", weight, [where.country])
    frame = frame[frame["geography_code"].isin(where.units)]
    found = set(frame["geography_code"])
    missing = [u for u in where.units if u not in found]
    if missing:
        raise ValueError(f"no {indicator} with {weight} for {missing}; cannot combine the units")
    complete = frame.groupby("year")["geography_code"].transform("size") == len(where.units)
    frame = frame[complete].assign(product=lambda f: f["value"] * f["weight"])
    grouped = frame.groupby("year")
    return (grouped["product"].sum() / grouped["weight"].sum()).rename("value").reset_index()


def gap_trend(years: np.ndarray, gap: np.ndarray) -> GapTrend:
    """Least squares of the gap on time, centred on the last year (so the intercept is the gap now).

    >>> t = gap_trend(np.array([2000.0, 2001, 2002, 2003]), np.array([-20.0, -18, -16, -14]))
    >>> round(t.slope, 6), round(t.gap_now, 6), round(t.std_error, 9)
    (2.0, -14.0, 0.0)
    """
    x = years - years[-1]
    n = x.size
    design = np.column_stack([np.ones(n), x])
    coefficients, *_ = np.linalg.lstsq(design, gap, rcond=None)
    residuals = gap - design @ coefficients
    sigma2 = float(residuals @ residuals) / (n - 2)
    covariance = sigma2 * np.linalg.inv(design.T @ design)
    slope_se = float(np.sqrt(covariance[1, 1]))
    t_value = coefficients[1] / slope_se if slope_se > 0 else np.inf * np.sign(coefficients[1])
    p_value = float(2 * stats.t.sf(abs(t_value), n - 2)) if np.isfinite(t_value) else 0.0
    return GapTrend(
        slope=float(coefficients[1]), std_error=slope_se, gap_now=float(coefficients[0]),
        gap_now_std_error=float(np.sqrt(covariance[0, 0])), covariance=float(covariance[0, 1]),
        p_value=p_value, n_years=n,
    )


def fieller(trend: GapTrend, alpha: float) -> tuple[float | None, float | None]:
    """Fieller's interval for the years to parity ``-gap_now / slope`` (``None`` for an open end).

    With a slope clearly away from zero the set is the interval between the two roots. With a
    slope the data cannot tell from zero it is unbounded: the whole line, or two half-lines of
    which the one holding the estimate is returned.
    """
    q2 = stats.t.ppf(1 - alpha / 2, trend.n_years - 2) ** 2
    c, b = trend.gap_now, trend.slope
    a2 = b * b - q2 * trend.std_error**2
    a1 = 2 * (c * b - q2 * trend.covariance)
    a0 = c * c - q2 * trend.gap_now_std_error**2
    discriminant = a1 * a1 - 4 * a2 * a0
    if discriminant < 0 or a2 == 0:
        return None, None
    root = np.sqrt(discriminant)
    low, high = sorted(((-a1 - root) / (2 * a2), (-a1 + root) / (2 * a2)))
    if a2 > 0:
        return float(low), float(high)
    estimate = -c / b
    return (float(high), None) if estimate >= high else (None, float(low))


def as_records(result: PlaceAgainstNation) -> dict[str, Any]:
    """The result as JSON-ready numbers (for the REST API and the pages)."""
    return {
        "place": result.place, "place_name": result.place_name, "units": list(result.units),
        "unit_note": result.unit_note, "country": result.country,
        "country_name": result.country_name, "indicator_id": result.indicator_id,
        "latest_index": result.latest_index, "slope": result.trend.slope,
        "slope_std_error": result.trend.std_error, "gap_now": result.trend.gap_now,
        "closing": result.closing, "closing_rate": result.closing_rate,
        "years_to_parity": result.years_to_parity, "parity_lower": result.parity_lower,
        "parity_upper": result.parity_upper, "alpha": result.alpha, "statement": result.statement(),
    }
