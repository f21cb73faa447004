"""Appraisal the HM Treasury Green Book way: real prices, discounting, NPSV, BCR, equity weights.

Steps, as the Green Book (HM Treasury, 2022, chapter 6 and annexes A3 and A6) sets them out:

1. **Real prices.** Nominal cash is converted to the prices of one base year with a deflator
   index (normally the GDP deflator): ``real = nominal × deflator[base] / deflator[year]``.
2. **Optimism bias.** Appraisers' cost estimates run low; costs are uplifted by a percentage for
   the kind of project (:data:`OPTIMISM_BIAS_CAPEX`).
3. **Discounting** at the social time preference rate (STPR), which declines for the distant
   future (:data:`STPR_SCHEDULE`). The factor compounds year by year at the rate of the band each
   year falls in, so ``DF_0 = 1`` and ``DF_t = DF_{t-1} / (1 + r_t)``: year 31 is discounted at
   3.5% for thirty years and 3.0% for one, exactly as the Green Book's tables of factors do.
4. **Net present social value** ``NPSV = PV(benefits) - PV(costs)`` and **benefit–cost ratio**
   ``BCR = PV(benefits) / PV(costs)``.
5. **Distributional weights** (annex A3): a pound means more to a poorer household. With
   marginal utility of income elasticity ``e`` (1.3 by default), the weight of a benefit to a
   group with income ``y`` is ``(median income / y) ** e``.
6. **Switching values** (how much must a component change for NPSV to reach zero) and
   **sensitivity tables**.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from levelscope.errors import Problem, UndefinedMeasureError, ValidationError
from levelscope.formatting import money
from levelscope.results import Result

# Social time preference rate: (first year of the band, annual rate). Green Book (2022), table 8.
STPR_SCHEDULE: tuple[tuple[int, float], ...] = (
    (0, 0.035),
    (31, 0.030),
    (76, 0.025),
    (126, 0.020),
    (201, 0.015),
    (301, 0.010),
)
# The lower schedule for health and life values (pure time preference only). Green Book, table 8.
HEALTH_SCHEDULE: tuple[tuple[int, float], ...] = (
    (0, 0.015),
    (31, 0.0129),
    (76, 0.0107),
    (126, 0.0086),
    (201, 0.0064),
    (301, 0.0043),
)
DEFAULT_ELASTICITY = 1.3

# Optimism bias for capital expenditure (upper, lower bound), by project type. HM Treasury,
# Supplementary Green Book guidance: Optimism bias (2013), table 1 (from Mott MacDonald, 2002).
OPTIMISM_BIAS_CAPEX: dict[str, tuple[float, float]] = {
    "standard buildings": (0.24, 0.02),
    "non-standard buildings": (0.51, 0.04),
    "standard civil engineering": (0.44, 0.03),
    "non-standard civil engineering": (0.66, 0.06),
    "equipment / development": (2.00, 0.10),
    "outsourcing": (0.41, 0.00),
}

FLOW_COLUMNS = ("year", "category", "amount")


def discount_rate(t: int, schedule: Sequence[tuple[int, float]] = STPR_SCHEDULE) -> float:
    """The discount rate that applies in year ``t`` (years counted from 0)."""
    if t < 0:
        raise ValueError(f"year {t} is before year 0")
    rate = schedule[0][1]
    for first_year, band_rate in schedule:
        if t >= first_year:
            rate = band_rate
    return rate


def discount_factors(n_years: int, schedule: Sequence[tuple[int, float]] = STPR_SCHEDULE) -> np.ndarray:
    """Discount factors for years ``0 .. n_years - 1``, compounding across the rate bands.

    ``DF_0 = 1`` and ``DF_t = DF_{t-1} / (1 + r_t)`` with ``r_t`` the rate of the band year ``t``
    falls in.

    Parameters
    ----------
    n_years
        How many years, from year 0.
    schedule
        The rate bands: ``(first year, rate)`` pairs; :data:`STPR_SCHEDULE` (3.5% to year 30,
        then lower) or :data:`HEALTH_SCHEDULE`.

    Returns
    -------
    numpy.ndarray
        ``n_years`` discount factors.

    Examples
    --------
    >>> discount_factors(3).round(4).tolist()
    [1.0, 0.9662, 0.9335]
    """
    rates = np.array([discount_rate(t, schedule) for t in range(1, n_years)])
    return np.concatenate([[1.0], np.cumprod(1.0 / (1.0 + rates))])[:n_years]


def to_real_prices(
    amounts: Iterable[float], years: Iterable[int], deflator: Mapping[int, float], base_year: int
) -> np.ndarray:
    """Convert nominal amounts to real prices of ``base_year`` with a deflator index by year.

    ``real = nominal × deflator[base_year] / deflator[year]``.

    Parameters
    ----------
    amounts, years
        The nominal amounts and the year of each.
    deflator
        A price index by year (e.g. the GDP deflator).
    base_year
        The year whose prices the amounts are put in.

    Returns
    -------
    numpy.ndarray
        The amounts in real prices.

    Raises
    ------
    ValidationError
        For a year the deflator does not cover.

    Examples
    --------
    >>> to_real_prices([100, 100], [2022, 2023], {2022: 100.0, 2023: 105.0}, base_year=2022).round(2).tolist()
    [100.0, 95.24]
    """
    years = list(years)
    missing = sorted({y for y in [*years, base_year] if y not in deflator})
    if missing:
        raise ValidationError(
            [Problem(column="deflator", value=y, reason="no deflator value for this year") for y in missing]
        )
    factors = np.array([deflator[base_year] / deflator[y] for y in years])
    return np.asarray(list(amounts), dtype=float) * factors


def distributional_weights(
    incomes: Mapping[str, float], median_income: float, *, elasticity: float = DEFAULT_ELASTICITY
) -> dict[str, float]:
    """Green Book distributional weights ``(median_income / income) ** elasticity`` by group.

    Parameters
    ----------
    incomes:
        Each group's (equivalised household) income, e.g. the mean income of an income quintile
        or of an area.
    median_income:
        The median income the weights are relative to (weight 1).
    elasticity:
        Elasticity of marginal utility of income; the Green Book uses 1.3.

    Returns
    -------
    dict
        Each group's weight.

    Examples
    --------
    >>> round(distributional_weights({"poorer": 20_000}, 30_000)["poorer"], 4)
    1.694
    """
    bad = {g: y for g, y in incomes.items() if not y > 0}
    if bad or not median_income > 0:
        raise UndefinedMeasureError(
            "distributional weights need positive incomes; "
            f"got median {median_income} and groups {bad or 'all positive'}"
        )
    return {group: (median_income / income) ** elasticity for group, income in incomes.items()}


def _check_flows(flows: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise ValidationError([Problem(column=c, reason="required column missing") for c in missing])
    flows = flows.copy()
    for column in ("kind", "income_group"):
        if column not in flows.columns:
            flows[column] = None
    amounts = pd.to_numeric(flows["amount"], errors="coerce").astype(float)
    years = pd.to_numeric(flows["year"], errors="coerce")
    problems = []
    for i, (row, amount, year) in enumerate(zip(flows.to_dict("records"), amounts, years, strict=True), 1):
        if row["category"] not in ("cost", "benefit"):
            problems.append(
                Problem(row=i, column="category", value=row["category"], reason="must be cost or benefit")
            )
        if not (np.isfinite(amount) and amount >= 0):
            problems.append(
                Problem(row=i, column="amount", value=row["amount"], reason="must be a non-negative number")
            )
        if not (np.isfinite(year) and year == int(year)):
            problems.append(Problem(row=i, column="year", value=row["year"], reason="must be a whole year"))
    if problems:
        raise ValidationError(problems)
    flows["year"] = years.astype(int)
    flows["amount"] = amounts
    return flows


@dataclass(frozen=True, repr=False)
class Appraisal(Result):
    """Present values, NPSV and BCR of a scheme, unweighted and (if asked) distributionally weighted.

    ``pv_costs`` includes the optimism-bias uplift (``pv_optimism_bias`` of it). The weighted
    figures weigh benefits only, as the Green Book does when it weights by the recipients'
    income; they are None when no weights were given.
    """

    base_year: int
    pv_costs: float
    pv_optimism_bias: float
    pv_benefits: float
    npsv: float
    bcr: float
    weighted_pv_benefits: float | None
    weighted_npsv: float | None
    weighted_bcr: float | None
    schedule: tuple[tuple[int, float], ...] = field(repr=False)
    by_year: pd.DataFrame = field(repr=False)
    components: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Year by year: discount factor, costs (with optimism bias), benefits and their PVs."""
        return self.by_year.copy()

    def summary(self) -> str:
        lines = [
            f"Green Book appraisal, prices and present values at year {self.base_year}",
            f"  PV costs    {money(self.pv_costs, decimals=0)} (of which optimism bias "
            f"{money(self.pv_optimism_bias, decimals=0)})",
            f"  PV benefits {money(self.pv_benefits, decimals=0)}",
            f"  NPSV        {money(self.npsv, decimals=0)}",
            f"  BCR         {self.bcr:.2f}",
        ]
        if self.weighted_npsv is not None and self.weighted_bcr is not None:
            lines.append(f"  weighted NPSV {money(self.weighted_npsv, decimals=0)}, weighted BCR "
                         f"{self.weighted_bcr:.2f}")
        return "\n".join(lines)

    def plot(self) -> go.Figure:
        table = self.by_year
        figure = go.Figure()
        figure.add_bar(x=table["year"], y=-table["pv_costs"], name="PV costs")
        figure.add_bar(x=table["year"], y=table["pv_benefits"], name="PV benefits")
        figure.add_scatter(
            x=table["year"],
            y=(table["pv_benefits"] - table["pv_costs"]).cumsum(),
            name="cumulative NPSV",
        )
        figure.update_layout(barmode="relative", title=f"NPSV {self.npsv:,.0f}; BCR {self.bcr:.2f}")
        return figure


