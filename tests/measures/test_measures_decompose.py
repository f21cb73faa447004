"""Between / within decompositions against PySAL TheilD and the definitions written out here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from inequality.theil import TheilD

from levelscope.errors import UndefinedMeasureError
from levelscope.measures import decompose, decompose_by, gini

RTOL = 1e-10


def test_theil_matches_pysal_theild(gva_2021: pd.DataFrame) -> None:
    y, groups = gva_2021["gva"].to_numpy(), gva_2021["itl1"].to_numpy()
    reference = TheilD(y, groups)
    result = decompose(y, groups, measure="theil")
    assert result.total == pytest.approx(float(reference.T), rel=RTOL)
    assert result.between == pytest.approx(float(reference.bg[0]), rel=RTOL)
    assert result.within == pytest.approx(float(reference.wg[0]), rel=RTOL)
    assert len(result.groups) == 12


def test_mld_decomposition_by_hand() -> None:
    # Groups a = {1, 3} (mean 2) and b = {6} with weight 2 (mean 6); overall mean
    # (1 + 3 + 2 * 6) / 4 = 4. Between: MLD of the means, -sum P_g ln(mu_g / mu) with P = (1/2, 1/2).
    # Within: sum P_g MLD_g; MLD_a = -(ln(1/2) + ln(3/2)) / 2, MLD_b = 0.
    result = decompose([1, 3, 6], ["a", "a", "b"], [1, 1, 2], measure="mld")
    mu = 4.0
    between = -(0.5 * np.log(2 / mu) + 0.5 * np.log(6 / mu))
    within = 0.5 * -(np.log(0.5) + np.log(1.5)) / 2
    assert result.between == pytest.approx(between, rel=RTOL)
    assert result.within == pytest.approx(within, rel=RTOL)
    table = result.groups.set_index("group")
    assert table.loc["a", "population_share"] == pytest.approx(0.5)
    assert table.loc["b", "income_share"] == pytest.approx(12 / 16)
    assert table.loc["a", "mean"] == pytest.approx(2.0)


def _pairwise_gini(y: np.ndarray, w: np.ndarray) -> float:
    p = w / w.sum()
    return float((p[:, None] * p[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * (p * y).sum()))


def test_gini_decomposition_matches_pyatt_definition() -> None:
    # Pyatt (1976): G = sum_g P_g S_g G_g + G_between + R, G_between the Gini of the group
    # means each weighted by its group's population; each Gini from the pairwise definition.
    rng = np.random.default_rng(7)
    y = rng.lognormal(size=60)
    w = rng.integers(1, 5, 60).astype(float)
    groups = rng.choice(["n", "s", "e"], 60)
    result = decompose(y, groups, w, measure="gini")
    total = _pairwise_gini(y, w)
    labels = sorted(set(groups))
    P = np.array([w[groups == g].sum() for g in labels]) / w.sum()
    S = np.array([(w * y)[groups == g].sum() for g in labels]) / (w * y).sum()
    G = np.array([_pairwise_gini(y[groups == g], w[groups == g]) for g in labels])
    means = np.array([np.average(y[groups == g], weights=w[groups == g]) for g in labels])
    between = _pairwise_gini(means, P)
    within = float((P * S * G).sum())
    assert result.total == pytest.approx(total, rel=RTOL)
    assert result.between == pytest.approx(between, rel=RTOL)
    assert result.within == pytest.approx(within, rel=RTOL)
    assert result.overlap == pytest.approx(total - between - within, rel=1e-8)
    np.testing.assert_allclose(result.groups["index"], G, rtol=RTOL)


def test_gini_overlap_is_zero_without_overlapping_ranges() -> None:
    # Lambert & Aronson (1993): the residual vanishes when group ranges do not overlap.
    result = decompose([1, 2, 3, 5, 8, 13], list("aabbcc"), measure="gini")
    assert result.overlap == pytest.approx(0.0, abs=1e-15)
    assert result.total == pytest.approx(gini([1, 2, 3, 5, 8, 13]), rel=RTOL)
    overlapping = decompose([1, 8, 2, 9], list("aabb"), measure="gini")
    assert overlapping.overlap is not None and overlapping.overlap > 0.1


def test_decompose_by_year(itl3_gva: pd.DataFrame) -> None:
    panel = decompose_by(itl3_gva, value="gva", groups="itl1", by="year", measure="theil")
    assert panel.table["year"].tolist() == list(range(1998, 2022))
    for year in (1998, 2021):
        part = itl3_gva[itl3_gva["year"] == year]
        reference = TheilD(part["gva"].to_numpy(), part["itl1"].to_numpy())
        row = panel.table.set_index("year").loc[year]
        assert row["between"] == pytest.approx(float(reference.bg[0]), rel=RTOL)
    figure = panel.plot()
    assert [trace.name for trace in figure.data] == ["between", "within"]
    assert "between" in repr(panel)


def test_result_objects_read_well() -> None:
    result = decompose([1, 2, 4, 8], list("aabb"), measure="gini")
    frame = result.to_frame()
    assert frame["component"].tolist() == ["between", "within", "overlap", "total"]
    assert frame["share"].iloc[-1] == pytest.approx(1.0)
    assert "Decomposition of gini into 2 groups" in repr(result)
    assert len(result.plot().data) == 4


def test_decompose_rejects_bad_input() -> None:
    with pytest.raises(UndefinedMeasureError, match="group label missing"):
        decompose([1.0, 2.0, 3.0], ["a", None, "b"])
    with pytest.raises(ValueError, match="differ in length"):
        decompose([1.0, 2.0, 3.0], ["a", "b"])
    with pytest.raises(ValueError, match="fixes alpha"):
        decompose([1.0, 2.0], ["a", "b"], measure="theil", alpha=2)
    with pytest.raises(UndefinedMeasureError, match="strictly positive"):
        decompose([0.0, 2.0], ["a", "b"], measure="mld")
