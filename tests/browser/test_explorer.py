"""The explorer in real headless Chromium: pick an area, read its profile, switch to peers,
download a CSV, with no JavaScript errors; axe-core finds no serious or critical problems on the
main pages; the area picker can be reached with the keyboard."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

MAIN_PAGES = {
    "home": "/",
    "area": "/areas/E08000025",
    "trend": "/areas/E08000025/trends/gva_per_hour_worked",
    "inequality": "/inequality",
    "maps": "/maps",
}


def test_pick_an_area_see_profile_switch_to_peers_and_download(
    live_server: str, page: Any, tmp_path: Path, screenshots: Callable[[Any, str], Path]
) -> None:
    page.goto(live_server + "/")
    page.fill("#area-search", "Birmingham (E08000025)")
    page.click("#area-submit")
    page.wait_for_url("**/areas/E08000025")
    assert page.inner_text("h1").startswith("Birmingham")
    assert "better on" in page.inner_text("#summary")
    page.wait_for_selector("#profile-chart .main-svg")
    page.wait_for_selector("#area-map[data-drawn=true] .main-svg")
    assert page.locator("#profile-chart .bars .point").count() > 10
    screenshots(page, "explorer-area-median")

    page.check("#compare-peers")
    page.fill("#peer-count", "5")
    page.click("#compare-submit")
    page.wait_for_url("**compare=peers**")
    assert "k=5" in page.url
    assert page.locator("#peers-table tbody tr").count() == 5
    assert "5 nearest neighbours" in page.inner_text("#comparison-label")
    page.wait_for_selector("#profile-chart .main-svg")
    screenshots(page, "explorer-area-peers")

    with page.expect_download() as download_info:
        page.click("#profile-csv")
    saved = tmp_path / "profile.csv"
    download_info.value.save_as(saved)
    table = pd.read_csv(saved)
    shown = page.locator("table.profile tbody tr").evaluate_all("rows => rows.map(r => r.dataset.indicator)")
    assert sorted(table["indicator_id"]) == sorted(shown)
    assert table["comparison_value"].notna().any()
    peers = page.locator("#peers-table tbody a").all_inner_texts()
    assert len(peers) == 5 and pd.read_csv(io.StringIO(saved.read_text()))["median"].notna().all()


@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_pages_have_no_serious_accessibility_problems(
    live_server: str, page: Any, name: str, screenshots: Callable[[Any, str], Path]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(live_server + MAIN_PAGES[name])
    page.wait_for_load_state("networkidle")
    for chart in page.locator("[data-figure], [data-map]").all():
        chart.locator(".main-svg").first.wait_for()
    screenshots(page, f"explorer-{name}")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def test_keyboard_reaches_the_area_picker_and_submit(live_server: str, page: Any) -> None:
    page.goto(live_server + "/")
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id"))
        if "area-submit" in reached:
            break
    assert "area-search" in reached and "area-submit" in reached
    assert reached.index("area-search") < reached.index("area-submit")
    page.focus("#area-search")
    page.keyboard.type("Leeds (E08000035)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/areas/E08000035")
