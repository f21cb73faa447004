"""The exploratory synthetic control page in a real headless Chromium: every number it shows — the
donors' weights, the pre-period fit, the average gap, the placebos' p-value and the two plotted
paths — is the one :func:`levelscope.international.exploratory_synthetic_control` returns for the
same question, before and after the user picks another start year; and axe finds no serious
problem on it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from levelscope.international import exploratory_synthetic_control

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _shown_numbers(page: Any) -> dict[str, Any]:
    """The figures as the page shows them, and the paths as the chart drew them."""
    def text(selector: str) -> str:
        return str(page.inner_text(selector)).strip()

    weights = page.locator("#synth-weights tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.code, r.querySelector('td.weight').textContent])")
    paths = page.locator("#synth-paths tbody tr").evaluate_all(
        "rows => rows.map(r => [Number(r.dataset.year), r.querySelector('td.actual').textContent,"
        " r.querySelector('td.synthetic').textContent, r.classList.contains('pre')])")
    # the traces as Plotly drew them (its full data holds the decoded arrays)
    drawn = page.evaluate(
        "() => document.getElementById('synth-chart')._fullData.map("
        "t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y)}))")
    return {"pre_rmspe": text("#pre-rmspe"), "share": text("#pre-rmspe-share"),
            "gap": text("#average-gap"), "p_value": text("#p-value"), "rank": text("#placebo-rank"),
            "units": text("#placebo-units"), "weights": weights, "paths": paths, "drawn": drawn,
            "label": text("#synth-label"), "caveats": text("#synth-caveats")}


def _assert_page_shows(shown: dict[str, Any], expected: Any) -> None:
    assert shown["label"].lower() == "exploratory"
    for caveat in expected.caveats:
        assert caveat in shown["caveats"]
    assert shown["pre_rmspe"] == f"{expected.pre_rmspe:,.0f}"
    assert shown["share"] == f"{100 * expected.pre_rmspe_share:.1f}"
    assert shown["gap"] == f"{expected.control.effect:,.0f}"
    assert shown["p_value"] == f"{expected.p_value:.3f}"
    assert int(shown["rank"]) == expected.placebos.rank
    assert int(shown["units"]) == len(expected.donors) + 1
    weights = expected.weights()
    assert [code for code, _ in shown["weights"]] == list(weights["geography_code"])
    assert [float(w) for _, w in shown["weights"]] == [round(w, 3) for w in weights["weight"]]
    assert abs(weights["weight"].sum() - 1) < 1e-3  # the donors shown make the whole twin
    frame = expected.to_frame()
    assert [year for year, *_ in shown["paths"]] == [int(y) for y in frame["year"]]
    assert [pre for *_, pre in shown["paths"]] == list(frame["year"] < expected.start)
    assert [a for _, a, _, _ in shown["paths"]] == [f"{v:,.0f}" for v in frame["actual"]]
    assert [s for _, _, s, _ in shown["paths"]] == [f"{v:,.0f}" for v in frame["synthetic"]]
    actual, synthetic = shown["drawn"][0], shown["drawn"][1]
    assert synthetic["name"] == "synthetic control"
    np.testing.assert_allclose(actual["x"], frame["year"])
    np.testing.assert_allclose(actual["y"], frame["actual"], rtol=1e-12)
    np.testing.assert_allclose(synthetic["y"], frame["synthetic"], rtol=1e-12)


def test_synthetic_control_page_shows_the_python_result(
    live_server: str, page: Any, demo_workspace: Any, screenshots: Callable[[Any, str], Path]
) -> None:
    page.goto(f"{live_server}/international")
    page.click("#leipzig a[href^='/international/synth/leipzig']")
    page.wait_for_url("**/international/synth/leipzig")
    page.wait_for_selector("#synth-chart[data-drawn='true'] .main-svg")
    expected = exploratory_synthetic_control(demo_workspace, "leipzig", 2010)
    _assert_page_shows(_shown_numbers(page), expected)
    screenshots(page, "international-synth-leipzig-2010")

    # the user picks the year of Leipzig's dated fact and donors from any country
    page.select_option("#start", "2012")
    page.select_option("#donor_pool", "all")
    page.fill("#max_donors", "12")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_url("**start=2012**")
    page.wait_for_selector("#synth-chart[data-drawn='true'] .main-svg")
    expected = exploratory_synthetic_control(demo_workspace, "leipzig", 2012, donor_pool="all",
                                             max_donors=12)
    assert len(expected.donors) == 12
    _assert_page_shows(_shown_numbers(page), expected)


def test_synthetic_control_page_has_no_serious_accessibility_problems(live_server: str, page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{live_server}/international/synth/tees_valley?start=2015")
    for chart in page.locator("[data-figure]").all():
        chart.locator(".main-svg").first.wait_for()
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
