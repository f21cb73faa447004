"""The explorer's REST API over the demo workspace, checked against figures worked out here with
pandas / NumPy from the workspace's own observations (and mapclassify for natural breaks)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from levelscope.data import Workspace

BIRMINGHAM, LEEDS, MANCHESTER = "E08000025", "E08000035", "E08000003"
CONTEXT = ["population", "gdhi_per_head", "gva_per_hour_worked", "employment_rate", "level3_qualifications"]


@pytest.fixture(scope="module")
def lad(demo_workspace_path: Path) -> pd.DataFrame:
    """Every local-authority observation (latest release)."""
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        return ws.observations(level="lad")


def newest(panel: pd.DataFrame) -> pd.DataFrame:
    """Each area's newest value of each indicator."""
    last = panel.groupby(["indicator_id", "geography_code"])["period_end"].transform("max")
    return panel[panel["period_end"] == last]


def latest_wide(panel: pd.DataFrame) -> pd.DataFrame:
    return newest(panel).pivot_table(index="geography_code", columns="indicator_id", values="value")


# -- levels, areas, indicators -----------------------------------------------------------------
def test_levels_say_which_have_boundaries(client: TestClient, demo_workspace: Workspace) -> None:
    levels = {row["level"]: row for row in client.get("/api/levels").json()}
    assert {"lad", "itl3", "itl2", "itl1"} <= set(levels)
    for name, row in levels.items():
        assert row["boundaries"] == bool(demo_workspace.geometries(name)[0])
    assert levels["lad"]["boundaries"] and not levels["itl1"]["boundaries"]


def test_area_search_finds_every_match(client: TestClient, demo_workspace: Workspace) -> None:
    body = client.get("/api/areas", params={"q": "bir", "limit": 1000}).json()
    with_figures = set(
        demo_workspace.con.execute("SELECT DISTINCT geography_code FROM observation").df()["geography_code"]
    )
    places = demo_workspace.geographies()
    expected = places[
        places["code"].isin(with_figures)
        & (places["name"].str.lower().str.contains("bir") | places["code"].str.lower().str.startswith("bir"))
    ]
    assert body["count"] == len(expected)
    assert {a["code"] for a in body["areas"]} == set(expected["code"])
    assert body["areas"][0]["code"] == BIRMINGHAM  # local authorities before ITL3 regions


def test_area_list_by_level_as_csv(client: TestClient, demo_workspace: Workspace) -> None:
    response = client.get("/api/areas", params={"level": "itl3", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(response.text))
    with_figures = demo_workspace.con.execute(
        "SELECT count(DISTINCT o.geography_code) FROM observation o "
        "JOIN geography g ON g.code = o.geography_code WHERE g.level = 'itl3'"
    ).fetchone()
    assert with_figures is not None
    assert len(table) == with_figures[0] and set(table["level"]) == {"itl3"}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"level": "moon"}, 404),
        ({"limit": 0}, 422),
        ({"limit": 5000}, 422),
        ({"format": "xml"}, 422),
    ],
)
def test_area_list_rejects_bad_parameters(client: TestClient, params: dict[str, object], status: int) -> None:
    response = client.get("/api/areas", params=params)
    assert response.status_code == status
    if status == 404:
        assert "levels with figures" in response.json()["detail"]


def test_indicators_grouped_by_theme(client: TestClient, demo_workspace: Workspace) -> None:
    body = client.get("/api/indicators").json()
    definitions = demo_workspace.indicators()
    assert body["count"] == len(definitions)
    for theme in body["themes"]:
        expected = definitions.loc[definitions["theme"] == theme["theme"], "id"]
        assert sorted(i["id"] for i in theme["indicators"]) == sorted(expected)
    at_itl3 = client.get("/api/indicators", params={"level": "itl3"}).json()
    ids = {i["id"] for t in at_itl3["themes"] for i in t["indicators"]}
    held = demo_workspace.observations(level="itl3")["indicator_id"].unique()
    assert ids == set(held)


