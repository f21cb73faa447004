"""Value for money: the four Es of the National Audit Office's framework.

* **Economy** — buying inputs at the right price: unit costs against benchmarks the user gives.
* **Efficiency** — turning money into outputs: cost per output.
* **Effectiveness** — outputs turning into outcomes: the net additional change in each outcome
  (after deadweight, displacement, leakage, substitution and multiplier) against its target.
* **Equity** — whether the money and its results reach those in most need: the share of spend
  (and of outcomes) in the most deprived places, and spend per head by need quintile.

References: National Audit Office, *Successful commissioning toolkit: assessing value for money*
(2011); HM Treasury, *The Green Book* (2022), annex A3 on distributional analysis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import select
from sqlalchemy.orm import Session

from levelscope import formatting
from levelscope.errors import Problem, UndefinedMeasureError, ValidationError
from levelscope.monitor.additionality import AdditionalityFactors
from levelscope.monitor.indicator_records import Actual, ProgrammeIndicator
from levelscope.monitor.programmes import Programme, SpendKind, Stage
from levelscope.results import Result

N_QUINTILES = 5


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(column=c, reason=f"{what} needs this column") for c in missing])


@dataclass(frozen=True, repr=False)
class Economy(Result):
    """Unit cost of each input and its ratio to the benchmark (above 1 costs more than benchmark)."""

    overall_ratio: float
    table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return (
            f"Economy: paid {self.overall_ratio:.2f}× benchmark overall\n{self.table.to_string(index=False)}"
        )


def economy(inputs: pd.DataFrame) -> Economy:
    """Unit costs of inputs against benchmarks.

    ``inputs`` has columns ``item``, ``quantity``, ``cost`` and ``benchmark_unit_cost``. The
    overall ratio is what was paid over what the same quantities cost at benchmark,
    ``Σ cost / Σ (quantity × benchmark)``.

    Parameters
    ----------
    inputs
        One row per input bought.

    Returns
    -------
    Economy
        Each input's unit cost and ratio to its benchmark, and the overall ratio.

    Raises
    ------
    ValidationError
        For a missing column, or a quantity or benchmark that is not positive.

    Examples
    --------
    >>> inputs = pd.DataFrame({"item": ["tutor hours", "rooms"], "quantity": [100, 10],
    ...                        "cost": [3300.0, 900.0], "benchmark_unit_cost": [30.0, 100.0]})
    >>> result = economy(inputs)
    >>> result.to_frame()["ratio_to_benchmark"].tolist(), round(result.overall_ratio, 4)  # 4200 / 4000
    ([1.1, 0.9], 1.05)
    """
    _require(inputs, ["item", "quantity", "cost", "benchmark_unit_cost"], "economy")
    problems = [
        Problem(row=i, column=c, value=getattr(r, c), reason="must be positive")
        for i, r in enumerate(inputs.itertuples(index=False), start=1)
        for c in ("quantity", "benchmark_unit_cost")
        if not getattr(r, c) > 0
    ]
    if problems:
        raise ValidationError(problems)
    table = inputs[["item", "quantity", "cost", "benchmark_unit_cost"]].copy()
    table["unit_cost"] = table["cost"] / table["quantity"]
    table["ratio_to_benchmark"] = table["unit_cost"] / table["benchmark_unit_cost"]
    overall = float(table["cost"].sum() / (table["quantity"] * table["benchmark_unit_cost"]).sum())
    return Economy(overall_ratio=overall, table=table)


@dataclass(frozen=True, repr=False)
class Efficiency(Result):
    """Spend per unit of each output."""

    spend: float
    table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return f"Efficiency: spend {self.spend:,.0f}\n{self.table.to_string(index=False)}"


def efficiency(spend: float, outputs: Mapping[str, float]) -> Efficiency:
    """Cost per output: ``spend / quantity`` for each output (quantities must be positive).

    Parameters
    ----------
    spend
        What the programme spent.
    outputs
        Each output's quantity so far.

    Returns
    -------
    Efficiency
        Each output's cost per unit.

    Raises
    ------
    UndefinedMeasureError
        For an output with no quantity yet.

    Examples
    --------
    >>> efficiency(250_000, {"learners trained": 500}).to_frame()["cost_per_unit"].tolist()
    [500.0]
    """
    zero = [name for name, q in outputs.items() if not q > 0]
    if zero:
        raise UndefinedMeasureError(f"no cost per output for outputs with no quantity yet: {zero}")
    table = pd.DataFrame({"output": list(outputs), "quantity": [float(q) for q in outputs.values()]})
    table["cost_per_unit"] = spend / table["quantity"]
    return Efficiency(spend=float(spend), table=table)


@dataclass(frozen=True, repr=False)
class Effectiveness(Result):
    """Net additional change in each outcome, its share of the planned change, and cost per unit."""

    table: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return f"Effectiveness\n{self.table.to_string(index=False)}"


def effectiveness(outcomes: pd.DataFrame, spend: float) -> Effectiveness:
    """Outcomes against targets, net of additionality.

    ``outcomes`` has columns ``outcome``, ``baseline``, ``target``, ``latest`` and optionally the
    :class:`AdditionalityFactors` fields (``deadweight``, ``displacement``, ``leakage``,
    ``substitution``, ``multiplier``). For each outcome:

    * gross change = latest - baseline; net change = gross × additionality;
    * share of target = net change / (target - baseline);
    * cost per net unit = spend / net change (None when the net change is zero).

    Parameters
    ----------
    outcomes
        One row per outcome.
    spend
        What the programme spent.

    Returns
    -------
    Effectiveness
        Per outcome: gross and net change, the share of the planned change achieved and the
        cost per net unit.

    Examples
    --------
    200 more people in work against a planned 400, of whom a quarter would have found work anyway:

    >>> outcomes = pd.DataFrame({"outcome": ["people in work"], "baseline": [1000.0],
    ...                          "target": [1400.0], "latest": [1200.0], "deadweight": [0.25]})
    >>> row = effectiveness(outcomes, spend=600_000).to_frame().iloc[0]
    >>> float(row["net_change"]), float(row["share_of_target"]), float(row["cost_per_net_unit"])
    (150.0, 0.375, 4000.0)
    """
    _require(outcomes, ["outcome", "baseline", "target", "latest"], "effectiveness")
    rows = []
    for record in outcomes.to_dict("records"):
        factors = AdditionalityFactors(
            **{k: float(record[k]) for k in AdditionalityFactors.__dataclass_fields__ if k in record}
        )
        gross = float(record["latest"]) - float(record["baseline"])
        net = gross * factors.additionality
        planned = float(record["target"]) - float(record["baseline"])
        rows.append(
            {
                "outcome": record["outcome"],
                "gross_change": gross,
                "additionality": factors.additionality,
                "net_change": net,
                "planned_change": planned,
                "share_of_target": net / planned if planned else None,
                "cost_per_net_unit": spend / net if net else None,
            }
        )
    return Effectiveness(table=pd.DataFrame(rows))


@dataclass(frozen=True, repr=False)
class Equity(Result):
    """Who benefits: shares in the most deprived places and spend per head by need quintile.

    Quintile 1 holds the fifth of places with the highest need (as the indices of deprivation
    number deciles from the most deprived).
    """

    share_of_spend_most_deprived: float
    share_of_outcomes_most_deprived: float | None
    per_capita: pd.DataFrame = field(repr=False)
    places: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Spend, population and spend per head by need quintile."""
        return self.per_capita.copy()

    def summary(self) -> str:
        outcome = (
            ""
            if self.share_of_outcomes_most_deprived is None
            else f"; outcomes {self.share_of_outcomes_most_deprived:.1%}"
        )
        return (
            f"Equity: share in the most deprived fifth of places: spend "
            f"{self.share_of_spend_most_deprived:.1%}{outcome}\n{self.per_capita.to_string(index=False)}"
        )

    def plot(self) -> go.Figure:
        return go.Figure(
            go.Bar(x=self.per_capita["need_quintile"], y=self.per_capita["spend_per_head"]),
            layout={
                "xaxis_title": "need quintile (1 = most need)",
                "yaxis_title": "spend per head",
            },
        )


