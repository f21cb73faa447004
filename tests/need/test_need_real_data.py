"""A need index built from the ONS subnational indicators workbook (real data).

The workbook has one sheet per metric with a metadata block above a table headed 'Area Code',
and a 'Data dictionary' sheet saying whether higher values are better or worse. Only what the
test needs is parsed here.
"""

from __future__ import annotations

import re

import numpy as np
import openpyxl
import pandas as pd
import pingouin
import pytest

from levelscope.need.coherence import cronbach_alpha
from levelscope.need.definition import IndexDefinition
from levelscope.need.index import build_index
from levelscope.need.uncertainty import run_uncertainty

SHEETS = {  # indicator id: (sheet, pillar)
    "gva_per_hour": ("GVA per hour", "economy"),
    "weekly_pay": ("Weekly pay", "economy"),
    "gdhi_per_head": ("GDHI per head", "economy"),
    "unemployment": ("Unemployment rate", "economy"),
    "life_satisfaction": ("Life satisfaction", "wellbeing"),
    "circulatory_mortality": ("Under 75 mortality rate", "wellbeing"),
}
GEOGRAPHY_COLUMNS = {
    "Area Code",
    "Country",
    "Nation",
    "Region",
    "County or Unitary Authority",
    "Local Authority District",
    "ITL Level 1",
    "Combined Authority or City Region",
    "Welsh Health Board",
}
ENGLISH_DISTRICT = re.compile(r"^E0[6789]\d{6}$")
BLACKPOOL, WOKINGHAM = "E06000009", "E06000041"


def _rows(workbook: openpyxl.Workbook, name: str) -> list[tuple]:
    return list(workbook[name].iter_rows(values_only=True))


def _metric_table(rows: list[tuple]) -> tuple[str, pd.Series]:
    metric = str(rows[1][1])
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Area Code")
    table = pd.DataFrame(rows[start + 1 :], columns=rows[start])
    value_column = next(c for c in table.columns if c not in GEOGRAPHY_COLUMNS)
    table = table[table["Area Code"].astype(str).str.match(ENGLISH_DISTRICT)]
    values = pd.to_numeric(table[value_column], errors="coerce")
    return metric, pd.Series(values.to_numpy(), index=table["Area Code"].to_numpy(), dtype=float)


def _polarities(rows: list[tuple]) -> dict[str, str]:
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Metric")
    column = rows[start].index("Are higher values better than or worse than the median?")
    return {str(r[0]).strip().lower(): r[column] for r in rows[start + 1 :] if r and r[0]}


@pytest.fixture(scope="module")
def ons(shared_data):
    path = shared_data / "uk_subnational_indicators" / "subnatindicators.xlsx"
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    polarity_of = _polarities(_rows(workbook, "Data dictionary"))
    columns, polarity = {}, {}
    for indicator, (sheet, _) in SHEETS.items():
        metric, values = _metric_table(_rows(workbook, sheet))
        # The sheet's metric name starts with the dictionary's name for it.
        matches = [k for k in polarity_of if metric.lower().startswith(k)]
        assert matches, f"no data dictionary entry for {metric!r}"
        word = polarity_of[max(matches, key=len)]
        assert word in ("Better", "Worse")
        polarity[indicator] = 1 if word == "Worse" else -1  # need rises when worse
        columns[indicator] = values
    return pd.DataFrame(columns), polarity


def _definition(polarity: dict[str, int]) -> IndexDefinition:
    return IndexDefinition.from_dict(
        {
            "name": "English district need",
            "indicators": [{"id": i, "polarity": polarity[i], "pillar": SHEETS[i][1]} for i in SHEETS],
            "missing": {"method": "none", "min_coverage": 0.8},
            "uncertainty": {"normalisation": ["min_max", "rank"], "weight_variation": 0.25},
        }
    )


def test_polarity_comes_from_the_data_dictionary(ons):
    _, polarity = ons
    assert polarity == {
        "gva_per_hour": -1,
        "weekly_pay": -1,
        "gdhi_per_head": -1,
        "unemployment": 1,
        "life_satisfaction": -1,
        "circulatory_mortality": 1,
    }


def test_index_matches_a_plain_pandas_rebuild(ons):
    data, polarity = ons
    assert len(data) > 290  # English districts and unitary authorities
    index = build_index(data, _definition(polarity))
    # Independent rebuild: orient, min-max per column, mean per pillar over available values,
    # then the mean of the two pillars.
    kept = data.loc[index.scores.index]
    oriented = kept * pd.Series(polarity)
    scaled = 100 * (oriented - oriented.min()) / (oriented.max() - oriented.min())
    economy = scaled[[i for i in SHEETS if SHEETS[i][1] == "economy"]].mean(axis=1)
    wellbeing = scaled[[i for i in SHEETS if SHEETS[i][1] == "wellbeing"]].mean(axis=1)
    expected = pd.concat([economy, wellbeing], axis=1).mean(axis=1)
    np.testing.assert_allclose(index.scores.to_numpy(), expected.to_numpy(), rtol=1e-12)
    coverage = data.notna().mean(axis=1)
    assert set(index.excluded.index) == set(coverage.index[coverage < 0.8])


def test_index_places_known_areas_sensibly(ons):
    data, polarity = ons
    index = build_index(data, _definition(polarity))
    # Blackpool is the most deprived and Wokingham the least deprived English local authority
    # on the English Indices of Deprivation 2019 (MHCLG, rank of average score).
    assert index.categories[BLACKPOOL] == "Priority 1"
    assert index.ranks[BLACKPOOL] <= 0.05 * len(index.scores)
    assert index.categories[WOKINGHAM] == "Priority 3"


def test_economy_pillar_alpha_matches_pingouin(ons):
    data, polarity = ons
    index = build_index(data, _definition(polarity))
    economy = index.normalised[[i for i in SHEETS if SHEETS[i][1] == "economy"]].dropna()
    expected, _ = pingouin.cronbach_alpha(economy)
    assert cronbach_alpha(economy) == pytest.approx(expected, rel=1e-10)
    report = index.coherence()
    assert report.pillars.loc["economy", "cronbach_alpha"] == pytest.approx(expected, rel=1e-10)
    assert report.indicator_pillar.min() > 0  # every indicator points the way of its pillar


def test_uncertainty_on_real_data_is_reproducible(ons):
    data, polarity = ons
    definition = _definition(polarity)
    one = run_uncertainty(data, definition, n_resamples=100, seed=7)
    two = run_uncertainty(data, definition, n_resamples=100, seed=7)
    pd.testing.assert_frame_equal(one.to_frame(), two.to_frame())
    assert one.rank_upper[BLACKPOOL] <= 0.15 * len(one.median_rank)  # stays near the top