def test_one_indicator_and_unknown_ones(client: TestClient, demo_workspace: Workspace) -> None:
    body = client.get("/api/indicators/weekly_pay").json()
    assert body["unit"] == demo_workspace.indicator("weekly_pay").unit
    lad_row = next(r for r in body["levels"] if r["level"] == "lad")
    assert (
        lad_row["areas"] == demo_workspace.observations("weekly_pay", level="lad")["geography_code"].nunique()
    )
    assert client.get("/api/indicators/weekly_payy").status_code == 404
    assert "weekly_pay" in client.get("/api/indicators/weekly_payy").json()["detail"]  # close match named
    assert client.get("/api/indicators", params={"theme": "Nothing"}).status_code == 404


# -- the area profile --------------------------------------------------------------------------
def test_profile_medians_ranks_and_flags(
    client: TestClient, lad: pd.DataFrame, demo_workspace: Workspace
) -> None:
    body = client.get(f"/api/areas/{BIRMINGHAM}").json()
    assert body["area"]["name"] == "Birmingham" and body["comparison"]["kind"] == "median"
    current = newest(lad)
    meta = demo_workspace.indicators().set_index("id")
    # counts and amounts are the area's size: ranked largest first, flagged higher / lower only
    size = meta["kind"].isin(["count", "amount"])
    polarity = meta["polarity"].where(~size, "neutral")
    rows = body["indicators"]
    assert len(rows) == current[current["geography_code"] == BIRMINGHAM]["indicator_id"].nunique()
    for row in rows:
        same = current[
            (current["indicator_id"] == row["indicator_id"]) & (current["period"] == row["period"])
        ]
        values = same["value"]
        mine = float(same.loc[same["geography_code"] == BIRMINGHAM, "value"].iloc[0])
        assert row["value"] == pytest.approx(mine)
        assert row["median"] == pytest.approx(float(np.median(values)))
        assert row["sd"] == pytest.approx(float(values.std(ddof=1)))
        higher = polarity[row["indicator_id"]] != "lower_is_better"
        better_placed = (values > mine).sum() if higher else (values < mine).sum()
        assert row["rank"] == better_placed + 1 and row["areas"] == len(values)
        # the flag rule, written out: the interval excludes the median, else one SD away
        if row["lower"] is not None:
            up, down = row["lower"] > row["median"], row["upper"] < row["median"]
        else:
            up, down = mine - row["median"] > row["sd"], row["median"] - mine > row["sd"]
        words = {
            "higher_is_better": ("better", "worse"),
            "lower_is_better": ("worse", "better"),
            "neutral": ("higher", "lower"),
        }[polarity[row["indicator_id"]]]
        assert row["flag"] == (words[0] if up else words[1] if down else "similar")
        assert row["comparison_value"] == pytest.approx(row["median"])
    flags = pd.Series([r["flag"] for r in rows])
    assert body["counts"]["better"] == (flags == "better").sum()
    assert f"better on {body['counts']['better']}, worse on {body['counts']['worse']}" in body["summary"]
    assert "standard deviation" in body["rule"]
    assert body["sources"] and all(s["publisher"] for s in body["sources"])


def test_peers_are_nearest_in_z_scores(client: TestClient, lad: pd.DataFrame) -> None:
    body = client.get(f"/api/areas/{BIRMINGHAM}/peers", params={"k": 5}).json()
    wide = latest_wide(lad[lad["indicator_id"].isin(CONTEXT)])[CONTEXT].dropna()
    z = (wide - wide.mean()) / wide.std(ddof=0)
    distance = np.sqrt(((z - z.loc[BIRMINGHAM]) ** 2).sum(axis=1)).drop(BIRMINGHAM).sort_values()
    assert [p["geography_code"] for p in body["peers"]] == list(distance.index[:5])
    assert [p["distance"] for p in body["peers"]] == pytest.approx(list(distance.iloc[:5]))
    assert body["context"] == CONTEXT and body["candidates"] == len(wide) - 1


