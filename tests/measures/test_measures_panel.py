"""summarize: every measure for every group in one DuckDB query, equal to the scalar functions."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from levelscope.errors import UndefinedMeasureError
from levelscope.measures import MEASURES, inequality_table, parse_measure, summarize

ALL = [
    "gini",
    "theil",
    "mld",
    "ge(2)",
    "ge(-1)",
    "atkinson",
    "atkinson(1)",
    "atkinson(2)",
    "cv",
    "variance_of_logs",
    "palma",
    "quantile_ratio",
    "quantile_ratio(0.75, 0.25)",
    "share_ratio",
    "hoover",
    "max_min_ratio",
]


def _panel(seed: int = 0, n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], n),
            "year": rng.integers(2019, 2022, n),
            # Rounded values and small integer weights: ties and exact quantile hits abound.
            "gva": rng.lognormal(3, 0.6, n).round(1),
            "pop": rng.integers(0, 4, n).astype(float),
        }
    )


def _reference(frame: pd.DataFrame, keys: list[str], spec: str, weight: str | None) -> pd.Series:
    parsed = parse_measure(spec)
    return frame.groupby(keys).apply(
        lambda part: parsed.measure(
            part["gva"].to_numpy(),
            None if weight is None else part[weight].to_numpy(),
            **parsed.params,
        ),
        include_groups=False,
    )


@pytest.mark.parametrize("weight", [None, "pop"])
def test_summarize_equals_scalar_measures(weight: str | None) -> None:
    frame = _panel()
    keys = ["region", "year"]
    result = summarize(frame, "gva", weight=weight, by=keys, measures=ALL)
    assert list(result.columns) == [*keys, "measure", "value", "n", "total_weight"]
    assert len(result) == 9 * len(ALL)
    for spec in ALL:
        got = result[result["measure"] == parse_measure(spec).label].set_index(keys)["value"]
        expected = _reference(frame, keys, spec, weight)
        np.testing.assert_allclose(got.sort_index(), expected.sort_index(), rtol=1e-10)
    first = result.iloc[0]
    part = frame[(frame["region"] == first["region"]) & (frame["year"] == first["year"])]
    positive = part if weight is None else part[part["pop"] > 0]
    assert first["n"] == len(positive)
    assert first["total_weight"] == (len(part) if weight is None else part["pop"].sum())


def test_summarize_real_data_on_ibis_table(itl3_gva: pd.DataFrame) -> None:
    table = ibis.memtable(itl3_gva)
    result = summarize(table, "gva", by=["year"], measures=["gini", "theil", "palma"])
    gini_2021 = result[(result["year"] == 2021) & (result["measure"] == "gini")]["value"].item()
    values = itl3_gva[itl3_gva["year"] == 2021]["gva"].to_numpy()
    assert gini_2021 == pytest.approx(MEASURES["gini"](values), rel=1e-10)
    whole = summarize(itl3_gva[itl3_gva["year"] == 2021], "gva", measures=["hoover"])
    assert whole["value"].item() == pytest.approx(MEASURES["hoover"](values), rel=1e-10)


def test_summarize_keeps_null_group_and_drops_zero_weights() -> None:
    frame = pd.DataFrame(
        {"g": ["a", "a", None, None, None], "y": [1.0, 3.0, 2.0, 4.0, np.nan], "w": [1, 1, 1, 1, 0]}
    )
    result = summarize(frame, "y", "w", by=["g"], measures=["cv"])
    assert result["value"].tolist() == pytest.approx([0.5, 1 / 3])


def test_summarize_names_group_whose_weights_are_all_zero() -> None:
    # Group "b" has no row with positive weight, so no row of it reaches the measures; it must
    # still be reported rather than silently left out.
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 3.0, 2.0, 4.0], "w": [1.0, 1.0, 0.0, 0.0]})
    with pytest.raises(UndefinedMeasureError, match=r"at least two observations.*\(g='b'\)"):
        summarize(frame, "y", "w", by=["g"], measures=["gini", "cv"])
    kept = summarize(frame.iloc[:2], "y", "w", by=["g"], measures=["gini", "cv"])
    # Gini of (1, 3): mean difference 2 * (1/4) * 2 = 1, over twice the mean 4: 0.25; CV 1/2.
    assert kept["value"].tolist() == pytest.approx([0.25, 0.5], rel=1e-12)


def test_summarize_names_undefined_groups() -> None:
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 2.0, 0.0, 2.0]})
    with pytest.raises(UndefinedMeasureError, match=r"mld takes logarithms; zero values in: \(g='b'\)"):
        summarize(frame, "y", by=["g"], measures=["gini", "mld"])
    with pytest.raises(UndefinedMeasureError, match="at least two observations"):
        summarize(frame.iloc[:3], "y", by=["g"], measures=["gini"])
    with pytest.raises(UndefinedMeasureError, match="finite"):
        summarize(frame.assign(y=[1.0, np.nan, 1.0, 2.0]), "y", by=["g"], measures=["gini"])
    with pytest.raises(UndefinedMeasureError, match="weights must be finite and non-negative"):
        summarize(frame.assign(w=[1.0, -1.0, 1.0, 1.0]), "y", "w", by=["g"], measures=["gini"])
    with pytest.raises(UndefinedMeasureError, match="lower quantile is zero"):
        summarize(frame, "y", by=["g"], measures=["quantile_ratio(0.9, 0.4)"])
    with pytest.raises(ValueError, match="columns not found"):
        summarize(frame, "gva", by=["g"])


def test_inequality_table_is_wide() -> None:
    frame = _panel(1, 300).rename(columns={"gva": "value"})
    table = inequality_table(frame, by=["year"], measures=["gini", "atkinson(1)"], weight=frame["pop"])
    assert list(table.columns) == ["year", "n", "gini", "atkinson(epsilon=1)"]
    part = frame[frame["year"] == 2020]
    expected = MEASURES["gini"](part["value"].to_numpy(), part["pop"].to_numpy())
    assert table.set_index("year").loc[2020, "gini"] == pytest.approx(expected, rel=1e-10)
