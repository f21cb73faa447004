"""The need index explorer in a real headless Chromium: chart and map drawn, no console errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.mark.browser
@pytest.mark.slow
def test_need_page_draws_rank_intervals_and_category_map(
    live_server: str, page: object, screenshots: Callable[[object, str], Path]
) -> None:
    page.goto(f"{live_server}/need?n=64", wait_until="networkidle")  # type: ignore[attr-defined]
    page.wait_for_selector("#rank-chart[data-drawn='true'] .main-svg")  # type: ignore[attr-defined]
    page.wait_for_selector("#category-map[data-drawn='true'] .main-svg", timeout=30_000)  # type: ignore[attr-defined]
    # one marker per area in the chart: 40 median ranks
    points = page.locator("#rank-chart .scatterlayer .trace").first.locator("path.point")  # type: ignore[attr-defined]
    assert points.count() == 40
    rows = page.locator("#need-table tbody tr")  # type: ignore[attr-defined]
    assert rows.count() > 300
    assert rows.first.locator("td.rank").inner_text() == "1"
    legend = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#category-map .legendtext", "elements => elements.map(e => e.textContent)"
    )
    assert {"Priority 1", "Priority 2", "Priority 3"} <= set(legend)
    shot = screenshots(page, "need-index")
    assert shot.exists() and shot.stat().st_size > 10_000