def need_quintiles(need: Mapping[str, float]) -> pd.Series:
    """Quintile of each place by need, 1 = highest need; ties broken by code so sizes stay equal.

    Parameters
    ----------
    need
        A need score by geography code (higher = more need).

    Returns
    -------
    pandas.Series
        Each place's quintile, 1 to 5, by code.

    Raises
    ------
    UndefinedMeasureError
        When a place's need is missing.

    Examples
    --------
    >>> need_quintiles({"A": 5.0, "B": 1.0, "C": 4.0, "D": 2.0, "E": 3.0}).tolist()
    [1, 5, 2, 4, 3]
    """
    series = pd.Series(need, dtype=float).sort_index()
    if series.isna().any():
        raise UndefinedMeasureError(f"need is missing for {list(series[series.isna()].index)}")
    rank = series.rank(ascending=False, method="first")
    quintile = np.ceil(rank * N_QUINTILES / len(series)).astype(int)
    return pd.Series(quintile, index=series.index, name="need_quintile")


def equity(
    spend_by_place: Mapping[str, float],
    need: Mapping[str, float],
    population: Mapping[str, float],
    outcomes_by_place: Mapping[str, float] | None = None,
) -> Equity:
    """Equity of where money and outcomes went, against need.

    Parameters
    ----------
    spend_by_place:
        Programme spend by geography code.
    need:
        A need or deprivation score for every place of the comparison set (higher = more need),
        e.g. all local authorities of England; places without spend count with zero spend.
    population:
        Population of every place in ``need``.
    outcomes_by_place:
        Optional outcome counts by place (e.g. jobs created).

    Returns
    -------
    Equity
        The shares of spend (and outcomes) in the most-needy fifth of places, and spend per head
        by need quintile.

    Examples
    --------
    >>> need = {c: float(s) for c, s in zip("ABCDEFGHIJ", range(10, 0, -1))}  # A the most needy
    >>> population = dict.fromkeys(need, 1000.0)
    >>> result = equity({"A": 600.0, "B": 200.0, "J": 200.0}, need, population)
    >>> result.share_of_spend_most_deprived, result.per_capita["spend_per_head"].tolist()
    (0.8, [0.4, 0.0, 0.0, 0.0, 0.1])
    """
    quintile = need_quintiles(need)
    places = pd.DataFrame({"need_quintile": quintile})
    outside = sorted(set(spend_by_place) - set(places.index))
    if outside:
        raise ValidationError(
            [
                Problem(column="geography_code", value=c, reason="spend in a place with no need score")
                for c in outside
            ]
        )
    places["population"] = pd.Series(population, dtype=float).reindex(places.index)
    bad = places.index[~(places["population"] > 0)].tolist()
    if bad:
        raise UndefinedMeasureError(f"population must be positive for every place; not so for {bad}")
    places["spend"] = pd.Series(spend_by_place, dtype=float).reindex(places.index).fillna(0.0)
    total = places["spend"].sum()
    if not total > 0:
        raise UndefinedMeasureError("no spend by place, so no shares of spend")
    most = places["need_quintile"] == 1
    outcome_share = None
    if outcomes_by_place is not None:
        places["outcomes"] = pd.Series(outcomes_by_place, dtype=float).reindex(places.index).fillna(0.0)
        if places["outcomes"].sum() > 0:
            outcome_share = float(places.loc[most, "outcomes"].sum() / places["outcomes"].sum())
    per_capita = places.groupby("need_quintile", as_index=False).agg(
        places=("spend", "size"), spend=("spend", "sum"), population=("population", "sum")
    )
    per_capita["spend_per_head"] = per_capita["spend"] / per_capita["population"]
    return Equity(
        share_of_spend_most_deprived=float(places.loc[most, "spend"].sum() / total),
        share_of_outcomes_most_deprived=outcome_share,
        per_capita=per_capita,
        places=places.rename_axis("geography_code").reset_index(),
    )


