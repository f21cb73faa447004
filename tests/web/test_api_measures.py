"""``/api/measures``: the inequality table and single computations equal PySAL ``inequality``
(and, for population weights, the weighted formulas written out here)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from levelscope.data import Workspace

INEQUALITY = "/api/measures/inequality"
COMPUTE = "/api/measures/compute"


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_inequality_table_equals_pysal(client: TestClient, demo_workspace: Workspace) -> None:
    from inequality.gini import Gini
    from inequality.theil import Theil

    body = get(client, f"{INEQUALITY}/gva_per_hour_worked", level="itl3",
               measures=["gini", "theil"], periods="2004,2022")
    table = pd.DataFrame(body["table"])
    assert body["measures"] == ["gini", "theil"] and body["weight"] is None
    assert list(table.columns) == ["period", "year", "measure", "value", "n", "total_weight"]
    assert sorted(set(table["period"])) == ["2004", "2022"] and len(table) == 4
    observed = demo_workspace.observations("gva_per_hour_worked", "itl3")
    for period in ("2004", "2022"):
        y = observed.loc[observed["period"] == period, "value"].to_numpy()
        rows = table[table["period"] == period].set_index("measure")
        assert rows.loc["gini", "value"] == pytest.approx(Gini(y).g, rel=1e-10)
        assert rows.loc["theil", "value"] == pytest.approx(Theil(y).T, rel=1e-10)
        assert (rows["n"] == len(y)).all() and (rows["total_weight"] == len(y)).all()
    assert body["sources"][0]["publisher"] == "Office for National Statistics"


def test_population_weighted_inequality_by_hand(client: TestClient, demo_workspace: Workspace) -> None:
    body = get(client, f"{INEQUALITY}/gva_per_hour_worked", level="lad", measures=["cv", "theil"],
               weight="population", periods="2019", missing_weights="drop")
    gva = demo_workspace.observations("gva_per_hour_worked", "lad", periods="2019")
    people = demo_workspace.observations("population", "lad", periods="2019")
    both = gva.merge(people, on="geography_code", suffixes=("", "_population"))
    y, w = both["value"].to_numpy(), both["value_population"].to_numpy()
    share = w / w.sum()
    mu = share @ y
    williamson = np.sqrt(share @ (y - mu) ** 2) / mu  # population-weighted cv
    theil = share @ (y / mu * np.log(y / mu))
    rows = pd.DataFrame(body["table"]).set_index("measure")
    assert rows.loc["cv", "value"] == pytest.approx(williamson, rel=1e-10)
    assert rows.loc["theil", "value"] == pytest.approx(theil, rel=1e-10)
    assert rows.loc["cv", "n"] == len(both) and rows.loc["cv", "total_weight"] == pytest.approx(w.sum())
    # on the demo's 2023 boundaries every district has a population, even the merged ones
    assert set(gva["geography_code"]) <= set(people["geography_code"]) and body["notes"] == []
    # Without permission to drop them, the areas lacking a weight are named in a 422: the ITL3
    # regions a Scottish council area straddles have no population built from districts.
    refused = client.get(f"{INEQUALITY}/gva_per_hour_worked", params={
        "level": "itl3", "weight": "population", "periods": "2019"})
    assert refused.status_code == 422 and "TLM61" in refused.text


def test_inequality_csv_matches_json(client: TestClient) -> None:
    params = {"level": "itl3", "measures": ["gini", "atkinson(epsilon=1)"]}
    body = get(client, f"{INEQUALITY}/gva_per_filled_job", **params)
    assert body["measures"] == ["gini", "atkinson(epsilon=1)"]
    response = client.get(f"{INEQUALITY}/gva_per_filled_job", params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "gva_per_filled_job-itl3-inequality.csv" in response.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(response.text), dtype={"period": str})
    pd.testing.assert_frame_equal(table, pd.DataFrame(body["table"]), check_dtype=False, rtol=1e-12)


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("gva_per_hour_workd", {"level": "itl3"}, 404, "did you mean gva_per_hour_worked"),
        ("gva_per_hour_worked", {"level": "moon"}, 404, "levels with figures"),
        ("gva_per_hour_worked", {"level": "health_board"}, 404, "levels with figures of it"),
        ("gva_per_hour_worked", {"level": "itl3", "weight": "populaton"}, 404, "population"),
        ("gva_per_hour_worked", {"level": "itl3", "weight": "population"}, 422, "TLM61"),
        ("gva_per_hour_worked", {"level": "itl3", "measures": "ginni"}, 422, "unknown measure 'ginni'"),
        ("gva_per_hour_worked", {"level": "itl3", "periods": "1999"}, 422, "for periods ['1999']"),
        ("gva_per_hour_worked", {"level": "itl3", "missing_weights": "guess"}, 422, "drop"),
    ],
)
def test_inequality_rejects_bad_requests(
    client: TestClient, path: str, params: dict[str, Any], status: int, message: str
) -> None:
    response = client.get(f"{INEQUALITY}/{path}", params=params)
    assert response.status_code == status
    assert message in response.text


# -- POST /compute ------------------------------------------------------------------------------
VALUES = [12.0, 3.5, 7.25, 30.0, 18.0, 5.0, 9.5]


def compute(client: TestClient, **body: Any) -> Any:
    response = client.post(COMPUTE, json=body)
    assert response.status_code == 200, response.text
    return {r["measure"]: r["value"] for r in response.json()["results"]}


def test_compute_equals_pysal(client: TestClient) -> None:
    from inequality.atkinson import atkinson
    from inequality.gini import Gini
    from inequality.theil import Theil

    got = compute(client, values=VALUES,
                  measures=["gini", "theil", "atkinson(epsilon=0.5)", "atkinson(epsilon=1)"])
    y = np.array(VALUES)
    assert got["gini"] == pytest.approx(Gini(y).g, rel=1e-12)
    assert got["theil"] == pytest.approx(Theil(y).T, rel=1e-12)
    assert got["atkinson(epsilon=0.5)"] == pytest.approx(atkinson(y, 0.5), rel=1e-12)
    assert got["atkinson(epsilon=1)"] == pytest.approx(atkinson(y, 1), rel=1e-12)


def test_compute_defaults_and_frequency_weights(client: TestClient) -> None:
    from inequality.gini import Gini
    from inequality.theil import Theil

    response = client.post(COMPUTE, json={"values": VALUES, "weights": [1, 3, 1, 2, 1, 1, 4]})
    body = response.json()
    assert body["n"] == len(VALUES) and body["weighted"]
    assert [r["measure"] for r in body["results"]] == ["gini", "theil", "mld", "cv"]
    # Frequency weights: the same as repeating each value that many times.
    repeated = np.repeat(VALUES, [1, 3, 1, 2, 1, 1, 4])
    got = {r["measure"]: r["value"] for r in body["results"]}
    assert got["gini"] == pytest.approx(Gini(repeated).g, rel=1e-12)
    assert got["theil"] == pytest.approx(Theil(repeated).T, rel=1e-12)
    mu = repeated.mean()
    assert got["mld"] == pytest.approx(np.mean(np.log(mu / repeated)), rel=1e-12)
    assert got["cv"] == pytest.approx(repeated.std() / mu, rel=1e-12)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"values": [0, 2, 3], "measures": ["mld"]}, "mld: values must be strictly positive"),
        ({"values": [1, 2, 3], "weights": [1, 2]},
         "values and weights differ in length (3 values, 2 weights)"),
        ({"values": [1, None, 3]}, "values must be finite (found NaN or infinity)"),
        ({"values": [5.0]}, "at least two"),
        ({"values": [1, 2, 3], "weights": [1, -1, 1]}, "weights must be non-negative"),
        ({"values": [1, 2], "measures": ["nope"]}, "unknown measure 'nope'"),
        ({"values": [1, 2], "measures": ["atkinson(epsilon=-1)"]}, "epsilon must be non-negative"),
        ({"values": []}, "at least 1 item"),
        ({"values": [1, 2], "colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_compute_refuses_undefined_cases(client: TestClient, body: dict[str, Any], message: str) -> None:
    response = client.post(COMPUTE, json=body)
    assert response.status_code == 422
    assert message in response.text


def test_compute_refuses_nan_literal(client: TestClient) -> None:
    response = client.post(COMPUTE, content=b'{"values": [1, NaN, 3], "measures": ["gini"]}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "gini: values must be finite" in response.json()["detail"]
