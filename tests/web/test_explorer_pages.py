"""The explorer's server-rendered pages answer, redirect and fail as they should."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from levelscope import Workspace


def test_picking_an_area_goes_to_its_page(client: TestClient) -> None:
    home = client.get("/")
    assert (
        home.status_code == 200 and 'for="area-search"' in home.text and "Birmingham (E08000025)" in home.text
    )
    picked = client.get("/areas", params={"q": "Birmingham (E08000025)"}, follow_redirects=False)
    assert picked.status_code == 303 and picked.headers["location"] == "/areas/E08000025"
    both = client.get("/areas", params={"q": "Birmingham"})  # a district and an ITL3 region share the name
    assert both.status_code == 200 and "/areas/E08000025" in both.text and "/areas/TLG31" in both.text


def test_area_page_shows_summary_rule_chart_map_and_downloads(client: TestClient) -> None:
    page = client.get("/areas/E08000025", params={"compare": "peers", "k": 5}).text
    api = client.get("/api/areas/E08000025", params={"compare": "peers", "k": 5}).json()
    assert api["summary"].split(". ")[0] in page
    assert "How flags are set." in page and 'id="profile-chart"' in page and 'id="area-map"' in page
    assert "/api/areas/E08000025?compare=peers&amp;k=5&amp;format=csv" in page
    for peer in api["comparison"]["areas"]:
        assert f"/areas/{peer['code']}" in page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/areas/NOWHERE", 404),
        ("/areas/E08000025?areas=E12000001", 422),
        ("/maps?level=itl2", 404),
        ("/inequality?level=moon", 404),
        ("/inequality?measures=nonsense", 422),
        ("/areas/E08000025/trends/gva_current_prices", 404),
        ("/areas/E08000025/trends/gva_per_hour_worked", 200),
        ("/inequality", 200),
        ("/maps", 200),
        ("/maps?view=clusters&level=itl3&indicator=gva_per_hour_worked", 200),
    ],
)
def test_pages_answer_and_explain_problems(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    if status != 200:
        assert 'role="alert"' in response.text


def test_counts_and_level_names_read_as_written(client: TestClient, demo_workspace: Workspace) -> None:
    home = client.get("/").text
    # the demo's places with figures (published or derived), a count
    places = demo_workspace.scalar("SELECT count(DISTINCT geography_code) FROM any_observation")
    assert f"{places:,} places" in home and f"{places}.0" not in home
    assert "ITL3 regions" in home and "Itl3" not in home
    assert "Extra-regio territories" in home and "Extra regios" not in home
    listing = client.get("/areas", params={"level": "itl3"}).text
    assert "<h2>ITL3 regions</h2>" in listing
