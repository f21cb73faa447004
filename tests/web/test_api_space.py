"""``/api/space``: Moran's I and LISA equal esda on libpysal weights built here from the stored
shapes; beta and sigma convergence equal statsmodels OLS fits; the Markov chain equals giddy."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from levelscope.data import Workspace

INDICATOR, LEVEL, PERIOD = "gva_per_hour_worked", "itl3", "2022"
CLUSTERS = f"/api/space/clusters/{INDICATOR}"
CONVERGENCE = f"/api/space/convergence/{INDICATOR}"
QUADRANTS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}


@pytest.fixture(scope="module")
def gva(demo_workspace_path: Path) -> pd.DataFrame:
    """ITL3 GVA per hour worked, areas × periods, straight from the stored observations."""
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        rows = ws.observations(INDICATOR, LEVEL)
    return rows.pivot(index="geography_code", columns="period", values="value").sort_index(axis=1)


@pytest.fixture(scope="module")
def shapes(demo_workspace_path: Path) -> dict[str, Any]:
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        codes, stored, _ = ws.geometries(LEVEL)
    return {c: shapely.from_wkb(s) if isinstance(s, bytes | bytearray) else s
            for c, s in zip(codes, stored, strict=True)}


def pysal_weights(kind: str, shapes: dict[str, Any], ids: list[str]) -> Any:
    """Row-standardised libpysal weights built independently from the same shapes."""
    import libpysal

    geometries = [shapes[c] for c in ids]
    if kind == "queen":
        w = libpysal.weights.Queen.from_iterable(geometries, ids=ids, silence_warnings=True)
    else:
        centroids = np.array([[g.centroid.x, g.centroid.y] for g in geometries])
        w = libpysal.weights.KNN.from_array(centroids, k=4, ids=ids, silence_warnings=True)
    w.transform = "r"
    return w


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- clusters -----------------------------------------------------------------------------------
@pytest.mark.slow  # esda and libpysal take seconds to import
@pytest.mark.parametrize(("kind", "extra"), [("queen", {}), ("knn", {"k": 4})])
def test_moran_and_lisa_equal_esda(
    client: TestClient, gva: pd.DataFrame, shapes: dict[str, Any], demo_workspace: Workspace,
    kind: str, extra: dict[str, Any],
) -> None:
    import esda

    body = get(client, CLUSTERS, level=LEVEL, period=PERIOD, weights=kind, permutations=99, seed=5,
               **extra)
    areas = pd.DataFrame(body["areas"]).set_index("code")
    ids = list(areas.index)
    assert sorted(ids) == sorted(gva.index) and body["n"] == len(gva)
    y = gva.loc[ids, PERIOD].to_numpy()
    np.testing.assert_allclose(areas["value"], y, rtol=0)
    w = pysal_weights(kind, shapes, ids)
    theirs = esda.Moran(y, w, permutations=0)
    moran = body["moran"]
    assert moran["statistic"] == pytest.approx(theirs.I, abs=1e-10)
    assert moran["expected"] == pytest.approx(theirs.EI, abs=1e-12)
    assert moran["z_normal"] == pytest.approx(theirs.z_norm, abs=1e-8)
    assert moran["p_normal"] == pytest.approx(theirs.p_norm, rel=1e-6)
    assert moran["z_randomisation"] == pytest.approx(theirs.z_rand, abs=1e-8)
    assert moran["p_randomisation"] == pytest.approx(theirs.p_rand, rel=1e-6)
    # A pseudo p-value with 99 permutations is (hits + 1) / 100.
    assert moran["p_sim"] * 100 == pytest.approx(round(moran["p_sim"] * 100)) and moran["p_sim"] > 0
    local = esda.Moran_Local(y, w, permutations=0)
    np.testing.assert_allclose(areas["local_i"], local.Is, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(areas["quadrant"], local.q)
    assert list(areas["quadrant_label"]) == [QUADRANTS[q] for q in local.q]
    assert sorted(body["islands"]) == sorted(str(i) for i in w.islands)
    # Significant exactly when p <= alpha, and then labelled with the quadrant.
    assert (areas["significant"] == (areas["p_sim"] <= 0.05)).all()
    called = areas[areas["significant"] & ~areas.index.isin(body["islands"])]
    assert (called["cluster"] == called["quadrant_label"]).all()
    assert (areas.loc[~areas["significant"], "cluster"].isin(["Not significant", "Island"])).all()
    names = demo_workspace.geographies(LEVEL).set_index("code")["name"]
    assert (areas["name"] == names.loc[ids].to_numpy()).all()
    assert body["period"] == PERIOD and body["permutations"] == 99
    assert body["sources"][0]["publisher"] == "Office for National Statistics"


def test_clusters_default_to_latest_period_and_csv_matches_json(client: TestClient) -> None:
    params = {"level": LEVEL, "n_resamples": 49, "seed": 11}
    body = get(client, CLUSTERS, **params)
    assert body["period"] == PERIOD  # the newest held
    response = client.get(CLUSTERS, params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert f"{INDICATOR}-{LEVEL}-{PERIOD}-lisa.csv" in response.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(response.text))
    from_json = pd.DataFrame(body["areas"])
    assert list(table.columns) == list(from_json.columns)
    pd.testing.assert_frame_equal(table, from_json, check_dtype=False, rtol=1e-12)


def test_seed_makes_permutations_reproducible_and_fdr_is_stricter(client: TestClient) -> None:
    params = {"level": LEVEL, "n_resamples": 199, "seed": 3}
    first, again = get(client, CLUSTERS, **params), get(client, CLUSTERS, **params)
    assert [a["p_sim"] for a in first["areas"]] == [a["p_sim"] for a in again["areas"]]
    strict = get(client, CLUSTERS, **params, fdr=True)
    # Benjamini–Hochberg: the largest p_(i) with p_(i) <= alpha i / n, here worked out directly.
    p = np.sort([a["p_sim"] for a in strict["areas"]])
    n = len(p)
    passing = p[p <= 0.05 * np.arange(1, n + 1) / n]
    expected = passing.max() if len(passing) else 0.05 / n
    assert strict["fdr"] and strict["threshold"] == pytest.approx(expected)
    assert strict["threshold"] <= first["threshold"] == 0.05


@pytest.mark.parametrize("path", [CLUSTERS, "/api/maps/gva_per_hour_worked/clusters"])
def test_draws_are_n_resamples_and_the_old_name_still_works(client: TestClient, path: str) -> None:
    new = get(client, path, level=LEVEL, n_resamples=99)
    old = get(client, path, level=LEVEL, permutations=99)
    assert new == old and new["n_resamples"] == new["permutations"] == 99
    default = get(client, path, level=LEVEL)
    assert default["n_resamples"] == 999
    parameters = client.get("/openapi.json").json()["paths"][path.replace(INDICATOR, "{indicator}")]
    by_name = {p["name"]: p for p in parameters["get"]["parameters"]}
    assert by_name["permutations"]["deprecated"] is True and not by_name["n_resamples"].get("deprecated")


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"level": "itl2"}, 404, "levels with boundaries: itl3, lad"),
        ({"level": "moon"}, 404, "levels with figures"),
        ({"level": "police_force_area"}, 404, "levels with figures of it"),
        ({"level": "county"}, 404, "no boundaries for level 'county'"),  # figures derived from districts
        ({"level": LEVEL, "period": "1066"}, 422, "periods: ['2004'"),
        ({"level": LEVEL, "n_resamples": 10_000}, 422, "less than or equal to 9999"),
        ({"level": LEVEL, "permutations": 10_000}, 422, "less than or equal to 9999"),
        ({"level": LEVEL, "weights": "bishop"}, 422, "queen"),
        ({"level": LEVEL, "alpha": 0.7}, 422, "less than 0.5"),
    ],
)
def test_clusters_reject_bad_requests(
    client: TestClient, params: dict[str, Any], status: int, message: str
) -> None:
    response = client.get(CLUSTERS, params={"n_resamples": 0, **params})
    assert response.status_code == status
    assert message in response.text


def test_unknown_indicator_names_near_match(client: TestClient) -> None:
    for path in ("/api/space/clusters/gva_per_hour_workd", "/api/space/convergence/gva_per_hour_workd"):
        response = client.get(path, params={"level": LEVEL})
        assert response.status_code == 404
        assert "did you mean gva_per_hour_worked" in response.json()["detail"]


# -- convergence --------------------------------------------------------------------------------
def test_beta_and_sigma_equal_statsmodels(client: TestClient, gva: pd.DataFrame) -> None:
    import statsmodels.api as sm

    body = get(client, CONVERGENCE, level=LEVEL, start="2008", end="2019")
    window = gva.loc[:, "2008":"2019"]
    # Beta: average yearly log growth 2008-2019 on the 2008 log level, T = 11 years.
    growth = (np.log(window["2019"]) - np.log(window["2008"])) / 11
    fit = sm.OLS(growth.to_numpy(), sm.add_constant(np.log(window["2008"].to_numpy()))).fit()
    beta = body["beta"]
    assert beta["beta"] == pytest.approx(fit.params[1], abs=1e-12)
    assert beta["std_error"] == pytest.approx(fit.bse[1], rel=1e-9)
    assert beta["p_value"] == pytest.approx(fit.pvalues[1], rel=1e-6)
    assert beta["r_squared"] == pytest.approx(fit.rsquared, rel=1e-9)
    speed = -np.log(1 + fit.params[1] * 11) / 11
    assert beta["speed"] == pytest.approx(speed, rel=1e-9)
    assert beta["half_life"] == pytest.approx(np.log(2) / speed, rel=1e-9)
    assert beta["n"] == len(window) and beta["years"] == 11
    # Sigma: population standard deviation of logs each year, and its OLS trend on the year.
    dispersion = np.log(window).std(axis=0, ddof=0)
    series = pd.DataFrame(body["sigma"]["series"])
    assert list(series["period"]) == [str(y) for y in range(2008, 2020)]
    np.testing.assert_allclose(series["value"], dispersion.to_numpy(), rtol=1e-12)
    trend = sm.OLS(dispersion.to_numpy(), sm.add_constant(np.arange(2008, 2020.0))).fit()
    sigma = body["sigma"]
    assert sigma["slope"] == pytest.approx(trend.params[1], rel=1e-9)
    assert sigma["std_error"] == pytest.approx(trend.bse[1], rel=1e-9)
    assert sigma["p_value"] == pytest.approx(trend.pvalues[1], rel=1e-6)
    assert sigma["converging"] == (trend.params[1] < 0 and trend.pvalues[1] < 0.05)
    assert (body["start"], body["end"], body["dropped"]) == ("2008", "2019", [])


@pytest.mark.slow  # importing giddy takes about 9 s
def test_markov_chain_equals_giddy(client: TestClient, gva: pd.DataFrame) -> None:
    import mapclassify
    from giddy.markov import Markov
    from giddy.mobility import markov_mobility

    body = get(client, CONVERGENCE, level=LEVEL, classes=4)
    # Values relative to each year's mean, in 4 classes by quartiles pooled over all years.
    relative = gva / gva.mean(axis=0)
    classes = mapclassify.Quantiles(relative.to_numpy().ravel(), k=4).yb.reshape(relative.shape)
    theirs = Markov(classes)
    chain = body["markov"]
    assert chain["classes"] == 4
    np.testing.assert_array_equal(chain["transitions"], theirs.transitions)
    np.testing.assert_allclose(chain["probabilities"], theirs.p, rtol=1e-12)
    np.testing.assert_allclose(chain["steady_state"], theirs.steady_state, rtol=1e-9)
    for index, value in chain["mobility"].items():
        assert value == pytest.approx(markov_mobility(theirs.p, measure=index), rel=1e-9, abs=1e-14)
    tau = pd.DataFrame(body["rank_mobility"])
    from scipy.stats import kendalltau

    assert tau["tau"].iloc[-1] == pytest.approx(kendalltau(gva["2004"], gva["2022"]).statistic,
                                                rel=1e-12)
    assert body["spatial_markov"]["dof"] > 0


def test_convergence_csv_tables(client: TestClient) -> None:
    body = get(client, CONVERGENCE, level=LEVEL)
    sigma = pd.read_csv(io.StringIO(client.get(CONVERGENCE, params={
        "level": LEVEL, "format": "csv"}).text), dtype={"period": str})
    pd.testing.assert_frame_equal(sigma, pd.DataFrame(body["sigma"]["series"]), rtol=1e-12)
    transitions = pd.read_csv(io.StringIO(client.get(CONVERGENCE, params={
        "level": LEVEL, "format": "csv", "table": "transitions"}).text))
    assert list(transitions["from"]) == [f"class {c}" for c in range(1, 6)]
    np.testing.assert_allclose(transitions.drop(columns="from"), body["markov"]["probabilities"],
                               rtol=1e-12)
    mobility = pd.read_csv(io.StringIO(client.get(CONVERGENCE, params={
        "level": LEVEL, "format": "csv", "table": "mobility"}).text), dtype={"from": str, "to": str})
    pd.testing.assert_frame_equal(mobility, pd.DataFrame(body["rank_mobility"]), rtol=1e-12)


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"start": "1990"}, 422, "no observations of 'gva_per_hour_worked' in start period '1990'"),
        ({"start": "2021"}, 422, "at least three periods"),
        ({"measure": "ginni"}, 422, "unknown measure 'ginni'"),
        ({"classes": 1}, 422, "greater than or equal to 2"),
        ({"table": "everything"}, 422, "sigma"),
        ({"level": "itl9"}, 404, "levels with figures"),
    ],
)
def test_convergence_rejects_bad_requests(
    client: TestClient, params: dict[str, Any], status: int, message: str
) -> None:
    response = client.get(CONVERGENCE, params={"level": LEVEL, **params})
    assert response.status_code == status
    assert message in response.text


def test_convergence_needs_several_periods(client: TestClient) -> None:
    response = client.get("/api/space/convergence/gdhi_per_head", params={"level": "lad"})
    assert response.status_code == 422
    assert "at least 2 periods" in response.text


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    clusters = {p["name"] for p in paths["/api/space/clusters/{indicator}"]["get"]["parameters"]}
    assert clusters >= {"indicator", "level", "period", "weights", "k", "permutations", "seed", "fdr",
                        "format"}
    convergence = {p["name"] for p in paths["/api/space/convergence/{indicator}"]["get"]["parameters"]}
    assert convergence >= {"level", "start", "end", "measure", "classes", "table", "format"}
    assert "/api/measures/inequality/{indicator}" in paths and "/api/measures/compute" in paths