def appraise(
    flows: pd.DataFrame,
    *,
    base_year: int | None = None,
    optimism_bias: float | Mapping[str, float] = 0.0,
    deflator: Mapping[int, float] | None = None,
    price_base_year: int | None = None,
    weights: Mapping[str, float] | None = None,
    schedule: Sequence[tuple[int, float]] = STPR_SCHEDULE,
) -> Appraisal:
    """Appraise a scheme's costs and benefits.

    Parameters
    ----------
    flows:
        One row per amount: ``year`` (calendar year), ``category`` (``cost`` or ``benefit``),
        ``amount`` (non-negative), optional ``kind`` (e.g. ``capital``) and ``income_group``
        (who receives a benefit, for weighting). Amounts are real prices unless ``deflator``
        is given.
    base_year:
        Year 0 of discounting, the year present values are expressed in; default the first year
        of ``flows``.
    optimism_bias:
        Uplift on costs as a fraction (0.24 = 24%): one number for all costs, or a mapping from
        ``kind`` to uplift (kinds not named get none).
    deflator, price_base_year:
        Deflator index by year; amounts are then nominal and converted to prices of
        ``price_base_year`` (default ``base_year``).
    weights:
        Distributional weight by ``income_group`` (see :func:`distributional_weights`). Every
        benefit must then name a group with a weight.
    schedule:
        Discount rate bands; :data:`STPR_SCHEDULE` or :data:`HEALTH_SCHEDULE`.

    Returns
    -------
    Appraisal
        Present values of costs (with the optimism bias) and benefits, NPSV ``PVB - PVC``, BCR
        ``PVB / PVC``, their weighted forms, and the flows year by year.

    Raises
    ------
    UndefinedMeasureError
        If the present value of costs is zero, so the BCR does not exist.

    Examples
    --------
    £100 spent in 2024 for £60 of benefits in each of 2025 and 2026, discounted at 3.5%:
    ``PVB = 60 / 1.035 + 60 / 1.035² = 113.98``.

    >>> flows = pd.DataFrame({"year": [2024, 2025, 2026], "category": ["cost", "benefit", "benefit"],
    ...                       "amount": [100.0, 60.0, 60.0]})
    >>> result = appraise(flows)
    >>> round(result.pv_benefits, 2), round(result.npsv, 2), round(result.bcr, 3)
    (113.98, 13.98, 1.14)
    """
    flows = _check_flows(flows)
    if flows.empty:
        raise UndefinedMeasureError("no costs or benefits to appraise")
    base = int(flows["year"].min()) if base_year is None else base_year
    if (flows["year"] < base).any():
        raise ValidationError(
            Problem(column="year", value=int(flows["year"].min()), reason=f"before the base year {base}")
        )
    if deflator is not None:
        flows["amount"] = to_real_prices(flows["amount"], flows["year"], deflator, price_base_year or base)
    is_cost = flows["category"] == "cost"
    if isinstance(optimism_bias, Mapping):
        uplift = flows["kind"].map(lambda k: optimism_bias.get(k, 0.0)).astype(float)
    else:
        uplift = pd.Series(float(optimism_bias), index=flows.index)
    flows["optimism_bias"] = np.where(is_cost, flows["amount"] * uplift, 0.0)
    flows["weight"] = 1.0
    if weights is not None:
        groups = flows.loc[~is_cost, "income_group"]
        unknown = sorted({str(g) for g in groups if g not in weights})
        if unknown:
            raise ValidationError(
                [
                    Problem(column="income_group", value=g, reason="benefit's group has no weight")
                    for g in unknown
                ]
            )
        flows.loc[~is_cost, "weight"] = groups.map(weights).astype(float)
    t = (flows["year"] - base).to_numpy()
    factors = discount_factors(int(t.max()) + 1, schedule)
    flows["t"] = t
    flows["discount_factor"] = factors[t]
    cost = np.where(is_cost, flows["amount"] + flows["optimism_bias"], 0.0)
    benefit = np.where(is_cost, 0.0, flows["amount"])
    flows["pv_costs"] = cost * flows["discount_factor"]
    flows["pv_optimism_bias"] = flows["optimism_bias"] * flows["discount_factor"]
    flows["pv_benefits"] = benefit * flows["discount_factor"]
    flows["pv_weighted_benefits"] = flows["pv_benefits"] * flows["weight"]
    by_year = (
        flows.groupby("year", as_index=False)
        .agg(
            t=("t", "first"),
            discount_factor=("discount_factor", "first"),
            pv_costs=("pv_costs", "sum"),
            pv_optimism_bias=("pv_optimism_bias", "sum"),
            pv_benefits=("pv_benefits", "sum"),
            pv_weighted_benefits=("pv_weighted_benefits", "sum"),
        )
        .sort_values("year")
    )
    pvc = float(flows["pv_costs"].sum())
    pvb = float(flows["pv_benefits"].sum())
    if pvc <= 0:
        raise UndefinedMeasureError("the present value of costs is zero, so there is no benefit-cost ratio")
    weighted = float(flows["pv_weighted_benefits"].sum()) if weights is not None else None
    components = _components(flows)
    return Appraisal(
        base_year=base,
        pv_costs=pvc,
        pv_optimism_bias=float(flows["pv_optimism_bias"].sum()),
        pv_benefits=pvb,
        npsv=pvb - pvc,
        bcr=pvb / pvc,
        weighted_pv_benefits=weighted,
        weighted_npsv=None if weighted is None else weighted - pvc,
        weighted_bcr=None if weighted is None else weighted / pvc,
        schedule=tuple(schedule),
        by_year=by_year.reset_index(drop=True),
        components=components,
    )