def test_compare_with_peers_uses_their_median(client: TestClient, lad: pd.DataFrame) -> None:
    body = client.get(f"/api/areas/{BIRMINGHAM}", params={"compare": "peers", "k": 5}).json()
    peers = [a["code"] for a in body["comparison"]["areas"]]
    assert len(peers) == 5 and body["peers"]["peers"][0]["geography_code"] == peers[0]
    current = newest(lad)
    for row in body["indicators"]:
        theirs = current[
            (current["indicator_id"] == row["indicator_id"]) & current["geography_code"].isin(peers)
        ]
        if theirs.empty:
            assert row["comparison_value"] is None
        else:
            assert row["comparison_value"] == pytest.approx(float(theirs["value"].median()))


def test_compare_with_chosen_areas_and_csv(client: TestClient, lad: pd.DataFrame) -> None:
    params = {"areas": f"{LEEDS},{MANCHESTER}"}
    body = client.get(f"/api/areas/{BIRMINGHAM}", params=params).json()
    assert body["comparison"]["kind"] == "areas"
    assert [a["name"] for a in body["comparison"]["areas"]] == ["Leeds", "Manchester"]
    wide = latest_wide(lad)
    by_id = {r["indicator_id"]: r for r in body["indicators"]}
    pay = wide.loc[[LEEDS, MANCHESTER], "weekly_pay"].mean()  # the median of two values is their mean
    assert by_id["weekly_pay"]["comparison_value"] == pytest.approx(pay)
    csv = client.get(f"/api/areas/{BIRMINGHAM}", params=params | {"format": "csv"})
    assert 'filename="E08000025-profile-areas.csv"' in csv.headers["content-disposition"]
    table = pd.read_csv(io.StringIO(csv.text)).set_index("indicator_id")
    assert len(table) == len(body["indicators"])
    assert table.loc["weekly_pay", "comparison_value"] == pytest.approx(pay)
    assert table.loc["weekly_pay", "value"] == pytest.approx(wide.loc[BIRMINGHAM, "weekly_pay"])


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/api/areas/NOWHERE", {}, 404, "search areas"),
        (f"/api/areas/{BIRMINGHAM}", {"compare": "everyone"}, 422, "median"),
        (f"/api/areas/{BIRMINGHAM}", {"compare": "areas"}, 422, "at least one"),
        (f"/api/areas/{BIRMINGHAM}", {"areas": "E12000001"}, 422, "English region"),
        (f"/api/areas/{BIRMINGHAM}", {"areas": "E0800002X"}, 404, "unknown area"),
        (
            f"/api/areas/{BIRMINGHAM}",
            {"areas": ",".join(f"E0800000{i}" for i in range(1, 10)) + ",E08000010,E08000011"},
            422,
            "at most",
        ),
        (f"/api/areas/{BIRMINGHAM}", {"k": 0}, 422, "greater than"),
        (f"/api/areas/{BIRMINGHAM}", {"context": "no_such_indicator"}, 404, "unknown indicator"),
        (f"/api/areas/{BIRMINGHAM}/peers", {"k": 51}, 422, "less than"),
        ("/api/areas/NOWHERE/peers", {}, 404, "unknown area"),
    ],
)
def test_profile_rejects_bad_parameters(
    client: TestClient, path: str, params: dict[str, object], status: int, words: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert words in str(response.json()["detail"])


# -- trends ----------------------------------------------------------------------------------------
def test_trend_gap_and_direction(client: TestClient, lad: pd.DataFrame) -> None:
    body = client.get(
        f"/api/areas/{BIRMINGHAM}/trends/gva_per_hour_worked", params={"peers": True, "k": 5}
    ).json()
    panel = lad[lad["indicator_id"] == "gva_per_hour_worked"]
    medians = panel.groupby("period")["value"].median()
    mine = panel[panel["geography_code"] == BIRMINGHAM].set_index("period")["value"]
    series = pd.DataFrame(body["series"]).set_index("period")
    assert list(series.index) == sorted(mine.index)
    assert series["median"].to_numpy() == pytest.approx(medians.loc[series.index].to_numpy())
    assert series["gap"].to_numpy() == pytest.approx((mine - medians).loc[series.index].to_numpy())
    peers = panel[panel["geography_code"].isin(body["peers"])].groupby("period")["value"].median()
    assert series["peer_median"].to_numpy() == pytest.approx(peers.loc[series.index].to_numpy())
    first, last = series["gap"].iloc[0], series["gap"].iloc[-1]
    change, tolerance = abs(last) - abs(first), 0.01 * abs(series["median"].iloc[-1])
    expected = "closing" if change < -tolerance else "widening" if change > tolerance else "stable"
    if (first > 0) == (last > 0):
        assert body["direction"] == expected
    assert body["start_period"] == series.index[0] and body["end_period"] == series.index[-1]
    csv = pd.read_csv(
        io.StringIO(
            client.get(f"/api/areas/{BIRMINGHAM}/trends/gva_per_hour_worked", params={"format": "csv"}).text
        )
    )
    assert csv["value"].to_numpy() == pytest.approx(series["value"].to_numpy())


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/api/areas/{BIRMINGHAM}/trends/no_such", 404),
        (f"/api/areas/{BIRMINGHAM}/trends/gva_current_prices", 404),  # not published for local authorities
        ("/api/areas/NOWHERE/trends/weekly_pay", 404),
        (f"/api/areas/{BIRMINGHAM}/trends/weekly_pay?peers=maybe", 422),
    ],
)
def test_trend_rejects_bad_parameters(client: TestClient, path: str, status: int) -> None:
    assert client.get(path).status_code == status