@dataclass(frozen=True, repr=False)
class ValueForMoney(Result):
    """The four Es for one programme; an E that could not be assessed is None with a note why."""

    programme_id: int
    spend: float
    economy: Economy | None
    efficiency: Efficiency | None
    effectiveness: Effectiveness | None
    equity: Equity | None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per E with its headline figure."""
        rows = [
            (
                "economy",
                None if self.economy is None else self.economy.overall_ratio,
                "paid / benchmark",
            ),
            (
                "efficiency",
                None if self.efficiency is None else float(self.efficiency.table["cost_per_unit"].iloc[0]),
                "cost per unit of the first output",
            ),
            (
                "effectiveness",
                None
                if self.effectiveness is None
                else _mean_or_none(self.effectiveness.table["share_of_target"]),
                "mean net share of target",
            ),
            (
                "equity",
                None if self.equity is None else self.equity.share_of_spend_most_deprived,
                "share of spend in most deprived fifth",
            ),
        ]
        return pd.DataFrame(rows, columns=["e", "headline", "meaning"])

    def summary(self) -> str:
        # each headline in its own terms: a ratio, pounds per unit, shares
        writers: dict[str, Callable[[Any], str]] = {
            "economy": lambda v: f"{v:.2f}×", "efficiency": formatting.money,
            "effectiveness": formatting.share, "equity": formatting.share,
        }
        lines = []
        for row in self.to_frame().itertuples():
            value = row.headline
            headline = "–" if formatting.is_missing(value) else writers[str(row.e)](value)
            lines.append(f"  {row.e:<14}{headline:>12}  {row.meaning}")
        notes = "".join(f"\n  note: {n}" for n in self.notes)
        return f"Value for money, spend {formatting.money(self.spend)}\n" + "\n".join(lines) + notes


def _mean_or_none(values: pd.Series) -> float | None:
    clean = [float(v) for v in values if v is not None and not math.isnan(v)]
    return sum(clean) / len(clean) if clean else None


def _latest(session: Session, indicator: ProgrammeIndicator) -> float | None:
    return session.scalar(
        select(Actual.value).where(Actual.indicator_id == indicator.id).order_by(Actual.date.desc()).limit(1)
    )


def programme_value_for_money(
    session: Session,
    programme: Programme,
    *,
    unit_costs: pd.DataFrame | None = None,
    need: Mapping[str, float] | None = None,
    population: Mapping[str, float] | None = None,
) -> ValueForMoney:
    """The four Es of a registered programme from its actual spend, outputs and outcomes.

    Efficiency uses the latest actual of each output indicator; effectiveness the latest actual
    of each outcome and impact indicator with its additionality factors; equity the actual spend
    recorded by place, against ``need`` and ``population`` for the comparison set of places.
    Economy needs ``unit_costs`` (see :func:`economy`).

    Parameters
    ----------
    session
        An open session of the records database.
    programme
        The programme.
    unit_costs
        The inputs with benchmarks, as :func:`economy` takes them.
    need, population
        Need and population of the comparison set of places, as :func:`equity` takes them.

    Returns
    -------
    ValueForMoney
        Economy, efficiency, effectiveness and equity; an E that cannot be assessed is None with
        a note saying what it needs.

    Examples
    --------
    >>> import datetime as dt
    >>> from levelscope.monitor.examples import example_records, example_programme, example_indicator
    >>> from levelscope.records.db import transaction
    >>> from levelscope.monitor.programmes import add_spend, create_programme
    >>> from levelscope.monitor.tracking import record_actual
    >>> with transaction(example_records(), actor="analyst@example.org") as session:
    ...     skills = example_programme(session)
    ...     _ = add_spend(session, skills, 2022, "UK Shared Prosperity Fund", 115_000)
    ...     learners = example_indicator(session, skills)
    ...     _ = record_actual(session, learners, dt.date(2023, 4, 1), 230)
    ...     result = programme_value_for_money(session, skills)
    >>> result.efficiency.to_frame()["cost_per_unit"].tolist(), result.economy is None
    ([500.0], True)
    """
    actual = [s for s in programme.spend if s.kind == SpendKind.ACTUAL]
    spend = float(sum(s.amount for s in actual))
    notes: list[str] = []
    economy_result = economy(unit_costs) if unit_costs is not None else None
    if economy_result is None:
        notes.append("economy: give unit costs with benchmarks to assess it")
    outputs = {
        i.name: v
        for i in programme.indicators
        if i.stage == Stage.OUTPUT and (v := _latest(session, i)) is not None
    }
    efficiency_result = None
    try:
        efficiency_result = efficiency(spend, outputs) if outputs else None
    except UndefinedMeasureError as reason:
        notes.append(f"efficiency: {reason}")
    if not outputs:
        notes.append("efficiency: no output has an actual yet")
    outcome_rows = [
        {
            "outcome": i.name,
            "baseline": i.baseline_value,
            "target": i.target_value,
            "latest": latest,
            "deadweight": i.deadweight,
            "displacement": i.displacement,
            "leakage": i.leakage,
            "substitution": i.substitution,
            "multiplier": i.multiplier,
        }
        for i in programme.indicators
        if i.stage in (Stage.OUTCOME, Stage.IMPACT) and (latest := _latest(session, i)) is not None
    ]
    effectiveness_result = effectiveness(pd.DataFrame(outcome_rows), spend) if outcome_rows else None
    if effectiveness_result is None:
        notes.append("effectiveness: no outcome has an actual yet")
    by_place: dict[str, float] = {}
    for s in actual:
        if s.geography_code:
            by_place[s.geography_code] = by_place.get(s.geography_code, 0.0) + s.amount
    equity_result = None
    if need is not None and population is not None and by_place:
        equity_result = equity(by_place, need, population)
    else:
        notes.append("equity: needs spend recorded by place, and need and population for the comparison set")
    return ValueForMoney(
        programme_id=programme.id,
        spend=spend,
        economy=economy_result,
        efficiency=efficiency_result,
        effectiveness=effectiveness_result,
        equity=equity_result,
        notes=tuple(notes),
    )
