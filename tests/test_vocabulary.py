"""One name per idea (docs/glossary.md): the Python API uses the glossary's names, old names still
work for one release with a FutureWarning, and random procedures repeat exactly by default."""

from __future__ import annotations

import datetime as dt
import inspect
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from levelscope.convergence import panel_from_long
from levelscope.measures import bootstrap
from levelscope.measures.inference import between_share_test
from levelscope.monitor.projection import project
from levelscope.spatial import Weights, local_moran, moran
from public_api import public_functions

#: Names the glossary replaced: no public function of the Python API may take them any more.
RETIRED = {"permutations", "n_permutations", "n_boot", "bootstrap", "replications", "ci",
           "confidence", "workspace", "random_state"}


def test_no_public_function_takes_a_retired_name() -> None:
    """The Python API (the interfaces' names are checked where people see them: the REST API's
    OpenAPI document below, the command line's options in tests/test_cli_options.py)."""
    found = []
    for where, function in public_functions():
        parameters = inspect.signature(function).parameters
        found += [f"{where}({p})" for p in parameters if p in RETIRED]
        level = parameters.get("level")
        if level is not None and "float" in str(level.annotation):
            found.append(f"{where}(level: float) — a confidence level is alpha")
    assert found == []


def test_the_walk_sees_the_functions_it_checks() -> None:
    names = {where for where, _ in public_functions()}
    assert {"levelscope.spatial.global_autocorrelation.moran", "levelscope.measures.inference.bootstrap",
            "levelscope.workspace.Workspace.clusters", "levelscope.evaluate.areas.evaluate_area"} <= names


def old_and_new(call: Callable[..., Any], old: dict[str, Any], new: dict[str, Any]) -> tuple[Any, Any]:
    with pytest.warns(FutureWarning, match="is now called"):
        before = call(**old)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        after = call(**new)
    return before, after


def grid() -> tuple[list[float], Weights]:
    cells = [box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)]
    values = [float((x * 7 + y * 3) % 11) for y in range(5) for x in range(5)]
    return values, Weights.rook(cells)


def test_renamed_parameters_still_work_and_give_the_same_answer() -> None:
    values, w = grid()
    before, after = old_and_new(lambda **kw: moran(values, w, seed=4, **kw),
                                {"permutations": 99}, {"n_resamples": 99})
    assert before.p_sim == after.p_sim and after.simulation.n_resamples == 99

    before, after = old_and_new(lambda **kw: bootstrap([3, 1, 4, 1, 5, 9, 2, 6], "gini", seed=1, **kw),
                                {"ci": 0.9}, {"alpha": 0.1})
    assert (before.lower, before.upper) == (after.lower, after.upper)
    assert after.alpha == pytest.approx(0.1)

    y, groups = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0], list("aaabbb")
    before, after = old_and_new(lambda **kw: between_share_test(y, groups, seed=2, **kw),
                                {"n_permutations": 49}, {"n_resamples": 49})
    assert before.p_value == after.p_value and after.n_resamples == 49

    days = [dt.date(2020, 1, 1), dt.date(2021, 1, 1), dt.date(2022, 1, 1), dt.date(2023, 1, 1)]
    before, after = old_and_new(lambda **kw: project(days, [1, 2, 3.2, 3.9], dt.date(2025, 1, 1), **kw),
                                {"level": 0.8}, {"alpha": 0.2})
    assert (before.lower, before.upper) == pytest.approx((after.lower, after.upper))


def test_tidy_rows_are_read_by_their_geography_code() -> None:
    tidy = pd.DataFrame({"geography_code": ["E1", "E1", "E2", "E2"], "period": ["2021", "2020"] * 2,
                         "value": [2.0, 1.0, 4.0, 3.0]})
    old = tidy.rename(columns={"geography_code": "geography"})
    before, after = old_and_new(panel_from_long, {"frame": old}, {"frame": tidy})
    pd.testing.assert_frame_equal(before.rename_axis("geography_code"), after)
    assert after.loc["E2"].tolist() == [3.0, 4.0] and list(after.columns) == ["2020", "2021"]


def test_renamed_fields_still_read_with_a_warning() -> None:
    result = bootstrap([3, 1, 4, 1, 5, 9, 2, 6], "gini", n_resamples=200, seed=1)
    with pytest.warns(FutureWarning, match="'low' is now called 'lower'"):
        assert result.low == result.lower
    with pytest.warns(FutureWarning):
        assert result.confidence == pytest.approx(1 - result.alpha)
    with pytest.raises(TypeError, match="both 'ci' and its new name 'alpha'"):
        bootstrap([1.0, 2.0, 3.0], ci=0.9, alpha=0.1)


def test_random_procedures_repeat_by_default_and_report_their_seed() -> None:
    values, w = grid()
    first, again = moran(values, w), moran(values, w)
    assert first.p_sim == again.p_sim
    local, local_again = local_moran(values, w), local_moran(values, w)
    np.testing.assert_array_equal(local.p_values, local_again.p_values)
    assert first.provenance.seed == 0 and local.provenance.seed == 0
    assert "random seed 0" in repr(first)
    other = moran(values, w, seed=7)
    assert other.provenance.seed == 7
    # Without draws there is no seed to report.
    assert moran(values, w, n_resamples=0).provenance.seed is None
    assert bootstrap([3, 1, 4, 1, 5, 9, 2, 6]).provenance.seed == 0


def test_workspace_analyses_report_indicator_id_and_seed(demo_workspace: Any) -> None:
    result = demo_workspace.clusters("gva_per_hour_worked", "itl3", n_resamples=99)
    assert result.indicator_id == "gva_per_hour_worked"
    assert result.provenance.seed == 0 and "Office for National Statistics" in str(result.provenance)
    with pytest.warns(FutureWarning):
        assert result.indicator == "gva_per_hour_worked"
    assert "geography_code" in result.to_frame().columns


def test_conf_int_has_one_shape() -> None:
    result = bootstrap([3, 1, 4, 1, 5, 9, 2, 6], "gini", n_resamples=400, seed=3)
    frame = result.conf_int()
    assert list(frame.columns) == ["lower", "upper"]
    assert (frame.iloc[0]["lower"], frame.iloc[0]["upper"]) == (result.lower, result.upper)
    wider = result.conf_int(alpha=0.01).iloc[0]
    assert wider["lower"] <= result.lower and wider["upper"] >= result.upper
    expected = np.quantile(result.distribution, [0.005, 0.995])
    assert (wider["lower"], wider["upper"]) == pytest.approx(tuple(expected))
    assert isinstance(frame, pd.DataFrame)


def named_in_openapi(document: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """Every parameter and schema property of the REST API: (where, name, deprecated)."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield f"{method.upper()} {path}", parameter["name"], parameter.get("deprecated", False)
    for schema_name, schema in document["components"]["schemas"].items():
        for name, field in schema.get("properties", {}).items():
            yield schema_name, name, field.get("deprecated", False)


def test_the_rest_api_uses_the_glossary_names(client: Any) -> None:
    """A REST parameter or field is the Python name itself; an old name stays only as deprecated."""
    named = list(named_in_openapi(client.get("/openapi.json").json()))
    assert ("GET /api/space/clusters/{indicator}", "n_resamples", False) in named
    assert ("GET /api/space/clusters/{indicator}", "permutations", True) in named
    assert ("UncertaintyIn", "n_resamples", False) in named and ("FundingIn", "n_resamples", False) in named
    retired = [f"{where}: {name}" for where, name, deprecated in named
               if (name in RETIRED or name in {"low", "high"}) and not deprecated]
    assert retired == []