# -- inequality --------------------------------------------------------------------------------
def gini(x: np.ndarray) -> float:
    """Mean absolute difference over twice the mean."""
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()))


def theil(x: np.ndarray) -> float:
    share = x / x.mean()
    return float(np.mean(share * np.log(share)))


def test_inequality_over_time(client: TestClient, demo_workspace: Workspace) -> None:
    body = client.get("/api/inequality/gva_per_hour_worked", params={"level": "itl3"}).json()
    panel = demo_workspace.observations("gva_per_hour_worked", level="itl3")
    table = pd.DataFrame(body["table"])
    assert set(table["period"]) == set(panel["period"])
    for period, rows in panel.groupby("period"):
        x = rows["value"].to_numpy(dtype=float)
        got = table[table["period"] == period].set_index("measure")["value"]
        assert got["gini"] == pytest.approx(gini(x))
        assert got["theil"] == pytest.approx(theil(x))
    split = pd.DataFrame(body["decomposition"])
    assert (split["between"] + split["within"]).to_numpy() == pytest.approx(split["total"].to_numpy())
    totals = table[table["measure"] == "theil"].set_index("period")["value"]
    assert split.set_index("period")["total"].to_numpy() == pytest.approx(
        totals.loc[split["period"]].to_numpy()
    )
    assert "Gini" in body["statement"]
    csv = client.get(
        "/api/inequality/gva_per_hour_worked",
        params={"level": "itl3", "format": "csv", "table": "decomposition"},
    )
    assert list(pd.read_csv(io.StringIO(csv.text)).columns[:5]) == [
        "period",
        "period_end",
        "total",
        "between",
        "within",
    ]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"level": "moon"}, 404),
        ({"measures": "nonsense"}, 422),
        ({"table": "other"}, 422),
    ],
)
def test_inequality_rejects_bad_parameters(
    client: TestClient, params: dict[str, object], status: int
) -> None:
    assert client.get("/api/inequality/weekly_pay", params=params).status_code == status
    assert client.get("/api/inequality/no_such").status_code == 404