def _components(flows: pd.DataFrame) -> pd.DataFrame:
    """Present value of each cost kind and each benefit group (the switching-value components)."""
    labelled = flows.assign(
        component=np.where(
            flows["category"] == "cost",
            "cost: " + flows["kind"].fillna("").astype(str),
            "benefit: " + flows["income_group"].fillna("").astype(str),
        ),
        pv=flows["pv_costs"] + flows["pv_benefits"],
    )
    grouped = labelled.groupby(["category", "component"])["pv"].sum()
    return grouped.reset_index()


@dataclass(frozen=True, repr=False)
class SwitchingValues(Result):
    """For each component, the change that would bring NPSV to zero, other things equal.

    ``change`` is a fraction of the component's present value: ``-0.25`` means NPSV reaches zero
    if the component's benefits fall by a quarter; for a cost, a positive change is a rise.
    """

    npsv: float
    table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return f"Switching values (NPSV {money(self.npsv, decimals=0)})\n{self.table.to_string(index=False)}"


def switching_values(appraisal: Appraisal) -> SwitchingValues:
    """Switching values of all benefits, all costs, and each cost kind and benefit group.

    All benefits must fall by ``NPSV / PV(benefits)`` (as a fraction) for NPSV to reach zero;
    all costs must rise by ``NPSV / PV(costs)``; a single component by ``NPSV / PV(component)``.

    Parameters
    ----------
    appraisal
        From :func:`appraise`.

    Returns
    -------
    SwitchingValues
        One row per component with the change that brings NPSV to zero.

    Examples
    --------
    >>> flows = pd.DataFrame({"year": [2024, 2025, 2026], "category": ["cost", "benefit", "benefit"],
    ...                       "amount": [100.0, 60.0, 60.0]})
    >>> table = switching_values(appraise(flows)).to_frame().set_index("component")
    >>> round(float(table.loc["all benefits", "change"]), 4)  # -13.98 / 113.98
    -0.1227
    """
    rows = [
        ("benefit", "all benefits", appraisal.pv_benefits),
        ("cost", "all costs", appraisal.pv_costs),
        *appraisal.components[["category", "component", "pv"]].itertuples(index=False, name=None),
    ]
    records = []
    for category, component, pv in rows:
        sign = -1.0 if category == "benefit" else 1.0
        change = sign * appraisal.npsv / pv if pv > 0 else float("inf")
        records.append(
            {
                "category": category,
                "component": component,
                "present_value": pv,
                "change": change,
                "switching_value": pv * (1 + change),
            }
        )
    return SwitchingValues(npsv=appraisal.npsv, table=pd.DataFrame(records))


