"""REST endpoints of geography through time, against the code history and the shared files."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from geography_helpers import nomis


def test_code_history_names_the_order_and_the_successor(client: TestClient) -> None:
    body = client.get("/api/geographies/E07000026/history").json()
    assert (body["name"], body["valid_to"], body["status_today"]) == ("Allerdale", "2023-03-31", "retired")
    assert body["successors_today"] == [{"code": "E06000063", "name": "Cumberland"}]
    merged = {c["predecessor"] for c in body["changes"] if c["kind"] == "merger"}
    assert merged == {"E07000026", "E07000028", "E07000029"}
    # the Cumbria county was split between Cumberland and Westmorland and Furness
    assert {c["successor"] for c in body["changes"] if c["predecessor"] == "E10000006"} == {"E06000063"}
    assert all("S.I. 2022/331" in c["instrument"] for c in body["changes"])
    assert client.get("/api/geographies/E0700002X/history").status_code == 404


def test_lookup_by_boundary_year(client: TestClient) -> None:
    body = client.get("/api/geographies", params={"geography_vintage": "2023"}).json()
    assert body["count"] == 361
    cumberland = next(d for d in body["districts"] if d["code"] == "E06000063")
    parts = (cumberland["itl2"], cumberland["itl3"], cumberland["straddles_itl3"])
    assert parts == ("TLD1", None, "TLD11;TLD12")
    earlier = client.get("/api/geographies", params={"geography_vintage": "2015", "format": "csv"})
    assert earlier.headers["content-type"].startswith("text/csv") and "E07000026,Allerdale" in earlier.text


def test_names_to_codes(client: TestClient) -> None:
    body = client.get("/api/geographies/names", params={
        "name": ["Rhondda Cynon Taff", "Newcastle", "Corby"], "geography_vintage": "2021-03-01"}).json()
    assert body["matched"] == 2 and body["unmatched"] == ["Newcastle"]
    codes = {n["name"]: n["geography_code"] for n in body["names"]}
    assert codes["Rhondda Cynon Taff"] == "W06000016" and codes["Corby"] == "E07000150"


def test_observations_on_one_boundary_set(client: TestClient, shared_data: Path) -> None:
    pop = nomis(shared_data)
    body = client.get("/api/observations/population", params={
        "geographies": ["E06000063"], "periods": ["2019"], "geography_vintage": "2023"}).json()
    [row] = body["observations"]
    assert row["value"] == sum(pop[c]["2019"] for c in ("E07000026", "E07000028", "E07000029"))
    assert row["source_codes"] == "E07000026;E07000028;E07000029"
    assert body["geography_vintage"] == "2023-12-31"
    published = client.get("/api/observations/population", params={
        "geographies": ["E07000026"], "periods": ["2019"], "geography_vintage": "published"}).json()
    assert published["observations"][0]["value"] == pop["E07000026"]["2019"]
    refused = client.get("/api/observations/weekly_pay", params={"level": "lad"}).json()
    assert refused["refused"] == [] and refused["count"] == 359


def test_area_page_explains_a_harmonised_series(client: TestClient) -> None:
    page = client.get("/areas/E06000063").text
    assert 'id="boundary-note"' in page
    assert "Allerdale, Carlisle and Copeland, which became Cumberland" in page
    assert 'id="boundary-note"' not in client.get("/areas/E08000025").text  # Birmingham: unchanged