# -- maps --------------------------------------------------------------------------------------
def test_map_quantile_classes(client: TestClient, demo_workspace: Workspace) -> None:
    body = client.get("/api/maps/weekly_pay", params={"level": "lad", "k": 4}).json()
    values = demo_workspace.observations("weekly_pay", level="lad")
    values = values[values["period"] == body["period"]]["value"].to_numpy()
    breaks = np.quantile(values, [0.25, 0.5, 0.75, 1.0])
    assert body["breaks"] == pytest.approx(breaks)
    for row in body["values"]:
        assert row["class"] == int(np.searchsorted(breaks, row["value"], side="left"))
    assert body["boundaries"] == "/api/boundaries/lad"


def test_map_natural_breaks_match_mapclassify(client: TestClient) -> None:
    import mapclassify

    body = client.get(
        "/api/maps/weekly_pay", params={"level": "lad", "scheme": "natural_breaks", "k": 5}
    ).json()
    values = np.array([r["value"] for r in body["values"]])
    assert body["breaks"] == pytest.approx(mapclassify.FisherJenks(values, k=5).bins)


def test_map_clusters_and_boundaries(client: TestClient, demo_workspace: Workspace) -> None:
    body = client.get("/api/maps/weekly_pay/clusters", params={"level": "lad", "permutations": 99}).json()
    clusters = pd.DataFrame(body["clusters"])
    assert set(clusters["cluster"]) <= {
        "High-High",
        "Low-Low",
        "Low-High",
        "High-Low",
        "Not significant",
        "Island",
    }
    significant = clusters["cluster"].isin(["High-High", "Low-Low", "Low-High", "High-Low"])
    assert (clusters.loc[significant, "p_sim"] < 0.05).all()
    codes, _, _ = demo_workspace.geometries("lad")
    geojson = client.get("/api/boundaries/lad")
    assert geojson.headers["content-type"] == "application/geo+json"
    features = geojson.json()["features"]
    assert {f["id"] for f in features} == set(codes)
    lon, lat = (
        np.array(features[0]["geometry"]["coordinates"][0]).reshape(-1, 2).T[:2]
        if features[0]["geometry"]["type"] == "Polygon"
        else np.array(features[0]["geometry"]["coordinates"][0][0]).T[:2]
    )
    assert (
        (lon > -9).all() and (lon < 2).all() and (lat > 49).all() and (lat < 61).all()
    )  # the UK, in degrees


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/maps/weekly_pay", {"k": 1}, 422),
        ("/api/maps/weekly_pay", {"k": 7}, 422),
        ("/api/maps/weekly_pay", {"scheme": "equal"}, 422),
        ("/api/maps/weekly_pay", {"period": "1900"}, 404),
        ("/api/maps/weekly_pay", {"level": "itl3"}, 404),
        ("/api/maps/no_such", {}, 404),
        ("/api/maps/weekly_pay/clusters", {"level": "itl2"}, 404),
        ("/api/maps/weekly_pay/clusters", {"alpha": 0.9}, 422),
        ("/api/boundaries/itl1", {}, 404),
        ("/api/boundaries/moon", {}, 404),
    ],
)
def test_maps_reject_bad_parameters(
    client: TestClient, path: str, params: dict[str, object], status: int
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text


def test_map_csv_download(client: TestClient) -> None:
    body = client.get("/api/maps/weekly_pay").json()
    table = pd.read_csv(io.StringIO(client.get("/api/maps/weekly_pay", params={"format": "csv"}).text))
    assert list(table["geography_code"]) == [r["geography_code"] for r in body["values"]]
    assert table["value"].to_numpy() == pytest.approx([r["value"] for r in body["values"]])


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/levels",
        "/api/areas",
        "/api/areas/{code}",
        "/api/areas/{code}/peers",
        "/api/areas/{code}/trends/{indicator}",
        "/api/indicators",
        "/api/indicators/{indicator}",
        "/api/inequality/{indicator}",
        "/api/maps/{indicator}",
        "/api/maps/{indicator}/clusters",
        "/api/boundaries/{level}",
    ):
        assert path in paths
    profile = paths["/api/areas/{code}"]["get"]
    assert {p["name"] for p in profile["parameters"]} >= {
        "code",
        "compare",
        "areas",
        "k",
        "context",
        "format",
    }