@dataclass(frozen=True, repr=False)
class SensitivityTable(Result):
    """NPSV and BCR when all benefits and all costs change by the given fractions."""

    npsv: pd.DataFrame = field(repr=False)
    bcr: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Long form: benefit_change, cost_change, npsv, bcr."""
        npsv = self.npsv.stack()
        bcr = self.bcr.stack()
        return pd.DataFrame({"npsv": npsv, "bcr": bcr}).reset_index()

    def summary(self) -> str:
        return f"NPSV by cost change (rows) and benefit change (columns)\n{self.npsv.round(0).to_string()}"

    def plot(self) -> go.Figure:
        return go.Figure(
            go.Heatmap(
                z=self.npsv.to_numpy(),
                x=[f"{c:+.0%}" for c in self.npsv.columns],
                y=[f"{r:+.0%}" for r in self.npsv.index],
                colorscale="RdBu",
                zmid=0,
                colorbar={"title": "NPSV"},
            ),
            layout={"xaxis_title": "change in benefits", "yaxis_title": "change in costs"},
        )


def sensitivity(
    appraisal: Appraisal,
    benefit_changes: Sequence[float] = (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2),
    cost_changes: Sequence[float] = (-0.1, 0.0, 0.1, 0.2, 0.3, 0.5),
) -> SensitivityTable:
    """NPSV and BCR over a grid of proportional changes in all benefits and all costs.

    Present values scale with the flows, so each cell is ``PVB (1 + b) - PVC (1 + c)`` and
    ``PVB (1 + b) / (PVC (1 + c))``.

    Parameters
    ----------
    appraisal
        From :func:`appraise`.
    benefit_changes, cost_changes
        The proportional changes to try (``-0.1`` is a tenth less).

    Returns
    -------
    SensitivityTable
        NPSV and BCR, costs' changes by rows and benefits' by columns.

    Examples
    --------
    >>> flows = pd.DataFrame({"year": [2024, 2025, 2026], "category": ["cost", "benefit", "benefit"],
    ...                       "amount": [100.0, 60.0, 60.0]})
    >>> table = sensitivity(appraise(flows), benefit_changes=[-0.2, 0.0], cost_changes=[0.0, 0.2])
    >>> table.npsv.round(2).values.tolist()  # 113.984 × 0.8 - 100 = -8.81; 113.984 - 120 = -6.02
    [[-8.81, 13.98], [-28.81, -6.02]]
    """
    b = np.asarray(benefit_changes, dtype=float)
    c = np.asarray(cost_changes, dtype=float)
    if (c <= -1).any():
        raise ValueError("a cost change of -100% or less leaves no costs")
    pvb = appraisal.pv_benefits * (1 + b)[None, :]
    pvc = appraisal.pv_costs * (1 + c)[:, None]
    index = pd.Index(c, name="cost_change")
    columns = pd.Index(b, name="benefit_change")
    return SensitivityTable(
        npsv=pd.DataFrame(pvb - pvc, index=index, columns=columns),
        bcr=pd.DataFrame(pvb / pvc, index=index, columns=columns),
    )
