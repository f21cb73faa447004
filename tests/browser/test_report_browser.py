"""Reports in a real Chromium: the area briefing opens with the network off (every chart drawn,
no request leaves the file) and axe-core finds no serious or critical problem in it or in the
other kinds of report; the area page's "Download report" button returns the PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from levelscope import Workspace
from levelscope.report import area_briefing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def briefing_file(demo_workspace_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "briefing.html"
    with Workspace.open(demo_workspace_path, read_only=True) as ws:
        path.write_text(area_briefing(ws, "E08000025").html(), encoding="utf-8")
    return path


def test_briefing_opens_offline_with_charts_and_passes_axe(browser: Any, briefing_file: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1200})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(briefing_file.as_uri())
        figures = page.locator("[data-figure]")
        assert figures.count() >= 3
        page.wait_for_function("[...document.querySelectorAll('[data-figure]')]"
                               ".every(e => e.dataset.drawn === 'true')")
        assert page.locator("[data-figure] svg.main-svg").count() >= figures.count()
        assert page.locator("svg.report-map path").count() > 300
        results = Axe().run(page)
    finally:
        context.close()
    assert not errors
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def test_area_page_download_report_button_gives_the_pdf(live_server: str, page: Any) -> None:
    page.goto(live_server + "/areas/E08000025")
    button = page.get_by_role("link", name="Download report (PDF)")
    with page.expect_download(timeout=120_000) as download:
        button.click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "area-E08000025.pdf"
    assert saved.read_bytes().startswith(b"%PDF")


def _other_reports(tmp_path: Path, demo: Path) -> dict[str, str]:
    """The HTML of a programme, an evaluation, a strategy and two funding reports (the second the
    demo's Levelling Up Fund record)."""
    import datetime as dt

    import pandas as pd

    from levelscope.design import Answer, Assessment, load_case_studies, load_framework, recommend, score
    from levelscope.evaluate.areas import AreaEvaluation, evaluate_areas
    from levelscope.evaluate.synth import placebo_in_space
    from levelscope.monitor import programmes, tracking
    from levelscope.need.fund_workspace import workspace_fund_analysis
    from levelscope.need.funding import analyse_funding
    from levelscope.records import accounts
    from levelscope.records.db import connect, transaction
    from levelscope.report import (
        evaluation_report,
        fund_record_report,
        funding_report,
        programme_report,
        strategy_report,
    )

    pages: dict[str, str] = {}
    with transaction(connect(f"sqlite:///{tmp_path / 'records.sqlite'}"), "test") as session:
        council = accounts.create_organisation(session, "Leeds City Council")
        made = programmes.create_programme(session, council.id, "Skills programme",
                                           start_date=dt.date(2022, 4, 1), end_date=dt.date(2026, 3, 31),
                                           places=["E08000035"])
        programmes.add_spend(session, made, 2022, "UKSPF", 100.0, kind="planned")
        programmes.add_spend(session, made, 2022, "UKSPF", 80.0)
        indicator = tracking.add_indicator(session, made, "Learners trained", stage="output",
                                           baseline_date=dt.date(2022, 4, 1), baseline_value=0.0,
                                           target_date=dt.date(2026, 4, 1), target_value=1000.0)
        tracking.record_actual(session, indicator, dt.date(2024, 4, 1), 400.0)
        programmes.add_cash_flow(session, made, 2022, "cost", 100.0)
        programmes.add_cash_flow(session, made, 2023, "benefit", 207.0)
        pages["programme"] = programme_report(session, made).html()
    years = range(2005, 2021)
    rows = [(f"E0800000{i}", y, 20.0 + i + 0.3 * (y - 2005) + (i % 3) * ((y * i) % 5) / 10)
            for i in range(1, 9) for y in years]
    frame = pd.DataFrame(rows, columns=["geography_code", "year", "value"]).assign(indicator_id="jobs")
    estimate = evaluate_areas(frame, ["E08000001"], 2015)
    pages["evaluation"] = evaluation_report(AreaEvaluation(
        indicator_id="jobs", level="lad", treated=("E08000001",), start=2015, method="synth",
        excluded=pd.Series(dtype=object), comparisons=7, estimate=estimate,
        placebos=placebo_in_space(estimate), indicator_name="Jobs")).html()
    fw = load_framework()
    result = score(Assessment(strategy="Vision", place_code="E08000027", assessor="Team", date="2026-03-31",
                              answers=tuple(Answer(criterion_id=c, score=2, evidence="")
                                            for c in fw.criterion_ids)), fw)
    practices = recommend(result, load_case_studies(framework=fw), None)
    pages["strategy"] = strategy_report(result, practices).html()
    codes = [f"E0700000{i}" for i in range(10)]
    allocations = pd.DataFrame({"programme": "Fund", "round": "1", "geography_code": codes,
                                "amount": [20_000.0] * 2 + [10_000.0] * 8, "date": "2024-01-01",
                                "outcome": "successful"})
    need = pd.Series(range(10, 0, -1), index=codes, dtype=float)
    pages["funding"] = funding_report(analyse_funding(allocations, need, pd.Series(1000.0, index=codes),
                                                      n_resamples=50)).html()
    with Workspace.open(demo, read_only=True) as ws:
        pages["fund_record"] = fund_record_report(workspace_fund_analysis(ws, n_resamples=50)).html()
    return pages


def test_every_other_report_kind_passes_axe_offline(browser: Any, tmp_path: Path,
                                                     demo_workspace_path: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    for kind, html in _other_reports(tmp_path, demo_workspace_path).items():
        path = tmp_path / f"{kind}.html"
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1200})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, found=errors: found.append(str(error)))
        try:
            page.goto(path.as_uri())
            page.wait_for_function("[...document.querySelectorAll('[data-figure]')]"
                                   ".every(e => e.dataset.drawn === 'true')")
            results = Axe().run(page)
        finally:
            context.close()
        assert not errors, (kind, errors)
        serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
                   for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, (kind, serious)
