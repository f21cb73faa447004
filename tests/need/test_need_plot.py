"""The charts carry the result's numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from levelscope.need.definition import IndexDefinition
from levelscope.need.funding import concentration_index
from levelscope.need.index import build_index
from levelscope.need.plot import area_labels, funding_map, funding_need_scatter
from levelscope.need.uncertainty import run_uncertainty

RNG = np.random.default_rng(21)
DATA = pd.DataFrame(
    RNG.normal(size=(30, 4)) + 10, columns=list("abcd"), index=[f"E{i:02d}" for i in range(30)]
)
DEFINITION = IndexDefinition.from_dict({"name": "p", "indicators": [{"id": c} for c in "abcd"]})


def test_rank_interval_chart_shows_each_area_interval():
    result = run_uncertainty(DATA, DEFINITION, n_resamples=64, seed=2)
    figure = result.plot()
    table = result.to_frame()
    median = figure.data[0]
    np.testing.assert_allclose(median.x, table["median_rank"])
    np.testing.assert_allclose(median.error_x.array, table["rank_upper"] - table["median_rank"])
    np.testing.assert_allclose(figure.data[1].x, table["nominal_rank"])


def test_charts_name_areas_with_codes_on_hover():
    index = build_index(DATA, DEFINITION)
    names = {f"E{i:02d}": f"Place {i}" for i in range(30)}
    bars = index.plot(names=names)
    shown = {label: code for trace in bars.data
             for label, code in zip(trace.x, trace.customdata, strict=True)}
    assert shown == {f"Place {int(code[1:])}": code for code in DATA.index}
    ranks = run_uncertainty(DATA, DEFINITION, n_resamples=64, seed=2)
    table = ranks.to_frame()
    figure = ranks.plot(top=5, names=names)
    assert list(figure.data[0].y) == [names[c] for c in table["geography_code"].head(5)]
    assert list(figure.data[0].customdata) == list(table["geography_code"].head(5))


def test_area_labels_fall_back_to_codes_and_tell_shared_names_apart():
    codes = pd.Series(["E1", "E2", "E3", "E4"])
    labels = area_labels(codes, {"E1": "Newport", "E2": "Newport", "E3": "Leeds"})
    assert labels == ["Newport (E1)", "Newport (E2)", "Leeds", "E4"]


def test_concentration_curve_chart_is_the_curve():
    need = pd.Series(np.arange(5.0), index=list("ABCDE"))
    result = concentration_index(pd.Series([1.0, 2, 3, 4, 5], index=need.index), need)
    figure = result.plot()
    np.testing.assert_allclose(figure.data[0].x, result.curve["cumulative_share_areas"])
    np.testing.assert_allclose(figure.data[0].y, result.curve["cumulative_share_funding"])
    assert list(figure.data[1].x) == [0, 1]  # line of equality


def test_scatter_by_category_and_map():
    index = build_index(DATA, DEFINITION)
    funding = pd.DataFrame({"per_head": RNG.uniform(0, 50, 30)}, index=DATA.index)
    figure = funding_need_scatter(funding, index.scores, categories=index.categories)
    assert [trace.name for trace in figure.data] == ["Priority 1", "Priority 2", "Priority 3"]
    assert sum(len(trace.x) for trace in figure.data) == 30
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "E00"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 50], [1, 50], [1, 51], [0, 50]]]},
            }
        ],
    }
    chart = funding_map(pd.Series({"E00": 3.0}, name="£ per head"), geojson, feature_id_key="properties.code")
    assert list(chart.data[0].z) == [3.0] and chart.data[0].featureidkey == "properties.code"
