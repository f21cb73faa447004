"""Green Book appraisal against worked examples written out by hand.

References: HM Treasury, The Green Book (2022): table 8 (discount rates by year band), annex A3
(distributional weights, elasticity 1.3), chapter 6 (NPSV, BCR, switching values).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from levelscope.errors import UndefinedMeasureError, ValidationError
from levelscope.monitor.appraisal import (
    HEALTH_SCHEDULE,
    appraise,
    discount_factors,
    discount_rate,
    distributional_weights,
    sensitivity,
    switching_values,
    to_real_prices,
)


def test_discount_factors_years_0_to_100_step_by_step() -> None:
    # Year 0 is undiscounted; each later year divides by (1 + the rate of the band it falls in):
    # 3.5% for years 1-30, 3.0% for 31-75, 2.5% for 76-125.
    expected = [1.0]
    for year in range(1, 101):
        rate = 0.035 if year <= 30 else 0.030 if year <= 75 else 0.025
        expected.append(expected[-1] / (1 + rate))
    factors = discount_factors(101)
    np.testing.assert_allclose(factors, expected, rtol=1e-12)

    # The same in closed form, band by band: 1.035^-30 carries into the second band, etc.
    def closed_form(t: int) -> float:
        return 1.035 ** -min(t, 30) * 1.030 ** -max(min(t, 75) - 30, 0) * 1.025 ** -max(t - 75, 0)

    np.testing.assert_allclose(factors, [closed_form(t) for t in range(101)], rtol=1e-12)
    # A few values to four places, worked on a calculator:
    # 1/1.035 = 0.9662; 1.035^-10 = 0.7089; 1.035^-30 = 0.3563; 0.35628/1.03 = 0.3459;
    # 0.35628 × 1.03^-45 = 0.0942; 0.094214/1.025 = 0.0919; 0.094214 × 1.025^-25 = 0.0508.
    written = {1: 0.9662, 10: 0.7089, 30: 0.3563, 31: 0.3459, 75: 0.0942, 76: 0.0919, 100: 0.0508}
    for year, value in written.items():
        assert factors[year] == pytest.approx(value, abs=5e-5), year


def test_discount_rate_bands_beyond_100_years() -> None:
    assert [discount_rate(t) for t in (0, 30, 31, 75, 76, 125, 126, 200, 201, 300, 301, 500)] == [
        0.035,
        0.035,
        0.030,
        0.030,
        0.025,
        0.025,
        0.020,
        0.020,
        0.015,
        0.015,
        0.010,
        0.010,
    ]


def test_health_schedule_year_31() -> None:
    # 1.5% for thirty years, then 1.29% for one.
    assert discount_factors(32, HEALTH_SCHEDULE)[31] == pytest.approx(1.015**-30 / 1.0129, rel=1e-12)


def small_scheme() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"year": 2025, "category": "cost", "kind": "capital", "amount": 1000.0},
            *(
                {"year": y, "category": "cost", "kind": "operating", "amount": 100.0}
                for y in (2026, 2027, 2028)
            ),
            *({"year": y, "category": "benefit", "kind": "", "amount": 500.0} for y in (2026, 2027, 2028)),
        ]
    )


def test_small_scheme_npsv_and_bcr_by_hand() -> None:
    # Capital 1,000 in year 0 with 20% optimism bias -> 1,200 (undiscounted).
    # Years 1-3 factors: 1/1.035 = 0.966183575, 1/1.035^2 = 0.933510700, 1/1.035^3 = 0.901942706,
    # summing to 2.801636981.
    annuity = 0.966183575 + 0.933510700 + 0.901942706
    pv_costs = 1200 + 100 * annuity  # 1,480.1637
    pv_benefits = 500 * annuity  # 1,400.8185
    result = appraise(small_scheme(), optimism_bias={"capital": 0.20})
    assert result.base_year == 2025
    assert result.pv_costs == pytest.approx(pv_costs, rel=1e-8)
    assert result.pv_optimism_bias == pytest.approx(200.0)
    assert result.pv_benefits == pytest.approx(pv_benefits, rel=1e-8)
    assert result.npsv == pytest.approx(-79.3452, abs=1e-3)
    assert result.bcr == pytest.approx(0.946394, abs=1e-6)
    assert result.by_year["pv_costs"].sum() == pytest.approx(result.pv_costs)
    assert "NPSV" in result.summary()
    assert len(result.plot().data) == 3


def test_nominal_flows_are_deflated_to_base_year_prices() -> None:
    # Prices rise 2% a year: 510 in 2026 cash is 500 in 2025 prices; 520.2 in 2027 is 500 too.
    deflator = {2025: 100.0, 2026: 102.0, 2027: 104.04}
    np.testing.assert_allclose(to_real_prices([510.0, 520.2], [2026, 2027], deflator, 2025), [500.0, 500.0])
    nominal = pd.DataFrame(
        [
            {"year": 2025, "category": "cost", "amount": 800.0},
            {"year": 2026, "category": "benefit", "amount": 510.0},
            {"year": 2027, "category": "benefit", "amount": 520.2},
        ]
    )
    result = appraise(nominal, deflator=deflator)
    assert result.pv_benefits == pytest.approx(500 / 1.035 + 500 / 1.035**2)
    with pytest.raises(ValidationError, match="no deflator value"):
        appraise(nominal, deflator={2025: 100.0, 2026: 102.0})


def test_distributional_weights_for_three_groups() -> None:
    # Median income 30,000; weight = (30,000 / income) ^ 1.3.
    # 15,000: 2^1.3 = e^(1.3 ln 2) = e^0.901091 = 2.462289;  30,000: 1;  60,000: 0.5^1.3 = 0.406126.
    weights = distributional_weights({"low": 15_000, "middle": 30_000, "high": 60_000}, 30_000)
    assert weights["low"] == pytest.approx(2.462289, abs=1e-6)
    assert weights["middle"] == 1.0
    assert weights["high"] == pytest.approx(0.406126, abs=1e-6)
    assert distributional_weights({"low": 15_000}, 30_000, elasticity=1.0)["low"] == pytest.approx(2.0)
    with pytest.raises(UndefinedMeasureError):
        distributional_weights({"none": 0.0}, 30_000)


def test_weighted_npsv_weighs_benefits_by_group() -> None:
    weights = distributional_weights({"low": 15_000, "middle": 30_000, "high": 60_000}, 30_000)
    flows = pd.DataFrame(
        [
            {"year": 2025, "category": "cost", "amount": 300.0},
            {"year": 2025, "category": "benefit", "amount": 100.0, "income_group": "low"},
            {"year": 2025, "category": "benefit", "amount": 100.0, "income_group": "middle"},
            {"year": 2025, "category": "benefit", "amount": 100.0, "income_group": "high"},
        ]
    )
    result = appraise(flows, weights=weights)
    # Year 0, so no discounting: 100 × (2.462289 + 1 + 0.406126) = 386.8415.
    assert result.npsv == pytest.approx(0.0)
    assert result.weighted_pv_benefits == pytest.approx(386.8415, abs=1e-3)
    assert result.weighted_npsv == pytest.approx(86.8415, abs=1e-3)
    assert result.weighted_bcr == pytest.approx(386.8415 / 300, abs=1e-5)
    with pytest.raises(ValidationError, match="no weight"):
        appraise(flows, weights={"low": 2.0})


def test_switching_values_bring_npsv_to_zero() -> None:
    result = appraise(small_scheme(), optimism_bias={"capital": 0.20})
    table = switching_values(result).to_frame().set_index("component")
    # All benefits: NPSV / PVB = -79.3452 / 1400.8185 -> benefits must rise 5.66%.
    assert table.loc["all benefits", "change"] == pytest.approx(79.3452 / 1400.8185, abs=1e-6)
    # Check by re-appraising with benefits scaled by the switching change.
    scaled = small_scheme()
    scaled.loc[scaled["category"] == "benefit", "amount"] *= 1 + table.loc["all benefits", "change"]
    assert appraise(scaled, optimism_bias={"capital": 0.20}).npsv == pytest.approx(0.0, abs=1e-8)
    # Capital cost alone (PV 1,200 with bias) must fall by 79.3452 / 1200.
    assert table.loc["cost: capital", "change"] == pytest.approx(-79.3452 / 1200, abs=1e-6)


def test_sensitivity_table_matches_reappraisal() -> None:
    base = appraise(small_scheme())
    table = sensitivity(base, benefit_changes=[-0.1, 0.0, 0.2], cost_changes=[0.0, 0.3])
    flows = small_scheme()
    flows.loc[flows["category"] == "benefit", "amount"] *= 1.2
    flows.loc[flows["category"] == "cost", "amount"] *= 1.3
    again = appraise(flows)
    assert table.npsv.loc[0.3, 0.2] == pytest.approx(again.npsv)
    assert table.bcr.loc[0.3, 0.2] == pytest.approx(again.bcr)
    assert table.npsv.loc[0.0, 0.0] == pytest.approx(base.npsv)
    assert len(table.to_frame()) == 6


def test_undefined_and_invalid_inputs_are_refused() -> None:
    benefits_only = pd.DataFrame([{"year": 2025, "category": "benefit", "amount": 1.0}])
    with pytest.raises(UndefinedMeasureError, match="no benefit-cost ratio"):
        appraise(benefits_only)
    negative = pd.DataFrame([{"year": 2025, "category": "cost", "amount": -1.0}])
    with pytest.raises(ValidationError, match="non-negative"):
        appraise(negative)
    text = pd.DataFrame([{"year": "soon", "category": "cost", "amount": "a lot"}])
    with pytest.raises(ValidationError) as caught:
        appraise(text)
    assert [(p.row, p.column) for p in caught.value.problems] == [(1, "amount"), (1, "year")]
    with pytest.raises(ValidationError, match="before the base year"):
        appraise(small_scheme(), base_year=2026)
    assert not math.isnan(appraise(small_scheme(), base_year=2024).npsv)
