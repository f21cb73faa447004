"""The four Es and additionality against hand calculations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from helpers import learners, skills_programme

from levelscope.errors import UndefinedMeasureError, ValidationError
from levelscope.monitor import programmes, tracking
from levelscope.monitor.additionality import AdditionalityFactors, net_additional
from levelscope.monitor.vfm import economy, effectiveness, efficiency, equity, programme_value_for_money
from levelscope.records.db import transaction


def test_net_additional_by_hand() -> None:
    # 1,000 gross jobs; 10% leak out of the area, 25% displaced, 5% substitution, multiplier 1.2,
    # 30% would have happened anyway:
    # 1000 × 0.9 = 900; × 0.75 = 675; × 0.95 = 641.25; × 1.2 = 769.5; × 0.7 = 538.65.
    factors = AdditionalityFactors(
        deadweight=0.3, displacement=0.25, leakage=0.1, substitution=0.05, multiplier=1.2
    )
    result = net_additional(1000, factors)
    assert result.steps["running"].round(4).tolist() == [1000.0, 900.0, 675.0, 641.25, 769.5, 538.65]
    assert result.net == pytest.approx(538.65)
    assert result.additionality == pytest.approx(0.53865)
    with pytest.raises(ValidationError, match="between 0 and 1"):
        AdditionalityFactors(deadweight=1.2)
    with pytest.raises(ValidationError, match="at least 1"):
        AdditionalityFactors(multiplier=0.9)


def test_economy_and_efficiency_by_hand() -> None:
    inputs = pd.DataFrame(
        {
            "item": ["tutor hours", "floorspace m2"],
            "quantity": [2000, 500],
            "cost": [90_000, 1_100_000],
            "benchmark_unit_cost": [40.0, 2000.0],
        }
    )
    result = economy(inputs)
    # 45/hour against 40 -> 1.125; 2,200/m2 against 2,000 -> 1.1;
    # overall 1,190,000 / (80,000 + 1,000,000) = 1.10185.
    assert result.table["ratio_to_benchmark"].tolist() == pytest.approx([1.125, 1.1])
    assert result.overall_ratio == pytest.approx(1_190_000 / 1_080_000)
    cost = efficiency(1_200_000, {"learners": 800, "businesses supported": 60})
    assert cost.table["cost_per_unit"].tolist() == pytest.approx([1500.0, 20_000.0])
    with pytest.raises(UndefinedMeasureError):
        efficiency(1_000, {"learners": 0})


def test_effectiveness_nets_out_additionality() -> None:
    outcomes = pd.DataFrame(
        [
            {
                "outcome": "jobs",
                "baseline": 0,
                "target": 500,
                "latest": 400,
                "deadweight": 0.25,
                "displacement": 0.2,
            }
        ]
    )
    table = effectiveness(outcomes, spend=2_000_000).table.iloc[0]
    # Gross 400; net 400 × 0.8 × 0.75 = 240; 240 / 500 = 48% of target; 2,000,000 / 240.
    assert table["net_change"] == pytest.approx(240.0)
    assert table["share_of_target"] == pytest.approx(0.48)
    assert table["cost_per_net_unit"] == pytest.approx(2_000_000 / 240)


def test_equity_shares_and_per_capita_by_need_quintile() -> None:
    # Ten places, need 10 (highest) down to 1; quintile 1 = the two neediest (A, B).
    codes = list("ABCDEFGHIJ")
    need = dict(zip(codes, range(10, 0, -1), strict=True))
    population = dict.fromkeys(codes, 1000.0)
    spend = {"A": 300.0, "C": 500.0, "J": 200.0}
    outcomes = {"A": 30.0, "B": 10.0, "E": 60.0}
    result = equity(spend, need, population, outcomes)
    assert result.share_of_spend_most_deprived == pytest.approx(0.3)
    assert result.share_of_outcomes_most_deprived == pytest.approx(0.4)
    per_head = result.per_capita.set_index("need_quintile")["spend_per_head"]
    # Quintile 1 (A, B): 300 / 2000; 2 (C, D): 500 / 2000; 3 and 4: 0; 5 (I, J): 200 / 2000.
    assert per_head.tolist() == pytest.approx([0.15, 0.25, 0.0, 0.0, 0.1])
    with pytest.raises(ValidationError, match="no need score"):
        equity({"Z": 1.0}, need, population)


def test_programme_value_for_money_from_records(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory, "alice") as session:
        programme = skills_programme(session)
        programmes.add_spend(session, programme, 2022, "UKSPF", 600_000, geography_code="E08000035")
        programmes.add_spend(session, programme, 2023, "UKSPF", 400_000, geography_code="E08000036")
        programmes.add_spend(session, programme, 2024, "UKSPF", 900_000, kind="planned")
        output = learners(session, programme)
        tracking.record_actual(session, output, dt.date(2024, 3, 31), 400.0)
        jobs = tracking.add_indicator(
            session,
            programme,
            "Jobs",
            stage="outcome",
            baseline_date=dt.date(2022, 4, 1),
            baseline_value=0.0,
            target_date=dt.date(2026, 3, 31),
            target_value=200.0,
            additionality=AdditionalityFactors(deadweight=0.5),
        )
        tracking.record_actual(session, jobs, dt.date(2024, 3, 31), 100.0)
        need = {"E08000035": 3.0, "E08000036": 2.0, "E08000037": 1.0, "E08000038": 0.5, "E08000039": 0.1}
        population = dict.fromkeys(need, 100_000.0)
        result = programme_value_for_money(session, programme, need=need, population=population)
    assert result.spend == 1_000_000  # actual spend only
    assert result.efficiency is not None and result.efficiency.table["cost_per_unit"].iloc[0] == 2500.0
    assert result.effectiveness is not None
    assert result.effectiveness.table["share_of_target"].iloc[0] == pytest.approx(0.25)  # 100 × 0.5 / 200
    assert result.equity is not None and result.equity.share_of_spend_most_deprived == pytest.approx(0.6)
    assert result.economy is None and any("economy" in note for note in result.notes)
